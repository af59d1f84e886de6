import { and, asc, eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { product, sale, saleLine, season as seasonTable, user } from '../db/schema';
import { score } from '../../contest/scoring';
import { localDateKey } from '../../contest/calendar';
import type { CatalogueItem, ScoreBreakdown } from '../../contest/types';
import { engineRules, ruleAwards } from '../rules/engine';
import { appendEntry } from './ledger';
import { bumpVersion } from './standings';
import { countedSale } from './counting';
import { forgetSeasonDays } from './person-day';
import { audit, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import {
	applyActivityRescore,
	planActivityRescore,
	type ActivityChange
} from '../activities/rescore';

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

/**
 * Scores every counted sale of the season again with today's rules and catalogue, in the order
 * they were registered (so first-sale bonuses and daily caps replay as they would have), and
 * every counted activity with today's activity rules, in the order they were logged.
 */
export function planRecalculation(db: Queryable, seasonId: number): Recalculation {
	const s = db.select().from(seasonTable).where(eq(seasonTable.id, seasonId)).get();
	if (!s) throw new Error(`No season ${seasonId}`);
	const rules = engineRules(db, seasonId);
	// Products sold then stay scoreable even if they were taken off the catalogue since.
	const catalogue = new Map<string, CatalogueItem>(
		db
			.select()
			.from(product)
			.where(eq(product.seasonId, seasonId))
			.all()
			.map((p) => [p.sku, { ...p, active: true }])
	);
	const sales = db
		.select({
			id: sale.id,
			sellerId: sale.sellerId,
			sellerName: user.displayName,
			occurredAt: sale.occurredAt,
			points: sale.points
		})
		.from(sale)
		.innerJoin(user, eq(user.id, sale.sellerId))
		.where(eq(sale.seasonId, seasonId))
		.orderBy(asc(sale.id))
		.all();
	const counted = new Set(
		db
			.select({ id: sale.id })
			.from(sale)
			.where(and(eq(sale.seasonId, seasonId), countedSale))
			.all()
			.map((r) => r.id)
	);
	const lines = db
		.select({
			saleId: saleLine.saleId,
			sku: product.sku,
			quantity: saleLine.quantity,
			unitPrice: saleLine.unitPrice
		})
		.from(saleLine)
		.innerJoin(product, eq(product.id, saleLine.productId))
		.where(eq(product.seasonId, seasonId))
		.orderBy(asc(saleLine.id))
		.all();
	const linesBySale = new Map<number, typeof lines>();
	for (const line of lines)
		linesBySale.set(line.saleId, [...(linesBySale.get(line.saleId) ?? []), line]);

	const days = new Map<string, { count: number; items: { ruleId?: number; points: number }[][] }>();
	const changes: SaleChange[] = [];
	const people = new Map<number, { userId: number; name: string; before: number; after: number }>();
	let checked = 0;
	for (const row of sales) {
		if (!counted.has(row.id)) continue;
		checked += 1;
		const dayKey = `${row.sellerId}:${localDateKey(row.occurredAt, s.timeZone)}`;
		const day = days.get(dayKey) ?? { count: 0, items: [] };
		const breakdown = score(
			{
				occurredAt: row.occurredAt,
				lines: (linesBySale.get(row.id) ?? []).map(({ sku, quantity, unitPrice }) => ({
					sku,
					quantity,
					unitPrice
				}))
			},
			rules,
			catalogue,
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
		const person = people.get(row.sellerId) ?? {
			userId: row.sellerId,
			name: row.sellerName,
			before: 0,
			after: 0
		};
		person.before += row.points;
		person.after += breakdown.total;
		people.set(row.sellerId, person);
		if (breakdown.total !== row.points) {
			changes.push({
				saleId: row.id,
				sellerId: row.sellerId,
				sellerName: row.sellerName,
				before: row.points,
				after: breakdown.total,
				breakdown
			});
		}
	}
	const activities = planActivityRescore(db, s);
	for (const [userId, part] of activities.people) {
		const person = people.get(userId) ?? { ...part, before: 0, after: 0 };
		person.before += part.before;
		person.after += part.after;
		people.set(userId, person);
	}
	return {
		salesChecked: checked,
		changes,
		activitiesChecked: activities.checked,
		activityChanges: activities.changes,
		people: [...people.values()]
			.filter((p) => p.before !== p.after)
			.sort((a, b) => b.after - b.before - (a.after - a.before))
	};
}

/**
 * Applies a recalculation: each changed sale gets a compensating adjustment entry (with the new
 * breakdown) in the sale's current status, and the sale shows its new points. Audited.
 */
export function recalculateSeason(
	db: Db,
	seasonId: number,
	actor: Actor,
	clock: Clock = systemClock
): Recalculation {
	const now = clock();
	const plan = db.transaction(
		(tx) => {
			const plan = planRecalculation(tx, seasonId);
			for (const change of plan.changes) {
				const target = tx.select().from(sale).where(eq(sale.id, change.saleId)).get()!;
				const breakdown = { lines: change.breakdown.lines, items: change.breakdown.items };
				appendEntry(
					tx,
					{
						seasonId,
						userId: target.sellerId,
						teamId: target.teamId,
						saleId: target.id,
						kind: 'adjustment',
						points: change.after - change.before,
						status: target.status === 'pending' ? 'provisional' : 'confirmed',
						breakdown,
						reason: 'Season recalculated with the current rules',
						createdById: actor.userId ?? null
					},
					now
				);
				tx.update(sale)
					.set({ points: change.after, breakdown })
					.where(eq(sale.id, target.id))
					.run();
			}
			applyActivityRescore(tx, seasonId, plan.activityChanges, actor, now);
			const all = [...plan.changes, ...plan.activityChanges];
			audit(
				tx,
				actor,
				'season.recalculate',
				`season:${seasonId}`,
				{
					salesChecked: plan.salesChecked,
					salesChanged: plan.changes.length,
					activitiesChecked: plan.activitiesChecked,
					activitiesChanged: plan.activityChanges.length,
					pointsBefore: all.reduce((sum, c) => sum + c.before, 0),
					pointsAfter: all.reduce((sum, c) => sum + c.after, 0)
				},
				now
			);
			if (plan.activityChanges.length > 0 && plan.changes.length === 0) bumpVersion(tx, seasonId);
			if (plan.changes.length > 0) {
				// The days' rule awards came from the old breakdowns: refilled from the new ones.
				forgetSeasonDays(tx, seasonId);
				bumpVersion(tx, seasonId);
			}
			return plan;
		},
		{ behavior: 'immediate' }
	);
	if (plan.changes.length + plan.activityChanges.length > 0) notifyLeaderboard(seasonId);
	return plan;
}
