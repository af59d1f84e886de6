import { describe, expect, it } from 'vitest';
import { breakdownText, toCsv } from './season-csv';

describe('toCsv', () => {
	it.each([
		{ cell: '=SUM(A1)', out: "'=SUM(A1)" },
		{ cell: '+31 6 123', out: "'+31 6 123" },
		{ cell: '-note', out: "'-note" },
		{ cell: '@home', out: "'@home" },
		{ cell: 'Anna', out: 'Anna' },
		{ cell: -7, out: '-7' },
		{ cell: null, out: '' }
	])('writes $cell as $out', ({ cell, out }) => {
		expect(toCsv(['a'], [[cell]]).split('\r\n')[1]).toBe(out);
	});
});

describe('breakdownText', () => {
	it('lists each reason with signed points', () => {
		expect(
			breakdownText({
				items: [
					{ label: 'Phone ×2', points: 100 },
					{ label: 'Reversal', points: -5 }
				]
			})
		).toBe('Phone ×2: +100; Reversal: -5');
		expect(breakdownText(null)).toBe('');
	});
});
