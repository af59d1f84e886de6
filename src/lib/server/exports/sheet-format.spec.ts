import { describe, expect, it } from 'vitest';
import { exportFormatOf, sheetFor, STANDARD_SHEET } from './sheet-format';

// 12:05 UTC: 13:05 in Warsaw on 4 March (winter time), 14:05 on 4 July (summer time).
const WINTER = Date.UTC(2026, 2, 4, 12, 5);
const SUMMER = Date.UTC(2026, 6, 4, 12, 5);

describe('sheetFor', () => {
	it('standard: commas, dot decimals, UTC ISO times, no byte-order mark', () => {
		const sheet = sheetFor('standard', 'Europe/Warsaw');
		expect(sheet).toBe(STANDARD_SHEET);
		expect(sheet.time(WINTER)).toBe('2026-03-04T12:05:00.000Z');
		expect(sheet.price(109900)).toBe('1099.00');
		expect(sheet.write(['a', 'b'], [['x', 1.5]])).toBe('a,b\r\nx,1.5');
	});

	it('excel-eu: byte-order mark, ";", decimal commas, local times of the season', () => {
		const sheet = sheetFor('excel-eu', 'Europe/Warsaw');
		expect(sheet.time(WINTER)).toBe('2026-03-04 13:05:00');
		expect(sheet.time(SUMMER)).toBe('2026-07-04 14:05:00');
		expect(sheetFor('excel-eu', 'Asia/Kolkata').time(WINTER)).toBe('2026-03-04 17:35:00');
		expect(sheet.price(109900)).toBe('1099,00');
		expect(sheet.price(5)).toBe('0,05');
		const text = sheet.write(['name', 'price'], [['=cmd', sheet.price(250)]]);
		expect(text).toBe("\uFEFFname;price\r\n'=cmd;2,50");
	});
});

describe('exportFormatOf', () => {
	it('defaults to standard and reads the two formats', () => {
		expect(exportFormatOf(new URLSearchParams())).toBe('standard');
		expect(exportFormatOf(new URLSearchParams('format='))).toBe('standard');
		expect(exportFormatOf(new URLSearchParams('format=excel-eu'))).toBe('excel-eu');
	});
	it('refuses anything else with a 400 naming the choices', () => {
		expect(() => exportFormatOf(new URLSearchParams('format=xlsx'))).toThrow(
			expect.objectContaining({ status: 400 })
		);
	});
});
