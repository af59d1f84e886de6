import { and, asc, eq, sql } from 'drizzle-orm';
import type { Store, StoreDb, Tables } from '../db/store';
import { readsOnStore, rowsOf, type Reads } from '../db/reads';
import type { RankBy, SeasonPrize } from '../db/schema';
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

/** A season's divisions, top first: the console's, the demo's and each board's list. */
const divisionsOf = (db: StoreDb, { division }: Tables, seasonId: number) =>
	db
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

/** A season's divisions, top first, for the console and the demo. */
export async function readDivisions(store: Store, seasonId: number): Promise<DivisionRow[]> {
	return divisionsOf(store.db, store.tables, seasonId);
}

/** The members' standings, as the divisions' boards select them. */
interface DivisionMemberRow {
	id: number;
	divisionId: number;
	name: string;
	confirmed: number;
	provisional: number;
	reachedAt: number;
}

/**
 * Every division of a season with its ranking (each cut to `limit` entries, `players` says how
 * many there are), top division first; null when the season has no divisions. One definition
 * for the boards' view (run synchronously on SQLite or on the store: divisions/view.ts) and the
 * season's end (`divisionBoardsOn`).
 */
export function* divisionBoardsReads(
	db: StoreDb,
	t: Tables,
	seasonId: number,
	limit?: number
): Reads<DivisionBoard[] | null> {
	const { divisionMember, season, seasonMember, standing, user } = t;
	const divisions = yield* rowsOf(divisionsOf(db, t, seasonId));
	if (divisions.length === 0) return null;
	const [s] = yield* rowsOf(
		db
			.select({ rankBy: season.rankBy, tieRule: season.tieRule })
			.from(season)
			.where(eq(season.id, seasonId))
	);
	if (!s) return null;
	const members = yield* rowsOf(
		db
			.select({
				id: divisionMember.userId,
				divisionId: divisionMember.divisionId,
				name: user.displayName,
				confirmed: sql<number>`coalesce(${standing.confirmedPoints}, 0)`.mapWith(Number),
				provisional: sql<number>`coalesce(${standing.provisionalPoints}, 0)`.mapWith(Number),
				reachedAt:
					sql<number>`coalesce(${standing.reachedAt}, ${seasonMember.joinedAt}, 0)`.mapWith(Number)
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
	);
	return rankDivisions(divisions, s, members, limit);
}

/** Each division's ranking from its members' standings. */
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
 * The divisions' boards on the store, whole: on its database or inside a write (the season's end
 * awards `division_place` badges and carries the divisions into a rerun from it).
 */
export function divisionBoardsOn(
	db: StoreDb,
	store: Store,
	seasonId: number
): Promise<DivisionBoard[] | null> {
	return readsOnStore(db, store, (d, t) => divisionBoardsReads(d, t, seasonId));
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
