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

const wal = new WalIndex(databasePath);
function framesBehind(): number {
	const { last, copied } = wal.frames();
	return Math.max(0, last - copied);
}

type CheckpointRow = { busy: number; log: number; checkpointed: number };
const passive = db.$client.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const restart = db.$client.prepare('PRAGMA wal_checkpoint(RESTART)');
// A RESTART that finds the writer or a reader busy gives up at once instead of waiting: it holds
// the write lock while it waits for readers, and the server's writes would wait with it.
db.$client.pragma('busy_timeout = 0');

/**
 * SQLite starts the WAL over from its beginning only when a write begins with every frame
 * copied, and the writer appends while a PASSIVE checkpoint copies: under steady writes it never
 * ends level, and the WAL grew to its 64 MB cap within 15,000 API sales, every read slower for
 * it (docs/benchmarks.md, "A checkpointer off the event loop"). So the bulk is copied beside the
 * writes, then a RESTART copies the few frames written meanwhile and starts the WAL over: it
 * takes the write lock for that short copy (a commit of the server waits that long), and gives up
 * when the lock or a reader is busy, to try again a millisecond later, a few times at most.
 *
 * A PASSIVE copy of 4,000 pages takes long enough for the server to append hundreds more, and a
 * RESTART straight after copied those under the write lock, with its fsync: the server's commits
 * waited for it. So PASSIVE passes repeat, each copying what the one before left, until the WAL
 * is within LEVEL_FRAMES of level (or after PASSIVE_PASSES), and the RESTART holds the lock only
 * for what is left.
 */
const RESTART_ATTEMPTS = 5;
const PASSIVE_PASSES = 8;
const LEVEL_FRAMES = 64;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Frames a checkpoint copied, from SQLite's count before and its answer. */
function copiedBy(row: CheckpointRow, before: number): number {
	return Math.max(0, row.checkpointed - before);
}

function checkpoint(): void {
	const started = performance.now();
	let frames = 0;
	let passes = 0;
	do {
		const before = wal.frames().copied;
		frames += copiedBy(passive.get() as CheckpointRow, before);
		passes++;
	} while (passes < PASSIVE_PASSES && framesBehind() > LEVEL_FRAMES);
	let attempts = 0;
	let holdMs = 0;
	let restartFrames = 0;
	while (attempts < RESTART_ATTEMPTS) {
		attempts++;
		const { copied } = wal.frames();
		const held = performance.now();
		const done = restart.get() as CheckpointRow;
		holdMs = Math.max(holdMs, performance.now() - held);
		if (!done.busy) {
			restartFrames = copiedBy(done, copied);
			frames += restartFrames;
			break;
		}
		Atomics.wait(pause, 0, 0, 1);
	}
	const done: CheckpointDone = {
		frames,
		passes,
		rounds: attempts,
		holdMs,
		restartFrames,
		ms: performance.now() - started
	};
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
