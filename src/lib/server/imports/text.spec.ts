import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { decodeCsvBytes } from './text';
import { AppError } from '../shared/errors';

const bytes = (text: string) => new TextEncoder().encode(text);
const refusal = (input: Uint8Array) => {
	try {
		decodeCsvBytes(input);
	} catch (error) {
		if (error instanceof AppError) return error;
		throw error;
	}
	return null;
};

describe('decodeCsvBytes', () => {
	it.each([
		['plain CSV', 'a,b\r\n1,2\r\n'],
		['a byte-order mark and accents', '\uFEFFnom,ville\nZoë,Malmö\n'],
		['tabs and one stray control character', `a\tb\n${'x'.repeat(200)}\u001A\n`]
	])('accepts %s', (_title, text) => {
		expect(decodeCsvBytes(bytes(text))).toBe(text);
	});

	it.each([
		['random binary', new Uint8Array(randomBytes(4096))],
		['a zip (xlsx) header', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0xff])],
		['invalid UTF-8 (Latin-1 é)', new Uint8Array([0x61, 0x2c, 0xe9, 0x0a])],
		['UTF-16 with its byte-order mark', new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x2c, 0x00])],
		['NUL bytes', bytes('a,b\n1,\u00002\n')],
		['many control characters', bytes('a,b\n' + '\u0001\u0002\u0003x,y\n'.repeat(50))]
	])('refuses %s with a clear 400', (_title, input) => {
		const error = refusal(input);
		expect(error).toMatchObject({ status: 400, code: 'not_text' });
		expect(error!.message).toMatch(/CSV UTF-8/);
	});
});
