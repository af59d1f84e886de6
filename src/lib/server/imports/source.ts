import { m } from '../../paraglide/messages.js';
import { createReadStream } from 'node:fs';
import { setImmediate as turn } from 'node:timers/promises';
import { chunkDecoder, letterScore, type Encoding } from '../../imports/formats';
import { AppError } from '../shared/errors';
import { points } from '../../format/numbers';

// What an import reads: text already in memory (the console's form, tests), a file on disk, or
// bytes read chunk by chunk from elsewhere (an upload stored in the database, upload.ts). Either is read as text chunks, as many times as the import
// needs (once to learn how the file writes dates and amounts, once to import), so that a file of
// a million rows never has to be in memory: a file is decoded chunk by chunk (UTF-8, or
// Windows-1250/1252 found from its letters, or the encoding chosen).

export type ImportSource =
	| { text: string }
	| { path: string; encoding?: Encoding | null }
	| {
			bytes: () => AsyncIterable<Uint8Array>;
			encoding?: Encoding | null;
			/** The bytes' length, when known (an upload's). */
			size?: number;
	  };

/** A readable source: its encoding (null for text) and its text, chunk by chunk, each time asked. */
export interface OpenSource {
	encoding: Encoding | null;
	chunks: () => AsyncIterable<string>;
}

const TEXT_CHUNK = 64 * 1024;

// Control characters other than tab, line feed and carriage return (and form feed).
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0001-\u0008\u000B\u000E-\u001F\u007F]/g;
/** At most this share of a file's characters may be control characters. */
const MAX_CONTROL_SHARE = 0.01;

export const notText = (message: string) =>
	new AppError(400, 'not_text', message, { field: 'file' });

/** Counts what makes text not a CSV file; `done()` throws when the whole of it is not text. */
class TextCheck {
	private controls = 0;
	private length = 0;

	add(text: string) {
		if (text.includes('\u0000')) throw notText(m.import_not_text_nul());
		this.controls += text.match(CONTROL)?.length ?? 0;
		this.length += text.length;
	}

	done() {
		if (this.controls > Math.max(1, this.length * MAX_CONTROL_SHARE))
			throw notText(m.import_not_text_controls({ count: this.controls, n: points(this.controls) }));
	}
}

/** Yields to the event loop: live requests and socket pushes get through between chunks. */
const breathe = () => turn();

async function* fileBytes(path: string): AsyncIterable<Uint8Array> {
	for await (const chunk of createReadStream(path, { highWaterMark: TEXT_CHUNK }))
		yield chunk as Buffer;
}

/** The encoding of bytes: UTF-8 when all of them are, else the code page whose letters they read as. */
async function detectEncoding(bytes: () => AsyncIterable<Uint8Array>): Promise<Encoding> {
	const utf8 = new TextDecoder('utf-8', { fatal: true });
	let first = true;
	try {
		for await (const chunk of bytes()) {
			if (
				first &&
				((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))
			)
				throw notText(m.import_not_text_utf16());
			first = false;
			utf8.decode(chunk, { stream: true });
		}
		utf8.decode();
		return 'utf-8';
	} catch (error) {
		if (error instanceof AppError) throw error;
		// Not UTF-8: a code page.
	}
	const cp1250 = chunkDecoder('windows-1250');
	const cp1252 = chunkDecoder('windows-1252');
	let score = 0;
	for await (const chunk of bytes())
		score +=
			letterScore(cp1250(chunk), 'windows-1250') - letterScore(cp1252(chunk), 'windows-1252');
	return score > 0 ? 'windows-1250' : 'windows-1252';
}

/**
 * Opens a source for reading. The first read checks that it is text (an AppError 400
 * `not_text` otherwise: a binary file, UTF-16, a spreadsheet saved as .xlsx); an import reads it
 * once before it stores anything, so a file that is not text changes nothing.
 */
export async function openSource(source: ImportSource): Promise<OpenSource> {
	if ('text' in source) {
		const text = source.text.replace(/^\uFEFF/, '');
		return {
			encoding: null,
			chunks: async function* () {
				const check = new TextCheck();
				for (let at = 0; at < text.length; at += TEXT_CHUNK) {
					const chunk = text.slice(at, at + TEXT_CHUNK);
					check.add(chunk);
					yield chunk;
					await breathe();
				}
				check.done();
			}
		};
	}
	const bytes = 'path' in source ? () => fileBytes(source.path) : source.bytes;
	const encoding = source.encoding ?? (await detectEncoding(bytes));
	return {
		encoding,
		chunks: async function* () {
			const decode = chunkDecoder(encoding);
			const check = new TextCheck();
			let first = true;
			for await (const chunk of bytes()) {
				let text = decode(chunk);
				if (first) text = text.replace(/^\uFEFF/, '');
				first = false;
				check.add(text);
				yield text;
				await breathe();
			}
			const rest = decode();
			check.add(rest);
			if (rest) yield rest;
			check.done();
		}
	};
}
