// Voiding an activity against a real (in-memory) database: the compensating entry and the
// standings, a second void changing nothing, each refusal changing nothing, the contest measures
// and the "activities logged" badge following. The API and the console are in
// tests/integration/activity-void.test.ts.
import { read, sqliteStore } from '../db/store';
import { beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../db';
import {
	activity,
	auditEvent,
	award,
	badge,
	dashboardSlot,
	ledgerEntry,
	season,
	seasonMember,
	standing,
	team,
	user
} from '../db/schema';
import { createActivityType } from './types';
import { logActivity } from './record';
import { voidActivity, voidByExternalId } from './void';
import { activityLog, readActivityFeed } from './queries';
import { periodTotals } from '../formats/measure';
import type { Measure } from '../../contest/measure';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 9, 20, 12);
const clock = () => NOW;
const ENDS = Date.UTC(2027, 0, 1);

let db: Db;
let seasonId: number;
let ann: number;
let boss: number;

beforeEach(async () => {
	db = openDatabase(':memory:');
	seasonId = db
		.insert(season)
		.values({
			name: 'Q4',
			theme: { primary: '#000', accent: '#fff', emoji: '🏆', tagline: '' },
			timeZone: 'UTC',
			status: 'live',
			startsAt: Date.UTC(2026, 9, 1),
			endsAt: ENDS,
			graceDays: 7
		})
		.returning()
		.get().id;
	const teamId = db.insert(team).values({ seasonId, name: 'Wolves' }).returning().get().id;
	const make = (email: string, role: 'participant' | 'manager') =>
		db
			.insert(user)
			.values({ email, displayName: email.split('@')[0], role, passwordHash: 'x' })
			.returning()
			.get().id;
	ann = make('ann@test', 'participant');
	boss = make('boss@test', 'manager');
	for (const userId of [ann, boss])
		db.insert(seasonMember).values({ seasonId, userId, teamId }).run();
	await createActivityType(
		sqliteStore(db),
		seasonId,
		{ key: 'call', name: 'Call', points: 2, emoji: '📞' },
		{}
	);
	await createActivityType(
		sqliteStore(db),
		seasonId,
		{ key: 'visit', name: 'Visit', points: 10, emoji: '🤝' },
		{}
	);
});

let n = 0;
const log = (userId: number, type: string, quantity: number, hoursAgo: number, source = 'api') =>
	logActivity(
		sqliteStore(db),
		{
			source: source as 'api' | 'web',
			externalId: `v${++n}`,
			person: { userId },
			type,
			quantity,
			occurredAt: NOW - hoursAgo * HOUR,
			seasonId
		},
		clock
	);

const points = (userId: number) =>
	db
		.select({ points: standing.confirmedPoints })
		.from(standing)
		.where(
			and(
				eq(standing.seasonId, seasonId),
				eq(standing.subjectType, 'user'),
				eq(standing.subjectId, userId)
			)
		)
		.get()?.points ?? 0;
const version = () => db.select().from(season).where(eq(season.id, seasonId)).get()!.version;
/** Everything a void may write: a refused or repeated one must leave all of it as it was. */
const snapshot = () => ({
	activities: db.select().from(activity).all(),
	entries: db.select().from(ledgerEntry).all().length,
	audits: db.select().from(auditEvent).all().length,
	awards: db.select().from(award).all(),
	points: points(ann),
	version: version()
});
const byBoss = (reason: string | null = 'logged twice') => ({ actor: { userId: boss }, reason });

describe('voidActivity', () => {
	it('takes the points back with a compensating entry and keeps the activity, marked void', async () => {
		const call = await log(ann, 'call', 3, 2);
		await log(ann, 'visit', 1, 1);
		expect(points(ann)).toBe(16);
		const before = version();

		const voided = await voidActivity(
			sqliteStore(db),
			call.activity.id,
			byBoss('  logged twice  '),
			clock
		);
		expect(voided).toEqual({
			activity: { id: call.activity.id, status: 'void', points: 6 },
			seasonId,
			changed: true
		});
		expect(points(ann)).toBe(10);
		expect(version()).toBeGreaterThan(before);
		const row = db.select().from(activity).where(eq(activity.id, call.activity.id)).get()!;
		expect(row).toMatchObject({
			status: 'void',
			voidedById: boss,
			voidedAt: NOW,
			voidReason: 'logged twice'
		});
		expect(
			db
				.select()
				.from(ledgerEntry)
				.where(eq(ledgerEntry.activityId, call.activity.id))
				.all()
				.map((e) => [e.kind, e.points, e.status, e.reason])
		).toEqual([
			['activity', 6, 'confirmed', '3 × Call'],
			['reversal', -6, 'confirmed', 'logged twice']
		]);
		expect(
			db.select().from(auditEvent).where(eq(auditEvent.action, 'activity.void')).all()
		).toMatchObject([
			{
				actorUserId: boss,
				subject: `activity:${call.activity.id}`,
				data: { seasonId, userId: ann, type: 'call', quantity: 3, points: 6 }
			}
		]);
	});

	it('answers "unchanged" the second time and writes nothing', async () => {
		const call = await log(ann, 'call', 1, 1);
		await voidActivity(sqliteStore(db), call.activity.id, byBoss(), clock);
		const before = snapshot();
		// Even without a reason: it is void already.
		expect(await voidActivity(sqliteStore(db), call.activity.id, byBoss(null), clock)).toEqual({
			activity: { id: call.activity.id, status: 'void', points: 2 },
			seasonId,
			changed: false
		});
		expect(snapshot()).toEqual(before);
	});

	it.each([
		['an unknown activity', 404, 'not_found', { unknown: true }],
		['no reason', 400, 'reason_required', { reason: '   ' }],
		['one’s own activity', 403, 'own_activity', { own: true }],
		['a season whose grace period is over', 409, 'season_final', { at: ENDS + 7 * DAY }]
	] as const)('refuses %s (%i) and changes nothing', async (_, status, code, c) => {
		const call = await log(ann, 'call', 2, 1);
		const before = snapshot();
		const attempt = () =>
			voidActivity(
				sqliteStore(db),
				'unknown' in c ? 999_999 : call.activity.id,
				{ actor: { userId: 'own' in c ? ann : boss }, reason: 'reason' in c ? c.reason : 'x' },
				() => ('at' in c ? c.at : NOW)
			);
		await expect(attempt()).rejects.toMatchObject({ status, code });
		expect(snapshot()).toEqual(before);
	});

	it('refuses an archived season, still inside its grace period', async () => {
		const call = await log(ann, 'call', 2, 1);
		db.update(season).set({ status: 'archived' }).where(eq(season.id, seasonId)).run();
		const before = snapshot();
		await expect(
			voidActivity(sqliteStore(db), call.activity.id, byBoss(), clock)
		).rejects.toMatchObject({ status: 409, code: 'season_final' });
		expect(snapshot()).toEqual(before);
	});

	it('finds an activity by the externalId the API and imports share, not a /sell one', async () => {
		const api = await log(ann, 'call', 1, 1);
		const web = await log(ann, 'call', 1, 1, 'web');
		expect(
			(await voidByExternalId(sqliteStore(db), `v${n - 1}`, byBoss(), clock)).activity.id
		).toBe(api.activity.id);
		await expect(voidByExternalId(sqliteStore(db), `v${n}`, byBoss(), clock)).rejects.toMatchObject(
			{
				status: 404
			}
		);
		expect(db.select().from(activity).where(eq(activity.id, web.activity.id)).get()!.status).toBe(
			'counted'
		);
	});
});

describe('what follows a void', () => {
	const totals = (measure: Measure) =>
		periodTotals(db, {
			seasonId,
			subject: 'user',
			from: NOW - DAY,
			to: NOW + HOUR,
			measure
		}).get(ann)?.confirmed ?? 0;

	it('no contest measure counts it any more (activity:<key> and points), in its period', async () => {
		const call = await log(ann, 'call', 3, 2);
		await log(ann, 'call', 1, 1);
		await log(ann, 'visit', 1, 1);
		expect(totals({ kind: 'activity', type: 'call' })).toBe(8);
		expect(totals({ kind: 'points' })).toBe(18);
		// Voided a week later: the period it happened in loses it, not the day of the void.
		await voidActivity(sqliteStore(db), call.activity.id, byBoss(), () => NOW + 7 * DAY);
		expect(totals({ kind: 'activity', type: 'call' })).toBe(2);
		expect(totals({ kind: 'activity', type: 'visit' })).toBe(10);
		expect(totals({ kind: 'points' })).toBe(12);
	});

	it('nets to zero on the dashboard at the time it was logged, not on the day of the void', async () => {
		const call = await log(ann, 'call', 3, 30);
		await voidActivity(sqliteStore(db), call.activity.id, byBoss(), () => NOW + 3 * DAY);
		const slots = db
			.select({ slot: dashboardSlot.slot, confirmed: dashboardSlot.confirmed })
			.from(dashboardSlot)
			.where(eq(dashboardSlot.seasonId, seasonId))
			.all();
		// Logged at NOW (the clock of log()), whenever it happened.
		expect(slots).toEqual([{ slot: Math.floor(NOW / 900_000), confirmed: 0 }]);
	});

	it('withdraws an "activities logged" badge the person no longer reaches, and gives it again', async () => {
		const caller = db
			.insert(badge)
			.values({
				seasonId,
				name: 'Caller',
				criterion: { kind: 'activities_logged', count: 3, type: 'call' },
				points: 5
			})
			.returning()
			.get();
		const first = await log(ann, 'call', 2, 5);
		await log(ann, 'call', 1, 4);
		const held = () =>
			db
				.select({ status: award.status })
				.from(award)
				.where(eq(award.badgeId, caller.id))
				.all()
				.map((a) => a.status);
		expect(held()).toEqual(['confirmed']);
		expect(points(ann)).toBe(6 + 5);

		await voidActivity(sqliteStore(db), first.activity.id, byBoss(), clock);
		expect(held()).toEqual(['void']);
		// The call's points and the badge's both taken back.
		expect(points(ann)).toBe(2);

		// Reaching three calls again earns it again.
		await log(ann, 'call', 2, 1);
		expect(held()).toEqual(['void', 'confirmed']);
		expect(points(ann)).toBe(2 + 4 + 5);
	});

	it('keeps the badge when the person still has N without the voided activity', async () => {
		db.insert(badge)
			.values({
				seasonId,
				name: 'Busy',
				criterion: { kind: 'activities_logged', count: 2 },
				points: 0
			})
			.run();
		await log(ann, 'call', 1, 3);
		const second = await log(ann, 'visit', 1, 2);
		await log(ann, 'call', 1, 1);
		await voidActivity(sqliteStore(db), second.activity.id, byBoss(), clock);
		expect(db.select({ status: award.status }).from(award).all()).toEqual([
			{ status: 'confirmed' }
		]);
	});

	it('leaves the board feed, stays in the console list with its reason, filtered and paged', async () => {
		const call = await log(ann, 'call', 1, 3);
		const visit = await log(ann, 'visit', 1, 2);
		await log(boss, 'call', 1, 1);
		await voidActivity(sqliteStore(db), visit.activity.id, byBoss('wrong customer'), clock);
		const store = sqliteStore(db);
		const feed = await read(store, (tx) => readActivityFeed(tx, store, seasonId, 10));
		expect(feed.map((f) => f.item.id)).not.toContain(`activity:${visit.activity.id}`);
		const all = await activityLog(sqliteStore(db), seasonId, { page: 1 });
		expect(all.total).toBe(3);
		expect(all.rows.find((r) => r.id === visit.activity.id)).toMatchObject({
			status: 'void',
			voidReason: 'wrong customer',
			voidedBy: 'boss'
		});
		const annsCalls = await activityLog(sqliteStore(db), seasonId, {
			page: 1,
			userId: ann,
			typeId: db.select().from(activity).where(eq(activity.id, call.activity.id)).get()!.typeId
		});
		expect(annsCalls.rows.map((r) => r.id)).toEqual([call.activity.id]);
		const paged = await activityLog(sqliteStore(db), seasonId, { page: 9, perPage: 2 });
		expect({ page: paged.page, pages: paged.pages, rows: paged.rows.length }).toEqual({
			page: 2,
			pages: 2,
			rows: 1
		});
	});
});
