import { sql, type SQL } from 'drizzle-orm';
import { rawRow as get, rawRows as all, type RawReads as Reads } from '../db/raw-reads';
import type { RankBy, SeasonStatus } from '../db/schema';
import { matchesTarget, type RuleTarget } from '../../contest/rules';
import { COUNTED_SALE_STATUSES } from '../../contest/counting';

// The dashboard's SQL besides the daily totals (daily.ts): the season, participation, products,
// campaigns and past seasons. figures.ts puts them together.
//
// Each read is a generator that yields its queries (db/raw-reads.ts): one definition for
// SQLite's read thread (`runRawSync`, synchronous, statements kept per connection) and for a
// store's `read` on either dialect (`runRawOnStore`). So the SQL is what both speak:
// quoted aliases (PostgreSQL folds the others to lower case), `"user"`, sums cast to bigint
// (PostgreSQL's sum of bigints is numeric, read as text), no json_each or json_extract.

export { all, get };

/** sum(expr), 0 over no rows, an integer on both dialects. */
export const total = (expr: SQL) => sql`cast(coalesce(sum(${expr}), 0) as bigint)`;

/** contest/counting.ts's statuses as an SQL list, for the raw queries below. */
export const STANDING_SALE = sql.raw(`(${COUNTED_SALE_STATUSES.map((s) => `'${s}'`).join(', ')})`);

export interface Season {
	id: number;
	name: string;
	timeZone: string;
	startsAt: number;
	endsAt: number;
	status: SeasonStatus;
	target: number | null;
	rankBy: RankBy;
}

export function* participationReads(
	s: Season,
	teamId: number | null,
	week: [number, number],
	period: [number, number]
) {
	const team = teamId === null ? sql`` : sql`and m.team_id = ${teamId}`;
	const sold = (range: [number, number] | null) => sql`exists (select 1 from sale sa
		where sa.season_id = m.season_id and sa.seller_id = m.user_id and sa.status in ${STANDING_SALE}
		${range ? sql`and sa.occurred_at >= ${range[0]} and sa.occurred_at < ${range[1]}` : sql``})`;
	// The flags are 0/1 on SQLite, booleans on PostgreSQL: read as truthy.
	const rows = yield* all<{
		id: number;
		name: string;
		team: string;
		season: unknown;
		week: unknown;
		period: unknown;
	}>(sql`
		select m.user_id as id, u.display_name as name, t.name as team,
			${sold(null)} as season, ${sold(week)} as week, ${sold(period)} as "period"
		from season_member m join "user" u on u.id = m.user_id join team t on t.id = m.team_id
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

type ProductTotal = { id: number; units: number; points: number };

function* lineTotals(
	seasonId: number,
	teamId: number | null,
	range: [number, number]
): Reads<ProductTotal[]> {
	if (range[0] >= range[1]) return [];
	return yield* all<ProductTotal>(sql`
		select l.product_id as id, ${total(sql`l.quantity`)} as units, ${total(sql`l.points`)} as points
		from sale sa join sale_line l on l.sale_id = sa.id
		where sa.season_id = ${seasonId} and sa.status in ${STANDING_SALE} ${saleScope(teamId, range)}
		group by l.product_id`);
}

const UTC_DAY = 86_400_000;

/**
 * Units and points per product of the standing sales in [from, to): the whole UTC days inside
 * from the dashboard_product_day rollup (kept by triggers), the partial days at either end from
 * the sales themselves (sale_season_time_idx). Equal to the direct sum (tested).
 */
function* productTotals(
	seasonId: number,
	teamId: number | null,
	range: [number, number],
	direct: boolean
): Reads<ProductTotal[]> {
	const firstDay = Math.ceil(range[0] / UTC_DAY);
	const endDay = Math.floor(range[1] / UTC_DAY);
	if (direct || firstDay >= endDay) return yield* lineTotals(seasonId, teamId, range);
	const team = teamId === null ? sql`` : sql`and team_id = ${teamId}`;
	const parts = [
		yield* all<ProductTotal>(sql`
			select product_id as id, ${total(sql`units`)} as units, ${total(sql`points`)} as points
			from dashboard_product_day
			where season_id = ${seasonId} and day >= ${firstDay} and day < ${endDay} ${team}
			group by product_id`),
		yield* lineTotals(seasonId, teamId, [range[0], firstDay * UTC_DAY]),
		yield* lineTotals(seasonId, teamId, [endDay * UTC_DAY, range[1]])
	];
	const totals = new Map<number, ProductTotal>();
	for (const row of parts.flat()) {
		const sum = totals.get(row.id);
		if (sum) {
			sum.units += row.units;
			sum.points += row.points;
		} else totals.set(row.id, { ...row });
	}
	return [...totals.values()].filter((t) => t.units !== 0 || t.points !== 0);
}

export function* topProductsReads(
	seasonId: number,
	teamId: number | null,
	range: [number, number],
	direct = false
) {
	const catalogue = new Map(
		(yield* all<{ id: number; sku: string; name: string; category: string }>(
			sql`select id, sku, name, category from product where season_id = ${seasonId}`
		)).map((p) => [p.id, p])
	);
	const totals = yield* productTotals(seasonId, teamId, range, direct);
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

type CampaignRow = { ds: number; du: number; dp: number; bs: number; bu: number; bp: number };

const NO_CAMPAIGN_LINES: CampaignRow = { ds: 0, du: 0, dp: 0, bs: 0, bu: 0, bp: 0 };

/** The product ids as an SQL list; they are the catalogue's integers, written into the text. */
const idList = (ids: number[]) => sql.raw(`(${ids.map((id) => Math.trunc(id)).join(', ')})`);

/** A campaign's products in [from, to): sales, units and points from `startsAt` on, and before. */
function* campaignLines(
	seasonId: number,
	teamId: number | null,
	ids: number[],
	startsAt: number,
	range: [number, number]
): Reads<CampaignRow> {
	if (ids.length === 0) return NO_CAMPAIGN_LINES;
	// dashboard_line (kept by triggers) is keyed by season, product and time: only the campaign's
	// products in its window are read.
	return (yield* get<CampaignRow>(sql`
		select count(distinct case when occurred_at >= ${startsAt} then sale_id end) as ds,
			${total(sql`case when occurred_at >= ${startsAt} then quantity end`)} as du,
			${total(sql`case when occurred_at >= ${startsAt} then points end`)} as dp,
			count(distinct case when occurred_at < ${startsAt} then sale_id end) as bs,
			${total(sql`case when occurred_at < ${startsAt} then quantity end`)} as bu,
			${total(sql`case when occurred_at < ${startsAt} then points end`)} as bp
		from dashboard_line
		where season_id = ${seasonId} and product_id in ${idList(ids)}
			and occurred_at >= ${range[0]} and occurred_at < ${range[1]}
			${teamId === null ? sql`` : sql`and team_id = ${teamId}`}`))!;
}

/** campaignLines() from the sales themselves: the reference for tests. */
function* campaignLinesDirect(
	seasonId: number,
	teamId: number | null,
	ids: number[],
	startsAt: number,
	range: [number, number]
): Reads<CampaignRow> {
	if (ids.length === 0) return NO_CAMPAIGN_LINES;
	return (yield* get<CampaignRow>(sql`
		select count(distinct case when sa.occurred_at >= ${startsAt} then sa.id end) as ds,
			${total(sql`case when sa.occurred_at >= ${startsAt} then l.quantity end`)} as du,
			${total(sql`case when sa.occurred_at >= ${startsAt} then l.points end`)} as dp,
			count(distinct case when sa.occurred_at < ${startsAt} then sa.id end) as bs,
			${total(sql`case when sa.occurred_at < ${startsAt} then l.quantity end`)} as bu,
			${total(sql`case when sa.occurred_at < ${startsAt} then l.points end`)} as bp
		from sale sa join sale_line l on l.sale_id = sa.id
		where sa.season_id = ${seasonId} and sa.status in ${STANDING_SALE}
			and l.product_id in ${idList(ids)}
			${saleScope(teamId, range)}`))!;
}

export function* campaignEffectsReads(
	season: Season,
	teamId: number | null,
	now: number,
	direct = false
): Reads<CampaignEffect[]> {
	// The target is JSON text on SQLite and jsonb on PostgreSQL: read as text on both.
	const rules = (yield* all<{
		id: number;
		name: string;
		startsAt: number;
		endsAt: number;
		target: string;
	}>(sql`
		select id, name, starts_at as "startsAt", ends_at as "endsAt", cast(target as text) as target
		from rule
		where season_id = ${season.id} and starts_at is not null and ends_at is not null
		order by starts_at, id`))
		.map((rule) => ({ ...rule, target: JSON.parse(rule.target) as RuleTarget }))
		.filter((rule) => rule.target.kind !== 'activity');
	if (rules.length === 0) return [];
	const products = yield* all<{ id: number; sku: string; category: string }>(
		sql`select id, sku, category from product where season_id = ${season.id}`
	);
	const effects: CampaignEffect[] = [];
	for (const rule of rules) {
		const ids = products.filter((p) => matchesTarget(rule.target, p)).map((p) => p.id);
		const measuredTo = Math.min(rule.endsAt, Math.max(now, rule.startsAt));
		const from = rule.startsAt - (measuredTo - rule.startsAt);
		const window: [number, number] = [from, measuredTo];
		const row = yield* (direct ? campaignLinesDirect : campaignLines)(
			season.id,
			teamId,
			ids,
			rule.startsAt,
			window
		);
		effects.push({
			id: rule.id,
			name: rule.name,
			startsAt: rule.startsAt,
			endsAt: rule.endsAt,
			measuredTo,
			state: now < rule.startsAt ? 'upcoming' : now < rule.endsAt ? 'running' : 'over',
			products: ids.length,
			during: { sales: row.ds, units: row.du, points: row.dp },
			before: { sales: row.bs, units: row.bu, points: row.bp, from },
			beforeClipped: from < season.startsAt,
			unitsChange: row.bu > 0 ? Math.round(((row.du - row.bu) / row.bu) * 1000) / 10 : null
		});
	}
	return effects;
}

export function* seasonHistoryReads(season: Season) {
	const past = yield* all<{
		id: number;
		name: string;
		endsAt: number;
		points: number;
		provisional: number;
		participants: number;
	}>(sql`
		select se.id, se.name, se.ends_at as "endsAt", ${total(sql`r.points`)} as points,
			${total(sql`r.provisional_points`)} as provisional, count(r.subject_id) as participants
		from season se join season_result r on r.season_id = se.id and r.subject_type = 'user'
		where se.id != ${season.id} and se.starts_at < ${season.startsAt}
		group by se.id order by se.starts_at desc, se.id desc limit 6`);
	const winners = function* (seasonId: number, type: 'user' | 'team') {
		const rows = yield* all<{ name: string }>(
			sql`select name from season_result
			where season_id = ${seasonId} and subject_type = ${type} and rank = 1 and points > 0 order by name`
		);
		return rows.map((r) => r.name).join(', ') || null;
	};
	const history = [];
	for (const p of past)
		history.push({
			...p,
			winner: yield* winners(p.id, 'user'),
			winningTeam: yield* winners(p.id, 'team')
		});
	return history;
}

export function* currentLeadersReads(season: Season) {
	const column =
		season.rankBy === 'total' ? sql`confirmed_points + provisional_points` : sql`confirmed_points`;
	const top = (type: 'user' | 'team') =>
		get<{ name: string; points: number }>(sql`
			select ${sql.raw(type === 'user' ? 'x.display_name' : 'x.name')} as name, ${column} as points
			from standing st join ${sql.raw(`"${type}"`)} x on x.id = st.subject_id
			where st.season_id = ${season.id} and st.subject_type = ${type}
			order by points desc, st.reached_at limit 1`);
	const leader = yield* top('user');
	const team = yield* top('team');
	return {
		winner: leader && leader.points > 0 ? leader.name : null,
		winningTeam: team && team.points > 0 ? team.name : null
	};
}

export function dashboardSeasonReads(seasonId: number) {
	return get<Season>(sql`select id, name, time_zone as "timeZone", starts_at as "startsAt",
		ends_at as "endsAt", status, target, rank_by as "rankBy" from season where id = ${seasonId}`);
}

export function seasonTeamsReads(seasonId: number) {
	return all<{ id: number; name: string; color: string; emoji: string }>(
		sql`select id, name, color, emoji from team where season_id = ${seasonId} order by name, id`
	);
}

export function* memberCountReads(seasonId: number): Reads<number> {
	return (yield* get<{ n: number }>(
		sql`select count(*) as n from season_member where season_id = ${seasonId}`
	))!.n;
}

/** Bumped on every change to the season's boards; undefined for an unknown season. */
export function* seasonVersionReads(seasonId: number): Reads<number | undefined> {
	return (yield* get<{ v: number }>(sql`select version as v from season where id = ${seasonId}`))
		?.v;
}

/** The seasons the picker offers, newest first. */
export function dashboardSeasonsReads() {
	return all<{ id: number; name: string; status: string }>(
		sql`select id, name, status from season order by starts_at desc, id desc`
	);
}

/** The season shown without ?season: the live one, else the latest that has begun. */
export function* defaultDashboardSeasonReads(now: number): Reads<number | null> {
	const row =
		(yield* get<{ id: number }>(
			sql`select id from season where status = 'live' order by starts_at desc, id desc limit 1`
		)) ??
		(yield* get<{
			id: number;
		}>(sql`select id from season where starts_at <= ${now} and status != 'draft'
			order by starts_at desc, id desc limit 1`)) ??
		(yield* get<{ id: number }>(
			sql`select id from season order by starts_at desc, id desc limit 1`
		));
	return row?.id ?? null;
}
