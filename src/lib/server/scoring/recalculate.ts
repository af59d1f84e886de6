import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { product, rule, season as seasonTable } from '../db/schema';
import { literal } from '../db/prepared';
import type { StoreDb, Tables } from '../db/store';
import { score } from '../../contest/scoring';
import type { CatalogueItem, ScoreBreakdown } from '../../contest/types';
import type { Rule } from '../../contest/rules';
import { localDay, ruleAwards, toEngineRule } from '../rules/engine';
import { entryDelta, type NewEntry } from './ledger';
import type { StandingDelta } from './standings';
import type { Actor } from '../audit/record';
import type { ActivityChange, ActivityRescore } from '../activities/rescore';

// A season recalculation scores every counted sale and activity again with today's rules. A
// person's points depend only on their own sales and activities (first-sale bonuses and daily
// caps are per seller per local day), so it is done person by person, in chunks of a person's
// days, in slices that yield, on the store (recalculate-store.ts, recalculate-run-store.ts):
// here, the scoring and the queries those share.

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

/** A season's scoring from its row, its products and its rules (as seasonScoringInWrite reads them). */
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
 * What booking changed sales of one person writes: an adjustment entry each (its points the
 * change, its breakdown the new one: the sale takes both from it), and the standings moved once
 * per team by what the adjustments add up to. `sales` holds at least the changed ones, as they
 * are now (team, status).
 */
export function saleBookings(
	seasonId: number,
	userId: number,
	changes: readonly SaleChange[],
	sales: { id: number; teamId: number; status: string }[],
	actor: Actor
): { entries: NewEntry[]; deltas: Map<number, StandingDelta> } {
	const byId = new Map(sales.map((r) => [r.id, r]));
	const deltas = new Map<number, StandingDelta>();
	const entries = changes.map((change): NewEntry => {
		const target = byId.get(change.saleId)!;
		const entry: NewEntry = {
			seasonId,
			userId,
			teamId: target.teamId,
			saleId: target.id,
			kind: 'adjustment',
			points: change.after - change.before,
			status: target.status === 'pending' ? 'provisional' : 'confirmed',
			breakdown: { lines: change.breakdown.lines, items: change.breakdown.items },
			reason: 'Season recalculated with the current rules',
			createdById: actor.userId ?? null
		};
		const delta = entryDelta(entry);
		const sum = deltas.get(target.teamId) ?? { confirmed: 0, provisional: 0, sales: 0 };
		sum.confirmed += delta.confirmed;
		sum.provisional += delta.provisional;
		deltas.set(target.teamId, sum);
		return entry;
	});
	return { entries, deltas };
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
