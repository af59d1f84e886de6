import { createWriteStream, rmSync } from 'node:fs';

import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../shared/errors';

// An API upload goes to a temporary file as it arrives, never whole into memory: the import
// then reads it from disk (twice, see sales.ts). IMPORT_MAX_BYTES caps it (default 500 MB);
// adapter-node's BODY_SIZE_LIMIT (50M by default, see server.ts) caps every request before
// that, so a larger import needs both raised.

const DEFAULT_MAX = 500 * 1024 * 1024;

/** The largest CSV body the import API takes, in bytes: IMPORT_MAX_BYTES ("500M", "2G", bytes). */
export function importMaxBytes(env: string | undefined = process.env.IMPORT_MAX_BYTES): number {
	const match = /^\s*(\d+(?:\.\d+)?)\s*([KMG]?)B?\s*$/i.exec(env ?? '');
	if (!match) return DEFAULT_MAX;
	const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2].toUpperCase()]!;
	return Math.floor(Number(match[1]) * unit);
}

export interface Upload {
	path: string;
	bytes: number;
	/** Lines with something on them, less the header: chooses between waiting and a job. */
	dataLines: number;
	/** The first bytes (the header is in them). */
	head: Uint8Array;
}

const HEAD_BYTES = 64 * 1024;

/** Writes a request body to a temporary file; 413 `too_large` past `max` bytes (nothing kept). */
export async function saveUpload(body: ReadableStream<Uint8Array> | null, max: number) {
	const path = join(tmpdir(), `honorboard-import-${randomBytes(9).toString('hex')}.csv`);
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
	try {
		const input = body
			? Readable.fromWeb(body as import('node:stream/web').ReadableStream)
			: Readable.from([]);
		await pipeline(input, count, createWriteStream(path, { mode: 0o600 }));
	} catch (error) {
		rmSync(path, { force: true });
		throw error;
	}
	if (lineHasText) lines += 1;
	return {
		path,
		bytes,
		dataLines: Math.max(0, lines - 1),
		head: new Uint8Array(Buffer.concat(head).subarray(0, HEAD_BYTES))
	} satisfies Upload;
}

/** Deletes an upload no job took. */
export const dropUpload = (upload: Upload) => rmSync(upload.path, { force: true });
