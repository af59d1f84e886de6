import { and, eq, inArray, sql } from 'drizzle-orm';
import { preparedQuery, read, type Store, type StoreDb, type Tables } from '../db/store';
import { rank } from '../../contest/ranking';
import { BOARD_TOP, type LeaderboardEntry, type LeaderboardSnapshot } from '../../realtime/events';
import { cacheKeyOf } from '../db/dialect';
import {
	countPlayersReads,
	decodeCursor,
	encodeCursor,
	rankingPageReads,
	rankingPointsReads,
	runOnStore,
	standingOfReads,
	type SeasonRanking
} from './ranking-window';
import { AppError } from '../shared/errors';

/** Every team of a season with its standing (a season has a handful: read whole). */
const teamRowsQuery = (db: StoreDb, { standing, team }: Tables) =>
	db
		.select({
			id: team.id,
			name: team.name,
			emoji: team.emoji,
			color: team.color,
			confirmed: sql<number>`coalesce(${standing.confirmedPoints}, 0)`.mapWith(Number),
			provisional: sql<number>`coalesce(${standing.provisionalPoints}, 0)`.mapWith(Number),
			salesCount: sql<number>`coalesce(${standing.salesCount}, 0)`.mapWith(Number),
			reachedAt: sql<number>`coalesce(${standing.reachedAt}, 0)`.mapWith(Number)
		})
		.from(team)
		.leftJoin(
			standing,
			and(
				eq(standing.seasonId, team.seasonId),
				eq(standing.subjectType, 'team'),
				eq(standing.subjectId, team.id)
			)
		)
		.where(eq(team.seasonId, sql.placeholder('seasonId')))
		.prepare('board_team_rows');

interface TeamRow {
	id: number;
	name: string;
	emoji: string;
	color: string;
	confirmed: number;
	provisional: number;
	salesCount: number;
	reachedAt: number;
}

/** A season's teams in rank order, as every board shows them. */
function rankTeams(s: SeasonRanking, teams: TeamRow[]): LeaderboardEntry[] {
	const ranked = rank(
		teams.map((row) => ({
			...row,
			points: s.rankBy === 'total' ? row.confirmed + row.provisional : row.confirmed,
			provisionalPoints: row.provisional
		})),
		s.tieRule
	);
	return ranked.map((r) => ({
		rank: r.rank,
		id: r.id,
		name: r.name,
		points: r.confirmed,
		provisionalPoints: r.provisionalPoints,
		salesCount: r.salesCount,
		emoji: r.emoji,
		color: r.color
	}));
}

// "of N players" is read at most every few seconds per season: counting members who joined
// reads every membership (a second at 100,000 on a busy machine), and nothing depends on it
// being exact to the sale.
// Held per database (a SQLite connection, shared by every store on it, or a PostgreSQL pool), so
// that two stores in one process never share a count.
const PLAYERS_TTL_MS = 5_000;
const playersCaches = new WeakMap<object, Map<number, { n: number; at: number }>>();

function cachedPlayers(database: object, seasonId: number): number | null {
	const cached = playersCaches.get(database)?.get(seasonId);
	return cached && Date.now() - cached.at < PLAYERS_TTL_MS ? cached.n : null;
}

function keepPlayers(database: object, seasonId: number, n: number): number {
	let cache = playersCaches.get(database);
	if (!cache) playersCaches.set(database, (cache = new Map()));
	cache.set(seasonId, { n, at: Date.now() });
	return n;
}

/** The number of players, cached a few seconds per database, inside the caller's `read`. */
async function readPlayersOf(store: Store, tx: StoreDb, s: SeasonRanking): Promise<number> {
	const database = cacheKeyOf(store);
	return (
		cachedPlayers(database, s.seasonId) ??
		keepPlayers(database, s.seasonId, await runOnStore(store, tx, (on) => countPlayersReads(on, s)))
	);
}

interface PersonRow {
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
	joined: number | boolean;
}

/** The whole board from every member's row and the ranked teams. */
function leaderboardOf(
	s: SeasonRanking,
	people: PersonRow[],
	teams: LeaderboardEntry[]
): LeaderboardSnapshot {
	// The ranking counts confirmed points, or confirmed + provisional as a season option;
	// entries always show both.
	const toEntry = <T extends { confirmed: number; provisional: number }>(row: T) => ({
		...row,
		points: s.rankBy === 'total' ? row.confirmed + row.provisional : row.confirmed,
		provisionalPoints: row.provisional
	});
	// People invited but not joined yet are not players: they appear once they join (or
	// score, e.g. a sale sent by the API for them).
	const players = people.filter(
		(p) => p.joined || p.salesCount > 0 || p.confirmed !== 0 || p.provisional !== 0
	);
	const individual: LeaderboardEntry[] = rank(players.map(toEntry), s.tieRule).map((r) => ({
		rank: r.rank,
		id: r.id,
		name: r.name,
		points: r.confirmed,
		provisionalPoints: r.provisionalPoints,
		salesCount: r.salesCount,
		teamId: r.teamId,
		teamName: r.teamName,
		emoji: r.emoji,
		color: r.color
	}));
	return {
		seasonId: s.seasonId,
		version: s.version,
		individual,
		teams,
		players: individual.length
	};
}

/**
 * The season's rankings as every board shows them, the whole board (the consoles, the exports, a
 * season's end): in one snapshot (`read`), so that the version matches the standings it is sent
 * with whichever node wrote them. The boards, TVs and pushes read the top (`readBoardTop`).
 */
export async function readLeaderboard(
	store: Store,
	seasonId: number
): Promise<LeaderboardSnapshot | null> {
	return read(store, (tx) => leaderboardIn(tx, store, seasonId));
}

/**
 * `readLeaderboard` inside the caller's write (a season's end freezing its results), the board as
 * that write sees it.
 */
export function readLeaderboardInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number
): Promise<LeaderboardSnapshot | null> {
	return leaderboardIn(tx, store, seasonId);
}

async function leaderboardIn(
	tx: StoreDb,
	store: Store,
	seasonId: number
): Promise<LeaderboardSnapshot | null> {
	const { seasonMember, standing, team, user } = store.tables;
	const s = await readSeasonRanking(tx, store, seasonId);
	if (!s) return null;
	const people = await tx
		.select({
			id: user.id,
			name: user.displayName,
			teamId: team.id,
			teamName: team.name,
			emoji: team.emoji,
			color: team.color,
			confirmed: sql<number>`coalesce(${standing.confirmedPoints}, 0)`.mapWith(Number),
			provisional: sql<number>`coalesce(${standing.provisionalPoints}, 0)`.mapWith(Number),
			salesCount: sql<number>`coalesce(${standing.salesCount}, 0)`.mapWith(Number),
			reachedAt: sql<number>`coalesce(${standing.reachedAt}, ${seasonMember.joinedAt})`.mapWith(
				Number
			),
			// '!' is the unusable hash of an account whose invitation is not accepted yet.
			joined: sql<boolean>`${user.passwordHash} <> '!'`.mapWith(Boolean)
		})
		.from(seasonMember)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.leftJoin(
			standing,
			and(
				eq(standing.seasonId, seasonMember.seasonId),
				eq(standing.subjectType, 'user'),
				eq(standing.subjectId, seasonMember.userId)
			)
		)
		.where(eq(seasonMember.seasonId, seasonId));
	const teams = await readTeamRows(tx, store, seasonId);
	return leaderboardOf(s, people, rankTeams(s, teams));
}

/** What orders a season's ranking, and its version, through the store; null for an unknown season. */
async function readSeasonRanking(
	tx: StoreDb,
	store: Store,
	seasonId: number
): Promise<SeasonRanking | null> {
	const { season } = store.tables;
	const [found] = await tx
		.select({ version: season.version, tieRule: season.tieRule, rankBy: season.rankBy })
		.from(season)
		.where(eq(season.id, seasonId));
	return found ? { seasonId, ...found } : null;
}

/** Every team of a season with its standing, through the store. */
function readTeamRows(tx: StoreDb, store: Store, seasonId: number): Promise<TeamRow[]> {
	return preparedQuery(tx, store, teamRowsQuery).execute({ seasonId });
}

/**
 * The top of a season's board as boards, TVs, pages and the API show it: the first `top` people
 * (read through the rank index, never the whole ranking), every team, the number of players and,
 * for a viewer who takes part, their own rank, neighbours and gap; in one snapshot (`read`) whichever
 * node wrote them. The people are read by the ranking window (ranking-window.ts), on SQLite with
 * the points it holds in memory.
 */
export async function readBoardTop(
	store: Store,
	seasonId: number,
	options: { top?: number; viewerId?: number; players?: number } = {}
): Promise<LeaderboardSnapshot | null> {
	return read(store, async (tx) => {
		const s = await readSeasonRanking(tx, store, seasonId);
		return s ? boardTopIn(tx, store, s, options) : null;
	});
}

/**
 * What a push of the live board reads (realtime/publish.ts): the board's top and the ranking
 * points of the people who moved, in one snapshot.
 */
export async function readPushBoard(
	store: Store,
	seasonId: number,
	options: { players?: number; movedIds: number[] }
): Promise<{ top: LeaderboardSnapshot; moved: [number, number][] } | null> {
	return read(store, async (tx) => {
		const s = await readSeasonRanking(tx, store, seasonId);
		if (!s) return null;
		const top = await boardTopIn(tx, store, s, { players: options.players });
		const moved = await runOnStore(store, tx, () => rankingPointsReads(s, options.movedIds));
		return { top, moved };
	});
}

async function boardTopIn(
	tx: StoreDb,
	store: Store,
	s: SeasonRanking,
	options: { top?: number; viewerId?: number; players?: number }
): Promise<LeaderboardSnapshot> {
	const top = options.top ?? BOARD_TOP;
	const page = await runOnStore(store, tx, (on) => rankingPageReads(on, s, null, top));
	const snapshot: LeaderboardSnapshot = {
		seasonId: s.seasonId,
		version: s.version,
		individual: page.entries,
		teams: rankTeams(s, await readTeamRows(tx, store, s.seasonId)),
		players: options.players ?? (await readPlayersOf(store, tx, s))
	};
	if (options.viewerId !== undefined) {
		const viewerId = options.viewerId;
		snapshot.me = (await runOnStore(store, tx, (on) => standingOfReads(on, s, viewerId))) ?? null;
	}
	return snapshot;
}

/**
 * One page of a season's individual ranking (the board's "show more", the API), in one snapshot:
 * the top (no cursor) or the page after `after` (the `next` of the previous page). A bad cursor
 * is a 400.
 */
export async function readRankingPage(
	store: Store,
	seasonId: number,
	options: { after?: string; limit: number }
): Promise<{ version: number; entries: LeaderboardEntry[]; next: string | null } | null> {
	const after = parseAfter(options.after);
	return read(store, async (tx) => {
		const s = await readSeasonRanking(tx, store, seasonId);
		if (!s) return null;
		const page = await runOnStore(store, tx, (on) => rankingPageReads(on, s, after, options.limit));
		return {
			version: s.version,
			entries: page.entries,
			next: page.next ? encodeCursor(page.next) : null
		};
	});
}

/** One person's rank and neighbours in a season (/me, the sell pages); null when not a player. */
export async function readStanding(store: Store, seasonId: number, userId: number, around = 2) {
	return read(store, async (tx) => {
		const s = await readSeasonRanking(tx, store, seasonId);
		return s ? runOnStore(store, tx, (on) => standingOfReads(on, s, userId, around)) : null;
	});
}

/** How many people a season's ranking has (cached a few seconds per database, like the board's "of N"). */
export async function readPlayersCount(store: Store, seasonId: number): Promise<number> {
	return read(store, async (tx) => {
		const s = await readSeasonRanking(tx, store, seasonId);
		return s ? readPlayersOf(store, tx, s) : 0;
	});
}

/** The display names of some people (e.g. badge winners outside a board's top). */
export async function readPersonNames(store: Store, ids: number[]): Promise<Map<number, string>> {
	if (ids.length === 0) return new Map();
	const { user } = store.tables;
	const rows = await store.db
		.select({ id: user.id, name: user.displayName })
		.from(user)
		.where(inArray(user.id, ids));
	return new Map(rows.map((r) => [r.id, r.name]));
}

/** The cursor of `after`; a bad one is a 400. */
function parseAfter(text: string | undefined) {
	const after = text ? decodeCursor(text) : null;
	if (text && !after)
		throw new AppError(400, 'invalid_cursor', 'This cursor is not one the API gave out', {
			field: 'after'
		});
	return after;
}
