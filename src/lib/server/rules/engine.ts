import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { RuleRow } from '../db/schema';
import { preparedQuery, read, type Store, type StoreDb, type Tables } from '../db/store';
import { countedSaleOf } from '../scoring/counting';
import type { Rule } from '../../contest/rules';
import type { ScoreContext } from '../../contest/scoring';
import { localDayRange, localDateKey } from '../../contest/calendar';

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

// A store query (`build(db, tables)`): the store's reads and writes await it with preparedQuery.
const salesOfSellerDay = (db: StoreDb, { sale }: Tables) =>
	db
		.select({ points: sale.points, breakdown: sale.breakdown })
		.from(sale)
		.where(
			and(
				eq(sale.seasonId, sql.placeholder('seasonId')),
				eq(sale.sellerId, sql.placeholder('sellerId')),
				gte(sale.occurredAt, sql.placeholder('start')),
				lt(sale.occurredAt, sql.placeholder('end')),
				lt(sale.id, sql.placeholder('beforeSaleId')),
				countedSaleOf(sale)
			)
		)
		.prepare('rules_sales_of_seller_day');

/**
 * The seller's counted sales registered in [start, end) (one local day), inside a store's write
 * or read (a day's totals filled from its sales). The per-sale path reads their totals from
 * person_day (scoring/person-day.ts) instead.
 */
export function salesOfDayInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	sellerId: number,
	start: number,
	end: number
) {
	return preparedQuery(tx, store, salesOfSellerDay).execute({
		seasonId,
		sellerId,
		start,
		end,
		beforeSaleId: Number.MAX_SAFE_INTEGER
	});
}

/** The season's rules for the pure engine, from the store (the sell page's preview). */
export async function readEngineRules(store: Store, seasonId: number): Promise<Rule[]> {
	const { rule } = store.tables;
	const rows = await store.db
		.select()
		.from(rule)
		.where(eq(rule.seasonId, seasonId))
		.orderBy(asc(rule.id));
	return rows.map(toEngineRule);
}

/**
 * What the engine needs to know about the seller's local day, for the sell page's preview: how
 * many counted sales were already registered that day and what each rule already gave (for
 * first-sale bonuses and daily caps), and how the season combines multipliers, read in one
 * snapshot.
 */
export function readSellerDayContext(
	store: Store,
	seasonId: number,
	sellerId: number,
	occurredAt: number,
	timeZone: string
): Promise<ScoreContext> {
	const [start, end] = localDay(occurredAt, timeZone);
	return read(store, async (tx) => {
		const sales = await salesOfDayInWrite(tx, store, seasonId, sellerId, start, end);
		const { season } = store.tables;
		const [mode] = await tx
			.select({ mode: season.multiplierMode })
			.from(season)
			.where(eq(season.id, seasonId));
		return {
			timeZone,
			priorSalesToday: sales.length,
			ruleAwardsToday: ruleAwards(sales.map((s) => s.breakdown?.items ?? [])),
			multipliers: mode?.mode ?? 'best'
		};
	});
}

// Day boundaries are asked for on every sale: the days already met, per time zone, answer
// without formatting a date (date-fns with a time zone is the costly part).
const knownDays = new Map<string, [number, number][]>();
/** [start, end) of the local day (in `timeZone`) that `at` falls on, epoch ms. */
export function localDay(at: number, timeZone: string): [number, number] {
	let days = knownDays.get(timeZone);
	if (!days) knownDays.set(timeZone, (days = []));
	for (const range of days) if (range[0] <= at && at < range[1]) return range;
	const range = localDayRange(localDateKey(at, timeZone), timeZone) as [number, number];
	if (days.length >= 400) days.length = 0;
	days.push(range);
	return range;
}

export function ruleAwards(
	breakdowns: { ruleId?: number; points: number }[][]
): Record<number, number> {
	const awards: Record<number, number> = {};
	for (const items of breakdowns) {
		for (const item of items) {
			if (item.ruleId != null) awards[item.ruleId] = (awards[item.ruleId] ?? 0) + item.points;
		}
	}
	return awards;
}
