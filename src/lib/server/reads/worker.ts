// The read thread (thread.ts): the contest format views, the scheduler's sprint decisions and
// knockout rounds, the board a season's end freezes, the dashboard's figures and the mails'
// rankings, read on a second, read-only connection to the same SQLite file, so that their sums
// over a big season run beside the event loop instead of on it. Each request runs the store's
// body the server runs without a thread and on PostgreSQL, in one `read` (one consistent
// snapshot of the file: WAL lets it read while the server writes); the format views and the
// season's board read as their store bodies do (each view its own snapshot; the board checked
// against its counters). Built to build/read-thread.js.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db';
import { read, sqliteStore } from '../db/store';
import { readFormatViews } from '../formats/views';
import { readSprintDecision } from '../sprints/decide';
import { readDueRound } from '../knockouts/advance';
import { readDashboardData } from '../dashboard/figures';
import { readFinalBoardOnStore } from '../seasons/final-board';
import { readRankingAt } from '../notify/digest/ranking-at';
import { readSeasonYesterday } from '../notify/digest/summary';
import type { ReadAnswer, ReadRequest } from './thread';

const { databaseUrl } = workerData as { databaseUrl: string };
const db = openDatabase(databaseUrl);
// This connection never writes: a bug that tried would fail here instead of racing the server.
db.$client.pragma('query_only = ON');
const store = sqliteStore(db);
const { tables } = store;

function answer(request: ReadRequest): Promise<unknown> {
	switch (request.kind) {
		case 'views':
			return readFormatViews(store, request.seasonId, request.now);
		case 'sprint':
			return read(store, (tx) => readSprintDecision(tx, tables, request.sprintId, request.now));
		case 'knockoutRound':
			return read(store, (tx) => readDueRound(tx, tables, request.knockoutId, request.now));
		case 'dashboard':
			return readDashboardData(store, request.seasonId, request.filters, () => request.now);
		case 'board':
			return readFinalBoardOnStore(store, request.seasonId);
		case 'rankings':
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
		case 'summaries':
			return read(store, async (tx) => {
				const summaries = [];
				for (const { season, date, now } of request.wanted)
					summaries.push(await readSeasonYesterday(tx, tables, season, date, now));
				return summaries;
			});
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
