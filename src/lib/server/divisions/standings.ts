import { and, asc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import type { Store, StoreDb } from '../db/store';
import {
	division,
	divisionMember,
	season,
	seasonMember,
	standing,
	user,
	type RankBy,
	type SeasonPrize
} from '../db/schema';
import { rank } from '../../contest/ranking';
import type { TieRule } from '../../contest/types';
import { seasonEndMoves, type Move } from '../../contest/division';

// Each division's own ranking: the season's standings filtered to the division's members,
// ordered the way the season ranks (rankBy, tie rule, earlier to reach a score first). Read
// from `standing` (one row per person), never from the ledger.

export interface DivisionEntry {
	rank: number;
	id: number;
	name: string;
	/** Confirmed points, as every board shows them. */
	points: number;
	provisionalPoints: number;
	/** What the ranking counts (the season's rankBy). */
	counted: number;
	reachedAt: number;
	/** Where the person would play next season if the season ended now. */
	move: Move;
}

export interface DivisionBoard {
	id: number;
	name: string;
	position: number;
	promote: number;
	relegate: number;
	prizes: SeasonPrize[];
	/** How many people play in the division (entries may show fewer). */
	players: number;
	entries: DivisionEntry[];
}

export interface DivisionRow {
	id: number;
	name: string;
	position: number;
	promote: number;
	relegate: number;
	prizes: SeasonPrize[] | null;
}

/**
 * A season's divisions, top first. The synchronous twin of `readDivisions`, for the boards'
 * view (`divisionBoards`).
 */
export function listDivisions(db: Queryable, seasonId: number): DivisionRow[] {
	return db
		.select({
			id: division.id,
			name: division.name,
			position: division.position,
			promote: division.promote,
			relegate: division.relegate,
			prizes: division.prizes
		})
		.from(division)
		.where(eq(division.seasonId, seasonId))
		.orderBy(asc(division.position))
		.all();
}

/** A season's divisions, top first, for the console and the demo. */
export async function readDivisions(store: Store, seasonId: number): Promise<DivisionRow[]> {
	const { division } = store.tables;
	return store.db
		.select({
			id: division.id,
			name: division.name,
			position: division.position,
			promote: division.promote,
			relegate: division.relegate,
			prizes: division.prizes
		})
		.from(division)
		.where(eq(division.seasonId, seasonId))
		.orderBy(asc(division.position));
}

/**
 * Every division of a season with its ranking (each cut to `limit` entries, `players` says how
 * many there are), top division first; null when the season has no divisions.
 */
export function divisionBoards(
	db: Queryable,
	seasonId: number,
	options: { limit?: number } = {}
): DivisionBoard[] | null {
	const divisions = listDivisions(db, seasonId);
	if (divisions.length === 0) return null;
	const s = db
		.select({ rankBy: season.rankBy, tieRule: season.tieRule })
		.from(season)
		.where(eq(season.id, seasonId))
		.get();
	if (!s) return null;
	const members = db
		.select({
			id: divisionMember.userId,
			divisionId: divisionMember.divisionId,
			name: user.displayName,
			confirmed: sql<number>`coalesce(${standing.confirmedPoints}, 0)`,
			provisional: sql<number>`coalesce(${standing.provisionalPoints}, 0)`,
			reachedAt: sql<number>`coalesce(${standing.reachedAt}, ${seasonMember.joinedAt}, 0)`
		})
		.from(divisionMember)
		.innerJoin(user, eq(user.id, divisionMember.userId))
		.leftJoin(
			seasonMember,
			and(
				eq(seasonMember.seasonId, divisionMember.seasonId),
				eq(seasonMember.userId, divisionMember.userId)
			)
		)
		.leftJoin(
			standing,
			and(
				eq(standing.seasonId, divisionMember.seasonId),
				eq(standing.subjectType, 'user'),
				eq(standing.subjectId, divisionMember.userId)
			)
		)
		.where(eq(divisionMember.seasonId, seasonId))
		.all();
	return rankDivisions(divisions, s, members, options.limit);
}

/** The members' standings, as both readers of the divisions' boards select them. */
interface DivisionMemberRow {
	id: number;
	divisionId: number;
	name: string;
	confirmed: number;
	provisional: number;
	reachedAt: number;
}

/** Each division's ranking from its members' standings (`divisionBoards`, `divisionBoardsOn`). */
function rankDivisions(
	divisions: DivisionRow[],
	s: { rankBy: RankBy; tieRule: TieRule },
	members: DivisionMemberRow[],
	limit: number | undefined
): DivisionBoard[] {
	const ranked = divisions.map((d) => ({
		...d,
		ranked: rank(
			members
				.filter((p) => p.divisionId === d.id)
				.map((p) => ({
					...p,
					points: s.rankBy === 'total' ? p.confirmed + p.provisional : p.confirmed,
					provisionalPoints: p.provisional
				})),
			s.tieRule
		)
	}));
	const moves = seasonEndMoves(ranked);
	return ranked.map(({ ranked: entries, prizes, ...d }) => ({
		...d,
		prizes: prizes ?? [],
		players: entries.length,
		entries: entries.slice(0, limit ?? entries.length).map((e) => ({
			rank: e.rank,
			id: e.id,
			name: e.name,
			points: e.confirmed,
			provisionalPoints: e.provisional,
			counted: e.points,
			reachedAt: e.reachedAt,
			move: moves.get(e.id)?.move ?? 'stay'
		}))
	}));
}

/**
 * `divisionBoards` through the store: on its database or inside a write (the season's end
 * awards `division_place` badges and carries the divisions into a rerun from it).
 */
export async function divisionBoardsOn(
	db: StoreDb,
	store: Store,
	seasonId: number
): Promise<DivisionBoard[] | null> {
	const { division, divisionMember, season, seasonMember, standing, user } = store.tables;
	const divisions = await db
		.select({
			id: division.id,
			name: division.name,
			position: division.position,
			promote: division.promote,
			relegate: division.relegate,
			prizes: division.prizes
		})
		.from(division)
		.where(eq(division.seasonId, seasonId))
		.orderBy(asc(division.position));
	if (divisions.length === 0) return null;
	const [s] = await db
		.select({ rankBy: season.rankBy, tieRule: season.tieRule })
		.from(season)
		.where(eq(season.id, seasonId));
	if (!s) return null;
	const members = await db
		.select({
			id: divisionMember.userId,
			divisionId: divisionMember.divisionId,
			name: user.displayName,
			confirmed: sql<number>`coalesce(${standing.confirmedPoints}, 0)`.mapWith(Number),
			provisional: sql<number>`coalesce(${standing.provisionalPoints}, 0)`.mapWith(Number),
			reachedAt: sql<number>`coalesce(${standing.reachedAt}, ${seasonMember.joinedAt}, 0)`.mapWith(
				Number
			)
		})
		.from(divisionMember)
		.innerJoin(user, eq(user.id, divisionMember.userId))
		.leftJoin(
			seasonMember,
			and(
				eq(seasonMember.seasonId, divisionMember.seasonId),
				eq(seasonMember.userId, divisionMember.userId)
			)
		)
		.leftJoin(
			standing,
			and(
				eq(standing.seasonId, divisionMember.seasonId),
				eq(standing.subjectType, 'user'),
				eq(standing.subjectId, divisionMember.userId)
			)
		)
		.where(eq(divisionMember.seasonId, seasonId));
	return rankDivisions(divisions, s, members, undefined);
}

/** The division a person plays in this season, or null. */
export async function divisionOf(
	store: Store,
	seasonId: number,
	userId: number
): Promise<number | null> {
	const { divisionMember } = store.tables;
	const [row] = await store.db
		.select({ id: divisionMember.divisionId })
		.from(divisionMember)
		.where(and(eq(divisionMember.seasonId, seasonId), eq(divisionMember.userId, userId)));
	return row?.id ?? null;
}

/** Every member of the season with their division (null: none), for the console; by name. */
export async function membersWithDivision(store: Store, seasonId: number, limit = 1000) {
	const { divisionMember, seasonMember, user } = store.tables;
	return store.db
		.select({
			id: seasonMember.userId,
			name: user.displayName,
			email: user.email,
			divisionId: divisionMember.divisionId,
			placedBy: divisionMember.placedBy
		})
		.from(seasonMember)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.leftJoin(
			divisionMember,
			and(
				eq(divisionMember.seasonId, seasonMember.seasonId),
				eq(divisionMember.userId, seasonMember.userId)
			)
		)
		.where(eq(seasonMember.seasonId, seasonId))
		.orderBy(sql`lower(${user.displayName})`, seasonMember.userId)
		.limit(limit);
}
