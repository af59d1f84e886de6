import { and, eq, lt, notExists } from 'drizzle-orm';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { write, type Store, type StoreDb } from '../db/store';
import { AppError } from '../shared/errors';
import type { ImportSource } from './source';
import type { Encoding } from '../../imports/formats';

// A file sent to an import is stored in the database as it arrives, in chunks of CHUNK_BYTES,
// never whole in memory: the import then reads it from there (twice, see sales.ts), on whichever
// node runs or resumes the job (jobs.ts). IMPORT_MAX_BYTES caps it (default 500 MB);
// adapter-node's BODY_SIZE_LIMIT (50M by default, see server.ts) caps every request before
// that, so a larger import needs both raised.

const DEFAULT_MAX = 500 * 1024 * 1024;
/** Bytes per stored chunk: few rows for a large file, little memory while one is gathered. */
const CHUNK_BYTES = 1024 * 1024;
/** Bytes an import is handed at a time (it yields to the event loop between them). */
const READ_BYTES = 64 * 1024;

/** The largest CSV body the import API takes, in bytes: IMPORT_MAX_BYTES ("500M", "2G", bytes). */
export function importMaxBytes(env: string | undefined = process.env.IMPORT_MAX_BYTES): number {
	const match = /^\s*(\d+(?:\.\d+)?)\s*([KMG]?)B?\s*$/i.exec(env ?? '');
	if (!match) return DEFAULT_MAX;
	const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2].toUpperCase()]!;
	return Math.floor(Number(match[1]) * unit);
}

export interface Upload {
	id: number;
	bytes: number;
	/** Lines with something on them, less the header: chooses between waiting and a job. */
	dataLines: number;
	/** The first bytes (the header is in them). */
	head: Uint8Array;
}

const HEAD_BYTES = 64 * 1024;

/**
 * A writer of an upload's chunks: each CHUNK_BYTES gathered is one row, written as it is full
 * (each its own write: an upload arrives over many turns of the event loop). Awaiting `write`
 * before the next chunk keeps the chunks in order and memory at one chunk.
 */
function chunkWriter(store: Store, uploadId: number) {
	const { importUpload, importUploadChunk } = store.tables;
	let pending: Buffer[] = [];
	let pendingBytes = 0;
	let seq = 0;
	let bytes = 0;
	const flush = async () => {
		if (pendingBytes === 0) return;
		const data = Buffer.concat(pending).toString('base64');
		pending = [];
		pendingBytes = 0;
		const at = seq++;
		await write(store, (tx) => tx.insert(importUploadChunk).values({ uploadId, seq: at, data }));
	};
	return {
		async write(chunk: Uint8Array) {
			pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
			pendingBytes += chunk.byteLength;
			bytes += chunk.byteLength;
			if (pendingBytes >= CHUNK_BYTES) await flush();
		},
		async end() {
			await flush();
			await write(store, (tx) =>
				tx.update(importUpload).set({ bytes }).where(eq(importUpload.id, uploadId))
			);
		}
	};
}

async function newUpload(store: Store, now: number): Promise<number> {
	const { importUpload } = store.tables;
	const [row] = await write(store, (tx) =>
		tx.insert(importUpload).values({ createdAt: now }).returning({ id: importUpload.id })
	);
	return row.id;
}

/**
 * Stores a request body in the database; 413 `too_large` past `max` bytes (nothing kept). The
 * body is copied chunk by chunk, so its size never shows in memory.
 */
export async function saveUpload(
	store: Store,
	body: ReadableStream<Uint8Array> | null,
	max: number,
	now = Date.now()
): Promise<Upload> {
	const id = await newUpload(store, now);
	const writer = chunkWriter(store, id);
	let bytes = 0;
	let lines = 0;
	let lineHasText = false;
	const head: Buffer[] = [];
	let headBytes = 0;
	const count = new Transform({
		transform(chunk: Buffer, _encoding, done) {
			bytes += chunk.length;
			if (bytes > max) {
				done(
					new AppError(
						413,
						'too_large',
						`The CSV body is larger than ${Math.round(max / 1024 / 1024)} MB: split it up`
					)
				);
				return;
			}
			if (headBytes < HEAD_BYTES) {
				head.push(chunk);
				headBytes += chunk.length;
			}
			for (const byte of chunk) {
				if (byte === 0x0a || byte === 0x0d) {
					if (lineHasText) lines += 1;
					lineHasText = false;
				} else if (byte !== 0x20 && byte !== 0x09) lineHasText = true;
			}
			done(null, chunk);
		}
	});
	const keep = new Writable({
		write(chunk: Buffer, _encoding, done) {
			writer.write(chunk).then(() => done(), done);
		},
		final(done) {
			writer.end().then(() => done(), done);
		}
	});
	try {
		const input = body
			? Readable.fromWeb(body as import('node:stream/web').ReadableStream)
			: Readable.from([]);
		await pipeline(input, count, keep);
	} catch (error) {
		await dropUpload(store, id);
		throw error;
	}
	if (lineHasText) lines += 1;
	return {
		id,
		bytes,
		dataLines: Math.max(0, lines - 1),
		head: new Uint8Array(Buffer.concat(head).subarray(0, HEAD_BYTES))
	};
}

/** Stores text (a file the console's form read) as an upload, UTF-8; returns its id. */
export async function storeText(store: Store, text: string, now = Date.now()): Promise<number> {
	const id = await newUpload(store, now);
	const writer = chunkWriter(store, id);
	// A slice of characters at a time: a few MB of UTF-8 at most, never a second copy of the file.
	const step = CHUNK_BYTES / 4;
	let at = 0;
	while (at < text.length) {
		// A surrogate pair cut at the slice's end would be two broken characters: keep it whole.
		let end = Math.min(text.length, at + step);
		const last = text.charCodeAt(end - 1);
		if (end < text.length && last >= 0xd800 && last <= 0xdbff) end += 1;
		await writer.write(Buffer.from(text.slice(at, end), 'utf8'));
		at = end;
	}
	await writer.end();
	return id;
}

/** An upload as an import reads it: its bytes, chunk by chunk, from the database. */
export async function uploadSource(
	store: Store,
	uploadId: number,
	encoding: Encoding | null
): Promise<ImportSource> {
	const { importUpload, importUploadChunk } = store.tables;
	const [stored] = await store.db
		.select({ bytes: importUpload.bytes })
		.from(importUpload)
		.where(eq(importUpload.id, uploadId));
	return {
		encoding,
		size: stored?.bytes,
		bytes: async function* () {
			for (let seq = 0; ; seq++) {
				const [row] = await store.db
					.select({ data: importUploadChunk.data })
					.from(importUploadChunk)
					.where(and(eq(importUploadChunk.uploadId, uploadId), eq(importUploadChunk.seq, seq)));
				if (!row) return;
				const bytes = Buffer.from(row.data, 'base64');
				for (let at = 0; at < bytes.length; at += READ_BYTES)
					yield bytes.subarray(at, at + READ_BYTES);
			}
		}
	};
}

/** Deletes an upload (and its chunks): no job took it, or its job has finished. */
export async function dropUpload(store: Store, id: number): Promise<void> {
	const { importUpload } = store.tables;
	await write(store, (tx) => tx.delete(importUpload).where(eq(importUpload.id, id)));
}

/** Deletes uploads older than `before` that no job refers to (a request cut off mid-upload). */
export async function dropOrphanUploadsInWrite(tx: StoreDb, store: Store, before: number) {
	const { importJob, importUpload } = store.tables;
	await tx
		.delete(importUpload)
		.where(
			and(
				lt(importUpload.createdAt, before),
				notExists(tx.select().from(importJob).where(eq(importJob.uploadId, importUpload.id)))
			)
		);
}
