import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { FileScan, ParseOptions, RowRead } from './sales-csv';

// An import's time is spent in one thread: reading the CSV text into rows (papaparse, the
// dates and amounts; ~13 % of a 100,000-row commit's CPU), then recording and writing each
// window of sales (the rest: SQLite has one writer). The parse thread (parse-worker.ts) reads
// the rows on the machine's second core while the importing thread records and writes the
// window before: the importing thread posts the file's text chunk by chunk and takes back
// rows, at most MAX_AHEAD chunks ahead, so memory stays flat in the file's size. The rows are
// the ones the same code reads inline (sales-csv.ts), in the same order.
//
// The built server runs it from build/import-parse-thread.js (server.ts calls useParseThread);
// without that file (the dev server, unit tests) or with HONORBOARD_PARSE_THREAD=inline,
// imports read their rows inline as before.

export type ParseRequest =
	| { kind: 'scan'; options: ParseOptions }
	| { kind: 'rows'; options: ParseOptions; scan: FileScan }
	/** A text chunk as UTF-8 (see pass()). */
	| { kind: 'chunk'; bytes: Uint8Array }
	| { kind: 'end' };

export type ParseReply =
	/** The rows read since the last reply: one reply per chunk read. */
	| { kind: 'read'; reads: RowRead[] }
	/** The pass has ended: its last rows, and the scan after a scan pass. */
	| { kind: 'done'; reads: RowRead[]; scan: FileScan | null }
	| { kind: 'error'; message: string };

/** Chunks posted and not yet read back: two keep the thread busy while this one writes. */
const MAX_AHEAD = 2;

/** One import's parse thread: a scan pass, then a rows pass, then close(). */
export class ParseThread {
	private readonly worker: Worker;
	private replies: ParseReply[] = [];
	private wake: (() => void) | null = null;
	private failure: Error | null = null;

	constructor(entry: string) {
		// Note: not unref()'d: while the import waits for its rows, the thread is what keeps a
		// process with nothing else to do (a script) running. importSales closes it in any case.
		this.worker = new Worker(entry);
		this.worker.on('message', (reply: ParseReply) => {
			this.replies.push(reply);
			this.notify();
		});
		this.worker.on('error', (error) => {
			this.failure ??= error;
			this.notify();
		});
		this.worker.on('exit', (code) => {
			this.failure ??= new Error(`the import's parse thread exited (${code})`);
			this.notify();
		});
	}

	/** The file's scan (scanSales), read in the thread. */
	async scan(chunks: AsyncIterable<string>, options: ParseOptions): Promise<FileScan> {
		return (await this.pass(chunks, { kind: 'scan', options }, () => {}))!;
	}

	/** The file's data rows (rowReader over eachRecord), in order, a chunk's worth per call. */
	async rows(
		chunks: AsyncIterable<string>,
		options: ParseOptions,
		scan: FileScan,
		onRows: (reads: RowRead[]) => void | Promise<void>
	): Promise<void> {
		await this.pass(chunks, { kind: 'rows', options, scan }, onRows);
	}

	close(): void {
		void this.worker.terminate();
	}

	private notify() {
		const waiting = this.wake;
		this.wake = null;
		waiting?.();
	}

	private async next(): Promise<ParseReply> {
		for (;;) {
			const reply = this.replies.shift();
			if (reply) {
				if (reply.kind === 'error') throw new Error(reply.message);
				return reply;
			}
			if (this.failure) throw this.failure;
			await new Promise<void>((resolve) => (this.wake = resolve));
		}
	}

	/**
	 * Posts the chunks, keeping at most MAX_AHEAD in the thread, and hands each reply's rows to
	 * `onRows` (a window may be written there; the next reply waits for it) until the pass is done.
	 */
	private async pass(
		chunks: AsyncIterable<string>,
		start: Extract<ParseRequest, { kind: 'scan' | 'rows' }>,
		onRows: (reads: RowRead[]) => void | Promise<void>
	): Promise<FileScan | null> {
		this.worker.postMessage(start);
		// Note: a chunk goes as UTF-8 bytes whose buffer is handed over, not as a string: posting
		// the 64 KiB strings themselves cost ~4 ms each on this thread (~400 ms of a 100,000-row
		// import, a third of what the thread took off it); encoding them costs ~0.1 ms.
		const encoder = new TextEncoder();
		let ahead = 0;
		const take = async () => {
			const reply = await this.next();
			if (reply.kind === 'done') throw new Error('the parse thread ended a pass early');
			ahead -= 1;
			await onRows((reply as Extract<ParseReply, { kind: 'read' }>).reads);
		};
		for await (const text of chunks) {
			const bytes = encoder.encode(text);
			this.worker.postMessage({ kind: 'chunk', bytes } satisfies ParseRequest, [bytes.buffer]);
			ahead += 1;
			while (ahead >= MAX_AHEAD) await take();
		}
		this.worker.postMessage({ kind: 'end' } satisfies ParseRequest);
		for (;;) {
			const reply = await this.next();
			if (reply.kind === 'read') {
				await onRows(reply.reads);
				continue;
			}
			if (reply.kind !== 'done') throw new Error('unexpected parse thread reply');
			await onRows(reply.reads);
			return reply.scan;
		}
	}
}

// Which entry the imports of this process use: set once by the server, a bench or a test.
// Shared through globalThis, like the read thread: SvelteKit's bundle and server.ts are two
// copies of this module.
const KEY = Symbol.for('honorboard.importParseThread');
type Holder = { [KEY]?: string | null };

/**
 * Imports read their rows in a thread started from `entry` (build/import-parse-thread.js beside
 * the built server), unless the file is missing or HONORBOARD_PARSE_THREAD=inline; null: inline.
 */
export function useParseThread(entry: string | null): void {
	const usable =
		entry !== null && process.env.HONORBOARD_PARSE_THREAD !== 'inline' && existsSync(entry);
	(globalThis as Holder)[KEY] = usable ? entry : null;
}

/** The parse thread's entry imports use, or null when they read inline. */
export function parseThreadEntry(): string | null {
	return (globalThis as Holder)[KEY] ?? null;
}
