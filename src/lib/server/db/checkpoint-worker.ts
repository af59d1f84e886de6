// The checkpoint thread (checkpointer.ts): copies the WAL's pages back into the database file on
// its own connection, so that the copy and its fsyncs run beside the event loop instead of in
// the commit that crossed SQLite's autocheckpoint threshold. Built to build/checkpoint-thread.js.
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
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
 * writes by PASSIVE passes, each copying what the one before left, and a RESTART then copies the
 * few frames written meanwhile and starts the WAL over: it holds the write lock while it does
 * (a commit of the server waits that long), and gives up at once when a reader is busy.
 *
 * What the RESTART costs under the lock is its fsyncs more than its copy: SQLite fsyncs the
 * database file only when a checkpoint ends level with the WAL, so the RESTART's fsync wrote out
 * every page the passes had copied (~16 MB), and on a loaded disk it held the lock for up to
 * 340 ms with 180 frames to copy (docs/benchmarks.md, "The checkpoint's hold on the write
 * lock"). So the thread fsyncs the file itself after its passes, outside the lock, and takes
 * the lock only when the WAL is within LEVEL_FRAMES of level: otherwise it tries again at the
 * next poll (a pass of what was written meanwhile, its fsync, the check). A WAL past
 * FORCE_FACTOR times the threshold is started over with up to FORCED_LEVEL_FRAMES left (a few
 * commits), so that it stays bounded under writes that seldom pause; past that, the server's
 * own checkpoint is the cap (checkpointer.ts).
 */
const RESTART_ATTEMPTS = 5;
const PASSIVE_PASSES = 8;
const LEVEL_FRAMES = 64;
/** Past FORCE_FACTOR times the threshold, the WAL starts over with up to this many left. */
const FORCE_FACTOR = 2;
const FORCED_LEVEL_FRAMES = 512;
const pause = new Int32Array(new SharedArrayBuffer(4));
const file = openSync(databasePath, 'r');
/** A checkpoint copied the bulk but left the RESTART for a poll that finds the WAL level. */
let restartDue = false;

/** Frames a checkpoint copied, from SQLite's count before and its answer. */
function copiedBy(row: CheckpointRow, before: number): number {
	return Math.max(0, row.checkpointed - before);
}

/** PASSIVE passes until the WAL is within LEVEL_FRAMES of level, at most `most`. */
function passes(most: number): { frames: number; passes: number } {
	let frames = 0;
	let passes = 0;
	do {
		const before = wal.frames().copied;
		frames += copiedBy(passive.get() as CheckpointRow, before);
		passes++;
	} while (passes < most && framesBehind() > LEVEL_FRAMES);
	return { frames, passes };
}

/** `last`: the server's writes have ended, the WAL starts over whatever is left. */
function checkpoint(last = false): void {
	const started = performance.now();
	const bulk = passes(PASSIVE_PASSES);
	// The pages the passes copied reach the disk now, beside the writes, not in the RESTART.
	fdatasyncSync(file);
	// What was written during that fsync (a long one on a loaded disk).
	const after = passes(1);
	let frames = bulk.frames + after.frames;
	const level = wal.frames().last >= pages * FORCE_FACTOR ? FORCED_LEVEL_FRAMES : LEVEL_FRAMES;
	const left = framesBehind();
	let attempts = 0;
	let holdMs = 0;
	let restartFrames = 0;
	const skipped = left > level && !last;
	let restarted = false;
	while (!skipped && !restarted && attempts < RESTART_ATTEMPTS) {
		// The writer may have committed since: a RESTART now would copy that under the lock.
		if (framesBehind() > level && !last) break;
		attempts++;
		const { copied } = wal.frames();
		const held = performance.now();
		const done = restart.get() as CheckpointRow;
		holdMs = Math.max(holdMs, performance.now() - held);
		// Copied in the RESTART call: under the write lock when it got it (without it, it was a
		// PASSIVE pass), whether or not a busy reader then kept the WAL from starting over.
		const copiedNow = copiedBy(done, copied);
		restartFrames += copiedNow;
		frames += copiedNow;
		restarted = !done.busy;
		if (!restarted) Atomics.wait(pause, 0, 0, 1);
	}
	// Not level, or a reader kept the WAL from starting over: the next poll tries again.
	restartDue = !restarted;
	// A poll that found nothing to copy and the WAL still not level: nothing to report.
	if (frames === 0 && attempts === 0) return;
	const done: CheckpointDone = {
		frames,
		passes: bulk.passes + after.passes,
		rounds: attempts,
		holdMs,
		restartFrames,
		left,
		skipped,
		restarted,
		ms: performance.now() - started
	};
	parentPort!.postMessage(done);
}

const timer = setInterval(() => {
	if (restartDue || framesBehind() >= pages) checkpoint();
}, everyMs);
parentPort!.postMessage('ready');

parentPort!.on('message', (message: 'stop') => {
	if (message !== 'stop') return;
	clearInterval(timer);
	// The last checkpoint, so that the file is whole without its WAL once the server is gone.
	if (framesBehind() > 0) checkpoint(true);
	wal.close();
	closeSync(file);
	db.$client.close();
	parentPort!.close();
});
