// The badges' re-evaluation on the store (#20 step 2, badges/reevaluate.ts `reevaluateOnStore`,
// one body for both dialects), with the same assertions on a temp SQLite file and a throwaway
// PostgreSQL (tests/helpers/store-nodes.ts): badges created after two weeks of sales and calls
// are given by the re-evaluation exactly as the sales', the calls' and the weekly job's own
// steps give them when the badges exist first (a person who only called included, the weekly
// badges too); and requests made while a re-evaluation runs are merged and run once after it.
import { beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import type { BadgeCriterion } from '../../src/lib/contest/badges';
import { createActivityType } from '../../src/lib/server/activities/types';
import { logActivity } from '../../src/lib/server/activities/record';
import { runPeriodicAwards } from '../../src/lib/server/badges/periodic';
import { reevaluateOnStore } from '../../src/lib/server/badges/reevaluate';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn, phoneAndCaseOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('reevaluate-store');
const DAY = 24 * 60 * 60 * 1000;
/** Monday 1 March 2027, 00:00 UTC: the first of the two weeks the sales fall in. */
const WEEK_1 = Date.UTC(2027, 2, 1);
const NOW = WEEK_1 + 15 * DAY;
const clock = () => NOW;
let serial = 0;

/** Every kind of badge a re-evaluation decides: per person, per team, counted and weekly. */
const BADGES: { name: string; points: number; criterion: BadgeCriterion }[] = [
	{ name: 'First', points: 5, criterion: { kind: 'first_sale' } },
	{ name: 'Three', points: 7, criterion: { kind: 'sales_count', count: 3 } },
	{ name: 'Cross', points: 3, criterion: { kind: 'cross_sells', count: 1 } },
	{ name: 'Points', points: 0, criterion: { kind: 'points_at_least', points: 300 } },
	{ name: 'Record', points: 11, criterion: { kind: 'record_sale' } },
	{ name: 'Streak', points: 2, criterion: { kind: 'streak', days: 2 } },
	{ name: 'Team', points: 0, criterion: { kind: 'team_target', target: 400 } },
	{ name: 'Caller', points: 13, criterion: { kind: 'activities_logged', count: 3 } },
	{ name: 'Best', points: 17, criterion: { kind: 'top_k_week', k: 1 } },
	{ name: 'Improved', points: 19, criterion: { kind: 'most_improved_week' } }
];

/** Who sells what, when: [person, day from WEEK_1, phones, with a case]. Person 3 only calls. */
const SALES: [number, number, number, boolean][] = [
	[0, 0.5, 1, false],
	[1, 0.6, 2, false],
	[0, 1.5, 1, true],
	[2, 2.5, 1, false],
	[1, 3.5, 1, true],
	[0, 8.5, 1, false],
	[1, 9.5, 1, false],
	[2, 9.6, 3, false],
	[2, 10.5, 1, true]
];
/** Calls: [person, day from WEEK_1]. */
const CALLS: [number, number][] = [
	[3, 1],
	[3, 2],
	[0, 2.2],
	[3, 4]
];

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	// The nodes open before the tests (store-nodes.ts): one is enough here.
	let store: Store;
	beforeEach(() => {
		store = nodes[dialect][0];
	});

	async function badgesOn(seasonId: number) {
		const { badge } = store.tables;
		await store.db
			.insert(badge)
			.values(BADGES.map((b) => ({ ...b, seasonId, emoji: '🏅', description: '', active: true })));
	}

	/** Two weeks of sales and calls; the badges created first, or after them all. */
	async function twoWeeks(badgesFirst: boolean) {
		const s = await liveSeasonOn(store, {
			size: 4,
			teams: ['North', 'South'],
			endsAt: NOW + 365 * DAY,
			timeZone: 'UTC'
		});
		await phoneAndCaseOn(store, s.seasonId);
		await createActivityType(
			store,
			s.seasonId,
			{ key: 'call', name: 'Call', points: 1, emoji: '📞' },
			{},
			() => WEEK_1
		);
		if (badgesFirst) await badgesOn(s.seasonId);
		const saleIds: number[] = [];
		for (const [who, day, phones, withCase] of SALES) {
			const at = WEEK_1 + day * DAY;
			const lines = [{ sku: 'PHONE', quantity: phones }];
			if (withCase) lines.push({ sku: 'CASE', quantity: 1 });
			const input = {
				source: 'api' as const,
				externalId: `reevaluate-${dialect}-${++serial}`,
				seller: { userId: s.people[who].id },
				occurredAt: at,
				lines
			};
			saleIds.push((await recordSaleGrouped(store, input, () => at + 60_000)).sale.id);
		}
		for (const [who, day] of CALLS) {
			const at = WEEK_1 + day * DAY;
			const input = {
				source: 'api' as const,
				externalId: `reevaluate-call-${dialect}-${++serial}`,
				person: { userId: s.people[who].id },
				type: 'call',
				quantity: 1,
				occurredAt: at,
				seasonId: s.seasonId
			};
			await logActivity(store, input, () => at + 60_000);
		}
		return { ...s, saleIds };
	}

	type Season = Awaited<ReturnType<typeof twoWeeks>>;

	/** The season's awards, subjects and sales by their place, and each person's badge points. */
	async function badgesOf(s: Season) {
		const { award, badge, ledgerEntry } = store.tables;
		const rows = await store.db
			.select({
				badge: badge.name,
				subjectType: award.subjectType,
				subjectId: award.subjectId,
				periodKey: award.periodKey,
				earnedAt: award.earnedAt,
				saleId: award.saleId,
				status: award.status
			})
			.from(award)
			.innerJoin(badge, eq(badge.id, award.badgeId))
			.where(eq(award.seasonId, s.seasonId));
		const awards = rows
			.map((r) =>
				[
					r.badge,
					r.subjectType === 'user'
						? `person ${s.people.findIndex((p) => p.id === r.subjectId)}`
						: `team ${s.teamIds.indexOf(r.subjectId)}`,
					r.periodKey,
					r.earnedAt - WEEK_1,
					r.saleId == null ? '' : `sale ${s.saleIds.indexOf(r.saleId)}`,
					r.status
				].join(' ')
			)
			.sort();
		const points = [];
		for (const person of s.people) {
			const [row] = await store.db
				.select({ points: sql<number>`coalesce(sum(${ledgerEntry.points}), 0)`.mapWith(Number) })
				.from(ledgerEntry)
				.where(
					and(
						eq(ledgerEntry.seasonId, s.seasonId),
						eq(ledgerEntry.userId, person.id),
						eq(ledgerEntry.kind, 'badge')
					)
				);
			points.push(row.points);
		}
		return { awards, points };
	}

	it('gives badges created after the sales what the steps give when they exist first', async () => {
		const fresh = await twoWeeks(true);
		await runPeriodicAwards(store, { clock, seasonIds: [fresh.seasonId] });
		const late = await twoWeeks(false);
		await badgesOn(late.seasonId);
		await reevaluateOnStore(store, late.seasonId, { weekly: true, clock });
		const expected = await badgesOf(fresh);
		expect(await badgesOf(late)).toEqual(expected);
		// Every kind was earned, the caller who never sold and both weeks' badges included.
		const given = new Set(expected.awards.map((a) => a.split(' ')[0]));
		expect([...given].sort()).toEqual(BADGES.map((b) => b.name).sort());
		expect(expected.awards).toContain(`Caller person 3  ${4 * DAY}  confirmed`);
		expect(expected.awards.filter((a) => a.startsWith('Best '))).toHaveLength(2);
	});

	it('merges the requests made while a re-evaluation runs into one run after it', async () => {
		const s = await twoWeeks(false);
		await badgesOn(s.seasonId);
		const { badge } = store.tables;
		const ids = new Map(
			(await store.db.select().from(badge).where(eq(badge.seasonId, s.seasonId))).map((b) => [
				b.name,
				b.id
			])
		);
		const [first, second, third] = await Promise.all(
			['First', 'Three', 'Caller'].map((name) =>
				reevaluateOnStore(store, s.seasonId, { badgeIds: [ids.get(name)!], clock })
			)
		);
		// The two asked while the first ran share one run, which decided both their badges.
		expect(second).toBe(third);
		expect(first).not.toBe(second);
		const names = (changes: typeof first) => new Set(changes.awarded.map((e) => e.badge.name));
		expect(names(first)).toEqual(new Set(['First']));
		expect(names(second)).toEqual(new Set(['Three', 'Caller']));
	});
});
