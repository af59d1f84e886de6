// The checkpoint thread (checkpointer.ts): copies the WAL's pages back into the database file on
// its own connection, so that the copy and its fsyncs run beside the event loop instead of in
// the commit that crossed SQLite's autocheckpoint threshold. Built to build/checkpoint-thread.js.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './index';
import { WalIndex } from './wal-index';
import type { CheckpointDone, CheckpointerData } from './checkpointer';

const { databasePath, pages, everyMs } = workerData as CheckpointerData;
const db = openDatabase(databasePath);
// This connection never writes rows: a checkpoint is not a write to the schema or the data.
db.$client.pragma('query_only = ON');
const passive = db.$client.prepare('PRAGMA wal_checkpoint(PASSIVE)');

const wal = new WalIndex(databasePath);
function framesBehind(): number {
	const { last, copied } = wal.frames();
	return Math.max(0, last - copied);
}

/**
 * SQLite starts the WAL over from its beginning only when a write begins with every frame
 * copied; the writer appends while a checkpoint copies, so one checkpoint rarely ends level with
 * it. The few frames left are copied at once, a few times at most, so that the WAL restarts
 * instead of growing for as long as the writes go on.
 */
const CATCH_UP_ROUNDS = 4;

function checkpoint(): void {
	const started = performance.now();
	let frames = 0;
	let rounds = 0;
	while (rounds < CATCH_UP_ROUNDS) {
		rounds++;
		const { copied } = wal.frames();
		const { busy, log, checkpointed } = passive.get() as {
			busy: number;
			log: number;
			checkpointed: number;
		};
		frames += Math.max(0, checkpointed - copied);
		// Another checkpoint held the lock (the server's own, as a fallback), or a reader's
		// snapshot keeps the rest in the WAL: the next poll tries again.
		if (busy || checkpointed < log || framesBehind() === 0) break;
	}
	const done: CheckpointDone = { frames, rounds, ms: performance.now() - started };
	parentPort!.postMessage(done);
}

const timer = setInterval(() => {
	if (framesBehind() >= pages) checkpoint();
}, everyMs);
parentPort!.postMessage('ready');

parentPort!.on('message', (message: 'stop') => {
	if (message !== 'stop') return;
	clearInterval(timer);
	// The last checkpoint, so that the file is whole without its WAL once the server is gone.
	if (framesBehind() > 0) checkpoint();
	wal.close();
	db.$client.close();
	parentPort!.close();
});
