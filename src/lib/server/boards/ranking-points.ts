import type Database from 'better-sqlite3';
import { clientOf } from '../db/prepared';
import type { Queryable } from '../db';
import { journalEnd, movedSince } from '../realtime/changed';
import { PointsMultiset } from './points-multiset';
import type { SeasonRanking } from './ranking-window';

// The ranking points of a season's players with more than 0 points, held in memory per
// connection, season and rankBy, so that a rank is two binary searches instead of counting an
// index range as long as the rank (8.7 ms for a viewer in the middle of 100,000; issue #13).
// Only values above 0 are held: players above 0 always have a standing row, so they are exactly
// the standing rows with points > 0 (what ranking-window's counts read); players at 0 or below
// include members without a row and keep the SQL count (ranking-window.ts).
//
// Never stale, by these rules, checked on every read (two point lookups and a pragma):
// - `PRAGMA data_version` moved: another connection (another process: the CLI, the fan-out
//   process reading what the writer wrote) committed, and who it moved is unknown here: read
//   everything again.
// - Otherwise every change of a person's points in this process went through
//   applyStandingDelta or applySubjectDeltas (scoring/standings.ts, the only writers of the
//   standing table), which mark the person in the journal (realtime/changed.ts). The people marked since the last
//   read are read again by their key and moved in the structure: a sale costs the viewer after
//   it one lookup and a short memmove, not a rebuild (a rebuild at 100,000 is docs/benchmarks.md's
//   `rankCountsRebuildMs`).
// - The season's leaderboard version went backwards (a transaction that the structure saw from
//   inside was rolled back): read everything again. Note: assumes no rank is read inside a
//   writing transaction that then rolls back and is followed by another commit reaching the
//   same version before the next read; no caller reads ranks inside a writing transaction.
// - The journal no longer holds the last position read, or too many people moved (an import):
//   read everything again.
// A rebuild reads every player's row (130–150 ms at 100,000 under load 4–6: the ids cost a table
// lookup each; bench:board's `rankCountsRebuildMs`), so one that is not the first waits until
// REBUILD_SPACING times its last cost has passed, and at least a second: in between the caller
// gets null and counts in SQL as before. A stream of writes from another process (the fan-out
// process reads what the writer wrote) then costs the readers at most ~5 % of a core on top of
// today's counts.

const MOVED_MAX = 4096;
const REBUILD_EVERY_MS = 1000;
const REBUILD_SPACING = 20;
const SEASONS_MAX = 8;

interface Counts {
	points: PointsMultiset;
	/** Ranking points of every player held (those above 0), by id. */
	byId: Map<number, number>;
	version: number;
	dataVersion: number;
	/** The journal position up to which the marks are applied. */
	journalAt: number;
	/** The next rebuild is not done before this (performance.now()). */
	rebuildAfter: number;
}

interface Statements {
	version: Database.Statement;
	dataVersion: Database.Statement;
	all: Record<SeasonRanking['rankBy'], Database.Statement>;
	one: Record<SeasonRanking['rankBy'], Database.Statement>;
}

// The expressions of the rank indexes (db/schema.ts), so that a rebuild reads one index range.
const PTS = {
	confirmed: 'confirmed_points',
	total: '(confirmed_points + provisional_points)'
} as const;

function prepare(client: Database.Database): Statements {
	const all = (pts: string) =>
		client
			.prepare(
				`SELECT subject_id, ${pts} FROM standing
				WHERE season_id = ? AND subject_type = 'user' AND ${pts} > 0 ORDER BY ${pts} DESC`
			)
			.raw();
	const one = (pts: string) =>
		client
			.prepare(
				`SELECT ${pts} FROM standing
				WHERE season_id = ? AND subject_type = 'user' AND subject_id = ?`
			)
			.pluck();
	return {
		version: client.prepare('SELECT version FROM season WHERE id = ?').pluck(),
		dataVersion: client.prepare('PRAGMA data_version').pluck(),
		all: { confirmed: all(PTS.confirmed), total: all(PTS.total) },
		one: { confirmed: one(PTS.confirmed), total: one(PTS.total) }
	};
}

interface PerConnection {
	statements: Statements;
	/** By `${seasonId}:${rankBy}`, least recently read first. */
	counts: Map<string, Counts>;
}

// Note: on globalThis, like the connection (db/index.ts): the build holds two copies of this
// module (server.ts's realtime and SvelteKit's routes) reading through the same connection, and
// one structure of 100,000 points is enough.
const KEY = Symbol.for('honorboard.ranking-points');
const connections = ((globalThis as { [KEY]?: WeakMap<object, PerConnection> })[KEY] ??=
	new WeakMap());

function perConnection(db: Queryable): PerConnection {
	const client = clientOf(db);
	let held = connections.get(client);
	if (!held) connections.set(client, (held = { statements: prepare(client), counts: new Map() }));
	return held;
}

function build(
	statements: Statements,
	season: SeasonRanking,
	version: number,
	dataVersion: number
): Counts {
	const started = performance.now();
	const journalAt = journalEnd(season.seasonId);
	const rows = statements.all[season.rankBy].all(season.seasonId) as [number, number][];
	const values = new Float64Array(rows.length);
	const byId = new Map<number, number>();
	rows.forEach(([id, pts], i) => {
		values[i] = pts;
		byId.set(id, pts);
	});
	return {
		points: new PointsMultiset(values),
		byId,
		version,
		dataVersion,
		journalAt,
		rebuildAfter:
			performance.now() +
			Math.max(REBUILD_EVERY_MS, (performance.now() - started) * REBUILD_SPACING)
	};
}

/** Reads the people marked since the last read again and moves them; false if it cannot. */
function catchUp(statements: Statements, season: SeasonRanking, counts: Counts): boolean {
	const moved = movedSince(season.seasonId, counts.journalAt);
	if (!moved || moved.length > MOVED_MAX) return false;
	const one = statements.one[season.rankBy];
	for (const id of new Set(moved)) {
		const now = one.get(season.seasonId, id) as number | undefined;
		const to = now !== undefined && now > 0 ? now : null;
		const from = counts.byId.get(id) ?? null;
		if (from === to) continue;
		if (!counts.points.move(from, to)) return false;
		if (to === null) counts.byId.delete(id);
		else counts.byId.set(id, to);
	}
	counts.journalAt += moved.length;
	return true;
}

/**
 * The points above 0 of a season's players, current for the caller's transaction; null when it
 * cannot be had cheaply right now (count in SQL instead).
 */
export function rankingPoints(db: Queryable, season: SeasonRanking): PointsMultiset | null {
	const { statements, counts: bySeason } = perConnection(db);
	// The version is read here, not taken from `season`: the caller's may be older, or made up.
	const version = statements.version.get(season.seasonId) as number | undefined;
	if (version === undefined) return null;
	const dataVersion = statements.dataVersion.get() as number;
	const key = `${season.seasonId}:${season.rankBy}`;
	const held = bySeason.get(key);
	if (held) {
		// Most recently read last: the first is the one to drop.
		bySeason.delete(key);
		bySeason.set(key, held);
		if (held.dataVersion === dataVersion && version >= held.version) {
			const journalAt = journalEnd(season.seasonId);
			if (held.journalAt === journalAt || catchUp(statements, season, held)) {
				held.version = version;
				return held.points;
			}
			// A failed catch-up may have moved some people: the structure must be rebuilt.
			held.dataVersion = -1;
		}
		if (performance.now() < held.rebuildAfter) return null;
	}
	const fresh = build(statements, season, version, dataVersion);
	bySeason.delete(key);
	bySeason.set(key, fresh);
	if (bySeason.size > SEASONS_MAX) bySeason.delete(bySeason.keys().next().value!);
	return fresh.points;
}

/** Forgets what a connection holds (the next read rebuilds): for benchmarks and tests. */
export function forgetRankingPoints(db: Queryable): void {
	perConnection(db).counts.clear();
}
