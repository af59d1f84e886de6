import { describe, expect, it } from 'vitest';
import { age, ago, dateRange, datesIn, formatAt } from './dates';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// 3 Dec 2026, 10:38 UTC: 11:38 in Paris (winter), 05:38 in New York.
const AT = Date.UTC(2026, 11, 3, 10, 38);

describe('formatAt', () => {
	it("shows one instant in the season's zone, whatever zone the reader is in", () => {
		expect(formatAt(AT, 'time', 'Europe/Paris')).toBe('11:38');
		expect(formatAt(AT, 'time', 'America/New_York')).toBe('05:38');
		expect(formatAt(AT, 'time')).toBe('10:38');
		expect(formatAt(AT, 'dateTime', 'Europe/Paris')).toBe('3 Dec, 11:38');
		expect(formatAt(AT, 'date', 'Europe/Paris')).toBe('3 Dec 2026');
	});

	it('changes the day at midnight in the zone, not in UTC', () => {
		const lateUtc = Date.UTC(2026, 11, 3, 23, 30);
		expect(formatAt(lateUtc, 'date', 'UTC')).toBe('3 Dec 2026');
		expect(formatAt(lateUtc, 'date', 'Europe/Paris')).toBe('4 Dec 2026');
		expect(formatAt(lateUtc, 'weekday', 'Europe/Paris')).toBe('Fri 4 Dec');
	});
});

describe('datesIn', () => {
	const paris = datesIn('Europe/Paris');
	it('gives the formatters of one zone', () => {
		expect(paris.dateTime(AT)).toBe('3 Dec, 11:38');
		expect(paris.dayMonth(AT)).toBe('3 Dec');
		expect(datesIn(undefined).time(AT)).toBe('10:38');
	});

	it('shows a half-open range of days, one day and across years', () => {
		const start = Date.UTC(2026, 11, 2, 23); // 3 Dec in Paris
		expect(paris.range(start, start + 7 * DAY)).toBe('3 Dec – 9 Dec 2026');
		expect(paris.range(start, start + DAY)).toBe('3 Dec 2026');
		const newYear = Date.UTC(2026, 11, 27, 23); // 28 Dec in Paris
		expect(dateRange(newYear, newYear + 7 * DAY, 'Europe/Paris')).toBe('28 Dec 2026 – 3 Jan 2027');
	});
});

describe('ago', () => {
	const now = AT;
	it('reads like a person would say it: never "35 hours ago"', () => {
		expect(ago(now - 10_000, now)).toBe('now');
		expect(ago(now - 5 * MINUTE, now)).toBe('5 minutes ago');
		expect(ago(now - 3 * HOUR, now)).toBe('3 hours ago');
		expect(ago(now - 35 * HOUR, now)).toBe('yesterday');
		expect(ago(now - 2 * DAY, now)).toBe('2 days ago');
		expect(ago(now + 2 * HOUR, now)).toBe('in 2 hours');
	});
});

describe('age', () => {
	it('says how long something has waited', () => {
		expect(age(AT, AT)).toBe('now');
		expect(age(AT - MINUTE, AT)).toBe('1 minute');
		expect(age(AT - 5 * HOUR, AT)).toBe('5 hours');
		expect(age(AT - 3 * DAY - HOUR, AT)).toBe('3 days');
		expect(age(AT + HOUR, AT)).toBe('now');
	});
});
