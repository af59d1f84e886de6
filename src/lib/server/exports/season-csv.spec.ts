import { describe, expect, it } from 'vitest';
import { breakdownText } from './season-csv';

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
