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
		expect(decodeCsvBytes(bytes(text))).toBe(text.replace(/^\uFEFF/, ''));
	});

	it.each([
		// "Łódź,Ilość" and "Crème brûlée,Quantité" as Polish and French Excel save them.
		[
			'Windows-1250 (Polish)',
			[0xa3, 0xf3, 0x64, 0x9f, 0x2c, 0x49, 0x6c, 0x6f, 0x9c, 0xe6],
			'Łódź,Ilość'
		],
		[
			'Windows-1252 (French)',
			[
				0x43, 0x72, 0xe8, 0x6d, 0x65, 0x20, 0x62, 0x72, 0xfb, 0x6c, 0xe9, 0x65, 0x2c, 0x51, 0x75,
				0x61, 0x6e, 0x74, 0x69, 0x74, 0xe9
			],
			'Crème brûlée,Quantité'
		]
	])('reads %s', (_title, input, text) => {
		expect(decodeCsvBytes(new Uint8Array(input as number[]))).toBe(text);
	});

	it.each([
		['random binary', new Uint8Array(randomBytes(4096))],
		['a zip (xlsx) header', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0xff])],
		['UTF-16 with its byte-order mark', new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x2c, 0x00])],
		['NUL bytes', bytes('a,b\n1,\u00002\n')],
		['many control characters', bytes('a,b\n' + '\u0001\u0002\u0003x,y\n'.repeat(50))]
	])('refuses %s with a clear 400', (_title, input) => {
		const error = refusal(input);
		expect(error).toMatchObject({ status: 400, code: 'not_text' });
		expect(error!.message).toMatch(/CSV UTF-8/);
	});
});
