// The counted badge criteria of #17 through the real services on a temp SQLite file and a fake
// clock: "activities logged" given by the logging transaction (the API's and the import's), once
// however often an activity is replayed; "sprints won" and "knockouts won" given by the freeze,
// once however often the job runs; and each time, a badge created afterwards (the re-evaluation)
// gives the same people the same award at the same instant.
import { sqliteStore } from '../../src/lib/server/db/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, standingsVsLedger, makeCup } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { award, ledgerEntry, type Badge } from '../../src/lib/server/db/schema';
import { createBadge } from '../../src/lib/server/badges/commands';
import { recordOn } from '../helpers/record-sale';
import { createActivityType } from '../../src/lib/server/activities/types';
import { logActivity } from '../../src/lib/server/activities/record';
import { importActivities } from '../../src/lib/server/activities/import';
import { createSprint } from '../../src/lib/server/sprints/commands';
import { advanceSprints } from '../../src/lib/server/sprints/decide';
import { advanceKnockouts } from '../../src/lib/server/knockouts/advance';
import { setPublisher, type LivePublisher } from '../../src/lib/server/realtime/publish';
import type { BadgeCriterion } from '../../src/lib/contest/badges';
import type { BadgeEvent } from '../../src/lib/realtime/events';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let ctx: ReturnType<typeof tempDb>;
let db: Db;
/** The badges pushed live (only ever after their transaction committed). */
let pushed: BadgeEvent[];

beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
	pushed = [];
	setPublisher({
		badge: (event: BadgeEvent) => pushed.push(event),
		activity: () => {},
		leaderboardChanged: () => {},
		season: () => {}
	} as unknown as LivePublisher);
});
afterEach(() => {
	setPublisher(undefined);
	ctx.cleanup();
});

const draft = (name: string, criterion: BadgeCriterion, points = 0) => ({
	name,
	emoji: '🏅',
	description: '',
	points,
	criterion,
	active: true
});

/** A badge's standing awards: who, when. */
const awardsOf = (b: Badge) =>
	db
		.select({ subjectType: award.subjectType, subjectId: award.subjectId, at: award.earnedAt })
		.from(award)
		.where(and(eq(award.badgeId, b.id), eq(award.periodKey, '')))
		.orderBy(award.subjectId)
		.all();

/** The same criterion as `b`, created now: the re-evaluation decides it for the whole season. */
async function sameBadgeLater(seasonId: number, b: Badge, clock: () => number) {
	const later = await createBadge(
		sqliteStore(db),
		seasonId,
		draft(`${b.name} (later)`, b.criterion),
		{},
		clock
	);
	return awardsOf(later.badge);
}

describe('activities logged', () => {
	it('is given by the logging transaction once, and the re-evaluation agrees', async () => {
		const { season, people } = await makeContest(db, { teams: 2, people: 3 });
		const [ann, bob, cat] = people;
		const now = Date.now();
		const clock = () => now;
		for (const key of ['call', 'visit'])
			await createActivityType(
				sqliteStore(db),
				season.id,
				{ key, name: key, points: 2, emoji: '📞' },
				{},
				clock
			);
		const { badge: tenCalls } = await createBadge(
			sqliteStore(db),
			season.id,
			draft('Ten calls', { kind: 'activities_logged', count: 10, type: 'call' }, 15),
			{},
			clock
		);
		const { badge: anything } = await createBadge(
			sqliteStore(db),
			season.id,
			draft('Busy', { kind: 'activities_logged', count: 4 }),
			{},
			clock
		);
		const log = (externalId: string, userId: number, type: string, quantity: number, at: number) =>
			logActivity(
				sqliteStore(db),
				{
					source: 'api',
					externalId,
					person: { userId },
					type,
					quantity,
					occurredAt: at,
					seasonId: season.id
				},
				clock
			);

		await log('a1', ann.id, 'call', 6, now - 5 * HOUR);
		await log('a2', ann.id, 'visit', 3, now - 4 * HOUR);
		expect(awardsOf(tenCalls)).toEqual([]);
		// The activity that takes Ann's calls from 6 to 11 earns the badge, at its time.
		await log('a3', ann.id, 'call', 5, now - 3 * HOUR);
		await log('b1', bob.id, 'call', 9, now - 2 * HOUR);
		expect(awardsOf(tenCalls)).toEqual([
			{ subjectType: 'user', subjectId: ann.id, at: now - 3 * HOUR }
		]);
		expect(awardsOf(anything)).toEqual([
			{ subjectType: 'user', subjectId: ann.id, at: now - 5 * HOUR },
			{ subjectType: 'user', subjectId: bob.id, at: now - 2 * HOUR }
		]);
		expect(pushed.map((e) => [e.badge.name, e.subjectId])).toEqual([
			['Busy', ann.id],
			['Ten calls', ann.id],
			['Busy', bob.id]
		]);

		// A retry of the activity that earned it (the same externalId): counted once, given once.
		expect((await log('a3', ann.id, 'call', 5, now - 3 * HOUR)).created).toBe(false);
		await log('b2', bob.id, 'visit', 1, now - HOUR);
		expect(awardsOf(tenCalls)).toHaveLength(1);
		expect(pushed).toHaveLength(3);
		const bonus = db
			.select()
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.kind, 'badge'), eq(ledgerEntry.userId, ann.id)))
			.all();
		expect(bonus.map((e) => e.points)).toEqual([15]);

		// A file: a dry run gives nothing, the import gives Bob his tenth call at its row's time.
		const csv = [
			'externalId,email,type,occurredAt,quantity',
			`b1,${bob.email},call,${new Date(now - 2 * HOUR).toISOString()},9`,
			`b3,${bob.email},call,${new Date(now - 30 * 60 * 1000).toISOString()},1`,
			`c1,${cat.email},visit,${new Date(now - 20 * 60 * 1000).toISOString()},2`
		].join('\n');
		const actor = { userId: null };
		expect(
			(await importActivities(sqliteStore(db), season.id, csv, { dryRun: true, actor }, clock))
				.errors
		).toEqual([]);
		expect(awardsOf(tenCalls)).toHaveLength(1);
		expect(pushed).toHaveLength(3);
		const report = await importActivities(
			sqliteStore(db),
			season.id,
			csv,
			{ dryRun: false, actor },
			clock
		);
		expect(report).toMatchObject({ imported: true, already: 1, accepted: 3 });
		expect(awardsOf(tenCalls)).toEqual([
			{ subjectType: 'user', subjectId: ann.id, at: now - 3 * HOUR },
			{ subjectType: 'user', subjectId: bob.id, at: now - 30 * 60 * 1000 }
		]);
		expect(pushed.map((e) => [e.badge.name, e.subjectId]).slice(3)).toEqual([
			['Ten calls', bob.id]
		]);

		// Badges created now find the same people at the same instants.
		expect(await sameBadgeLater(season.id, tenCalls, clock)).toEqual(awardsOf(tenCalls));
		expect(await sameBadgeLater(season.id, anything, clock)).toEqual(awardsOf(anything));
		expect(awardsOf(anything).map((a) => a.subjectId)).not.toContain(cat.id);
		const check = standingsVsLedger(db, season.id);
		expect(check.stored).toEqual(check.fromLedger);
	});
});

let n = 0;
/** A phone sale (50 points) made and recorded at `at`. */
const sell = async (sellerId: number, at: number, phones = 1) => {
	const { sale } = await recordOn(
		db,
		{
			source: 'api',
			externalId: `s${++n}`,
			seller: { userId: sellerId },
			occurredAt: at,
			lines: [{ sku: 'PHONE', quantity: phones }]
		},
		() => at,
		{ awards: false }
	);
	return sale.id;
};

describe('sprints won', () => {
	it('is given when the sprint is frozen, once, and the re-evaluation agrees', async () => {
		const { season, people } = await makeContest(db, { teams: 2, people: 3 });
		const [ann, bob] = people;
		const base = Date.now() - 20 * DAY;
		const { badge: winner } = await createBadge(
			sqliteStore(db),
			season.id,
			draft('Sprinter', { kind: 'sprints_won', count: 1 }, 10),
			{},
			() => base - DAY
		);
		const race = (name: string, startsAt: number, subject: 'user' | 'team' = 'user') =>
			createSprint(
				sqliteStore(db),
				season.id,
				{
					name,
					subject,
					measure: 'points',
					target: 100,
					startsAt,
					endsAt: startsAt + DAY,
					prize: null,
					requestId: name
				},
				{ userId: null },
				() => base - DAY
			);
		await race('Morning', base);
		await race('Teams', base, 'team');
		await advanceSprints(sqliteStore(db), () => base + 1);
		await sell(bob.id, base + HOUR, 2);
		await sell(ann.id, base + 2 * HOUR, 2);
		// Won, but not final: the grace days may still change it.
		await advanceSprints(sqliteStore(db), () => base + 3 * HOUR);
		expect(awardsOf(winner)).toEqual([]);

		const final = base + HOUR + 7 * DAY;
		await advanceSprints(sqliteStore(db), () => final);
		await advanceSprints(sqliteStore(db), () => final + HOUR);
		// Bob won the Morning sprint, and the team sprint with his team (he is its only member):
		// one award, at the freeze.
		expect(awardsOf(winner)).toEqual([{ subjectType: 'user', subjectId: bob.id, at: final }]);
		expect(pushed.map((e) => [e.badge.name, e.subjectId])).toEqual([['Sprinter', bob.id]]);

		// A second sprint, won by Ann: a "2 sprints" badge waits for a second win of hers; Bob's
		// two (his own and his team's) earn it at once.
		const { badge: twice } = await createBadge(
			sqliteStore(db),
			season.id,
			draft('Two sprints', { kind: 'sprints_won', count: 2 }),
			{},
			() => final
		);
		await race('Evening', base + 2 * DAY);
		await advanceSprints(sqliteStore(db), () => base + 2 * DAY);
		await sell(ann.id, base + 2 * DAY + HOUR, 2);
		const final2 = base + 2 * DAY + HOUR + 7 * DAY;
		await advanceSprints(sqliteStore(db), () => final2);
		expect(awardsOf(winner)).toEqual([
			{ subjectType: 'user', subjectId: ann.id, at: final2 },
			{ subjectType: 'user', subjectId: bob.id, at: final }
		]);
		expect(awardsOf(twice)).toEqual([{ subjectType: 'user', subjectId: bob.id, at: final }]);

		expect(await sameBadgeLater(season.id, winner, () => final2 + DAY)).toEqual(awardsOf(winner));
		const check = standingsVsLedger(db, season.id);
		expect(check.stored).toEqual(check.fromLedger);
	});
});

describe('knockouts won', () => {
	it('is given when the final is frozen, once, and the re-evaluation agrees', async () => {
		const { season, people } = await makeContest(db, { teams: 2, people: 4 });
		const base = Date.now() - 20 * DAY;
		// Seeds 1…4 by the ranking at the start.
		for (const [i, phones] of [4, 3, 2, 1].entries()) await sell(people[i].id, base - DAY, phones);
		const { badge: champion } = await createBadge(
			sqliteStore(db),
			season.id,
			draft('Champion', { kind: 'knockouts_won', count: 1 }, 25),
			{},
			() => base - DAY
		);
		await makeCup(db, season.id, base);
		await advanceKnockouts(sqliteStore(db), () => base);
		// Round 1: 1 v 4 → 4, 2 v 3 → 2; the final: 4 v 2 → 4.
		await sell(people[3].id, base + HOUR);
		await sell(people[1].id, base + 2 * HOUR);
		await sell(people[3].id, base + DAY + HOUR, 2);
		await advanceKnockouts(sqliteStore(db), () => base + DAY + 2 * HOUR);
		expect(awardsOf(champion)).toEqual([]);
		const end = base + 2 * DAY + 2 * HOUR;
		await advanceKnockouts(sqliteStore(db), () => end);
		await advanceKnockouts(sqliteStore(db), () => end + HOUR);
		expect(awardsOf(champion)).toEqual([{ subjectType: 'user', subjectId: people[3].id, at: end }]);
		expect(pushed.map((e) => [e.badge.name, e.subjectId])).toEqual([['Champion', people[3].id]]);

		expect(await sameBadgeLater(season.id, champion, () => end + DAY)).toEqual(awardsOf(champion));
		const check = standingsVsLedger(db, season.id);
		expect(check.stored).toEqual(check.fromLedger);
	});
});
