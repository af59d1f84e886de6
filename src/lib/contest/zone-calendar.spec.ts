import { TZDate } from '@date-fns/tz';
import { describe, expect, it } from 'vitest';
import {
	isWorkingDate,
	localDateKey,
	localDayRange,
	nextWorkingDate,
	weekKey,
	weekRange
} from './calendar';
import {
	dayKeyOf,
	dayRangeOf,
	isWorkingDay,
	nextWorkingDay,
	wallClockInstant,
	weekKeyOf,
	weekRangeOf
} from './zone-calendar';

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

	it('reads wall-clock times as TZDate does, in any order', () => {
		let seed = 11;
		const random = (n: number) =>
			Math.floor((((seed = (seed * 16807) % 2147483647) - 1) / 2147483646) * n);
		// Half-hour DST (Lord Howe), a skipped midnight (Santiago), an offset in seconds (Amsterdam
		// before 1937), an unknown zone; times in random order, each day asked many times.
		const spans = [
			['Australia/Lord_Howe', 2025],
			['America/Santiago', 2025],
			['Europe/Amsterdam', 1920],
			['Europe/Moscow', 2011],
			['Not/A_Zone', 2026]
		] as const;
		for (const [zone, year] of spans)
			for (let i = 0; i < 800; i++) {
				const [month, day, hour, minute] = [random(12), 1 + random(28), random(24), random(60)];
				expect(wallClockInstant(zone, year, month, day, hour, minute, 30, 250)).toEqual(
					new TZDate(year, month, day, hour, minute, 30, 250, zone).getTime()
				);
			}
	});

	it('finds working days as calendar.ts does', () => {
		const holidays = new Set(['2026-12-24', '2026-12-25', '2026-12-28', '2027-01-01']);
		for (const weekend of [undefined, [5, 6], [0]])
			for (let d = 0; d < 60; d++) {
				const key = new Date(Date.UTC(2026, 11, 1) + d * 86_400_000).toISOString().slice(0, 10);
				expect(isWorkingDay(key, holidays, weekend)).toBe(isWorkingDate(key, holidays, weekend));
				expect(nextWorkingDay(key, holidays, weekend)).toBe(
					nextWorkingDate(key, holidays, weekend)
				);
			}
	});
});
