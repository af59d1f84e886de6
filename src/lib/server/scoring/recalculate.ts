import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { activity, product, rule, sale, saleLine, season as seasonTable, user } from '../db/schema';
import { literal, preparedSync } from '../db/prepared';
import type { StoreDb, Tables } from '../db/store';
import { productsOfSeason, rulesOfSeason, seasonById } from './sale-queries';
import { score } from '../../contest/scoring';
import type { CatalogueItem, ScoreBreakdown } from '../../contest/types';
import type { Rule } from '../../contest/rules';
import { localDay, ruleAwards, toEngineRule } from '../rules/engine';
import { entryDelta, insertLedgerEntry, type NewEntry } from './ledger';
import { applyStandingDelta, bumpVersion, type StandingDelta } from './standings';
import { countedSale } from './counting';
import { forgetPersonDays } from './person-day';
import { audit, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import {
	applyActivityRescore,
	planActivityRescore,
	type ActivityChange,
	type ActivityRescore
} from '../activities/rescore';

// A season recalculation scores every counted sale and activity again with today's rules. A
// person's points depend only on their own sales and activities (first-sale bonuses and daily
// caps are per seller per local day), so it is done person by person. The server does it in
// chunks of a person's days, in slices that yield, on the store (recalculate-store.ts,
// recalculate-run-store.ts), with the scoring and the queries here; planPerson, applyPerson and
// the one-block functions below do it synchronously on SQLite, for tests and scripts.

export interface SaleChange {
	saleId: number;
	sellerId: number;
	sellerName: string;
	before: number;
	after: number;
	breakdown: ScoreBreakdown;
}

export interface Recalculation {
	salesChecked: number;
	changes: SaleChange[];
	/** Activities are rescored with the same rules (#17): activity rules only touch them. */
	activitiesChecked: number;
	activityChanges: ActivityChange[];
	/** Per person, sales and activities together: points before and after. */
	people: { userId: number; name: string; before: number; after: number }[];
}

/** What every person's step reads once: the season, its rules and its catalogue. */
export interface SeasonScoring {
	season: typeof seasonTable.$inferSelect;
	rules: Rule[];
	catalogue: Map<string, CatalogueItem>;
}

/** A season's scoring from its row, its products and its rules (as seasonScoring reads them). */
export function scoringOf(
	s: typeof seasonTable.$inferSelect,
	products: (typeof product.$inferSelect)[],
	rules: (typeof rule.$inferSelect)[]
): SeasonScoring {
	// Products sold then stay scoreable even if they were taken off the catalogue since.
	const catalogue = new Map<string, CatalogueItem>(
		products.map((p) => [p.sku, { ...p, active: true }])
	);
	return { season: s, rules: rules.map(toEngineRule), catalogue };
}

// The sales path's queries, prepared once per connection (the store's run reads them through
// the same builds in each slice: seasonScoringInWrite).
export function seasonScoring(db: Queryable, seasonId: number): SeasonScoring | undefined {
	const s = preparedSync(db, seasonById).get({ id: seasonId });
	if (!s) return undefined;
	const products = preparedSync(db, productsOfSeason).all({ seasonId });
	return scoringOf(s, products, preparedSync(db, rulesOfSeason).all({ seasonId }));
}

/**
 * Everyone a recalculation must look at: people with a sale or a counted activity, by id. Sellers
 * whose sales all stopped counting are in (their step finds nothing): the sellers alone come
 * from the index (season, seller) without reading a sale.
 */
export function recalculationPeople(db: Queryable, seasonId: number): number[] {
	const sellers = db
		.selectDistinct({ id: sale.sellerId })
		.from(sale)
		.where(eq(sale.seasonId, seasonId))
		.all();
	const doers = db
		.selectDistinct({ id: activity.userId })
		.from(activity)
		.where(and(eq(activity.seasonId, seasonId), eq(activity.status, 'counted')))
		.all();
	return [...new Set([...sellers, ...doers].map((r) => r.id))].sort((a, b) => a - b);
}

// The seller after a given id: a seek on sale_season_seller_idx (season, seller, …) that stops
// at its first entry, where reading every seller at once walked the season's 200,000 entries of
// the index (~20–45 ms, the first slice of every run).
export const nextSellerAfter = (db: StoreDb, { sale }: Tables) =>
	db
		.select({ id: sql<number | null>`min(${sale.sellerId})` })
		.from(sale)
		.where(
			and(
				eq(sale.seasonId, sql.placeholder('seasonId')),
				gt(sale.sellerId, sql.placeholder('after'))
			)
		)
		.prepare('recalc_next_seller');

export const doersOfSeason = (db: StoreDb, { activity }: Tables) =>
	db
		.selectDistinct({ id: activity.userId })
		.from(activity)
		.where(
			and(
				eq(activity.seasonId, sql.placeholder('seasonId')),
				eq(activity.status, literal('counted'))
			)
		)
		.orderBy(asc(activity.userId))
		.prepare('recalc_doers_of_season');

/** The first of the next seller (found by nextSellerAfter) and the next doer after `after`. */
export function nextPerson(
	seller: number | undefined,
	doers: readonly number[],
	after: number
): number | undefined {
	const doer = doers.find((id) => id > after);
	if (seller === undefined) return doer;
	return doer === undefined ? seller : Math.min(seller, doer);
}

export const emptyRecalculation = (): Recalculation => ({
	salesChecked: 0,
	changes: [],
	activitiesChecked: 0,
	activityChanges: [],
	people: []
});

/** A counted sale as a recalculation reads it, with its lines. */
export interface SaleToScore {
	id: number;
	occurredAt: number;
	points: number;
}

export type LinesBySale = Map<number, { sku: string; quantity: number; unitPrice: number }[]>;

/** Sale lines (read in line order) grouped by sale. */
export function linesBySale(
	lines: { saleId: number; sku: string; quantity: number; unitPrice: number }[]
): LinesBySale {
	const bySale: LinesBySale = new Map();
	for (const { saleId, ...line } of lines) {
		const list = bySale.get(saleId) ?? [];
		list.push(line);
		bySale.set(saleId, list);
	}
	return bySale;
}

/**
 * Scores sales of one person again, in the order given (registration order), and adds what
 * changes to `plan` and the points before and after to `person`. Daily rules (first-sale bonus,
 * daily caps) see only the sales given before on the same local day: the caller must give
 * every counted sale of each local day it gives one of.
 */
export function scoreSales(
	ctx: SeasonScoring,
	person: { userId: number; name: string; before: number; after: number },
	sales: SaleToScore[],
	lines: LinesBySale,
	plan: Recalculation
): void {
	const s = ctx.season;
	const days = new Map<number, { count: number; items: { ruleId?: number; points: number }[][] }>();
	for (const row of sales) {
		// The local day's start (cached day ranges: cheaper than formatting a date per sale).
		const dayKey = localDay(row.occurredAt, s.timeZone)[0];
		const day = days.get(dayKey) ?? { count: 0, items: [] };
		const breakdown = score(
			{ occurredAt: row.occurredAt, lines: lines.get(row.id) ?? [] },
			ctx.rules,
			ctx.catalogue,
			{
				timeZone: s.timeZone,
				priorSalesToday: day.count,
				ruleAwardsToday: ruleAwards(day.items),
				multipliers: s.multiplierMode
			}
		);
		day.count += 1;
		day.items.push(breakdown.items);
		days.set(dayKey, day);
		person.before += row.points;
		person.after += breakdown.total;
		if (breakdown.total !== row.points)
			plan.changes.push({
				saleId: row.id,
				sellerId: person.userId,
				sellerName: person.name,
				before: row.points,
				after: breakdown.total,
				breakdown
			});
	}
	plan.salesChecked += sales.length;
}

/**
 * A person's counted activities scored again in the order they were logged; their points go
 * into `person`, and `person` into the plan's people if their points move.
 */
export function finishPerson(
	tx: Queryable,
	ctx: SeasonScoring,
	person: { userId: number; name: string; before: number; after: number },
	plan: Recalculation
): void {
	addActivities(person, planActivityRescore(tx, ctx.season, person.userId, ctx.rules), plan);
}

/** A person's rescored activities into `person`, and `person` into the plan if their points move. */
export function addActivities(
	person: { userId: number; name: string; before: number; after: number },
	activities: ActivityRescore,
	plan: Recalculation
): void {
	plan.activitiesChecked += activities.checked;
	plan.activityChanges.push(...activities.changes);
	for (const part of activities.people.values()) {
		person.before += part.before;
		person.after += part.after;
	}
	if (person.before !== person.after) {
		const { userId, name, before, after } = person;
		plan.people.push({ userId, name, before, after });
	}
}

/**
 * One person's counted sales scored again in the order they were registered (so first-sale
 * bonuses and daily caps replay as they would have), and their counted activities in the
 * order they were logged. All at once: the server goes by chunks of days (recalculate-chunk.ts).
 */
export function planPerson(tx: Queryable, ctx: SeasonScoring, userId: number): Recalculation {
	const s = ctx.season;
	const name = tx.select({ name: user.displayName }).from(user).where(eq(user.id, userId)).get();
	const mine = and(eq(sale.seasonId, s.id), eq(sale.sellerId, userId), countedSale);
	const sales = tx
		.select({ id: sale.id, occurredAt: sale.occurredAt, points: sale.points })
		.from(sale)
		.where(mine)
		.orderBy(asc(sale.id))
		.all();
	const lines = tx
		.select({
			saleId: saleLine.saleId,
			sku: product.sku,
			quantity: saleLine.quantity,
			unitPrice: saleLine.unitPrice
		})
		.from(saleLine)
		.innerJoin(sale, eq(sale.id, saleLine.saleId))
		.innerJoin(product, eq(product.id, saleLine.productId))
		.where(and(mine, eq(product.seasonId, s.id)))
		.orderBy(asc(saleLine.id))
		.all();
	const plan = emptyRecalculation();
	const person = { userId, name: name?.name ?? '', before: 0, after: 0 };
	scoreSales(ctx, person, sales, linesBySale(lines), plan);
	finishPerson(tx, ctx, person, plan);
	return plan;
}

/**
 * Books one person's plan: each changed sale gets a compensating adjustment entry (with the new
 * breakdown) in the sale's current status and shows its new points; activities likewise.
 */
export function applyPerson(
	tx: Queryable,
	seasonId: number,
	userId: number,
	plan: Recalculation,
	actor: Actor,
	now: number
): void {
	// The person's sales as they are now (team, status), read once.
	const sales = tx
		.select({ id: sale.id, teamId: sale.teamId, status: sale.status })
		.from(sale)
		.where(and(eq(sale.seasonId, seasonId), eq(sale.sellerId, userId)))
		.all();
	bookSaleChanges(tx, seasonId, userId, plan.changes, sales, actor, now);
	applyActivityRescore(tx, seasonId, plan.activityChanges, actor, now);
	// The days' rule awards came from the old breakdowns: refilled from the new ones on demand.
	if (plan.changes.length > 0) forgetPersonDays(tx, seasonId, userId);
}

// Once per changed sale (~86,000 at 200,000 sales): built and prepared per call it was a fifth
// of a recalculation's time. The breakdown is bound as its JSON text, as insertLedgerEntry does.
export const setSalePoints = (db: StoreDb, { sale }: Tables) =>
	db
		.update(sale)
		.set({
			points: sql`${sql.placeholder('points')}`,
			breakdown: sql`${sql.placeholder('breakdown')}`
		})
		.where(eq(sale.id, sql.placeholder('id')))
		.prepare('recalc_set_sale_points');

/** A changed sale's booking: its adjustment entry, and its new points and breakdown. */
export interface SaleBooking {
	entry: NewEntry;
	points: { id: number; points: number; breakdown: string };
}

/**
 * What booking changed sales of one person writes: an adjustment entry each, the sale's new
 * points and breakdown, and the standings moved once per team by what the adjustments add up
 * to. `sales` holds at least the changed ones, as they are now (team, status).
 */
export function saleBookings(
	seasonId: number,
	userId: number,
	changes: readonly SaleChange[],
	sales: { id: number; teamId: number; status: string }[],
	actor: Actor
): { bookings: SaleBooking[]; deltas: Map<number, StandingDelta> } {
	const byId = new Map(sales.map((r) => [r.id, r]));
	const deltas = new Map<number, StandingDelta>();
	const bookings = changes.map((change) => {
		const target = byId.get(change.saleId)!;
		const breakdown = { lines: change.breakdown.lines, items: change.breakdown.items };
		const entry: NewEntry = {
			seasonId,
			userId,
			teamId: target.teamId,
			saleId: target.id,
			kind: 'adjustment',
			points: change.after - change.before,
			status: target.status === 'pending' ? 'provisional' : 'confirmed',
			breakdown,
			reason: 'Season recalculated with the current rules',
			createdById: actor.userId ?? null
		};
		const delta = entryDelta(entry);
		const sum = deltas.get(target.teamId) ?? { confirmed: 0, provisional: 0, sales: 0 };
		sum.confirmed += delta.confirmed;
		sum.provisional += delta.provisional;
		deltas.set(target.teamId, sum);
		const points = { id: target.id, points: change.after, breakdown: JSON.stringify(breakdown) };
		return { entry, points };
	});
	return { bookings, deltas };
}

/** Books changed sales of one person (saleBookings) in the caller's transaction. */
export function bookSaleChanges(
	tx: Queryable,
	seasonId: number,
	userId: number,
	changes: readonly SaleChange[],
	sales: { id: number; teamId: number; status: string }[],
	actor: Actor,
	now: number
): void {
	if (changes.length === 0) return;
	const { bookings, deltas } = saleBookings(seasonId, userId, changes, sales, actor);
	for (const { entry, points } of bookings) {
		insertLedgerEntry(tx, entry, now);
		preparedSync(tx, setSalePoints).run(points);
	}
	for (const [teamId, delta] of deltas)
		applyStandingDelta(tx, { seasonId, userId, teamId }, delta, now, true);
}

/** Adds one person's plan to the run's. */
export function addPlan(into: Recalculation, part: Recalculation): void {
	into.salesChecked += part.salesChecked;
	into.activitiesChecked += part.activitiesChecked;
	into.changes.push(...part.changes);
	into.activityChanges.push(...part.activityChanges);
	into.people.push(...part.people);
}

/**
 * The people whose points change, biggest gain first (as the console lists them); the changes
 * by person and sale, as one block lists them (a person's chunks go day range by day range).
 */
export function finishPlan(plan: Recalculation): Recalculation {
	plan.changes.sort((a, b) => a.sellerId - b.sellerId || a.saleId - b.saleId);
	plan.people.sort((a, b) => b.after - b.before - (a.after - a.before));
	return plan;
}

/** The totals the audit entry and the console show. */
export function recalculationTotals(plan: Recalculation) {
	const all = [...plan.changes, ...plan.activityChanges];
	return {
		salesChecked: plan.salesChecked,
		salesChanged: plan.changes.length,
		activitiesChecked: plan.activitiesChecked,
		activitiesChanged: plan.activityChanges.length,
		pointsBefore: all.reduce((sum, c) => sum + c.before, 0),
		pointsAfter: all.reduce((sum, c) => sum + c.after, 0)
	};
}

/** The whole season planned in one block (tests, scripts; the server slices: recalculate-run-store). */
export function planRecalculation(db: Queryable, seasonId: number): Recalculation {
	const ctx = seasonScoring(db, seasonId);
	if (!ctx) throw new Error(`No season ${seasonId}`);
	const plan = emptyRecalculation();
	for (const userId of recalculationPeople(db, seasonId))
		addPlan(plan, planPerson(db, ctx, userId));
	return finishPlan(plan);
}

/** The whole season recalculated in one transaction (tests, scripts). Audited. */
export function recalculateSeason(
	db: Db,
	seasonId: number,
	actor: Actor,
	clock: Clock = systemClock
): Recalculation {
	const now = clock();
	const plan = db.transaction(
		(tx) => {
			const ctx = seasonScoring(tx, seasonId);
			if (!ctx) throw new Error(`No season ${seasonId}`);
			const plan = emptyRecalculation();
			for (const userId of recalculationPeople(tx, seasonId)) {
				const part = planPerson(tx, ctx, userId);
				applyPerson(tx, seasonId, userId, part, actor, now);
				addPlan(plan, part);
			}
			audit(tx, actor, 'season.recalculate', `season:${seasonId}`, recalculationTotals(plan), now);
			if (plan.changes.length + plan.activityChanges.length > 0) bumpVersion(tx, seasonId);
			return finishPlan(plan);
		},
		{ behavior: 'immediate' }
	);
	if (plan.changes.length + plan.activityChanges.length > 0) notifyLeaderboard(seasonId);
	return plan;
}
