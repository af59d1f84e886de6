import { and, asc, desc, eq, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { StoreDb, Tables } from '../db/store';
import { rowsOf, type Reads } from '../db/reads';
import type { Season } from '../db/schema';
import { attainment, elapsedShare, improvement, rankByValue } from '../../contest/quota';

// The fair orders of a board (#17): % of target (points / the person's or team's quota) and
// "most improved against own last season". Both read `standing` (one row per person), the
// quotas and last season's frozen results, never the ledger. The top of each is read in the
// order of its own value with a limit, so a season of any size costs a page of rows.
//
// Most improved compares points now with last season's final points pro-rated by the share of
// this season that has passed: last season's pace, from results that are already frozen (the
// alternative, last season's points at the same elapsed share, would sum last season's ledger
// on every push).
//
// Each read is a generator (db/reads.ts): the boards' pushes run it synchronously on SQLite,
// the pages on the store on either dialect.

export interface FairRow {
	id: number;
	name: string;
	/** Points as the season ranks them (its rankBy). */
	points: number;
	/** The share ranked by (1 = 100 %; for "improved" the change, 0.2 = 20 % ahead); null: none. */
	value: number | null;
	/** Null for those listed after, unranked (no target, no last season). */
	rank: number | null;
	/** The target (attainment) or last season's points (improved); null when there is none. */
	basis: number | null;
}

export type SeasonOrder = Pick<
	Season,
	'id' | 'rankBy' | 'tieRule' | 'startsAt' | 'endsAt' | 'previousSeasonId' | 'status'
>;

const countedSql = ({ standing }: Tables, s: Pick<Season, 'rankBy'>) =>
	(s.rankBy === 'total'
		? sql<number>`coalesce(${standing.confirmedPoints} + ${standing.provisionalPoints}, 0)`
		: sql<number>`coalesce(${standing.confirmedPoints}, 0)`
	).mapWith(Number);

const userStanding = (
	{ standing }: Tables,
	seasonId: number,
	userColumn: Tables['seasonMember']['userId'] | Tables['quota']['subjectId']
) =>
	and(
		eq(standing.seasonId, seasonId),
		eq(standing.subjectType, 'user'),
		eq(standing.subjectId, userColumn)
	);

/** Members without a quota (or last season), best points first: listed after the ranked. */
function* listedAfter(
	db: StoreDb,
	t: Tables,
	s: SeasonOrder,
	without: SQL,
	limit: number
): Reads<FairRow[]> {
	if (limit <= 0) return [];
	const { seasonMember, user, standing } = t;
	const rows = yield* rowsOf(
		db
			.select({ id: seasonMember.userId, name: user.displayName, points: countedSql(t, s) })
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.leftJoin(standing, userStanding(t, s.id, seasonMember.userId))
			.where(and(eq(seasonMember.seasonId, s.id), without))
			.orderBy(
				sql`${countedSql(t, s)} desc`,
				asc(sql`coalesce(${standing.reachedAt}, ${seasonMember.joinedAt})`),
				asc(user.displayName)
			)
			.limit(limit)
	);
	return rows.map((r) => ({ ...r, value: null, rank: null, basis: null }));
}

/** The top `limit` people by % of their target, then (up to `limit` in all) those without one. */
export function* attainmentTop(
	db: StoreDb,
	t: Tables,
	s: SeasonOrder,
	limit: number
): Reads<{ entries: FairRow[]; ranked: number }> {
	const { quota, user, standing, seasonMember } = t;
	const counted = countedSql(t, s);
	const ofUsers = and(eq(quota.seasonId, s.id), eq(quota.subjectType, 'user'));
	const rows = yield* rowsOf(
		db
			.select({
				id: quota.subjectId,
				name: user.displayName,
				points: counted,
				target: quota.targetPoints,
				reachedAt: sql<number>`coalesce(${standing.reachedAt}, 0)`.mapWith(Number)
			})
			.from(quota)
			.innerJoin(user, eq(user.id, quota.subjectId))
			.leftJoin(standing, userStanding(t, s.id, quota.subjectId))
			.where(ofUsers)
			.orderBy(
				sql`${counted} * 1.0 / ${quota.targetPoints} desc`,
				sql`coalesce(${standing.reachedAt}, 0)`,
				asc(user.displayName),
				asc(quota.subjectId)
			)
			.limit(limit)
	);
	const [count] = yield* rowsOf(
		db
			.select({ n: sql<number>`count(*)`.mapWith(Number) })
			.from(quota)
			.where(ofUsers)
	);
	const entries = rankByValue(rows, (r) => attainment(r.points, r.target), s.tieRule).map((r) => ({
		id: r.id,
		name: r.name,
		points: r.points,
		value: r.value,
		rank: r.rank,
		basis: r.target
	}));
	const without = sql`not exists (select 1 from ${quota} where ${quota.seasonId} = ${s.id} and ${quota.subjectType} = 'user' and ${quota.subjectId} = ${seasonMember.userId})`;
	const after = yield* listedAfter(db, t, s, without, limit - entries.length);
	return { entries: [...entries, ...after], ranked: count?.n ?? 0 };
}

/** The top `limit` people by their change against last season's pace, then the new ones. */
export function* improvedTop(
	db: StoreDb,
	t: Tables,
	s: SeasonOrder,
	lastSeasonId: number,
	now: number,
	limit: number
): Reads<{ entries: FairRow[]; ranked: number; share: number }> {
	const { seasonMember, seasonResult, user, standing } = t;
	const share = elapsedShare(s.startsAt, s.endsAt, now);
	const counted = countedSql(t, s);
	const onLast = and(
		eq(seasonResult.seasonId, lastSeasonId),
		eq(seasonResult.subjectType, 'user'),
		eq(seasonResult.subjectId, seasonMember.userId),
		sql`${seasonResult.points} > 0`
	);
	const rows = yield* rowsOf(
		db
			.select({
				id: seasonMember.userId,
				name: user.displayName,
				points: counted,
				last: seasonResult.points,
				reachedAt: sql<number>`coalesce(${standing.reachedAt}, ${seasonMember.joinedAt})`.mapWith(
					Number
				)
			})
			.from(seasonMember)
			.innerJoin(seasonResult, onLast)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.leftJoin(standing, userStanding(t, s.id, seasonMember.userId))
			.where(eq(seasonMember.seasonId, s.id))
			.orderBy(
				sql`${counted} * 1.0 / ${seasonResult.points} desc`,
				sql`coalesce(${standing.reachedAt}, ${seasonMember.joinedAt})`,
				asc(user.displayName)
			)
			.limit(limit)
	);
	const [count] = yield* rowsOf(
		db
			.select({ n: sql<number>`count(*)`.mapWith(Number) })
			.from(seasonMember)
			.innerJoin(seasonResult, onLast)
			.where(eq(seasonMember.seasonId, s.id))
	);
	const entries = rankByValue(rows, (r) => improvement(r.points, r.last, share), s.tieRule).map(
		(r) => ({
			id: r.id,
			name: r.name,
			points: r.points,
			value: r.value,
			rank: r.rank,
			basis: r.last
		})
	);
	const without = sql`not exists (select 1 from ${seasonResult} where ${seasonResult.seasonId} = ${lastSeasonId} and ${seasonResult.subjectType} = 'user' and ${seasonResult.subjectId} = ${seasonMember.userId} and ${seasonResult.points} > 0)`;
	const after = yield* listedAfter(db, t, s, without, limit - entries.length);
	return { entries: [...entries, ...after], ranked: count?.n ?? 0, share };
}

/** Every team of the season by % of its target (a season has a handful: read whole). */
export function* teamAttainment(db: StoreDb, t: Tables, s: SeasonOrder): Reads<FairRow[]> {
	const { team, quota, standing } = t;
	const rows = yield* rowsOf(
		db
			.select({
				id: team.id,
				name: team.name,
				points: countedSql(t, s),
				target: quota.targetPoints,
				reachedAt: sql<number>`coalesce(${standing.reachedAt}, 0)`.mapWith(Number)
			})
			.from(team)
			.leftJoin(
				quota,
				and(
					eq(quota.seasonId, team.seasonId),
					eq(quota.subjectType, 'team'),
					eq(quota.subjectId, team.id)
				)
			)
			.leftJoin(
				standing,
				and(
					eq(standing.seasonId, team.seasonId),
					eq(standing.subjectType, 'team'),
					eq(standing.subjectId, team.id)
				)
			)
			.where(eq(team.seasonId, s.id))
	);
	return rankByValue(rows, (r) => attainment(r.points, r.target), s.tieRule).map((r) => ({
		id: r.id,
		name: r.name,
		points: r.points,
		value: r.value,
		rank: r.rank,
		basis: r.target
	}));
}

/** Each listed person's % of target and change against last season, for a division's board. */
export function* fairValuesOf(
	db: StoreDb,
	t: Tables,
	s: SeasonOrder,
	people: readonly { id: number; counted: number }[],
	now: number
): Reads<
	Map<number, { attainment: number | null; improvement: number | null; target: number | null }>
> {
	const { quota, seasonResult } = t;
	const quotas = yield* rowsOf(
		db
			.select({ id: quota.subjectId, target: quota.targetPoints })
			.from(quota)
			.where(and(eq(quota.seasonId, s.id), eq(quota.subjectType, 'user')))
	);
	const targets = new Map(quotas.map((q) => [q.id, q.target]));
	const lastId = yield* lastSeasonIdOf(db, t, s);
	const results =
		lastId === null
			? []
			: yield* rowsOf(
					db
						.select({ id: seasonResult.subjectId, points: seasonResult.points })
						.from(seasonResult)
						.where(and(eq(seasonResult.seasonId, lastId), eq(seasonResult.subjectType, 'user')))
				);
	const last = new Map(results.map((r) => [r.id, r.points]));
	const share = elapsedShare(s.startsAt, s.endsAt, now);
	return new Map(
		people.map((p) => [
			p.id,
			{
				attainment: attainment(p.counted, targets.get(p.id)),
				improvement: improvement(p.counted, last.get(p.id), share),
				target: targets.get(p.id) ?? null
			}
		])
	);
}

/**
 * The season "most improved" compares with, or null for a first season: the one it repeats,
 * else the latest season that ended before it started.
 */
export function* lastSeasonIdOf(db: StoreDb, t: Tables, s: SeasonOrder): Reads<number | null> {
	const { season } = t;
	const [last] =
		s.previousSeasonId != null
			? yield* rowsOf(
					db.select({ id: season.id }).from(season).where(eq(season.id, s.previousSeasonId))
				)
			: yield* rowsOf(
					db
						.select({ id: season.id })
						.from(season)
						.where(
							and(
								ne(season.id, s.id),
								or(eq(season.status, 'ended'), eq(season.status, 'archived')),
								lte(season.endsAt, s.startsAt)
							)
						)
						.orderBy(desc(season.endsAt), desc(season.id))
						.limit(1)
				);
	return last?.id ?? null;
}
