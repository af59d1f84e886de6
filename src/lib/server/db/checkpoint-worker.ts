// The checkpoint thread (checkpointer.ts): copies the WAL's pages back into the database file on
// its own connection, so that the copy and its fsyncs run beside the event loop instead of in
// the commit that crossed SQLite's autocheckpoint threshold. Built to build/checkpoint-thread.js.
import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './index';
import type { CheckpointDone, CheckpointerData } from './checkpointer';

const { databasePath, pages, everyMs } = workerData as CheckpointerData;
const db = openDatabase(databasePath);
// This connection never writes rows: a checkpoint is not a write to the schema or the data.
db.$client.pragma('query_only = ON');
const passive = db.$client.prepare('PRAGMA wal_checkpoint(PASSIVE)');

// How far the WAL is ahead of the database file, read from the wal-index header in the -shm
// file (https://sqlite.org/walformat.html: mxFrame at byte 16, nBackfill at byte 96, in the
// machine's byte order) without asking SQLite: a poll costs one 100-byte pread. A torn read only
// moves a checkpoint by one poll.
const shm = openSync(`${databasePath}-shm`, 'r');
const header = Buffer.alloc(100);
const little = endianness() === 'LE';
/** The WAL's last frame and how many of its frames are in the database file already. */
function walFrames(): { last: number; copied: number } {
	if (readSync(shm, header, 0, header.length, 0) < header.length) return { last: 0, copied: 0 };
	return little
		? { last: header.readUInt32LE(16), copied: header.readUInt32LE(96) }
		: { last: header.readUInt32BE(16), copied: header.readUInt32BE(96) };
}
function framesBehind(): number {
	const { last, copied } = walFrames();
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
		const { copied } = walFrames();
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
	closeSync(shm);
	db.$client.close();
	parentPort!.close();
});
