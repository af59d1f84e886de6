// The season recalculation and its plan on the store (#20, scoring/recalculate-run-store.ts):
// one body on a temp SQLite file and on a throwaway PostgreSQL (a write per slice), the same
// assertions. The rules change after the sales; the run must leave every sale, person and team
// with what a fresh scoring of the same sales under the new rules gives, preview what it then
// applies, be resumable after a stop, and run once at a time per season across two nodes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { write, type Store } from '../../src/lib/server/db/store';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { reviewByExternalId } from '../../src/lib/server/scoring/review';
import { createActivityType } from '../../src/lib/server/activities/types';
import { logActivity } from '../../src/lib/server/activities/record';
import { recalculationTotals } from '../../src/lib/server/scoring/recalculate';
import { setRecalculationSliceMs } from '../../src/lib/server/scoring/recalculate-slices';
import { setRecalculationChunkSales } from '../../src/lib/server/scoring/recalculate-chunk';
import {
	applyChunkInWrite,
	planChunkInWrite,
	seasonScoringInWrite,
	startPersonInWrite
} from '../../src/lib/server/scoring/recalculate-store';
import {
	previewRecalculationOn,
	recalculateOn,
	recalculationRunningOn,
	recalculationsSettledOn
} from '../../src/lib/server/scoring/recalculate-run-store';
import { runPeriodicAwards } from '../../src/lib/server/badges/periodic';
import { catchUpOnStore } from '../../src/lib/server/badges/catch-up';
import { recordWithoutBadges } from '../helpers/backlog';
import { sellingMeanwhile } from '../helpers/selling-meanwhile';
import { statementsDuring } from '../helpers/pg-statements';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { auditsOf, liveSeasonOn, phoneAndCaseOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('recalculate-store');
const NOW = 1_900_000_000_000;
const HOUR = 3_600_000;
const clock = () => NOW;
const manager = { userId: undefined };
let serial = 0;

beforeEach(() => {
	setRecalculationSliceMs(0);
	setRecalculationChunkSales(3);
});
afterEach(() => {
	setRecalculationSliceMs(undefined);
	setRecalculationChunkSales(undefined);
});

type Season = Awaited<ReturnType<typeof liveSeasonOn>>;

/** The rules of the season after the change: a first-sale bonus, phones doubled up to 300 a day. */
const NEW_RULES = [
	{ name: 'First sale', target: { kind: 'any' }, effect: { kind: 'first_sale_bonus', points: 7 } },
	{
		name: 'Phones double, 300 a day at most',
		target: { kind: 'category', category: 'Phones' },
		effect: { kind: 'multiplier', factor: 2 },
		dailyCap: 300
	},
	{
		name: 'Calls triple',
		target: { kind: 'activity', type: 'call' },
		effect: { kind: 'multiplier', factor: 3 }
	}
] as const;

async function addRules(store: Store, seasonId: number) {
	await store.db
		.insert(store.tables.rule)
		.values(NEW_RULES.map((r) => ({ ...r, seasonId }) as typeof store.tables.rule.$inferInsert));
}

/**
 * A season of three with 24 sales over three days (some rejected, some confirmed) and a few
 * calls; with `rulesFirst` the new rules are there before the sales (a fresh scoring),
 * otherwise they come after them (what a recalculation must catch up with).
 */
async function seasonOn(store: Store, rulesFirst: boolean) {
	const s = await liveSeasonOn(store, {
		size: 3,
		teams: ['North', 'South'],
		endsAt: NOW + 30 * 24 * HOUR
	});
	const { season } = store.tables;
	await phoneAndCaseOn(store, s.seasonId);
	await store.db.update(season).set({ requireConfirmation: true }).where(eq(season.id, s.seasonId));
	await createActivityType(
		store,
		s.seasonId,
		{ key: 'call', name: 'Call', points: 2, emoji: '📞' },
		{},
		clock
	);
	if (rulesFirst) await addRules(store, s.seasonId);
	const prefix = `recalc-store-${++serial}`;
	for (let i = 0; i < 24; i++) {
		const externalId = `${prefix}-${i}`;
		await recordSaleGrouped(
			store,
			{
				source: 'api',
				externalId,
				seller: { email: s.people[i % 3].email },
				occurredAt: NOW - 60 * HOUR + i * 2.5 * HOUR,
				lines: [{ sku: i % 4 === 0 ? 'CASE' : 'PHONE', quantity: 1 + (i % 3) }]
			},
			clock
		);
		if (i % 5 === 0)
			await reviewByExternalId(store, externalId, { decision: 'confirm', actor: manager }, clock);
		else if (i % 7 === 3)
			await reviewByExternalId(
				store,
				externalId,
				{ decision: 'reject', actor: manager, reason: 'Cancelled' },
				clock
			);
	}
	for (let i = 0; i < 3; i++)
		await logActivity(
			store,
			{
				source: 'api',
				externalId: `${prefix}-call-${i}`,
				person: { userId: s.people[i].id },
				type: 'call',
				quantity: 2,
				occurredAt: NOW - 10 * HOUR,
				seasonId: s.seasonId
			},
			clock
		);
	if (!rulesFirst) await addRules(store, s.seasonId);
	return s;
}

/** What a season's scores are, by the people's and teams' places (ids differ between seasons). */
async function scores(store: Store, s: Season) {
	const { sale, standing, activity } = store.tables;
	// A rejected sale keeps the points it was refused with: a recalculation leaves it alone.
	const sales = (
		await store.db
			.select({ points: sale.points, status: sale.status })
			.from(sale)
			.where(eq(sale.seasonId, s.seasonId))
			.orderBy(sale.id)
	).map((row) => (row.status === 'rejected' ? { status: row.status } : row));
	const calls = await store.db
		.select({ points: activity.points })
		.from(activity)
		.where(eq(activity.seasonId, s.seasonId))
		.orderBy(activity.id);
	const rows = await store.db
		.select({
			type: standing.subjectType,
			id: standing.subjectId,
			confirmed: standing.confirmedPoints,
			provisional: standing.provisionalPoints,
			sales: standing.salesCount
		})
		.from(standing)
		.where(eq(standing.seasonId, s.seasonId));
	const place = (type: string, id: number) =>
		type === 'user'
			? `user ${s.people.findIndex((p) => p.id === id)}`
			: `team ${s.teamIds.indexOf(id)}`;
	const standings = Object.fromEntries(
		rows.map(({ type, id, ...points }) => [place(type, id), points])
	);
	return { sales, calls, standings };
}

/** The season's ledger summed per person against their standing (must be equal). */
async function ledgerMatchesStandings(store: Store, seasonId: number) {
	const { ledgerEntry, standing } = store.tables;
	const ledger = await store.db
		.select({
			userId: ledgerEntry.userId,
			points: sql<number>`sum(${ledgerEntry.points})`.mapWith(Number)
		})
		.from(ledgerEntry)
		.where(and(eq(ledgerEntry.seasonId, seasonId), sql`${ledgerEntry.status} <> 'void'`))
		.groupBy(ledgerEntry.userId);
	const held = await store.db
		.select({
			userId: standing.subjectId,
			points: sql<number>`${standing.confirmedPoints} + ${standing.provisionalPoints}`.mapWith(
				Number
			)
		})
		.from(standing)
		.where(and(eq(standing.seasonId, seasonId), eq(standing.subjectType, 'user')));
	const byUser = (rows: { userId: number; points: number }[]) =>
		Object.fromEntries(rows.map((r) => [r.userId, r.points]));
	expect(byUser(held)).toEqual(byUser(ledger));
}

/** The points of one more sale of three phones by the season's second person, on its last day. */
async function lateSaleOn(store: Store, s: Season) {
	const recorded = await recordSaleGrouped(
		store,
		{
			source: 'api',
			externalId: `recalc-store-late-${++serial}`,
			seller: { email: s.people[1].email },
			occurredAt: NOW - 3 * HOUR,
			lines: [{ sku: 'PHONE', quantity: 3 }]
		},
		clock
	);
	return recorded.sale.points;
}

async function adjustments(store: Store, seasonId: number) {
	const { ledgerEntry } = store.tables;
	const [row] = await store.db
		.select({ n: sql<number>`count(*)`.mapWith(Number) })
		.from(ledgerEntry)
		.where(and(eq(ledgerEntry.seasonId, seasonId), eq(ledgerEntry.kind, 'adjustment')));
	return row.n;
}

/**
 * The season's points as the badge facts hold them (each person's and team's points tally, each
 * person's weeks summed) against the counted sales' points: after a recalculation the facts must
 * follow the adjustments as they follow the sales (badges/facts.ts, Growth.addPoints).
 */
async function factsVsPoints(store: Store, seasonId: number) {
	const { badgeTally, badgeWeek, sale } = store.tables;
	const counted = and(eq(sale.seasonId, seasonId), inArray(sale.status, ['approved', 'pending']));
	const byKey = (rows: { key: string | number; points: number }[]) =>
		Object.fromEntries(rows.filter((r) => r.points !== 0).map((r) => [String(r.key), r.points]));
	const total = sql<number>`sum(${sale.points})`.mapWith(Number);
	const sales = {
		users: byKey(
			await store.db
				.select({ key: sale.sellerId, points: total })
				.from(sale)
				.where(counted)
				.groupBy(sale.sellerId)
		),
		teams: byKey(
			await store.db
				.select({ key: sale.teamId, points: total })
				.from(sale)
				.where(counted)
				.groupBy(sale.teamId)
		)
	};
	const tally = (type: 'user' | 'team') =>
		store.db
			.select({ key: badgeTally.subjectId, points: badgeTally.value })
			.from(badgeTally)
			.where(
				and(
					eq(badgeTally.seasonId, seasonId),
					eq(badgeTally.subjectType, type),
					eq(badgeTally.metric, 'points')
				)
			);
	const weeks = await store.db
		.select({
			key: badgeWeek.userId,
			points: sql<number>`sum(${badgeWeek.points})`.mapWith(Number)
		})
		.from(badgeWeek)
		.where(eq(badgeWeek.seasonId, seasonId))
		.groupBy(badgeWeek.userId);
	return {
		facts: {
			users: byKey(await tally('user')),
			teams: byKey(await tally('team')),
			weeks: byKey(weeks)
		},
		sales: { ...sales, weeks: sales.users }
	};
}

describe.each(['sqlite', 'postgres'] as const)('the season recalculation on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it('plans, then applies, what a fresh scoring of the same sales gives; audited once', async () => {
		const fresh = await seasonOn(node(0), true);
		const changed = await seasonOn(node(0), false);
		const plan = await previewRecalculationOn(node(1), changed.seasonId);
		expect(await adjustments(node(0), changed.seasonId)).toBe(0);
		expect(plan.changes.length).toBeGreaterThan(0);
		expect(plan.activityChanges).toHaveLength(3);

		const applied = await recalculateOn(node(1), changed.seasonId, manager, clock);
		expect(recalculationTotals(applied)).toEqual(recalculationTotals(plan));
		expect(applied.people).toEqual(plan.people);
		expect(await scores(node(0), changed)).toEqual(await scores(node(0), fresh));
		await ledgerMatchesStandings(node(0), changed.seasonId);
		expect(await adjustments(node(0), changed.seasonId)).toBe(
			plan.changes.length + plan.activityChanges.length
		);
		expect(await auditsOf(node(0), `season:${changed.seasonId}`)).toEqual([
			{ action: 'season.recalculate', data: recalculationTotals(plan) }
		]);
		// Nothing left to change.
		expect((await previewRecalculationOn(node(0), changed.seasonId)).changes).toEqual([]);
		// A sale recorded after the run on a day it rescored counts that day as a fresh scoring
		// does: the day's totals kept from the old breakdowns were dropped (daily caps).
		const late = (s: Season) => lateSaleOn(node(1), s);
		expect(await late(changed)).toBe(await late(fresh));
	});

	it("keeps the badge facts' points equal to the sales' after the run", async () => {
		const store = node(0);
		const changed = await seasonOn(store, false);
		const before = await factsVsPoints(store, changed.seasonId);
		expect(before.facts).toEqual(before.sales);
		await recalculateOn(store, changed.seasonId, manager, clock);
		await recalculationsSettledOn(store);
		// SQLite's run leaves its adjustments to the facts' next catch-up (the periodic job's
		// first step); PostgreSQL's took them in its own writes, and the catch-up finds nothing.
		await runPeriodicAwards(store, { clock });
		expect(await adjustments(store, changed.seasonId)).toBeGreaterThan(0);
		const after = await factsVsPoints(store, changed.seasonId);
		expect(after.sales).not.toEqual(before.sales);
		expect(after.facts).toEqual(after.sales);
	});

	it('resumes after a stop: a new run books only what the stopped one had not', async () => {
		const fresh = await seasonOn(node(0), true);
		const changed = await seasonOn(node(0), false);
		const plan = await previewRecalculationOn(node(0), changed.seasonId);
		// A run that stopped after its first two slices (the first person's first two chunks).
		const store = node(0);
		const cursor = await write(store, (tx) => startPersonInWrite(tx, store, changed.people[0].id));
		for (let i = 0; i < 2; i++)
			await write(store, async (tx) => {
				const ctx = (await seasonScoringInWrite(tx, store, changed.seasonId))!;
				const chunk = await planChunkInWrite(tx, store, ctx, { ...cursor }, Infinity);
				await applyChunkInWrite(tx, store, changed.seasonId, chunk, manager, NOW, []);
				cursor.from = chunk.to;
			});
		const booked = await adjustments(store, changed.seasonId);
		expect(booked).toBeGreaterThan(0);

		const resumed = await recalculateOn(node(1), changed.seasonId, manager, clock);
		expect(resumed.changes.length + booked).toBe(plan.changes.length);
		expect(await scores(store, changed)).toEqual(await scores(store, fresh));
		expect(await adjustments(store, changed.seasonId)).toBe(
			plan.changes.length + plan.activityChanges.length
		);
		await ledgerMatchesStandings(store, changed.seasonId);
	});

	it('two runs asked at once on two nodes change every sale once', async () => {
		const fresh = await seasonOn(node(0), true);
		const changed = await seasonOn(node(0), false);
		const plan = await previewRecalculationOn(node(0), changed.seasonId);
		const runs = await Promise.all([
			recalculateOn(node(0), changed.seasonId, manager, clock),
			recalculateOn(node(1), changed.seasonId, manager, clock)
		]);
		expect(runs[0].changes.length + runs[1].changes.length).toBe(plan.changes.length);
		expect(await scores(node(0), changed)).toEqual(await scores(node(0), fresh));
		expect(await adjustments(node(0), changed.seasonId)).toBe(
			plan.changes.length + plan.activityChanges.length
		);
		await ledgerMatchesStandings(node(0), changed.seasonId);
	});
});

describe('the season recalculation across two PostgreSQL nodes', () => {
	it('waits while another node runs the season, says it runs, then runs', async () => {
		const [first, second] = nodes.postgres;
		if (first.dialect !== 'postgres') throw new Error('PostgreSQL nodes expected');
		const fresh = await seasonOn(first, true);
		const changed = await seasonOn(first, false);
		// Another node's run holds the season's lock (recalculate-run-store.ts) on its own session.
		const other = await first.pool.connect();
		await other.query('select pg_advisory_lock($1, $2)', [0x52436c63, changed.seasonId]);
		try {
			const run = recalculateOn(second, changed.seasonId, manager, clock);
			await new Promise((resolve) => setTimeout(resolve, 600));
			expect(await adjustments(first, changed.seasonId)).toBe(0);
			expect(await recalculationRunningOn(first, changed.seasonId)).toBe(true);
			await other.query('select pg_advisory_unlock($1, $2)', [0x52436c63, changed.seasonId]);
			await run;
		} finally {
			other.release();
		}
		expect(await recalculationRunningOn(first, changed.seasonId)).toBe(false);
		await recalculationsSettledOn(second);
		expect(await scores(first, changed)).toEqual(await scores(first, fresh));
	});

	it('finishes while the other node sells back to back in the season, and loses no sale', async () => {
		const [a, b] = nodes.postgres;
		const changed = await seasonOn(a, false);
		setRecalculationSliceMs(undefined);
		const selling = sellingMeanwhile(b, changed.people, {
			prefix: `recalc-rush-${++serial}`,
			pauseMs: 0,
			occurredAt: NOW - 30 * HOUR,
			clock
		});
		let recalculated: Awaited<ReturnType<typeof recalculateOn>>;
		try {
			recalculated = await recalculateOn(a, changed.seasonId, manager, clock);
		} finally {
			await selling.stop();
		}
		expect(recalculated.changes.length).toBeGreaterThan(0);
		expect(selling.sold()).toBeGreaterThan(0);
		const { sale } = a.tables;
		const [{ n }] = await a.db
			.select({ n: sql<number>`count(*)`.mapWith(Number) })
			.from(sale)
			.where(sql`${sale.externalId} like 'recalc-rush-%'`);
		expect(n).toBe(selling.sold());
		await ledgerMatchesStandings(a, changed.seasonId);
		// Every sale has what today's rules give: those sold meanwhile were scored with them.
		expect((await previewRecalculationOn(a, changed.seasonId)).changes).toEqual([]);
	});

	it("finishes beside the node's badge catch-up of a backlog, which then takes in the rest", async () => {
		const store = nodes.postgres[0];
		const changed = await seasonOn(store, false);
		setRecalculationSliceMs(undefined);
		// Sales left to the facts' catch-up (a big import's window leaves such a backlog).
		const backlog = Array.from({ length: 300 }, (_, i) => ({
			source: 'api' as const,
			externalId: `recalc-backlog-${++serial}-${i}`,
			seller: { email: changed.people[i % 3].email },
			occurredAt: NOW - 20 * HOUR,
			lines: [{ sku: 'CASE', quantity: 1 }]
		}));
		await recordWithoutBadges(store, backlog, NOW);
		const catchingUp = catchUpOnStore(store, clock, 5);
		const recalculated = await recalculateOn(store, changed.seasonId, manager, clock);
		await catchingUp;
		expect(recalculated.changes.length).toBeGreaterThan(0);
		const { facts, sales } = await factsVsPoints(store, changed.seasonId);
		expect(facts).toEqual(sales);
		await ledgerMatchesStandings(store, changed.seasonId);
	});

	it("takes the run's adjustments into the badge facts in the run's own writes", async () => {
		const store = nodes.postgres[0];
		const changed = await seasonOn(store, false);
		await recalculateOn(store, changed.seasonId, manager, clock);
		// Ledger ids commit out of order on PostgreSQL: an adjustment left behind the facts'
		// cursor while a sale's write moved it would never be taken in (decide-in-write.ts).
		const { badgeCursor, ledgerEntry } = store.tables;
		const [{ last }] = await store.db
			.select({ last: sql<number>`max(${ledgerEntry.id})`.mapWith(Number) })
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.seasonId, changed.seasonId), eq(ledgerEntry.kind, 'adjustment')));
		const [cursor] = await store.db.select({ at: badgeCursor.ledgerId }).from(badgeCursor);
		expect(last).toBeGreaterThan(0);
		expect(cursor?.at).toBeGreaterThanOrEqual(last);
	});

	it("runs the badge step once per slice, not per chunk, and takes all the slice's adjustments in", async () => {
		const store = nodes.postgres[0];
		const changed = await seasonOn(store, false);
		// One slice holds every chunk (24 sales of three people, 3 a chunk).
		setRecalculationSliceMs(60_000);
		const { savepoints } = await statementsDuring({ savepoints: /^savepoint /i }, () =>
			recalculateOn(store, changed.seasonId, manager, clock)
		);
		expect(savepoints).toBe(1);
		const { facts, sales } = await factsVsPoints(store, changed.seasonId);
		expect(facts).toEqual(sales);
		await ledgerMatchesStandings(store, changed.seasonId);
	});
});
