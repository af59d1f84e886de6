// Boards at size: members 1,000 → 100,000. For each size, on a fresh temp database:
//   - the old full push (readLeaderboard: the whole ranking) — build time and JSON size;
//   - the new push: the top 50 as a snapshot and as a delta after one sale (Publisher, real
//     queries, a stand-in Socket.IO room that only records what would be sent);
//   - top-50 + my rank (readBoardTop with a viewer) for viewers at the top, the middle, the
//     bottom of the scorers and with no points, and the "of N players" count;
//   - the rank counts held in memory (ranking-points.ts): one rebuild and one catch-up after a
//     sale;
//   - the bare stack: plain better-sqlite3 reading the same top 50 and one count(*) rank;
//   - the board page `/` of the production build for a member: bytes, time until the headers
//     (the server's time: SvelteKit renders before it answers; first request and p50 of the
//     rest) and until the whole body;
//   - RSS of this process and of the server.
//
//   npm run build && npm run bench:board -- [--quick] [--sizes 1000,10000,100000] [--port 4533]
//     [--against <worktree>]
//
// --against: the push's build time of another checkout too (its `getBoardTop` when it has one:
// the synchronous push before 2026-12-07, else its `readPushBoard`), on a second connection to
// the same file, timed in turn with this one's (pushBuildMsAgainst).
//
// Results: bench/results/board-<timestamp>.json. Not part of npm test.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openDatabase, type Db } from '../src/lib/server/db';
import {
	readBoardTop,
	readLeaderboard,
	readPushBoard,
	readStanding
} from '../src/lib/server/boards/leaderboard';
import {
	countPlayersReads,
	runOnStore,
	type SeasonRanking
} from '../src/lib/server/boards/ranking-window';
import { forgetRankingPoints, rankingPoints } from '../src/lib/server/boards/ranking-points';
import { Publisher, type RealtimeServer } from '../src/lib/server/realtime/publish';
import { markStandingMoved } from '../src/lib/server/realtime/changed';
import { createSession, generateSessionToken } from '../src/lib/server/auth/session';
import { read, sqliteStore } from '../src/lib/server/db/store';
import { seasonRoom } from '../src/lib/realtime/events';
import { missingBuild, procMemory, ROOT, snapshotBuild, startBenchServer } from './lib/server';
import { startOnFreePort } from './lib/port-retry';
import { round, summarize } from './lib/stats';

const { values } = parseArgs({
	options: {
		quick: { type: 'boolean' },
		sizes: { type: 'string' },
		port: { type: 'string' },
		'no-page': { type: 'boolean' },
		against: { type: 'string' }
	}
});
const sizes = values.sizes
	? values.sizes.split(',').map(Number)
	: values.quick
		? [1_000, 10_000]
		: [1_000, 10_000, 100_000];
const PORT = Number(values.port ?? 4533);

/** The other checkout's push read (--against), on its own connection to a file. */
type PushRead = (path: string, seasonId: number, players: number) => () => unknown;
async function againstPushRead(worktree: string): Promise<PushRead> {
	const load = async <T>(path: string) =>
		(await import(join(resolve(worktree), 'src/lib/server', path))) as T;
	const { openDatabase: open } = await load<{ openDatabase: typeof openDatabase }>('db/index.ts');
	const { sqliteStore: storeOf } = await load<{ sqliteStore: typeof sqliteStore }>('db/store.ts');
	const board = await load<{
		getBoardTop?: (db: Db, seasonId: number, options: { players?: number }) => unknown;
		readPushBoard: typeof readPushBoard;
	}>('boards/leaderboard.ts');
	return (path, seasonId, players) => {
		const db = open(path);
		if (board.getBoardTop) return () => board.getBoardTop!(db, seasonId, { players });
		const store = storeOf(db);
		return () => board.readPushBoard(store, seasonId, { players, movedIds: [] });
	};
}
const against = values.against ? await againstPushRead(values.against) : null;
const RUNS = values.quick ? 5 : 11;

function time<T>(fn: () => T, runs = RUNS): { ms: number; value: T } {
	const samples: number[] = [];
	let value!: T;
	for (let i = 0; i < runs; i++) {
		const start = performance.now();
		value = fn();
		samples.push(performance.now() - start);
	}
	return { ms: summarize(samples)!.p50, value };
}

/** `time` for a read that is awaited (through the store). */
async function timeAsync<T>(fn: () => Promise<T>, runs = RUNS): Promise<{ ms: number; value: T }> {
	const samples: number[] = [];
	let value!: T;
	for (let i = 0; i < runs; i++) {
		const start = performance.now();
		value = await fn();
		samples.push(performance.now() - start);
	}
	return { ms: summarize(samples)!.p50, value };
}

const kb = (value: unknown) => round(Buffer.byteLength(JSON.stringify(value)) / 1024, 1);

/** A season with `members` people (80 % of them with points) in 10 teams. */
function populate(db: Db, members: number) {
	const raw = db.$client;
	const now = Date.now();
	const seasonId = Number(
		raw
			.prepare(
				`INSERT INTO season (name, theme, time_zone, starts_at, ends_at, status, version)
				 VALUES ('Bench', '{"primary":"#2563eb","accent":"#f59e0b","emoji":"🏆","tagline":"x"}', 'UTC', ?, ?, 'live', 1)`
			)
			.run(now - 86_400_000, now + 86_400_000 * 30).lastInsertRowid
	);
	const teams: number[] = [];
	for (let t = 0; t < 10; t++)
		teams.push(
			Number(
				raw.prepare(`INSERT INTO team (season_id, name) VALUES (?, ?)`).run(seasonId, `Team ${t}`)
					.lastInsertRowid
			)
		);
	const addUser = raw.prepare(
		`INSERT INTO user (email, display_name, role, password_hash) VALUES (?, ?, 'participant', 'x')`
	);
	const addMember = raw.prepare(
		`INSERT INTO season_member (season_id, user_id, team_id, joined_at) VALUES (?, ?, ?, ?)`
	);
	const addStanding = raw.prepare(
		`INSERT INTO standing (season_id, subject_type, subject_id, confirmed_points, provisional_points, sales_count, reached_at, updated_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	);
	const ids: number[] = [];
	let seed = 7;
	const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
	const teamPoints = new Map<number, number>();
	raw.transaction(() => {
		for (let i = 0; i < members; i++) {
			const id = Number(addUser.run(`b${i}@bench.test`, `Person ${i}`).lastInsertRowid);
			ids.push(id);
			const teamId = teams[i % teams.length];
			addMember.run(seasonId, id, teamId, now - 1000);
			if (rnd() < 0.8) {
				const pts = 1 + Math.floor(rnd() * 5000);
				addStanding.run(
					seasonId,
					'user',
					id,
					pts,
					0,
					1 + Math.floor(pts / 100),
					now - Math.floor(rnd() * 1e7),
					now
				);
				teamPoints.set(teamId, (teamPoints.get(teamId) ?? 0) + pts);
			}
		}
		for (const [teamId, pts] of teamPoints)
			addStanding.run(seasonId, 'team', teamId, pts, 0, 1, now, now);
	})();
	raw.pragma('optimize');
	return { seasonId, ids };
}

/** A stand-in for Socket.IO: one room with one socket; records what a push would send. */
function recordingIo(seasonId: number) {
	const sent: unknown[] = [];
	const emit = { emit: (_event: string, payload: unknown) => sent.push(payload) };
	const io = {
		sockets: { adapter: { rooms: new Map([[seasonRoom(seasonId), new Set(['x'])]]) } },
		to: () => emit,
		local: { to: () => emit }
	} as unknown as RealtimeServer;
	return { io, sent };
}

const tick = () => new Promise((r) => setImmediate(r));

async function measure(members: number, buildEntry: string | null) {
	const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-board-'));
	const path = join(dir, 'bench.db');
	try {
		const db = openDatabase(path);
		const { seasonId, ids } = populate(db, members);
		const s = db.$client
			.prepare(`SELECT version, tie_rule AS tieRule, rank_by AS rankBy FROM season WHERE id = ?`)
			.get(seasonId) as Omit<SeasonRanking, 'seasonId'>;
		const ranking: SeasonRanking = { seasonId, ...s };
		const store = sqliteStore(db);
		const result: Record<string, unknown> = { members };

		// Before: the whole ranking in every push and page.
		const full = await timeAsync(
			async () => (await readLeaderboard(store, seasonId))!,
			values.quick ? 3 : 5
		);
		result.fullBuildMs = round(full.ms);
		result.fullPushKB = kb(full.value);
		const ranked = full.value.individual;

		// The new push: a snapshot, then a delta after one sale.
		const { io, sent } = recordingIo(seasonId);
		const publisher = new Publisher(io, store);
		publisher.leaderboardChanged(seasonId);
		for (let i = 0; i < 100 && sent.length === 0; i++) await tick();
		const snapshot = sent.at(-1);
		result.snapshotPushKB = kb(snapshot);
		const deltaSizes: number[] = [];
		for (let i = 0; i < RUNS; i++) {
			const seller = ids[Math.floor((i * 7919) % ids.length)];
			db.$client
				.prepare(
					`UPDATE standing SET confirmed_points = confirmed_points + 40, reached_at = ? WHERE season_id = ? AND subject_type = 'user' AND subject_id = ?`
				)
				.run(Date.now(), seasonId, seller);
			db.$client.prepare(`UPDATE season SET version = version + 1 WHERE id = ?`).run(seasonId);
			markStandingMoved(seasonId, seller);
			publisher.leaderboardChanged(seasonId);
			await new Promise((r) => setTimeout(r, 300)); // past the adaptive window
			deltaSizes.push(Buffer.byteLength(JSON.stringify(sent.at(-1))));
		}
		publisher.close();
		result.deltaPushKB = round(summarize(deltaSizes)!.max / 1024, 1);

		// Build cost of one push (what the publisher reads per flush, without the emit), in turn
		// with the other checkout's when asked.
		const other = against?.(path, seasonId, members);
		const ours: number[] = [];
		const theirs: number[] = [];
		for (let i = 0; i < RUNS; i++) {
			if (other) {
				const start = performance.now();
				await other();
				theirs.push(performance.now() - start);
			}
			const start = performance.now();
			await readPushBoard(store, seasonId, { players: members, movedIds: [] });
			ours.push(performance.now() - start);
		}
		const median = (samples: number[]) => samples.sort((a, b) => a - b)[samples.length >> 1];
		result.pushBuildMs = round(median(ours), 2);
		if (other) result.pushBuildMsAgainst = round(median(theirs), 2);

		// Top 50 + my rank, for viewers at several places.
		const viewers = {
			top: ranked[0].id,
			middle: ranked[Math.floor(ranked.length / 2)].id,
			lastScorer: ranked.filter((e) => e.points > 0).at(-1)!.id,
			noPoints: ranked.at(-1)!.id
		};
		const topAndMe: Record<string, number> = {};
		for (const [where, id] of Object.entries(viewers)) {
			topAndMe[where] = round(
				(await timeAsync(() => readBoardTop(store, seasonId, { top: 50, viewerId: id }))).ms,
				2
			);
			// Correctness at size: the same rank as the full ranking.
			const mine = (await readStanding(store, seasonId, id))!;
			const expected = ranked.find((e) => e.id === id)!;
			if (mine.entry.rank !== expected.rank) throw new Error(`rank mismatch for ${where}`);
		}
		result.top50AndMyRankMs = topAndMe;

		// The rank counts held in memory (ranking-points.ts): one rebuild from the standings, and
		// one catch-up after a sale (the moved person read again and moved in the structure).
		result.rankCountsRebuildMs = round(
			time(() => {
				forgetRankingPoints(db);
				return rankingPoints(db, ranking);
			}, 5).ms,
			2
		);
		const catchUps: number[] = [];
		for (let i = 0; i < RUNS; i++) {
			const seller = ids[Math.floor((i * 104_729) % ids.length)];
			db.$client
				.prepare(
					`UPDATE standing SET confirmed_points = confirmed_points + 40 WHERE season_id = ? AND subject_type = 'user' AND subject_id = ?`
				)
				.run(seasonId, seller);
			db.$client.prepare(`UPDATE season SET version = version + 1 WHERE id = ?`).run(seasonId);
			markStandingMoved(seasonId, seller);
			const start = performance.now();
			rankingPoints(db, ranking);
			catchUps.push(performance.now() - start);
		}
		// Not summarize(): it rounds to 0.1 ms, and a catch-up takes microseconds.
		result.rankCountsCatchUpMs = round(catchUps.sort((a, b) => a - b)[catchUps.length >> 1], 4);
		result.playersCountMs = round(
			(
				await timeAsync(() =>
					read(store, (tx) => runOnStore(store, tx, (on) => countPlayersReads(on, ranking)))
				)
			).ms,
			2
		);

		// Bare better-sqlite3: the same top 50 and one rank as a count.
		const bareTop = db.$client.prepare(
			`SELECT subject_id, confirmed_points FROM standing WHERE season_id = ? AND subject_type = 'user' ORDER BY confirmed_points DESC, reached_at LIMIT 50`
		);
		const bareRank = db.$client.prepare(
			`SELECT count(*) AS n FROM standing WHERE season_id = ? AND subject_type = 'user' AND confirmed_points > ?`
		);
		const middlePoints = ranked[Math.floor(ranked.length / 2)].points;
		result.bareTop50AndRankMs = round(
			time(() => {
				bareTop.all(seasonId);
				return bareRank.get(seasonId, middlePoints);
			}).ms,
			2
		);
		result.ratioMiddle = round(
			(topAndMe.middle as number) / Math.max(0.001, result.bareTop50AndRankMs as number),
			1
		);
		result.benchRssMiB = round(procMemory('self')?.rssMiB ?? NaN);
		db.$client.close();

		// The board page of the production build, for the middle viewer.
		if (buildEntry) {
			const raw = openDatabase(path);
			const token = generateSessionToken();
			await createSession(sqliteStore(raw), token, viewers.middle);
			raw.$client.close();
			const server = await startOnFreePort(
				(port) => startBenchServer(path, { entry: buildEntry, port }),
				PORT
			);
			try {
				const samples: number[] = [];
				// Until the headers arrive: SvelteKit renders the whole page before it answers, so
				// this is the server's time (plus a localhost round trip) without the transfer.
				const headers: number[] = [];
				let bytes = 0;
				for (let i = 0; i < RUNS; i++) {
					const start = performance.now();
					const response = await fetch(`${server.url}/`, {
						headers: { cookie: `session=${token}`, 'accept-encoding': 'identity' }
					});
					const answered = performance.now() - start;
					const body = await response.text();
					samples.push(performance.now() - start);
					if (response.status !== 200) throw new Error(`GET / answered ${response.status}`);
					bytes = Buffer.byteLength(body);
					if (i === 0) result.pageFirstServerMs = round(answered, 1);
					else headers.push(answered);
				}
				result.pageKB = round(bytes / 1024, 1);
				result.pageMs = summarize(samples)!.p50;
				result.pageServerMs = summarize(headers)!.p50;
				result.serverRssMiB = round(procMemory(server.pid)?.rssMiB ?? NaN);
			} finally {
				await server.stop();
			}
		}
		return result;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

async function main() {
	const loadStart = loadavg();
	console.log(
		`bench:board sizes ${sizes.join(', ')} · load ${loadStart.map((l) => l.toFixed(2)).join(' ')}`
	);
	const missing = values['no-page'] ? null : missingBuild();
	if (missing) console.log(`(no page figures: ${missing})`);
	const build = values['no-page'] || missing ? null : snapshotBuild();
	const rows = [];
	try {
		for (const members of sizes) {
			const row = await measure(members, build?.entry ?? null);
			console.log(JSON.stringify(row));
			rows.push(row);
		}
	} finally {
		build?.remove();
	}
	const loadEnd = loadavg();
	console.log(`load at end ${loadEnd.map((l) => l.toFixed(2)).join(' ')}`);
	const out = join(ROOT, 'bench/results');
	mkdirSync(out, { recursive: true });
	const file = join(out, `board-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
	writeFileSync(file, JSON.stringify({ loadStart, loadEnd, rows }, null, 2));
	console.log(`written ${file}`);
}

await main();
