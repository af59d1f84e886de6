import { describe, expect, it } from 'vitest';
import { localDateKey, localDayRange, weekKey, weekRange } from './calendar';
import { dayKeyOf, dayRangeOf, weekKeyOf, weekRangeOf } from './zone-calendar';

describe('zone calendar', () => {
	it('answers as calendar.ts does, across DST changes and in any order', () => {
		let seed = 7;
		const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
		// Two years around the DST changes of three zones, instants asked in random order.
		const from = Date.UTC(2025, 0, 1);
		const span = 2 * 365 * 86_400_000;
		for (const zone of ['Europe/Warsaw', 'America/Santiago', 'UTC'])
			for (let i = 0; i < 150; i++) {
				const ms = from + Math.floor(random() * span);
				const key = localDateKey(ms, zone);
				expect(dayKeyOf(ms, zone)).toBe(key);
				expect(dayRangeOf(ms, zone)).toEqual(localDayRange(key, zone));
				expect(weekKeyOf(ms, zone)).toBe(weekKey(ms, zone));
				expect(weekRangeOf(ms, zone)).toEqual(weekRange(ms, zone));
			}
	});
});
