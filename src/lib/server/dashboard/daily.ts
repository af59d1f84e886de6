import { sql, type SQL } from 'drizzle-orm';
import type { RawReads as Reads } from '../db/raw-reads';
import { localDayRange, type DateKey } from '../../contest/calendar';
import { all, get, STANDING_SALE, total, type Season } from './queries';

// Points, sales and revenue per team and local day of a season: the numbers behind the KPIs,
// the race and the progress chart.

const DAY = 24 * 60 * 60 * 1000;
const keyMs = (key: DateKey) => Date.parse(`${key}T00:00:00Z`);

// A zone's day boundaries never change while the server runs, and working them out on wall-clock
// time (TZDate) costs far more than the rollup query that uses them: they are kept per zone and
// list of days.
const startsCache = new Map<string, number[]>();
const STARTS_CACHE_SIZE = 50;

/** The start of each day of the list, then the end of the last: days.length + 1 instants. */
export function dayStarts(days: DateKey[], timeZone: string): number[] {
	const key = `${timeZone} ${days[0]} ${days.length}`;
	let starts = startsCache.get(key);
	if (!starts) {
		starts = [localDayRange(days[0], timeZone)[0]];
		// A day ends where the next begins: one range per day gives every boundary.
		for (const day of days) starts.push(localDayRange(day, timeZone)[1]);
		if (startsCache.size >= STARTS_CACHE_SIZE) startsCache.delete(startsCache.keys().next().value!);
		startsCache.set(key, starts);
	}
	return starts;
}

/**
 * An SQL expression for the index (0 = first day, clamped to the list) of the local day an
 * instant falls in. Within a run of 24-hour days the zone's offset is constant, so the index is
 * plain arithmetic; a 23- or 25-hour day (a DST change) gets its own constant branch.
 */
export function localDayIndexSql(column: SQL, days: DateKey[], timeZone: string): SQL {
	const starts = dayStarts(days, timeZone);
	const base = keyMs(days[0]) / DAY;
	// Each branch: instants before `until` (and after the previous branch) map by `offset`, or
	// to the fixed `index` of an irregular day.
	const branches: { until: number; offset: number | null; index: number }[] = [];
	for (let i = 0; i < days.length; i++) {
		const regular = starts[i + 1] - starts[i] === DAY;
		const offset = regular ? keyMs(days[i]) - starts[i] : null;
		const previous = branches.at(-1);
		if (offset !== null && previous?.offset === offset) previous.until = starts[i + 1];
		else branches.push({ until: starts[i + 1], offset, index: i });
	}
	// Inlined, not bound: better-sqlite3 binds numbers as REAL, which would make `/` divide exactly.
	const int = (n: number) => sql.raw(String(Math.trunc(n)));
	const exprOf = (b: (typeof branches)[number]) =>
		b.offset === null
			? int(b.index)
			: sql`(${column} + ${int(b.offset)}) / ${int(DAY)} - ${int(base)}`;
	const cases = sql.join(
		branches.slice(0, -1).map((b) => sql`when ${column} < ${int(b.until)} then ${exprOf(b)}`),
		sql` `
	);
	const last = exprOf(branches.at(-1)!);
	const body = branches.length === 1 ? last : sql`case ${cases} else ${last} end`;
	// Clamped with CASE: SQLite's two-argument max()/min() are PostgreSQL's greatest()/least().
	const end = int(days.length - 1);
	return sql`case when ${body} < 0 then 0 when ${body} > ${end} then ${end} else ${body} end`;
}

export type Bucket = {
	teamId: number;
	day: number;
	confirmed: number;
	provisional: number;
	sales: number;
	revenue: number;
};

/** The width of a dashboard_slot row: every time zone's local day starts on one. */
export const SLOT_MS = 15 * 60 * 1000;

/** One local day's slots summed per team: a range of dashboard_slot's key, read in key order. */
const slotsOfDay = (seasonId: number, from: number, to: number) =>
	all<Omit<Bucket, 'day'>>(sql`select team_id as "teamId", ${total(sql`confirmed`)} as confirmed,
		${total(sql`provisional`)} as provisional, ${total(sql`sales`)} as sales,
		${total(sql`revenue`)} as revenue
		from dashboard_slot where season_id = ${seasonId} and slot >= ${from} and slot < ${to}
		group by team_id`);

/**
 * Ledger points and standing sales per team and local day, from the dashboard_slot rollup that
 * triggers keep with every ledger entry and sale (drizzle/0008_dashboard_rollups.sql; an
 * activity's entries dated by when it was logged since 0016_activity_void.sql): a few
 * thousand rows however many sales the season has. Equal to directBuckets (tested).
 *
 * One range of slots per day, not one GROUP BY over the season with the day as an expression:
 * that sorted every slot of the season (~43,000 rows at 200,000 sales), each day's range only
 * sorts its own rows by team.
 */
export function* bucketsReads(s: Season, days: DateKey[]): Reads<Bucket[]> {
	const starts = dayStarts(days, s.timeZone);
	const out: Bucket[] = [];
	for (let day = 0; day < days.length; day++) {
		// A slot belongs to the day its start falls in; slots before the first day or after the
		// last count on those days, as localDayIndexSql clamps them.
		const from = day === 0 ? Number.MIN_SAFE_INTEGER : Math.ceil(starts[day] / SLOT_MS);
		const to =
			day === days.length - 1 ? Number.MAX_SAFE_INTEGER : Math.ceil(starts[day + 1] / SLOT_MS);
		for (const row of yield* slotsOfDay(s.id, from, to)) out.push({ ...row, day });
	}
	return out;
}

/** bucketsReads() recomputed from the ledger and the sales themselves: the reference for tests. */
export function* directBucketsReads(s: Season, days: DateKey[]): Reads<Bucket[]> {
	const entryDay = localDayIndexSql(
		sql`coalesce(sa.occurred_at, ac.created_at, le.created_at)`,
		days,
		s.timeZone
	);
	// A season's entries are appended over a stretch of ids: reading that stretch in id order is
	// about 3x faster than following ledger_season_user_idx, whose order (by user) makes every
	// row a random read. `+le.season_id` keeps SQLite on the id range.
	const span = yield* get<{ lo: number | null; hi: number | null }>(
		sql`select min(id) as lo, max(id) as hi from ledger_entry where season_id = ${s.id}`
	);
	const points = yield* all<{
		teamId: number;
		day: number;
		confirmed: number;
		provisional: number;
	}>(sql`
		select le.team_id as "teamId", ${entryDay} as day,
			${total(sql`case when le.status = 'confirmed' then le.points else 0 end`)} as confirmed,
			${total(sql`case when le.status = 'provisional' then le.points else 0 end`)} as provisional
		from ledger_entry le left join sale sa on sa.id = le.sale_id
			left join activity ac on ac.id = le.activity_id
		where le.id between ${span?.lo ?? 0} and ${span?.hi ?? -1} and +le.season_id = ${s.id} and le.status != 'void'
		group by 1, 2`);
	const saleDay = localDayIndexSql(sql`occurred_at`, days, s.timeZone);
	const sales = yield* all<{ teamId: number; day: number; sales: number; revenue: number }>(sql`
		select team_id as "teamId", ${saleDay} as day, count(*) as sales,
			${total(sql`case when status = 'approved' then amount else 0 end`)} as revenue
		from sale where season_id = ${s.id} and status in ${STANDING_SALE}
		group by 1, 2`);
	const merged = new Map<string, Bucket>();
	const at = (teamId: number, day: number) => {
		const key = `${teamId}:${day}`;
		let bucket = merged.get(key);
		if (!bucket)
			merged.set(
				key,
				(bucket = { teamId, day, confirmed: 0, provisional: 0, sales: 0, revenue: 0 })
			);
		return bucket;
	};
	for (const row of points)
		Object.assign(at(row.teamId, row.day), {
			confirmed: row.confirmed,
			provisional: row.provisional
		});
	for (const row of sales)
		Object.assign(at(row.teamId, row.day), { sales: row.sales, revenue: row.revenue });
	return [...merged.values()];
}
