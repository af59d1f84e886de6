// The parse thread (parse-thread.ts): reads a sales file's CSV text into data rows beside the
// event loop. It holds no database connection: the importing thread reads the file (from disk
// or the database), posts its text chunk by chunk, and takes back the rows, while it records
// and writes the previous window. Built to build/import-parse-thread.js.
import { parentPort } from 'node:worker_threads';
import { eachRecord, rowReader, scanSales, type RowRead } from './sales-csv';
import type { ParseReply, ParseRequest } from './parse-thread';

const port = parentPort!;

// The text chunks posted and not yet read (null: the file has ended), and the reader waiting.
let queue: (string | null)[] = [];
let wake: (() => void) | null = null;
// Rows read since the last reply.
let reads: RowRead[] = [];

// Whole chunks: the importing thread encodes each chunk's text on its own.
const decoder = new TextDecoder();

const reply = (message: ParseReply) => port.postMessage(message);

/**
 * The posted chunks, as the CSV reader takes them. Each time it asks for the next one it has
 * read the one before: the rows read so far go back then, one reply per chunk read, which is
 * what lets the importing thread keep only a chunk or two ahead (memory flat in the file).
 */
async function* posted(): AsyncIterable<string> {
	for (let first = true; ; first = false) {
		if (!first) {
			reply({ kind: 'read', reads });
			reads = [];
		}
		while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
		const next = queue.shift()!;
		if (next === null) return;
		yield next;
	}
}

async function run(request: Extract<ParseRequest, { kind: 'scan' | 'rows' }>) {
	try {
		if (request.kind === 'scan') {
			const scan = await scanSales(posted(), request.options);
			reply({ kind: 'done', reads: [], scan });
		} else {
			const read = rowReader(request.scan, request.options);
			await eachRecord(
				posted(),
				(record, line, unreadable) => {
					const r = read(record, line, unreadable);
					if (r) reads.push(r);
				},
				request.scan.delimiter,
				request.options.locale
			);
			reply({ kind: 'done', reads, scan: null });
		}
	} catch (error) {
		reply({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
	} finally {
		queue = [];
		reads = [];
	}
}

port.on('message', (request: ParseRequest) => {
	if (request.kind === 'scan' || request.kind === 'rows') {
		void run(request);
		return;
	}
	queue.push(request.kind === 'chunk' ? decoder.decode(request.bytes) : null);
	const waiting = wake;
	wake = null;
	waiting?.();
});
