import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db';
import type { RankBy, SeasonStatus } from '../db/schema';
import type { Clock } from '../shared/clock';
import {
	addDaysToKey,
	dayList,
	daysLeft,
	localDateKey,
	seasonDayBounds,
	localDayRange,
	weekRange,
	type DateKey
} from '../../contest/calendar';
import { matchesTarget, type RuleTarget } from '../../contest/rules';

// The executive dashboard's figures. Points come from the ledger (every entry but 'void'), dated
// by the sale they belong to (bonuses and adjustments by when they were made), so that a
// rejected or reversed sale nets to zero on the day it happened. Sales, revenue and products
// count only sales that still stand (pending or approved); revenue only approved ones.

export type PeriodPreset = 'season' | 'week' | '7d' | 'custom';

export interface DashboardFilters {
	teamId: number | null;
	period: PeriodPreset;
	/** Inclusive local dates, for the 'custom' period. */
	from?: DateKey | null;
	to?: DateKey | null;
}

const DAY = 24 * 60 * 60 * 1000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const STANDING_SALE = sql.raw(`('pending', 'approved')`);

interface Season {
	id: number;
	name: string;
	timeZone: string;
	startsAt: number;
	endsAt: number;
	status: SeasonStatus;
	target: number | null;
	rankBy: RankBy;
}

/** Reads the dashboard's GET form; anything unreadable falls back to the whole season. */
export function parseFilters(params: URLSearchParams): DashboardFilters {
	const team = Number(params.get('team'));
	const teamId = Number.isInteger(team) && team > 0 ? team : null;
	const from = params.get('from') ?? '';
	const to = params.get('to') ?? '';
	const preset = params.get('period');
	if (preset === 'week' || preset === '7d') return { teamId, period: preset };
	if (
		(!preset || preset === 'custom') &&
		DATE.test(from) &&
		DATE.test(to) &&
		isDate(from) &&
		isDate(to)
	) {
		return from <= to
			? { teamId, period: 'custom', from, to }
			: { teamId, period: 'custom', from: to, to: from };
	}
	return { teamId, period: 'season' };
}

function isDate(key: string): boolean {
	const d = new Date(`${key}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === key;
}

export interface SeasonSpan {
	startsAt: number;
	endsAt: number;
	timeZone: string;
}

const keyMs = (key: DateKey) => Date.parse(`${key}T00:00:00Z`);

/** The inclusive local dates a filter covers, clipped to the season. */
export function resolvePeriod(
	s: SeasonSpan,
	filters: DashboardFilters,
	now: number
): { from: DateKey; to: DateKey } {
	const { first, last } = seasonDayBounds(s);
	// A season that is over (or not begun) is looked at from its last (or first) day.
	const ref = Math.min(Math.max(now, s.startsAt), s.endsAt - 1);
	const today = localDateKey(ref, s.timeZone);
	let from = first;
	let to = last;
	if (filters.period === 'week') {
		from = localDateKey(weekRange(ref, s.timeZone)[0], s.timeZone);
		to = today;
	} else if (filters.period === '7d') {
		from = addDaysToKey(today, -6);
		to = today;
	} else if (filters.period === 'custom' && filters.from && filters.to) {
		from = filters.from;
		to = filters.to;
	}
	from = from < first ? first : from > last ? last : from;
	to = to > last ? last : to < from ? from : to;
	return { from, to };
}

/**
 * An SQL expression for the index (0 = first day, clamped to the list) of the local day an
 * instant falls in. Within a run of 24-hour days the zone's offset is constant, so the index is
 * plain arithmetic; a 23- or 25-hour day (a DST change) gets its own constant branch.
 */
export function localDayIndexSql(column: SQL, days: DateKey[], timeZone: string): SQL {
	const starts = [
		...days.map((key) => localDayRange(key, timeZone)[0]),
		localDayRange(days.at(-1)!, timeZone)[1]
	];
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
	return sql`max(0, min(${int(days.length - 1)}, ${body}))`;
}

type Bucket = {
	teamId: number;
	day: number;
	confirmed: number;
	provisional: number;
	sales: number;
	revenue: number;
};

/** Ledger points and standing sales per team and local day. */
function buckets(db: Queryable, s: Season, days: DateKey[]): Bucket[] {
	const entryDay = localDayIndexSql(sql`coalesce(sa.occurred_at, le.created_at)`, days, s.timeZone);
	// A season's entries are appended over a stretch of ids: reading that stretch in id order is
	// about 3x faster than following ledger_season_user_idx, whose order (by user) makes every
	// row a random read. `+le.season_id` keeps SQLite on the id range.
	const span = db.get<{ lo: number | null; hi: number | null }>(
		sql`select min(id) as lo, max(id) as hi from ledger_entry where season_id = ${s.id}`
	);
	const points = db.all<{
		teamId: number;
		day: number;
		confirmed: number;
		provisional: number;
	}>(sql`
		select le.team_id as teamId, ${entryDay} as day,
			sum(case when le.status = 'confirmed' then le.points else 0 end) as confirmed,
			sum(case when le.status = 'provisional' then le.points else 0 end) as provisional
		from ledger_entry le left join sale sa on sa.id = le.sale_id
		where le.id between ${span?.lo ?? 0} and ${span?.hi ?? -1} and +le.season_id = ${s.id} and le.status != 'void'
		group by 1, 2`);
	const saleDay = localDayIndexSql(sql`occurred_at`, days, s.timeZone);
	const sales = db.all<{ teamId: number; day: number; sales: number; revenue: number }>(sql`
		select team_id as teamId, ${saleDay} as day, count(*) as sales,
			sum(case when status = 'approved' then amount else 0 end) as revenue
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

function participation(
	db: Queryable,
	s: Season,
	teamId: number | null,
	week: [number, number],
	period: [number, number]
) {
	const team = teamId === null ? sql`` : sql`and m.team_id = ${teamId}`;
	const sold = (range: [number, number] | null) => sql`exists (select 1 from sale sa
		where sa.season_id = m.season_id and sa.seller_id = m.user_id and sa.status in ${STANDING_SALE}
		${range ? sql`and sa.occurred_at >= ${range[0]} and sa.occurred_at < ${range[1]}` : sql``})`;
	const rows = db.all<{
		id: number;
		name: string;
		team: string;
		season: number;
		week: number;
		period: number;
	}>(sql`
		select m.user_id as id, u.display_name as name, t.name as team,
			${sold(null)} as season, ${sold(week)} as week, ${sold(period)} as period
		from season_member m join user u on u.id = m.user_id join team t on t.id = m.team_id
		where m.season_id = ${s.id} ${team}
		order by t.name, u.display_name`);
	const count = (key: 'season' | 'week' | 'period') => rows.filter((r) => r[key]).length;
	return {
		members: rows.length,
		soldThisWeek: count('week'),
		soldInPeriod: count('period'),
		soldInSeason: count('season'),
		notYetSold: rows.filter((r) => !r.season).map((r) => ({ id: r.id, name: r.name, team: r.team }))
	};
}

function saleScope(teamId: number | null, range: [number, number] | null) {
	return sql`${teamId === null ? sql`` : sql`and sa.team_id = ${teamId}`}
		${range ? sql`and sa.occurred_at >= ${range[0]} and sa.occurred_at < ${range[1]}` : sql``}`;
}

function topProducts(
	db: Queryable,
	seasonId: number,
	teamId: number | null,
	range: [number, number]
) {
	const catalogue = new Map(
		db
			.all<{ id: number; sku: string; name: string; category: string }>(
				sql`select id, sku, name, category from product where season_id = ${seasonId}`
			)
			.map((p) => [p.id, p])
	);
	const totals = db.all<{ id: number; units: number; points: number }>(sql`
		select l.product_id as id, sum(l.quantity) as units, sum(l.points) as points
		from sale sa join sale_line l on l.sale_id = sa.id
		where sa.season_id = ${seasonId} and sa.status in ${STANDING_SALE} ${saleScope(teamId, range)}
		group by l.product_id`);
	return totals
		.flatMap((t) => {
			const p = catalogue.get(t.id);
			return p ? [{ ...p, units: t.units, points: t.points }] : [];
		})
		.sort((a, b) => b.points - a.points || b.units - a.units || a.name.localeCompare(b.name));
}

export interface CampaignEffect {
	id: number;
	name: string;
	startsAt: number;
	endsAt: number;
	/** The part of the window measured: up to now while the campaign runs. */
	measuredTo: number;
	state: 'upcoming' | 'running' | 'over';
	products: number;
	during: { sales: number; units: number; points: number };
	before: { sales: number; units: number; points: number; from: number };
	/** The comparison window starts before the season did: it undercounts. */
	beforeClipped: boolean;
	/** Change in units, in % of the window before; null when there was nothing to compare. */
	unitsChange: number | null;
}

function campaignEffects(
	db: Queryable,
	s: Season,
	teamId: number | null,
	now: number
): CampaignEffect[] {
	const rules = db.all<{
		id: number;
		name: string;
		startsAt: number;
		endsAt: number;
		target: string;
	}>(sql`
		select id, name, starts_at as startsAt, ends_at as endsAt, target from rule
		where season_id = ${s.id} and starts_at is not null and ends_at is not null
		order by starts_at, id`);
	if (rules.length === 0) return [];
	const products = db.all<{ id: number; sku: string; category: string }>(
		sql`select id, sku, category from product where season_id = ${s.id}`
	);
	return rules.map((rule) => {
		const target = JSON.parse(rule.target) as RuleTarget;
		const ids = products.filter((p) => matchesTarget(target, p)).map((p) => p.id);
		const measuredTo = Math.min(rule.endsAt, Math.max(now, rule.startsAt));
		const from = rule.startsAt - (measuredTo - rule.startsAt);
		const row = db.get<{
			ds: number;
			du: number;
			dp: number;
			bs: number;
			bu: number;
			bp: number;
		}>(sql`
			select count(distinct case when sa.occurred_at >= ${rule.startsAt} then sa.id end) as ds,
				coalesce(sum(case when sa.occurred_at >= ${rule.startsAt} then l.quantity end), 0) as du,
				coalesce(sum(case when sa.occurred_at >= ${rule.startsAt} then l.points end), 0) as dp,
				count(distinct case when sa.occurred_at < ${rule.startsAt} then sa.id end) as bs,
				coalesce(sum(case when sa.occurred_at < ${rule.startsAt} then l.quantity end), 0) as bu,
				coalesce(sum(case when sa.occurred_at < ${rule.startsAt} then l.points end), 0) as bp
			from sale sa join sale_line l on l.sale_id = sa.id
			where sa.season_id = ${s.id} and sa.status in ${STANDING_SALE}
				and l.product_id in (select value from json_each(${JSON.stringify(ids)}))
				${saleScope(teamId, [from, measuredTo])}`)!;
		return {
			id: rule.id,
			name: rule.name,
			startsAt: rule.startsAt,
			endsAt: rule.endsAt,
			measuredTo,
			state: now < rule.startsAt ? 'upcoming' : now < rule.endsAt ? 'running' : 'over',
			products: ids.length,
			during: { sales: row.ds, units: row.du, points: row.dp },
			before: { sales: row.bs, units: row.bu, points: row.bp, from },
			beforeClipped: from < s.startsAt,
			unitsChange: row.bu > 0 ? Math.round(((row.du - row.bu) / row.bu) * 1000) / 10 : null
		};
	});
}

function seasonHistory(db: Queryable, s: Season) {
	const past = db.all<{
		id: number;
		name: string;
		endsAt: number;
		points: number;
		provisional: number;
		participants: number;
	}>(sql`
		select se.id, se.name, se.ends_at as endsAt, coalesce(sum(r.points), 0) as points,
			coalesce(sum(r.provisional_points), 0) as provisional, count(r.subject_id) as participants
		from season se join season_result r on r.season_id = se.id and r.subject_type = 'user'
		where se.id != ${s.id} and se.starts_at < ${s.startsAt}
		group by se.id order by se.starts_at desc, se.id desc limit 6`);
	const winners = (seasonId: number, type: 'user' | 'team') =>
		db
			.all<{ name: string }>(
				sql`select name from season_result
				where season_id = ${seasonId} and subject_type = ${type} and rank = 1 and points > 0 order by name`
			)
			.map((r) => r.name)
			.join(', ') || null;
	return past.map((p) => ({
		...p,
		winner: winners(p.id, 'user'),
		winningTeam: winners(p.id, 'team')
	}));
}

function currentLeaders(db: Queryable, s: Season) {
	const column =
		s.rankBy === 'total' ? sql`confirmed_points + provisional_points` : sql`confirmed_points`;
	const top = (type: 'user' | 'team', table: 'user' | 'team') =>
		db.get<{ name: string; points: number }>(sql`
			select ${sql.raw(table === 'user' ? 'x.display_name' : 'x.name')} as name, ${column} as points
			from standing st join ${sql.raw(`"${table}"`)} x on x.id = st.subject_id
			where st.season_id = ${s.id} and st.subject_type = ${type}
			order by points desc, st.reached_at limit 1`);
	const leader = top('user', 'user');
	const team = top('team', 'team');
	return {
		winner: leader && leader.points > 0 ? leader.name : null,
		winningTeam: team && team.points > 0 ? team.name : null
	};
}

/** Everything the dashboard shows for one season, as plain data; null for an unknown season. */
export function dashboardData(
	db: Queryable,
	seasonId: number,
	filters: DashboardFilters,
	clock: Clock
) {
	const now = clock();
	const s = db.get<Season>(sql`select id, name, time_zone as timeZone, starts_at as startsAt,
		ends_at as endsAt, status, target, rank_by as rankBy from season where id = ${seasonId}`);
	if (!s) return null;
	const teams = db.all<{ id: number; name: string; color: string; emoji: string }>(
		sql`select id, name, color, emoji from team where season_id = ${s.id} order by name, id`
	);
	const teamId =
		filters.teamId !== null && teams.some((t) => t.id === filters.teamId) ? filters.teamId : null;
	const { first, last } = seasonDayBounds(s);
	const days = dayList(first, last);
	const period = resolvePeriod(s, { ...filters, teamId }, now);
	const fromIndex = days.indexOf(period.from);
	const toIndex = days.indexOf(period.to);
	const range: [number, number] = [
		localDayRange(period.from, s.timeZone)[0],
		localDayRange(period.to, s.timeZone)[1]
	];
	const todayIndex =
		now < s.startsAt
			? -1
			: now >= s.endsAt
				? days.length - 1
				: days.indexOf(localDateKey(now, s.timeZone));

	const all = buckets(db, s, days);
	const inScope = (b: Bucket) =>
		(teamId === null || b.teamId === teamId) && b.day >= fromIndex && b.day <= toIndex;
	const kpis = { confirmedPoints: 0, provisionalPoints: 0, revenue: 0, sales: 0 };
	for (const b of all.filter(inScope)) {
		kpis.confirmedPoints += b.confirmed;
		kpis.provisionalPoints += b.provisional;
		kpis.revenue += b.revenue;
		kpis.sales += b.sales;
	}

	// The race: each team's points accumulated over the period's days, up to today.
	const raceDays = days.slice(fromIndex, Math.max(fromIndex, Math.min(toIndex, todayIndex)) + 1);
	const race = teams
		.filter((t) => teamId === null || t.id === teamId)
		.map((t) => {
			const daily = new Array<number>(raceDays.length).fill(0);
			for (const b of all) {
				if (b.teamId === t.id && b.day >= fromIndex && b.day < fromIndex + raceDays.length) {
					daily[b.day - fromIndex] += b.confirmed + b.provisional;
				}
			}
			let sum = 0;
			return { ...t, points: daily.map((v) => (sum += v)) };
		});

	// Progress: the whole season and every team, against a straight pace from 0 to the target.
	const seasonTotals = { confirmed: 0, provisional: 0 };
	const confirmedByDay = new Array<number>(days.length).fill(0);
	const totalByDay = new Array<number>(days.length).fill(0);
	for (const b of all) {
		seasonTotals.confirmed += b.confirmed;
		seasonTotals.provisional += b.provisional;
		confirmedByDay[b.day] += b.confirmed;
		totalByDay[b.day] += b.confirmed + b.provisional;
	}
	const cumulate = (values: number[]) => {
		let sum = 0;
		return values.map((v, i) => (i <= todayIndex ? (sum += v) : null));
	};
	const length = s.endsAt - s.startsAt;
	const progress = {
		days,
		confirmed: cumulate(confirmedByDay),
		total: cumulate(totalByDay),
		pace:
			s.target === null
				? null
				: days.map((key) => {
						const end = Math.min(localDayRange(key, s.timeZone)[1], s.endsAt);
						return Math.round((s.target! * (end - s.startsAt)) / length);
					})
	};

	const week = weekRange(Math.min(Math.max(now, s.startsAt), s.endsAt - 1), s.timeZone);
	const products = topProducts(db, s.id, teamId, range);
	return {
		season: {
			id: s.id,
			name: s.name,
			status: s.status,
			timeZone: s.timeZone,
			startsAt: s.startsAt,
			endsAt: s.endsAt,
			target: s.target
		},
		teams,
		filters: { teamId, period: filters.period, from: period.from, to: period.to },
		kpis: {
			...kpis,
			target: s.target,
			seasonConfirmed: seasonTotals.confirmed,
			seasonProvisional: seasonTotals.provisional,
			percentOfTarget: s.target
				? Math.round((seasonTotals.confirmed / s.target) * 1000) / 10
				: null,
			percentWithProvisional: s.target
				? Math.round(((seasonTotals.confirmed + seasonTotals.provisional) / s.target) * 1000) / 10
				: null,
			daysLeft: daysLeft(now, s)
		},
		race: { days: raceDays, teams: race },
		progress,
		participation: participation(db, s, teamId, week, range),
		products: {
			byPoints: products.slice(0, 10),
			byUnits: [...products].sort((a, b) => b.units - a.units || b.points - a.points).slice(0, 10)
		},
		campaigns: campaignEffects(db, s, teamId, now),
		history: {
			current: {
				id: s.id,
				name: s.name,
				points:
					s.rankBy === 'total'
						? seasonTotals.confirmed + seasonTotals.provisional
						: seasonTotals.confirmed,
				provisional: seasonTotals.provisional,
				participants: db.get<{ n: number }>(
					sql`select count(*) as n from season_member where season_id = ${s.id}`
				)!.n,
				...currentLeaders(db, s)
			},
			past: seasonHistory(db, s)
		}
	};
}

export type DashboardData = NonNullable<ReturnType<typeof dashboardData>>;

/** The seasons the picker offers, newest first. */
export function dashboardSeasons(db: Queryable) {
	return db.all<{ id: number; name: string; status: string }>(
		sql`select id, name, status from season order by starts_at desc, id desc`
	);
}

/** The season shown without ?season: the live one, else the latest that has begun. */
export function defaultDashboardSeason(db: Queryable, now: number): number | null {
	const row =
		db.get<{ id: number }>(
			sql`select id from season where status = 'live' order by starts_at desc, id desc limit 1`
		) ??
		db.get<{ id: number }>(sql`select id from season where starts_at <= ${now} and status != 'draft'
			order by starts_at desc, id desc limit 1`) ??
		db.get<{ id: number }>(sql`select id from season order by starts_at desc, id desc limit 1`);
	return row?.id ?? null;
}

// Figures per database, season version, filters and minute: a page that many executives keep
// open (and that reloads on every leaderboard change) computes them once per change. Changes that
// do not bump the version (a new member, an edited rule) show within a minute.
const cache = new WeakMap<object, Map<string, DashboardData | null>>();
const CACHE_SIZE = 50;

function cachedDashboard(db: Queryable, seasonId: number, filters: DashboardFilters, clock: Clock) {
	const now = clock();
	const version = db.get<{ v: number }>(
		sql`select version as v from season where id = ${seasonId}`
	)?.v;
	if (version === undefined) return null;
	const key = JSON.stringify([seasonId, version, Math.floor(now / 60_000), filters]);
	let entries = cache.get(db);
	if (!entries) cache.set(db, (entries = new Map()));
	if (entries.has(key)) return entries.get(key)!;
	const data = dashboardData(db, seasonId, filters, () => now);
	if (entries.size >= CACHE_SIZE) entries.delete(entries.keys().next().value!);
	entries.set(key, data);
	return data;
}

/** What the page and the CSV export read: the chosen (or default) season with the URL's filters. */
export function loadDashboard(db: Queryable, params: URLSearchParams, clock: Clock) {
	const requested = Number(params.get('season'));
	const seasonId =
		Number.isInteger(requested) && requested > 0 ? requested : defaultDashboardSeason(db, clock());
	return seasonId === null ? null : cachedDashboard(db, seasonId, parseFilters(params), clock);
}

export interface CsvRow {
	section: 'kpi' | 'race' | 'product' | 'campaign';
	date: string;
	team: string;
	metric: string;
	value: number | string | null;
}

/** The dashboard as long-format rows: KPIs, then cumulative points per team and day, then products. */
export function dashboardCsvRows(data: DashboardData): CsvRow[] {
	const team = data.teams.find((t) => t.id === data.filters.teamId)?.name ?? 'all';
	const date = `${data.filters.from}..${data.filters.to}`;
	const kpi = (metric: string, value: number | null): CsvRow => ({
		section: 'kpi',
		date,
		team,
		metric,
		value
	});
	const { kpis, participation } = data;
	return [
		kpi('confirmedPoints', kpis.confirmedPoints),
		kpi('provisionalPoints', kpis.provisionalPoints),
		kpi('confirmedRevenueCents', kpis.revenue),
		kpi('sales', kpis.sales),
		kpi('target', kpis.target),
		kpi('percentOfTarget', kpis.percentOfTarget),
		kpi('daysLeft', kpis.daysLeft),
		kpi('members', participation.members),
		kpi('membersSoldThisWeek', participation.soldThisWeek),
		kpi('membersSoldInSeason', participation.soldInSeason),
		...data.race.teams.flatMap((t) =>
			data.race.days.map((day, i): CsvRow => ({
				section: 'race',
				date: day,
				team: t.name,
				metric: 'cumulativePoints',
				value: t.points[i]
			}))
		),
		...data.products.byPoints.flatMap((p): CsvRow[] => [
			{ section: 'product', date, team, metric: `${p.sku} points`, value: p.points },
			{ section: 'product', date, team, metric: `${p.sku} units`, value: p.units }
		]),
		...data.campaigns.flatMap((c): CsvRow[] => [
			{ section: 'campaign', date, team, metric: `${c.name} units during`, value: c.during.units },
			{ section: 'campaign', date, team, metric: `${c.name} units before`, value: c.before.units }
		])
	];
}
