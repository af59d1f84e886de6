// The read thread (thread.ts): the contest format views, the scheduler's sprint decisions and
// knockout rounds, the board a season's end freezes, the dashboard's figures and the mails'
// rankings, read on a second, read-only connection to the same SQLite file, so that their sums
// over a big season run beside the event loop instead of on it. Each request runs the store's
// body the server runs without a thread and on PostgreSQL, in one `read` (one consistent
// snapshot of the file: WAL lets it read while the server writes); the format views and the
// season's board read as their store bodies do (each view its own snapshot; the board checked
// against its counters). Built to build/read-thread.js.
//
// Each kind's code is imported on its first request (the build splits the bundle by kind,
// scripts/build-server.mjs): the thread starts with its connection and the store alone, and the
// dashboard's figures, what a start asks first, wait for their own code only, not for the format
// views', the scheduler's and the mails' (docs/benchmarks.md, "The read thread's boot").
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db';
import { read, sqliteStore } from '../db/store';
import type { ReadAnswer, ReadRequest } from './thread';

const { databaseUrl } = workerData as { databaseUrl: string };
const db = openDatabase(databaseUrl);
// This connection never writes: a bug that tried would fail here instead of racing the server.
db.$client.pragma('query_only = ON');
const store = sqliteStore(db);
const { tables } = store;

async function answer(request: ReadRequest): Promise<unknown> {
	switch (request.kind) {
		case 'views': {
			const { readFormatViews } = await import('../formats/views');
			return readFormatViews(store, request.seasonId, request.now);
		}
		case 'sprint': {
			const { readSprintDecision } = await import('../sprints/decide');
			return read(store, (tx) => readSprintDecision(tx, tables, request.sprintId, request.now));
		}
		case 'knockoutRound': {
			const { readDueRound } = await import('../knockouts/advance');
			return read(store, (tx) => readDueRound(tx, tables, request.knockoutId, request.now));
		}
		case 'dashboard': {
			const { readDashboardData } = await import('../dashboard/figures');
			return readDashboardData(store, request.seasonId, request.filters, () => request.now);
		}
		case 'board': {
			const { readFinalBoardOnStore } = await import('../seasons/final-board');
			return readFinalBoardOnStore(store, request.seasonId);
		}
		case 'rankings': {
			const { readRankingAt } = await import('../notify/digest/ranking-at');
			return read(store, async (tx) => {
				const rankings = [];
				for (const { season, at } of request.wanted)
					rankings.push({
						seasonId: season.id,
						at,
						ranking: await readRankingAt(tx, tables, season, at)
					});
				return rankings;
			});
		}
		case 'summaries': {
			const { readSeasonYesterday } = await import('../notify/digest/summary');
			return read(store, async (tx) => {
				const summaries = [];
				for (const { season, date, now } of request.wanted)
					summaries.push(await readSeasonYesterday(tx, tables, season, date, now));
				return summaries;
			});
		}
	}
}

async function reply(request: ReadRequest): Promise<ReadAnswer> {
	try {
		return { id: request.id, result: await answer(request) };
	} catch (error) {
		return { id: request.id, error: error instanceof Error ? error.message : String(error) };
	}
}

// One request at a time: a SQLite connection holds one transaction, and a second `read` begun
// while the first awaits would fail.
let queue = Promise.resolve();
parentPort!.on('message', (request: ReadRequest) => {
	queue = queue.then(async () => parentPort!.postMessage(await reply(request)));
});
