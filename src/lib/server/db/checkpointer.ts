import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { log } from '../shared/log';
import { databaseFile } from './index';

// In WAL mode a commit appends pages to the -wal file, and a checkpoint copies them back into
// the database file. SQLite's own (wal_autocheckpoint, every 1,000 pages) runs inside the commit
// that crosses the threshold: on the server's one connection, that is on the event loop, and a
// longer WAL between checkpoints, which costs less CPU per sale, held the loop longer each time
// (docs/benchmarks.md, "Savepoint journals in memory"). The checkpoint thread (checkpoint-
// worker.ts) does it on its own connection instead, once the WAL is `pages` ahead; the server's
// connection keeps an automatic checkpoint only as a cap, for when the thread falls behind, and
// gets SQLite's own back if the thread stops. Started by server.ts for a database file when
// build/checkpoint-thread.js is there; the CLI, scripts and tests keep SQLite's default.

/** SQLite's own wal_autocheckpoint. */
export const SQLITE_AUTOCHECKPOINT_PAGES = 1_000;
/** How far the WAL may run ahead before the thread copies it (4 KiB pages: 16 MiB). */
export const CHECKPOINT_PAGES = 4_000;
/** The server's own checkpoint waits this many times longer: only when the thread falls behind. */
const FALLBACK_FACTOR = 4;
const POLL_MS = 20;
/** Past this, the WAL file is cut back to it when SQLite starts it over. */
const WAL_FILE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface CheckpointerData {
	databasePath: string;
	pages: number;
	everyMs: number;
}

/**
 * What the thread reports after each checkpoint: frames copied, PASSIVE passes, RESTART
 * attempts, the longest RESTART (the time the server's commits may have waited), the frames
 * copied in RESTARTs (under the write lock), the frames behind when it came to the RESTART,
 * whether it left the RESTART for a later poll, whether the WAL starts over, how long.
 */
export interface CheckpointDone {
	frames: number;
	passes: number;
	rounds: number;
	holdMs: number;
	restartFrames: number;
	left: number;
	skipped: boolean;
	restarted: boolean;
	ms: number;
}

/** WAL checkpoints off the event loop, for the connection `client` writes on. */
export class Checkpointer {
	private readonly worker: Worker;
	private readonly exited: Promise<void>;
	private stopping = false;
	/** Resolves once the thread watches the WAL (tests). */
	readonly ready: Promise<void>;
	/**
	 * Checkpoints the thread has made, the frames they copied, the frames copied under the write
	 * lock (by RESTARTs), the most frames behind when a RESTART was tried (what it copies under
	 * the lock when it gets it), the checkpoints that left their
	 * RESTART for a later poll (the WAL not level), the RESTARTs that started the WAL over, the
	 * time spent in RESTARTs and the longest in ms (the longest a commit of the server can have
	 * waited for the thread): tests, the log.
	 */
	readonly done = {
		checkpoints: 0,
		frames: 0,
		restartFrames: 0,
		mostBehindAtRestart: 0,
		restartsLeft: 0,
		restarts: 0,
		restartMs: 0,
		longestRestartMs: 0
	};

	constructor(
		entry: string,
		databasePath: string,
		private readonly client: Database.Database,
		pages = CHECKPOINT_PAGES
	) {
		client.pragma(`wal_autocheckpoint = ${pages * FALLBACK_FACTOR}`);
		client.pragma(`journal_size_limit = ${WAL_FILE_LIMIT_BYTES}`);
		const data: CheckpointerData = { databasePath, pages, everyMs: POLL_MS };
		this.worker = new Worker(entry, { workerData: data });
		// The thread must not keep a finished process (a test, the CLI) alive.
		this.worker.unref();
		let started = () => {};
		this.ready = new Promise((resolve) => (started = resolve));
		this.worker.on('message', (message: CheckpointDone | 'ready') => {
			if (message === 'ready') return started();
			this.done.checkpoints++;
			this.done.frames += message.frames;
			this.done.restartFrames += message.restartFrames;
			if (message.rounds > 0)
				this.done.mostBehindAtRestart = Math.max(this.done.mostBehindAtRestart, message.left);
			if (message.skipped) this.done.restartsLeft++;
			if (message.restarted) this.done.restarts++;
			this.done.restartMs = Math.round((this.done.restartMs + message.holdMs) * 10) / 10;
			this.done.longestRestartMs = Math.max(
				this.done.longestRestartMs,
				Math.round(message.holdMs * 10) / 10
			);
		});
		this.worker.on('error', (error) => log.error({ err: error }, 'the checkpoint thread failed'));
		this.exited = new Promise((resolve) =>
			this.worker.once('exit', (code) => {
				if (!this.stopping) {
					log.warn({ code }, 'the checkpoint thread exited: SQLite checkpoints on the server');
				}
				// Back to SQLite's own checkpoints on the server's connection (unless it is closed).
				if (this.client.open) {
					this.client.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
				}
				resolve();
			})
		);
	}

	/** The thread's last checkpoint, then it closes its connection and ends (or is ended). */
	async close(timeoutMs = 5_000): Promise<void> {
		this.stopping = true;
		this.worker.postMessage('stop');
		const late = setTimeout(() => void this.worker.terminate(), timeoutMs);
		await this.exited;
		clearTimeout(late);
		log.info(this.done, 'the checkpoint thread stopped');
	}

	/** Ends the thread at once, as a crash would (tests). */
	async kill(): Promise<void> {
		await this.worker.terminate();
		await this.exited;
	}
}

/**
 * Starts the checkpoint thread on `entry` (build/checkpoint-thread.js beside the built server)
 * for the database file at `databaseUrl`, written by `client`, unless
 * HONORBOARD_CHECKPOINT=inline; returns it, or undefined when SQLite checkpoints in the
 * commits as usual (no built entry, an in-memory database).
 */
export function startCheckpointer(
	entry: string,
	databaseUrl: string,
	client: Database.Database
): Checkpointer | undefined {
	const path = databaseFile(databaseUrl);
	if (process.env.HONORBOARD_CHECKPOINT === 'inline') return undefined;
	if (path === null || !existsSync(entry)) return undefined;
	const pages = Number(process.env.HONORBOARD_CHECKPOINT_PAGES) || CHECKPOINT_PAGES;
	return new Checkpointer(entry, path, client, pages);
}
