// The read thread (thread.ts): the contest format views, the scheduler's sprint decisions and
// knockout rounds, the board a season's end freezes and the dashboard's figures, read on a
// second, read-only connection to the same SQLite file, so that their sums over a big season run
// beside the event loop instead of on it. Each request is answered from one read transaction: one
// consistent snapshot of the file (WAL lets it read while the server writes). Built to
// build/read-thread.js.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db';
import { formatViewsOf } from '../formats/views';
import { decideSprintOf } from '../sprints/decide';
import { dueRoundOf } from '../knockouts/advance';
import { dashboardData } from '../dashboard/figures';
import { readFinalBoard } from '../seasons/final-board';
import { rankingAt } from '../notify/digest/ranking-at';
import { seasonYesterday } from '../notify/digest/summary';
import type { ReadAnswer, ReadRequest } from './thread';

const { databaseUrl } = workerData as { databaseUrl: string };
const db = openDatabase(databaseUrl);
// This connection never writes: a bug that tried would fail here instead of racing the server.
db.$client.pragma('query_only = ON');

function answer(request: ReadRequest): unknown {
	switch (request.kind) {
		case 'views':
			return formatViewsOf(db, request.seasonId, request.now);
		case 'sprint':
			return decideSprintOf(db, request.sprintId, request.now);
		case 'knockoutRound':
			return dueRoundOf(db, request.knockoutId, request.now);
		case 'dashboard':
			return dashboardData(db, request.seasonId, request.filters, () => request.now);
		case 'board':
			return readFinalBoard(db, request.seasonId);
		case 'rankings':
			return request.wanted.map(({ season, at }) => ({
				seasonId: season.id,
				at,
				ranking: rankingAt(db, season, at)
			}));
		case 'summaries':
			return request.wanted.map(({ season, date, now }) => seasonYesterday(db, season, date, now));
	}
}

parentPort!.on('message', (request: ReadRequest) => {
	let reply: ReadAnswer;
	try {
		reply = { id: request.id, result: db.transaction(() => answer(request)) };
	} catch (error) {
		reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
	}
	parentPort!.postMessage(reply);
});
