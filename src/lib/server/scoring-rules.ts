import { and, asc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Queryable } from './db';
import { rule, sale, type RuleRow } from './db/schema';
import type { Rule } from '../contest/rules';
import type { ScoreContext } from '../contest/scoring';
import { localDayRange, localDateKey } from '../contest/calendar';

export function listRules(db: Queryable, seasonId: number): RuleRow[] {
	return db.select().from(rule).where(eq(rule.seasonId, seasonId)).orderBy(asc(rule.id)).all();
}

/** The rule rows in the shape the pure engine takes. */
export function toEngineRule(row: RuleRow): Rule {
	return {
		id: row.id,
		name: row.name,
		active: row.active,
		startsAt: row.startsAt,
		endsAt: row.endsAt,
		target: row.target,
		effect: row.effect,
		dailyCap: row.dailyCap
	};
}

export function engineRules(db: Queryable, seasonId: number): Rule[] {
	return listRules(db, seasonId).map(toEngineRule);
}

/** Rules whose window is open at `now`, to announce on the honor board. */
export function activeCampaigns(db: Queryable, seasonId: number, now: number): RuleRow[] {
	return listRules(db, seasonId).filter(
		(r) => r.active && r.highlight && (r.startsAt == null || r.startsAt <= now) && (r.endsAt == null || now < r.endsAt)
	);
}

/**
 * What the engine needs to know about the seller's local day: how many sales were already
 * registered that day and what each rule already gave (for first-sale bonuses and daily caps).
 * "Already" means registered before: sales with a smaller id, so a recalculation that replays
 * sales in id order reproduces the same context.
 */
export function sellerDayContext(
	db: Queryable,
	seasonId: number,
	sellerId: number,
	occurredAt: number,
	timeZone: string,
	beforeSaleId = Number.MAX_SAFE_INTEGER
): ScoreContext {
	const [start, end] = localDayRange(localDateKey(occurredAt, timeZone), timeZone);
	const sales = db
		.select({ breakdown: sale.breakdown })
		.from(sale)
		.where(
			and(
				eq(sale.seasonId, seasonId),
				eq(sale.sellerId, sellerId),
				gte(sale.occurredAt, start),
				lt(sale.occurredAt, end),
				lt(sale.id, beforeSaleId),
				inArray(sale.status, ['pending', 'approved'])
			)
		)
		.all();
	return { timeZone, priorSalesToday: sales.length, ruleAwardsToday: ruleAwards(sales.map((s) => s.breakdown?.items ?? [])) };
}

export function ruleAwards(breakdowns: { ruleId?: number; points: number }[][]): Record<number, number> {
	const awards: Record<number, number> = {};
	for (const items of breakdowns) {
		for (const item of items) {
			if (item.ruleId != null) awards[item.ruleId] = (awards[item.ruleId] ?? 0) + item.points;
		}
	}
	return awards;
}
