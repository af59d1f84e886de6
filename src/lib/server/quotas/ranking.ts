import { and, asc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import {
	quota,
	season,
	seasonMember,
	seasonResult,
	standing,
	team,
	user,
	type Season
} from '../db/schema';
import { attainment, elapsedShare, improvement, rankByValue } from '../../contest/quota';
import { lastSeasonOf } from '../divisions/commands';

// The fair orders of a board (#17): % of target (points / the person's or team's quota) and
// "most improved against own last season". Both read `standing` (one row per person), the
// quotas and last season's frozen results, never the ledger. The top of each is read in the
// order of its own value with a limit, so a season of any size costs a page of rows.
//
// Most improved compares points now with last season's final points pro-rated by the share of
// this season that has passed: last season's pace, from results that are already frozen (the
// alternative, last season's points at the same elapsed share, would sum last season's ledger
// on every push).

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

type SeasonOrder = Pick<
	Season,
	'id' | 'rankBy' | 'tieRule' | 'startsAt' | 'endsAt' | 'previousSeasonId' | 'status'
>;

const countedSql = (s: Pick<Season, 'rankBy'>) =>
	s.rankBy === 'total'
		? sql<number>`coalesce(${standing.confirmedPoints} + ${standing.provisionalPoints}, 0)`
		: sql<number>`coalesce(${standing.confirmedPoints}, 0)`;

const userStanding = (
	seasonId: number,
	userColumn: typeof seasonMember.userId | typeof quota.subjectId
) =>
	and(
		eq(standing.seasonId, seasonId),
		eq(standing.subjectType, 'user'),
		eq(standing.subjectId, userColumn)
	);

/** Members without a quota (or last season), best points first: listed after the ranked. */
function listedAfter(
	db: Queryable,
	s: SeasonOrder,
	without: ReturnType<typeof sql>,
	limit: number
): FairRow[] {
	if (limit <= 0) return [];
	return db
		.select({
			id: seasonMember.userId,
			name: user.displayName,
			points: countedSql(s)
		})
		.from(seasonMember)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.leftJoin(standing, userStanding(s.id, seasonMember.userId))
		.where(and(eq(seasonMember.seasonId, s.id), without))
		.orderBy(
			sql`${countedSql(s)} desc`,
			asc(sql`coalesce(${standing.reachedAt}, ${seasonMember.joinedAt})`),
			asc(user.displayName)
		)
		.limit(limit)
		.all()
		.map((r) => ({ ...r, value: null, rank: null, basis: null }));
}

/** The top `limit` people by % of their target, then (up to `limit` in all) those without one. */
export function attainmentTop(
	db: Queryable,
	s: SeasonOrder,
	limit: number
): { entries: FairRow[]; ranked: number } {
	const counted = countedSql(s);
	const rows = db
		.select({
			id: quota.subjectId,
			name: user.displayName,
			points: counted,
			target: quota.targetPoints,
			reachedAt: sql<number>`coalesce(${standing.reachedAt}, 0)`
		})
		.from(quota)
		.innerJoin(user, eq(user.id, quota.subjectId))
		.leftJoin(standing, userStanding(s.id, quota.subjectId))
		.where(and(eq(quota.seasonId, s.id), eq(quota.subjectType, 'user')))
		.orderBy(
			sql`${counted} * 1.0 / ${quota.targetPoints} desc`,
			sql`coalesce(${standing.reachedAt}, 0)`,
			asc(user.displayName),
			asc(quota.subjectId)
		)
		.limit(limit)
		.all();
	const ranked =
		db
			.select({ n: sql<number>`count(*)` })
			.from(quota)
			.where(and(eq(quota.seasonId, s.id), eq(quota.subjectType, 'user')))
			.get()?.n ?? 0;
	const entries = rankByValue(rows, (r) => attainment(r.points, r.target), s.tieRule).map((r) => ({
		id: r.id,
		name: r.name,
		points: r.points,
		value: r.value,
		rank: r.rank,
		basis: r.target
	}));
	const without = sql`not exists (select 1 from ${quota} where ${quota.seasonId} = ${s.id} and ${quota.subjectType} = 'user' and ${quota.subjectId} = ${seasonMember.userId})`;
	return { entries: [...entries, ...listedAfter(db, s, without, limit - entries.length)], ranked };
}

/** The top `limit` people by their change against last season's pace, then the new ones. */
export function improvedTop(
	db: Queryable,
	s: SeasonOrder,
	lastSeasonId: number,
	now: number,
	limit: number
): { entries: FairRow[]; ranked: number; share: number } {
	const share = elapsedShare(s.startsAt, s.endsAt, now);
	const counted = countedSql(s);
	const onLast = and(
		eq(seasonResult.seasonId, lastSeasonId),
		eq(seasonResult.subjectType, 'user'),
		eq(seasonResult.subjectId, seasonMember.userId),
		sql`${seasonResult.points} > 0`
	);
	const rows = db
		.select({
			id: seasonMember.userId,
			name: user.displayName,
			points: counted,
			last: seasonResult.points,
			reachedAt: sql<number>`coalesce(${standing.reachedAt}, ${seasonMember.joinedAt})`
		})
		.from(seasonMember)
		.innerJoin(seasonResult, onLast)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.leftJoin(standing, userStanding(s.id, seasonMember.userId))
		.where(eq(seasonMember.seasonId, s.id))
		.orderBy(
			sql`${counted} * 1.0 / ${seasonResult.points} desc`,
			sql`coalesce(${standing.reachedAt}, ${seasonMember.joinedAt})`,
			asc(user.displayName)
		)
		.limit(limit)
		.all();
	const ranked =
		db
			.select({ n: sql<number>`count(*)` })
			.from(seasonMember)
			.innerJoin(seasonResult, onLast)
			.where(eq(seasonMember.seasonId, s.id))
			.get()?.n ?? 0;
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
	return {
		entries: [...entries, ...listedAfter(db, s, without, limit - entries.length)],
		ranked,
		share
	};
}

/** Every team of the season by % of its target (a season has a handful: read whole). */
export function teamAttainment(db: Queryable, s: SeasonOrder): FairRow[] {
	const rows = db
		.select({
			id: team.id,
			name: team.name,
			points: countedSql(s),
			target: quota.targetPoints,
			reachedAt: sql<number>`coalesce(${standing.reachedAt}, 0)`
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
		.all();
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
export function fairValuesOf(
	db: Queryable,
	s: SeasonOrder,
	people: readonly { id: number; counted: number }[],
	now: number
): Map<number, { attainment: number | null; improvement: number | null; target: number | null }> {
	const targets = new Map(
		db
			.select({ id: quota.subjectId, target: quota.targetPoints })
			.from(quota)
			.where(and(eq(quota.seasonId, s.id), eq(quota.subjectType, 'user')))
			.all()
			.map((q) => [q.id, q.target])
	);
	const lastId = lastSeasonIdOf(db, s);
	const last = new Map(
		lastId === null
			? []
			: db
					.select({ id: seasonResult.subjectId, points: seasonResult.points })
					.from(seasonResult)
					.where(and(eq(seasonResult.seasonId, lastId), eq(seasonResult.subjectType, 'user')))
					.all()
					.map((r) => [r.id, r.points])
	);
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

/** The season "most improved" compares with (see divisions' lastSeasonOf), or null. */
export function lastSeasonIdOf(db: Queryable, s: SeasonOrder): number | null {
	const full = db.select().from(season).where(eq(season.id, s.id)).get();
	return full ? (lastSeasonOf(db, full)?.id ?? null) : null;
}
