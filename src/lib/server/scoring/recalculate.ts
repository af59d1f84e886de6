import { and, asc, eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { activity, product, sale, saleLine, season as seasonTable, user } from '../db/schema';
import { score } from '../../contest/scoring';
import { localDateKey } from '../../contest/calendar';
import type { CatalogueItem, ScoreBreakdown } from '../../contest/types';
import type { Rule } from '../../contest/rules';
import { engineRules, ruleAwards } from '../rules/engine';
import { entryDelta, insertLedgerEntry } from './ledger';
import { applyStandingDelta, bumpVersion, type StandingDelta } from './standings';
import { countedSale } from './counting';
import { forgetPersonDays } from './person-day';
import { audit, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import {
	applyActivityRescore,
	planActivityRescore,
	type ActivityChange
} from '../activities/rescore';

// A season recalculation scores every counted sale and activity again with today's rules. A
// person's points depend only on their own sales and activities (first-sale bonuses and daily
// caps are per seller per local day), so it is done person by person: planPerson and
// applyPerson decide one person inside the caller's transaction. The server runs them in
// slices that yield (recalculate-run.ts); the one-block functions below are for tests and
// scripts.

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

export function seasonScoring(db: Queryable, seasonId: number): SeasonScoring | undefined {
	const s = db.select().from(seasonTable).where(eq(seasonTable.id, seasonId)).get();
	if (!s) return undefined;
	// Products sold then stay scoreable even if they were taken off the catalogue since.
	const catalogue = new Map<string, CatalogueItem>(
		db
			.select()
			.from(product)
			.where(eq(product.seasonId, seasonId))
			.all()
			.map((p) => [p.sku, { ...p, active: true }])
	);
	return { season: s, rules: engineRules(db, seasonId), catalogue };
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

export const emptyRecalculation = (): Recalculation => ({
	salesChecked: 0,
	changes: [],
	activitiesChecked: 0,
	activityChanges: [],
	people: []
});

/**
 * One person's counted sales scored again in the order they were registered (so first-sale
 * bonuses and daily caps replay as they would have), and their counted activities in the
 * order they were logged.
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
	const linesBySale = new Map<number, { sku: string; quantity: number; unitPrice: number }[]>();
	for (const { saleId, ...line } of lines) {
		const list = linesBySale.get(saleId) ?? [];
		list.push(line);
		linesBySale.set(saleId, list);
	}
	const days = new Map<string, { count: number; items: { ruleId?: number; points: number }[][] }>();
	const plan = emptyRecalculation();
	const person = { userId, name: name?.name ?? '', before: 0, after: 0 };
	for (const row of sales) {
		const dayKey = localDateKey(row.occurredAt, s.timeZone);
		const day = days.get(dayKey) ?? { count: 0, items: [] };
		const breakdown = score(
			{ occurredAt: row.occurredAt, lines: linesBySale.get(row.id) ?? [] },
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
				sellerId: userId,
				sellerName: person.name,
				before: row.points,
				after: breakdown.total,
				breakdown
			});
	}
	plan.salesChecked = sales.length;
	const activities = planActivityRescore(tx, s, userId);
	plan.activitiesChecked = activities.checked;
	plan.activityChanges = activities.changes;
	for (const part of activities.people.values()) {
		person.before += part.before;
		person.after += part.after;
	}
	if (person.before !== person.after) plan.people.push(person);
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
	// The person's sales as they are now (team, status), read once; their standings are moved
	// once per team at the end, by what all the adjustments add up to.
	const sales = new Map(
		tx
			.select({ id: sale.id, teamId: sale.teamId, status: sale.status })
			.from(sale)
			.where(and(eq(sale.seasonId, seasonId), eq(sale.sellerId, userId)))
			.all()
			.map((r) => [r.id, r])
	);
	const deltas = new Map<number, StandingDelta>();
	for (const change of plan.changes) {
		const target = sales.get(change.saleId)!;
		const breakdown = { lines: change.breakdown.lines, items: change.breakdown.items };
		const entry = {
			seasonId,
			userId,
			teamId: target.teamId,
			saleId: target.id,
			kind: 'adjustment' as const,
			points: change.after - change.before,
			status: target.status === 'pending' ? ('provisional' as const) : ('confirmed' as const),
			breakdown,
			reason: 'Season recalculated with the current rules',
			createdById: actor.userId ?? null
		};
		insertLedgerEntry(tx, entry, now);
		const delta = entryDelta(entry);
		const sum = deltas.get(target.teamId) ?? { confirmed: 0, provisional: 0, sales: 0 };
		sum.confirmed += delta.confirmed;
		sum.provisional += delta.provisional;
		deltas.set(target.teamId, sum);
		tx.update(sale).set({ points: change.after, breakdown }).where(eq(sale.id, target.id)).run();
	}
	for (const [teamId, delta] of deltas)
		applyStandingDelta(tx, { seasonId, userId, teamId }, delta, now, true);
	applyActivityRescore(tx, seasonId, plan.activityChanges, actor, now);
	// The days' rule awards came from the old breakdowns: refilled from the new ones on demand.
	if (plan.changes.length > 0) forgetPersonDays(tx, seasonId, userId);
}

/** Adds one person's plan to the run's. */
export function addPlan(into: Recalculation, part: Recalculation): void {
	into.salesChecked += part.salesChecked;
	into.activitiesChecked += part.activitiesChecked;
	into.changes.push(...part.changes);
	into.activityChanges.push(...part.activityChanges);
	into.people.push(...part.people);
}

/** The people whose points change, biggest gain first (as the console lists them). */
export function finishPlan(plan: Recalculation): Recalculation {
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

/** The whole season planned in one block (tests, scripts; the server slices: recalculate-run). */
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
