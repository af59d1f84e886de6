// Logging, voiding and importing activities on the store (#20, db/store.ts): activities/record.ts
// (`logActivity`: the activity, its ledger entry, the standings and the version in one write),
// void.ts (`voidActivity`, `voidByExternalId`: an update guarded by the old status) and
// import.ts (`importActivities`: a whole file in one write), with the same assertions on a temp
// SQLite file and a throwaway PostgreSQL, two nodes each (tests/helpers/store-nodes.ts).
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { createActivityType } from '../../src/lib/server/activities/types';
import { logActivity, type LogActivityInput } from '../../src/lib/server/activities/record';
import { voidActivity, voidByExternalId } from '../../src/lib/server/activities/void';
import { importActivities } from '../../src/lib/server/activities/import';
import { readActivityDayContext, readActivityRules } from '../../src/lib/server/activities/scoring';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf, liveSeasonOn, pointsOf } from '../helpers/store-season';

const nodes = twoNodesPerDialect('activities-store');
const NOW = 1_800_000_000_000;
const HOUR = 60 * 60 * 1000;
const clock = () => NOW;
let serial = 0;
/** An externalId no other test of the file uses (source + externalId is unique per database). */
const key = (name: string) => `${name}-${++serial}`;

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	/** A live season of three (Alpha: boss, cid; Beta: ann) with a call (2) and a visit (10). */
	async function seasonWithTypes() {
		const made = await liveSeasonOn(node(0), {
			size: 3,
			teams: ['Alpha', 'Beta'],
			endsAt: NOW * 2
		});
		for (const type of [
			{ key: 'call', name: 'Call', points: 2, emoji: '📞' },
			{ key: 'visit', name: 'Visit', points: 10, emoji: '🤝' }
		])
			await createActivityType(node(0), made.seasonId, type, {}, clock);
		const [boss, ann] = made.people;
		return { ...made, boss, ann };
	}

	const call = (
		seasonId: number,
		userId: number,
		externalId: string,
		more: Partial<LogActivityInput> = {}
	): LogActivityInput => ({
		source: 'api',
		externalId,
		person: { userId },
		type: 'call',
		quantity: 3,
		occurredAt: NOW - HOUR,
		seasonId,
		...more
	});

	async function versionOf(store: Store, seasonId: number) {
		const { season } = store.tables;
		const [row] = await store.db
			.select({ version: season.version })
			.from(season)
			.where(eq(season.id, seasonId));
		return row.version;
	}

	/** Everything logging or voiding writes in a season, read on `store`. */
	async function snapshot(store: Store, seasonId: number) {
		const { activity, ledgerEntry, standing } = store.tables;
		return {
			activities: await store.db
				.select()
				.from(activity)
				.where(eq(activity.seasonId, seasonId))
				.orderBy(activity.id),
			entries: await store.db
				.select()
				.from(ledgerEntry)
				.where(eq(ledgerEntry.seasonId, seasonId))
				.orderBy(ledgerEntry.id),
			standings: await store.db
				.select()
				.from(standing)
				.where(eq(standing.seasonId, seasonId))
				.orderBy(standing.subjectType, standing.subjectId),
			version: await versionOf(store, seasonId)
		};
	}

	it('what one node logs the other sees, and a replay there counts nothing', async () => {
		const { seasonId, ann, teamIds } = await seasonWithTypes();
		const before = await versionOf(node(1), seasonId);
		const id = key('seen');
		const logged = await logActivity(node(0), call(seasonId, ann.id, id), clock);
		expect(logged).toMatchObject({ seasonId, userId: ann.id, created: true });
		expect(logged.activity.points).toBe(6);
		expect(await pointsOf(node(1), seasonId, 'user', ann.id)).toMatchObject({ confirmed: 6 });
		expect(await pointsOf(node(1), seasonId, 'team', teamIds[1])).toMatchObject({ confirmed: 6 });
		expect(await versionOf(node(1), seasonId)).toBeGreaterThan(before);

		const again = await logActivity(node(1), call(seasonId, ann.id, id), clock);
		expect(again).toEqual({ ...logged, created: false });
		const { ledgerEntry } = node(1).tables;
		const entries = await node(1)
			.db.select()
			.from(ledgerEntry)
			.where(eq(ledgerEntry.activityId, logged.activity.id));
		expect(entries.map((e) => [e.kind, e.points, e.status, e.reason])).toEqual([
			['activity', 6, 'confirmed', '3 × Call']
		]);
	});

	it('the same request sent to both nodes at once logs once', async () => {
		const { seasonId, ann } = await seasonWithTypes();
		const before = await versionOf(node(0), seasonId);
		const id = key('twice');
		const answers = await Promise.all([
			logActivity(node(0), call(seasonId, ann.id, id, { source: 'web' }), clock),
			logActivity(node(1), call(seasonId, ann.id, id, { source: 'web' }), clock)
		]);
		expect(answers.map((a) => a.created).sort()).toEqual([false, true]);
		expect(answers[0].activity).toEqual(answers[1].activity);
		const after = await snapshot(node(1), seasonId);
		expect(after.activities).toHaveLength(1);
		expect(after.entries).toHaveLength(1);
		expect(await pointsOf(node(0), seasonId, 'user', ann.id)).toMatchObject({ confirmed: 6 });
		expect(after.version).toBe(before + 1);
	});

	it('different activities logged on both nodes at once all count', async () => {
		const { seasonId, ann, boss } = await seasonWithTypes();
		const before = await versionOf(node(0), seasonId);
		await Promise.all(
			[0, 1, 2, 3].map((i) =>
				logActivity(node(i % 2), call(seasonId, i < 2 ? ann.id : boss.id, key('many')), clock)
			)
		);
		expect(await pointsOf(node(0), seasonId, 'user', ann.id)).toMatchObject({ confirmed: 12 });
		expect(await pointsOf(node(1), seasonId, 'user', boss.id)).toMatchObject({ confirmed: 12 });
		expect(await versionOf(node(1), seasonId)).toBe(before + 4);
	});

	it('scores with the season’s activity rules, and the other node reads the day the same', async () => {
		const { seasonId, ann } = await seasonWithTypes();
		const { rule } = node(0).tables;
		const [doubled] = await node(0)
			.db.insert(rule)
			.values({
				seasonId,
				name: 'Call week',
				target: { kind: 'activity', type: 'call' },
				effect: { kind: 'multiplier', factor: 2 }
			})
			.returning();
		const logged = await logActivity(node(1), call(seasonId, ann.id, key('ruled')), clock);
		expect(logged.activity.points).toBe(12);
		const rules = await readActivityRules(node(1).db, node(1), seasonId);
		expect(rules.map((r) => r.id)).toEqual([doubled.id]);
		const { season } = node(0).tables;
		const [row] = await node(0).db.select().from(season).where(eq(season.id, seasonId));
		const day = await readActivityDayContext(node(0).db, node(0), row, ann.id, NOW - HOUR, rules);
		expect(day).toEqual({ ruleAwardsToday: { [doubled.id]: 6 }, multipliers: 'best' });
	});

	it('refuses bad input and changes nothing', async () => {
		const { seasonId, ann, boss } = await seasonWithTypes();
		const taken = key('taken');
		await logActivity(node(0), call(seasonId, ann.id, taken), clock);
		const outsider = await liveSeasonOn(node(0), { size: 1, teams: ['Gamma'], endsAt: NOW * 2 });
		const before = await snapshot(node(1), seasonId);
		const attempts: [string, LogActivityInput][] = [
			['unknown_activity_type', call(seasonId, ann.id, key('bad'), { type: 'demo' })],
			['in_the_future', call(seasonId, ann.id, key('bad'), { occurredAt: NOW + HOUR })],
			['not_a_member', call(seasonId, outsider.people[0].id, key('bad'))],
			['unknown_person', call(seasonId, 0, key('bad'), { person: { email: 'no@one.test' } })],
			// The key of another activity, with another quantity.
			['idempotency_conflict', call(seasonId, ann.id, taken, { quantity: 4 })]
		];
		for (const [code, input] of attempts)
			expect(await appErrorCode(() => logActivity(node(1), input, clock))).toBe(code);
		expect(await snapshot(node(0), seasonId)).toEqual(before);

		const [target] = before.activities;
		for (const [code, actor, reason] of [
			['reason_required', boss.id, '  '],
			['own_activity', ann.id, 'mine'],
			['not_found', boss.id, 'gone']
		] as const)
			expect(
				await appErrorCode(() =>
					voidActivity(
						node(1),
						code === 'not_found' ? target.id + 1_000_000 : target.id,
						{ actor: { userId: actor }, reason },
						clock
					)
				)
			).toBe(code);
		expect(
			await appErrorCode(() =>
				voidByExternalId(node(0), key('none'), { actor: {}, reason: 'x' }, clock)
			)
		).toBe('not_found');
		expect(await snapshot(node(0), seasonId)).toEqual(before);
	});

	it('a void sent to both nodes at once voids once and leaves no points', async () => {
		const { seasonId, ann, boss } = await seasonWithTypes();
		const id = key('void');
		const logged = await logActivity(node(0), call(seasonId, ann.id, id), clock);
		await logActivity(
			node(0),
			call(seasonId, ann.id, key('kept'), { type: 'visit', quantity: 1 }),
			clock
		);
		const before = await versionOf(node(0), seasonId);
		const input = { actor: { userId: boss.id }, reason: 'logged twice' };
		const answers = await Promise.all([
			voidActivity(node(0), logged.activity.id, input, clock),
			voidByExternalId(node(1), id, input, clock)
		]);
		expect(answers.map((a) => a.changed).sort()).toEqual([false, true]);
		for (const answer of answers)
			expect(answer.activity).toEqual({ id: logged.activity.id, status: 'void', points: 6 });
		expect(await pointsOf(node(1), seasonId, 'user', ann.id)).toMatchObject({ confirmed: 10 });
		const { ledgerEntry } = node(0).tables;
		const entries = await node(0)
			.db.select()
			.from(ledgerEntry)
			.where(eq(ledgerEntry.activityId, logged.activity.id))
			.orderBy(ledgerEntry.id);
		expect(entries.map((e) => [e.kind, e.points])).toEqual([
			['activity', 6],
			['reversal', -6]
		]);
		expect(await auditsOf(node(1), `activity:${logged.activity.id}`)).toMatchObject([
			{ action: 'activity.void', data: { seasonId, userId: ann.id, type: 'call', points: 6 } }
		]);
		const after = await versionOf(node(1), seasonId);
		expect(after).toBe(before + 1);
		// Again, on either node: nothing more.
		expect((await voidActivity(node(1), logged.activity.id, input, clock)).changed).toBe(false);
		expect(await versionOf(node(0), seasonId)).toBe(after);
	});

	it('imports a file on one node for the other; a file with a bad row imports nothing', async () => {
		const { seasonId, ann, boss } = await seasonWithTypes();
		const at = new Date(NOW - HOUR).toISOString();
		const first = key('row');
		const csv = (rows: string[]) =>
			['externalId,email,type,occurredAt,quantity', ...rows].join('\n');
		const actor = { userId: boss.id };
		const bad = csv([
			`${key('row')},${ann.email},call,${at},2`,
			`${key('row')},${ann.email},demo,${at},1`
		]);
		const before = await snapshot(node(0), seasonId);
		const refused = await importActivities(node(1), seasonId, bad, { dryRun: false, actor }, clock);
		expect(refused).toMatchObject({ imported: false, rejected: 1, accepted: 1 });
		expect(await snapshot(node(0), seasonId)).toEqual(before);
		const good = csv([
			`${first},${ann.email},call,${at},2`,
			`${key('row')},${ann.email},visit,${at},1`
		]);
		expect(
			await importActivities(node(1), seasonId, good, { dryRun: true, actor }, clock)
		).toMatchObject({ imported: false, accepted: 2, points: 14 });
		expect(await snapshot(node(0), seasonId)).toEqual(before);
		expect(
			await importActivities(node(1), seasonId, good, { dryRun: false, actor }, clock)
		).toMatchObject({ imported: true, accepted: 2, already: 0, points: 14 });
		expect(await pointsOf(node(0), seasonId, 'user', ann.id)).toMatchObject({ confirmed: 14 });
		expect(await versionOf(node(0), seasonId)).toBe(before.version + 2);
		// The API's id space is the file's: the first row sent again through the API counts nothing.
		const replay = await logActivity(
			node(0),
			call(seasonId, 0, first, { person: { email: ann.email }, quantity: 2, seasonId: undefined }),
			clock
		);
		expect(replay.created).toBe(false);
		expect(await auditsOf(node(0), `season:${seasonId}`)).toMatchObject([
			{ action: 'activity.import', data: { rows: 2, new: 2, already: 0, points: 14 } }
		]);
	});
});
