import { sql, type SQL } from 'drizzle-orm';
import {
	rawRow as get,
	rawRows as all,
	runRawOnStore,
	type DialectSql,
	type RawReads,
	type RawSource
} from '../db/raw-reads';
import type { Store, StoreDb } from '../db/store';
import type { TieRule } from '../../contest/types';
import type { LeaderboardEntry, MyStanding } from '../../realtime/events';
import { rankingPoints } from './ranking-points';
import type { PointsMultiset } from './points-multiset';

// Parts of a season's individual ranking read through the standing table's rank index
// (standing_rank_idx / standing_rank_total_idx), without building the whole ranking. The order
// and the ranks are exactly those of `rank()` in contest/ranking.ts (which readLeaderboard
// uses): points (desc), then who reached them first, then name (localeCompare), then id. SQL
// orders by points and reachedAt through the index; rows equal on both (a "tie group") are
// always read whole and ordered in JS, so that the name order is localeCompare's, not SQLite's.
//
// Fast path: players with more than 0 points always have a standing row, so everything above 0
// points is one indexed range. Players at 0 or below (invited people who joined but never
// scored have no standing row) are read by a slower query that joins the members: only pages
// and viewers in that region pay for it.

export interface RankCursor {
	/** Ranking points (confirmed, or confirmed + provisional when the season ranks by total). */
	p: number;
	/** reachedAt */
	r: number;
	/** The row's id: the position inside its tie group. */
	i: number;
}

interface Row {
	id: number;
	name: string;
	teamId: number;
	teamName: string;
	emoji: string;
	color: string;
	confirmed: number;
	provisional: number;
	salesCount: number;
	reachedAt: number;
	pts: number;
}

export interface SeasonRanking {
	seasonId: number;
	version: number;
	tieRule: TieRule;
	rankBy: 'confirmed' | 'total';
}

export type MyStandingWindow = MyStanding;

const ptsExpr = (rankBy: SeasonRanking['rankBy']) =>
	rankBy === 'total'
		? sql.raw('(s.confirmed_points + s.provisional_points)')
		: sql.raw('s.confirmed_points');

// Aliases are quoted: PostgreSQL folds unquoted names to lower case.
const STANDING_COLUMNS = (pts: SQL) => sql`s.subject_id AS id, u.display_name AS name,
	t.id AS "teamId", t.name AS "teamName", t.emoji AS emoji, t.color AS color,
	s.confirmed_points AS confirmed, s.provisional_points AS provisional,
	s.sales_count AS "salesCount", s.reached_at AS "reachedAt", ${pts} AS pts`;

// The join in the order written (`orderedJoin`: SQLite's CROSS JOIN): the standing rows (read
// in rank-index order) outside, the member, person and team looked up per row by primary key.
// One raw chunk, built once per dialect's words: most queries below hold it, and a chunk of
// chunks cost each query's SQL assembly more.
const standingFromIn = ({ orderedJoin: join }: DialectSql) =>
	sql.raw(`FROM standing s
	${join} season_member m ON m.season_id = s.season_id AND m.user_id = s.subject_id
	${join} "user" u ON u.id = s.subject_id
	${join} team t ON t.id = m.team_id`);
const standingFroms = new WeakMap<DialectSql, SQL>();

/**
 * Where the window's queries run. The reads below are generators that yield each query and get
 * its rows back (db/raw-reads.ts): one body for the store's reads on both dialects
 * (`runOnStore`).
 */
export interface WindowSource {
	sql: DialectSql;
	/** The points above 0 held in memory (ranking-points.ts), or null: count in SQL. */
	held(season: SeasonRanking): PointsMultiset | null;
}

type Reads<T> = RawReads<T>;

function standingFrom(on: WindowSource): SQL {
	let from = standingFroms.get(on.sql);
	if (!from) standingFroms.set(on.sql, (from = standingFromIn(on.sql)));
	return from;
}

/** Every player, as readLeaderboard counts them (joined, or scored, or with sales). */
function allPlayers(on: WindowSource, season: SeasonRanking): SQL {
	const pts = ptsExpr(season.rankBy);
	return sql`SELECT ${STANDING_COLUMNS(pts)} ${standingFrom(on)}
		WHERE s.season_id = ${season.seasonId} AND s.subject_type = 'user'
			AND (u.password_hash <> '!' OR s.sales_count > 0 OR s.confirmed_points <> 0 OR s.provisional_points <> 0)
		UNION ALL
		SELECT m.user_id AS id, u.display_name AS name, t.id AS "teamId", t.name AS "teamName",
			t.emoji AS emoji, t.color AS color, 0 AS confirmed, 0 AS provisional, 0 AS "salesCount",
			m.joined_at AS "reachedAt", 0 AS pts
		FROM season_member m JOIN "user" u ON u.id = m.user_id JOIN team t ON t.id = m.team_id
		WHERE m.season_id = ${season.seasonId} AND u.password_hash <> '!'
			AND NOT EXISTS (SELECT 1 FROM standing x WHERE x.season_id = m.season_id
				AND x.subject_type = 'user' AND x.subject_id = m.user_id)`;
}

/**
 * The window's source on a raw read's: the points are held per SQLite connection; a pool
 * (PostgreSQL) holds none, and its ranks are counted in SQL.
 */
function windowSource(source: RawSource): WindowSource {
	const db = source.connection;
	return { sql: source.sql, held: db ? (season) => rankingPoints(db, season) : () => null };
}

/**
 * Runs reads through the store, inside the caller's `read` (one snapshot with its other
 * queries): on SQLite synchronously on the read's own connection with the points it holds; on
 * PostgreSQL awaited on `tx` (db/raw-reads.ts `runRawOnStore`).
 */
export function runOnStore<T>(
	store: Store,
	tx: StoreDb,
	reads: (on: WindowSource) => Reads<T>
): Promise<T> {
	return runRawOnStore(tx, store, (source) => reads(windowSource(source)));
}

// The same order as String.prototype.localeCompare (which contest/ranking.ts uses), faster.
const collator = new Intl.Collator();

function compare(a: Row, b: Row): number {
	return (
		b.pts - a.pts || a.reachedAt - b.reachedAt || collator.compare(a.name, b.name) || a.id - b.id
	);
}

/** Rows strictly after (direction 'down') or before ('up') the position (p, r), in that order. */
function* rowsBeyond(
	on: WindowSource,
	season: SeasonRanking,
	from: { p: number; r: number } | null,
	direction: 'down' | 'up',
	limit: number,
	positiveOnly = false
): Reads<Row[]> {
	const pts = ptsExpr(season.rankBy);
	const beyond = (p: SQL, r: SQL): SQL =>
		!from
			? sql`1 = 1`
			: direction === 'down'
				? sql`(${p} < ${from.p} OR (${p} = ${from.p} AND ${r} > ${from.r}))`
				: sql`(${p} > ${from.p} OR (${p} = ${from.p} AND ${r} < ${from.r}))`;
	// Above 0 points: ranges of the rank index, read in its order. The rest of the start's
	// (points, reachedAt) value first, then the points beyond it: two simple ranges instead of
	// one OR, which SQLite would read whole and sort.
	const positive = function* (): Reads<Row[]> {
		const base = sql`SELECT ${STANDING_COLUMNS(pts)} ${standingFrom(on)}
			WHERE s.season_id = ${season.seasonId} AND s.subject_type = 'user'`;
		const down = direction === 'down';
		if (!from)
			return yield* all<Row>(
				sql`${base} AND ${pts} > 0 ORDER BY ${pts} DESC, s.reached_at ASC LIMIT ${limit}`
			);
		if (from.p <= 0 && down) return [];
		const same =
			from.p > 0
				? yield* all<Row>(
						down
							? sql`${base} AND ${pts} = ${from.p} AND s.reached_at > ${from.r} ORDER BY s.reached_at ASC LIMIT ${limit}`
							: sql`${base} AND ${pts} = ${from.p} AND s.reached_at < ${from.r} ORDER BY s.reached_at DESC LIMIT ${limit}`
					)
				: [];
		if (same.length >= limit) return same;
		const rest = yield* all<Row>(
			down
				? sql`${base} AND ${pts} < ${from.p} AND ${pts} > 0 ORDER BY ${pts} DESC, s.reached_at ASC LIMIT ${limit - same.length}`
				: sql`${base} AND ${pts} > ${Math.max(from.p, 0)} ORDER BY ${pts} ASC, s.reached_at DESC LIMIT ${limit - same.length}`
		);
		return same.concat(rest);
	};
	// At 0 points or below: members without a standing row too.
	const low = () =>
		all<Row>(
			sql`SELECT * FROM (${allPlayers(on, season)}) AS p WHERE pts <= 0
			AND ${beyond(sql.raw('pts'), sql.raw('"reachedAt"'))}
			${sql.raw(direction === 'down' ? 'ORDER BY pts DESC, "reachedAt" ASC' : 'ORDER BY pts ASC, "reachedAt" DESC')}
			LIMIT ${limit}`
		);
	let rows: Row[];
	if (direction === 'down') {
		rows = yield* positive();
		if (rows.length < limit && !positiveOnly)
			rows = rows.concat((yield* low()).slice(0, limit - rows.length));
	} else {
		rows = from && from.p <= 0 ? yield* low() : [];
		if (rows.length < limit) rows = rows.concat((yield* positive()).slice(0, limit - rows.length));
	}
	return rows;
}

/** Every player whose (points, reachedAt) equals the position's. */
function tieGroup(on: WindowSource, season: SeasonRanking, p: number, r: number): Reads<Row[]> {
	const pts = ptsExpr(season.rankBy);
	if (p > 0)
		return all<Row>(
			sql`SELECT ${STANDING_COLUMNS(pts)} ${standingFrom(on)}
			WHERE s.season_id = ${season.seasonId} AND s.subject_type = 'user'
				AND ${pts} = ${p} AND s.reached_at = ${r}`
		);
	return all<Row>(
		sql`SELECT * FROM (${allPlayers(on, season)}) AS p WHERE pts = ${p} AND "reachedAt" = ${r}`
	);
}

/**
 * Players ranked strictly above a ranking value: competition rank = 1 + that (dense: distinct
 * values above). At 0 or more, from the points held in memory (ranking-points.ts) when it can.
 */
function* countAbove(on: WindowSource, season: SeasonRanking, p: number): Reads<number> {
	const held = p >= 0 ? on.held(season) : null;
	if (held) return season.tieRule === 'dense' ? held.distinctAbove(p) : held.countAbove(p);
	const pts = ptsExpr(season.rankBy);
	const what = season.tieRule === 'dense' ? sql.raw(`count(DISTINCT pts)`) : sql.raw('count(*)');
	if (p >= 0)
		return (yield* get<{ n: number }>(
			sql`SELECT ${what} AS n FROM (SELECT ${pts} AS pts FROM standing s
			WHERE s.season_id = ${season.seasonId} AND s.subject_type = 'user' AND ${pts} > ${p}) AS p`
		))!.n;
	return (yield* get<{ n: number }>(
		sql`SELECT ${what} AS n FROM (${allPlayers(on, season)}) AS p WHERE pts > ${p}`
	))!.n;
}

/** Ordered rows after (or before) a cursor, whole tie groups resolved, at most `limit`. */
function* walk(
	on: WindowSource,
	season: SeasonRanking,
	cursor: RankCursor | null,
	direction: 'down' | 'up',
	limit: number,
	positiveOnly = false
): Reads<Row[]> {
	const out: Row[] = [];
	if (cursor) {
		// The rest of the cursor's own tie group comes first.
		const group = (yield* tieGroup(on, season, cursor.p, cursor.r)).sort(compare);
		const at = group.findIndex((row) => row.id === cursor.i);
		const rest = direction === 'down' ? group.slice(at + 1) : group.slice(0, at).reverse();
		out.push(...rest);
	}
	if (out.length >= limit) return out.slice(0, limit);
	const more = yield* rowsBeyond(on, season, cursor, direction, limit - out.length, positiveOnly);
	const last = more.at(-1);
	if (!last) return out;
	// The last row's tie group may go on past the limit: read it whole to order it right.
	const head = more.filter((row) => row.pts !== last.pts || row.reachedAt !== last.reachedAt);
	// Rows of one tie group come back from SQL in no particular order: sort them all.
	const whole = [...head, ...(yield* tieGroup(on, season, last.pts, last.reachedAt))].sort(compare);
	out.push(...(direction === 'up' ? whole.reverse() : whole));
	return out.slice(0, limit);
}

/** Players whose ranking points equal `p`. */
function* countAt(on: WindowSource, season: SeasonRanking, p: number): Reads<number> {
	const held = p > 0 ? on.held(season) : null;
	if (held) return held.countAt(p);
	const pts = ptsExpr(season.rankBy);
	if (p > 0)
		return (yield* get<{ n: number }>(
			sql`SELECT count(*) AS n FROM standing s
			WHERE s.season_id = ${season.seasonId} AND s.subject_type = 'user' AND ${pts} = ${p}`
		))!.n;
	return (yield* get<{ n: number }>(
		sql`SELECT count(*) AS n FROM (${allPlayers(on, season)}) AS p WHERE pts = ${p}`
	))!.n;
}

/**
 * Ranks for consecutive rows of the full order. From the top: counted as they come. Elsewhere:
 * the first row's rank is counted through the index; the next rows follow from it, since every
 * player with points strictly between two rows of the window is in the window (competition:
 * rank = 1 + players with more points; dense: one more per distinct value).
 */
function* toEntries(
	on: WindowSource,
	season: SeasonRanking,
	rows: Row[],
	startIndex: number | null
): Reads<LeaderboardEntry[]> {
	const entries: LeaderboardEntry[] = [];
	let previous: { pts: number; rank: number } | null = null;
	let distinct = 0;
	const first = rows[0];
	// The one count of the players above (from memory, or an index range as long as the rank):
	// done once per window.
	let firstAbove: number | null = null;
	let firstAt: number | null = null;
	for (const [index, row] of rows.entries()) {
		let rank: number;
		if (previous && previous.pts === row.pts) rank = previous.rank;
		else if (startIndex === 0) {
			distinct += 1;
			rank = season.tieRule === 'dense' ? distinct : index + 1;
		} else if (!previous) rank = 1 + (firstAbove = yield* countAbove(on, season, row.pts));
		else if (season.tieRule === 'dense') rank = previous.rank + 1;
		else {
			firstAt ??= yield* countAt(on, season, first.pts);
			const between = rows.filter((r) => r.pts > row.pts && r.pts < first.pts).length;
			rank = 1 + firstAbove! + firstAt + between;
		}
		previous = { pts: row.pts, rank };
		entries.push({
			rank,
			id: row.id,
			name: row.name,
			points: row.confirmed,
			provisionalPoints: row.provisional,
			salesCount: row.salesCount,
			teamId: row.teamId,
			teamName: row.teamName,
			emoji: row.emoji,
			color: row.color
		});
	}
	return entries;
}

export function cursorOf(row: { pts: number; reachedAt: number; id: number }): RankCursor {
	return { p: row.pts, r: row.reachedAt, i: row.id };
}

export interface RankingPage {
	entries: LeaderboardEntry[];
	/** Pass back as `after` for the next page; null at the end. */
	next: RankCursor | null;
}

/** The top of the ranking, or the page after a cursor. */
export function* rankingPageReads(
	on: WindowSource,
	season: SeasonRanking,
	after: RankCursor | null,
	limit: number
): Reads<RankingPage> {
	const rows = yield* walk(on, season, after, 'down', limit + 1);
	const page = rows.slice(0, limit);
	const last = page.at(-1);
	return {
		entries: yield* toEntries(on, season, page, after ? null : 0),
		next: rows.length > limit && last ? cursorOf(last) : null
	};
}

/** One player's position: rank, neighbours, gap to the next; null when not a player. */
export function* standingOfReads(
	on: WindowSource,
	season: SeasonRanking,
	userId: number,
	around = 2
): Reads<MyStandingWindow | null> {
	const me = yield* get<Row>(
		sql`SELECT * FROM (${allPlayers(on, season)}) AS p WHERE id = ${userId}`
	);
	if (!me) return null;
	const cursor = cursorOf(me);
	// Neighbours are people with points: everyone at 0 shares one rank (and in a big season
	// with many people yet to score, ordering them all to find two names costs a full read).
	const scored = me.pts > 0;
	const above = scored ? (yield* walk(on, season, cursor, 'up', around)).reverse() : [];
	const below = scored ? yield* walk(on, season, cursor, 'down', around, true) : [];
	const entries = yield* toEntries(on, season, [...above, me, ...below], null);
	const entry = entries.find((e) => e.id === userId)!;
	// The player to pass: the last in order among those with strictly more points, i.e. the
	// last of the next value up.
	const pts = ptsExpr(season.rankBy);
	const nextUp = yield* get<Row>(
		me.pts >= 0
			? sql`SELECT ${STANDING_COLUMNS(pts)} ${standingFrom(on)}
				WHERE s.season_id = ${season.seasonId} AND s.subject_type = 'user' AND ${pts} > ${me.pts}
				ORDER BY ${pts} ASC, s.reached_at DESC LIMIT 1`
			: sql`SELECT * FROM (${allPlayers(on, season)}) AS p WHERE pts > ${me.pts}
				ORDER BY pts ASC, "reachedAt" DESC LIMIT 1`
	);
	let gap: MyStandingWindow['gap'] = null;
	if (nextUp) {
		const next = (yield* tieGroup(on, season, nextUp.pts, nextUp.reachedAt)).sort(compare).at(-1)!;
		const known = entries.find((e) => e.id === next.id);
		// Nobody ranks between the next value up and me: its rank follows from mine (one short
		// count of its tie group) instead of counting everyone above it again.
		gap = {
			nextRank:
				known?.rank ??
				(season.tieRule === 'dense'
					? entry.rank - 1
					: entry.rank - (yield* countAt(on, season, next.pts))),
			nextName: next.name,
			pointsNeeded: next.pts - me.pts + 1
		};
	}
	return { entry, neighbours: entries, gap, rankingPoints: me.pts };
}

/** The ranking points of some people (those with a standing row), for a push's `moved`. */
export function* rankingPointsReads(
	season: SeasonRanking,
	ids: number[]
): Reads<[number, number][]> {
	if (ids.length === 0) return [];
	const pts = ptsExpr(season.rankBy);
	const rows = yield* all<{ id: number; pts: number }>(
		sql`SELECT s.subject_id AS id, ${pts} AS pts FROM standing s
				WHERE s.season_id = ${season.seasonId} AND s.subject_type = 'user'
					AND s.subject_id IN (${sql.join(
						ids.map((id) => sql`${id}`),
						sql`, `
					)})`
	);
	return rows.map((row) => [row.id, row.pts]);
}

/**
 * How many players the season has (the "of N" under a rank): members who joined, plus those
 * not joined yet who already scored (e.g. a sale sent by the API). The members are counted on
 * their key; only the few invited accounts (user_invited_idx) are read one by one.
 */
export function* countPlayersReads(on: WindowSource, season: SeasonRanking): Reads<number> {
	const members = (yield* get<{ n: number }>(
		sql`SELECT count(*) AS n FROM season_member m
		WHERE m.season_id = ${season.seasonId}`
	))!.n;
	// In the order written: from the invited accounts (the partial index) to their memberships.
	const join = sql.raw(on.sql.orderedJoin);
	// A sum is numeric on PostgreSQL, read as text: Number() below.
	const invited = (yield* get<{ n: number; scored: number | string }>(
		sql`SELECT count(*) AS n,
			coalesce(sum(CASE WHEN s.sales_count > 0 OR s.confirmed_points <> 0 OR s.provisional_points <> 0 THEN 1 ELSE 0 END), 0) AS scored
		FROM "user" u
		${join} season_member m ON m.season_id = ${season.seasonId} AND m.user_id = u.id
		LEFT JOIN standing s ON s.season_id = m.season_id AND s.subject_type = 'user' AND s.subject_id = u.id
		WHERE u.password_hash = '!'`
	))!;
	return members - invited.n + Number(invited.scored);
}

/** A cursor as a URL-safe string (what `next` is in the API and the board's "show more"). */
export function encodeCursor(cursor: RankCursor): string {
	return Buffer.from(JSON.stringify([cursor.p, cursor.r, cursor.i])).toString('base64url');
}

/** The cursor of a string made by encodeCursor; null for anything else. */
export function decodeCursor(text: string): RankCursor | null {
	try {
		const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
		if (!Array.isArray(value) || value.length !== 3) return null;
		if (!value.every((n) => typeof n === 'number' && Number.isSafeInteger(n))) return null;
		return { p: value[0], r: value[1], i: value[2] };
	} catch {
		return null;
	}
}
