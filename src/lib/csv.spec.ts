import { describe, expect, it } from 'vitest';
import { readCsv, writeCsv } from './csv';

// Moved from exports/season-csv.spec.ts with the writer it tested.
describe('writeCsv', () => {
	it.each([
		{ cell: '=SUM(A1)', out: "'=SUM(A1)" },
		{ cell: '+31 6 123', out: "'+31 6 123" },
		{ cell: '-note', out: "'-note" },
		{ cell: '@home', out: "'@home" },
		{ cell: 'Anna', out: 'Anna' },
		{ cell: -7, out: '-7' },
		{ cell: null, out: '' }
	])('writes $cell as $out', ({ cell, out }) => {
		expect(writeCsv(['a'], [[cell]]).split('\r\n')[1]).toBe(out);
	});
});

describe('writeCsv in European spreadsheet style', () => {
	const eu = { delimiter: ';', decimalComma: true } as const;
	it('separates cells with ";", quotes a cell holding one, and writes decimal commas', () => {
		const text = writeCsv(['name', 'share', 'points'], [['Ann; Bob', 42.5, -7]], eu);
		expect(text).toBe('name;share;points\r\n"Ann; Bob";42,5;-7');
	});
	it('keeps formula-like text as text', () => {
		expect(writeCsv(['a', 'b'], [['=HYPERLINK("x")', '-1,5']], eu).split('\r\n')[1]).toBe(
			`"'=HYPERLINK(""x"")";'-1,5`
		);
	});
	it('reads back with readCsv, the delimiter guessed', () => {
		const text = writeCsv(['name', 'price'], [['Zoë', '1099,00']], eu);
		expect(readCsv(text).records).toEqual([
			['name', 'price'],
			['Zoë', '1099,00']
		]);
		expect(readCsv(text).delimiter).toBe(';');
	});
});
