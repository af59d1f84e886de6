import { describe, expect, it } from 'vitest';
import { writeCsv } from './csv';

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
