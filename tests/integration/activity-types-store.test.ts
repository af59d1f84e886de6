// A season's activity types on the store (#20, db/store.ts): adding, changing and switching
// types on and off, the lists the sell page, the rules and the boards read, and the console's
// list of logged activities, with the same
// assertions on a temp SQLite file and a throwaway PostgreSQL (tests/helpers/postgres.ts). "Two
// nodes" are two stores on one database: two SQLite connections to one file, two PostgreSQL pools.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import {
	activeActivityTypes,
	activityTypeByKey,
	activityTypeNames,
	createActivityType,
	listActivityTypes,
	setActivityTypeActive,
	updateActivityType
} from '../../src/lib/server/activities/types';
import {
	activityInSeason,
	activityLog,
	activityPeople
} from '../../src/lib/server/activities/queries';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('activity-types-store');

const MANAGER = {};
const CALL = { key: 'call', name: 'Customer call', points: 2, emoji: '📞' };
const VISIT = { key: 'visit', name: 'Visit', points: 10, emoji: '🤝' };

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];
	const season = () => liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });

	it('a type added on one node is listed, named and loggable on the other; a change and a switch-off too', async () => {
		const { seasonId } = await season();
		const call = await createActivityType(node(0), seasonId, CALL, MANAGER, () => 1_000);
		await createActivityType(node(1), seasonId, VISIT, MANAGER, () => 1_000);
		expect((await listActivityTypes(node(1), seasonId)).map((t) => [t.key, t.active])).toEqual([
			['call', true],
			['visit', true]
		]);
		expect(await activityTypeByKey(node(1), seasonId, 'call')).toMatchObject({
			id: call.id,
			points: 2,
			active: true
		});

		const changed = await updateActivityType(
			node(1),
			seasonId,
			call.id,
			{ name: 'Phone call', points: 3, emoji: '☎️' },
			MANAGER,
			() => 2_000
		);
		expect(changed).toMatchObject({ key: 'call', name: 'Phone call', points: 3, updatedAt: 2_000 });
		expect(await activityTypeNames(node(0), seasonId)).toEqual(
			new Map([
				['call', 'Phone call'],
				['visit', 'Visit']
			])
		);

		expect(await setActivityTypeActive(node(0), seasonId, call.id, false, MANAGER)).toEqual({
			changed: true
		});
		expect((await activeActivityTypes(node(1), seasonId)).map((t) => t.key)).toEqual(['visit']);
		// Switched off, it is still listed: what was logged of it still counts.
		expect((await listActivityTypes(node(1), seasonId)).map((t) => t.key)).toEqual([
			'call',
			'visit'
		]);
		expect((await auditsOf(node(1), `activity_type:${call.id}`)).map((a) => a.action)).toEqual([
			'activity_type.create',
			'activity_type.update',
			'activity_type.deactivate'
		]);
	});

	it('one key added on both nodes at once makes one type and one refusal', async () => {
		const { seasonId } = await season();
		const outcomes = await Promise.all(
			[0, 1, 0, 1].map((i) =>
				appErrorCode(() => createActivityType(node(i), seasonId, CALL, MANAGER))
			)
		);
		expect(outcomes.sort()).toEqual([
			'activity_type_exists',
			'activity_type_exists',
			'activity_type_exists',
			'ok'
		]);
		const types = await listActivityTypes(node(0), seasonId);
		expect(types.map((t) => t.key)).toEqual(['call']);
		expect(await auditsOf(node(1), `activity_type:${types[0].id}`)).toHaveLength(1);
	});

	it('a switch sent to both nodes at once changes and audits once; the same switch again changes nothing', async () => {
		const { seasonId } = await season();
		const call = await createActivityType(node(0), seasonId, CALL, MANAGER);
		const results = await Promise.all(
			[0, 1, 1, 0].map((i) => setActivityTypeActive(node(i), seasonId, call.id, false, MANAGER))
		);
		expect(results.filter((r) => r.changed)).toHaveLength(1);
		expect(await setActivityTypeActive(node(1), seasonId, call.id, false, MANAGER)).toEqual({
			changed: false
		});
		expect((await auditsOf(node(0), `activity_type:${call.id}`)).map((a) => a.action)).toEqual([
			'activity_type.create',
			'activity_type.deactivate'
		]);
		await setActivityTypeActive(node(1), seasonId, call.id, true, MANAGER);
		expect((await activeActivityTypes(node(0), seasonId)).map((t) => t.key)).toEqual(['call']);
	});

	it('a type of another season, or one that is not there, is refused and nothing changes', async () => {
		const mine = await season();
		const other = await season();
		const theirs = await createActivityType(node(0), other.seasonId, CALL, MANAGER);
		expect(
			await appErrorCode(() =>
				updateActivityType(
					node(1),
					mine.seasonId,
					theirs.id,
					{ name: 'Taken over', points: 99, emoji: '🙃' },
					MANAGER
				)
			)
		).toBe('activity_type_not_found');
		expect(
			await appErrorCode(() => setActivityTypeActive(node(1), mine.seasonId, 1e9, false, MANAGER))
		).toBe('activity_type_not_found');
		expect(await activityTypeByKey(node(0), other.seasonId, 'call')).toMatchObject({
			name: 'Customer call',
			points: 2,
			active: true
		});
		expect(await listActivityTypes(node(0), mine.seasonId)).toEqual([]);
		expect(await auditsOf(node(1), `activity_type:${theirs.id}`)).toHaveLength(1);
	});

	it('the same key may be used by two seasons', async () => {
		const a = await season();
		const b = await season();
		await createActivityType(node(0), a.seasonId, CALL, MANAGER);
		await createActivityType(node(1), b.seasonId, { ...CALL, points: 7 }, MANAGER);
		expect((await activityTypeByKey(node(0), b.seasonId, 'call'))?.points).toBe(7);
		expect((await activityTypeByKey(node(1), a.seasonId, 'call'))?.points).toBe(2);
	});

	it('the console lists what was logged on either node: newest first, filtered, paged, with who voided it', async () => {
		const s = await liveSeasonOn(node(0), { size: 2, teams: ['A'], endsAt: 1e13 });
		const other = await season();
		const call = await createActivityType(node(0), s.seasonId, CALL, MANAGER);
		const visit = await createActivityType(node(1), s.seasonId, VISIT, MANAGER);
		const [ann, bob] = s.people;
		const { activity } = node(0).tables;
		const logged = (writer: number, who: typeof ann, type: typeof call, at: number) =>
			nodes[dialect][writer].db
				.insert(activity)
				.values({
					seasonId: s.seasonId,
					userId: who.id,
					teamId: s.teamIds[0],
					typeId: type.id,
					quantity: 1,
					occurredAt: at,
					source: 'api',
					externalId: `act-${s.seasonId}-${at}`,
					points: type.points,
					createdAt: at
				})
				.returning({ id: activity.id });
		const [first] = await logged(0, ann, call, 1_000);
		await logged(1, bob, visit, 2_000);
		const [third] = await logged(0, ann, visit, 3_000);
		await node(1)
			.db.update(activity)
			.set({ status: 'void', voidedById: bob.id, voidedAt: 4_000, voidReason: 'wrong customer' })
			.where(eq(activity.id, third.id));

		const all = await activityLog(node(1), s.seasonId, { page: 1 });
		expect(all).toMatchObject({ total: 3, page: 1, pages: 1 });
		expect(all.rows.map((r) => [r.userName, r.typeKey, r.status, r.voidedBy])).toEqual([
			[ann.name, 'visit', 'void', bob.name],
			[bob.name, 'visit', 'counted', null],
			[ann.name, 'call', 'counted', null]
		]);
		const annsCalls = await activityLog(node(0), s.seasonId, {
			page: 1,
			userId: ann.id,
			typeId: call.id
		});
		expect(annsCalls.rows.map((r) => r.id)).toEqual([first.id]);
		// A page past the end shows the last one.
		const paged = await activityLog(node(0), s.seasonId, { page: 9, perPage: 2 });
		expect({ page: paged.page, pages: paged.pages, rows: paged.rows.length }).toEqual({
			page: 2,
			pages: 2,
			rows: 1
		});
		expect(await activityPeople(node(1), s.seasonId)).toEqual(
			[ann, bob]
				.map((p) => ({ id: p.id, name: p.name }))
				.sort((a, b) => a.name.localeCompare(b.name))
		);
		expect(await activityInSeason(node(1), s.seasonId, first.id)).toEqual({
			id: first.id,
			userName: ann.name
		});
		// Another season's page cannot reach it.
		expect(await activityInSeason(node(1), other.seasonId, first.id)).toBeUndefined();
		expect((await activityLog(node(1), other.seasonId, { page: 1 })).total).toBe(0);
	});
});
