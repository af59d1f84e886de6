import { describe, expect, it } from 'vitest';
import { newSeasonSchema } from './fields';
import { blankSeasonValues, parseSeasonValues } from './season-form';
import { runEndDate, validColour } from '$lib/components/console/season-values';
import { nextSeason, seasonBounds } from '$lib/contest/calendar';

// One set of season fields: the console form and the API body refuse the same things.

const NOW = Date.UTC(2026, 2, 2, 9);
const blank = { ...blankSeasonValues('Europe/Warsaw', NOW), name: 'Spring push' };
const body = {
	name: 'Spring push',
	timeZone: 'Europe/Warsaw',
	startsAt: '2026-03-02T00:00:00+01:00',
	endsAt: '2026-03-30T00:00:00+02:00'
};

describe('the season form', () => {
	it('reads a valid form into the settings a season is saved with', () => {
		const parsed = parseSeasonValues({ ...blank, recurrence: 'month', every: '3', prize1: 'Trip' });
		expect(parsed).toMatchObject({
			ok: true,
			input: {
				name: 'Spring push',
				timeZone: 'Europe/Warsaw',
				startDate: '2026-03-02',
				recurrence: { every: 3, unit: 'month' },
				target: null,
				graceDays: 7,
				maxSalePoints: 100_000,
				prizes: [{ place: 1, title: 'Trip' }]
			}
		});
	});

	it.each([
		[{ name: ' ' }, 'name', 'Give the season a name'],
		[{ primary: 'blue' }, 'primary', 'Use a colour like #2563eb'],
		[{ timeZone: 'other', timeZoneOther: 'Mars/Base' }, 'timeZoneOther', 'Unknown time zone'],
		[{ recurrence: 'month' as const, every: '30' }, 'every', 'Repeat every 1 to 24 months'],
		[{ recurrence: 'month' as const, every: '0' }, 'every', 'Repeat every 1 to 24 months'],
		[{ recurrence: 'week' as const, every: 'x' }, 'every', 'Repeat every 1 to 52 weeks'],
		[
			{ target: '1.5' },
			'target',
			'The target must be a whole number from 1 to 100,000,000, or empty'
		],
		[{ graceDays: '91' }, 'graceDays', 'Grace days must be a whole number from 0 to 90'],
		[
			{ maxSalePoints: '0' },
			'maxSalePoints',
			'The points one sale may score must be a whole number from 1 to 100,000,000'
		],
		[
			{ maxSalePoints: '1e6' },
			'maxSalePoints',
			'The points one sale may score must be a whole number from 1 to 100,000,000'
		],
		[{ endDate: '2026-03-01' }, 'endDate', 'The last day must be on or after the first day'],
		[{ prize2: 'x'.repeat(121) }, 'prize2', 'Keep the title under 120 characters'],
		[{ name: 'x'.repeat(5000) }, 'name', 'Keep the name under 100 characters'],
		[{ tagline: 'x'.repeat(141) }, 'tagline', 'Keep the tagline under 140 characters']
	])('refuses %o with a message on %s', (change, key, message) => {
		const parsed = parseSeasonValues({ ...blank, ...change });
		expect(parsed.ok).toBe(false);
		if (!parsed.ok) expect(parsed.errors[key as keyof typeof parsed.errors]).toContain(message);
	});
});

describe('the season form: how multipliers combine', () => {
	it("starts with 'best multiplier wins' and saves the choice", () => {
		expect(blank.multipliers).toBe('best');
		const parsed = parseSeasonValues({ ...blank, multipliers: 'multiply' });
		expect(parsed).toMatchObject({ ok: true, input: { multiplierMode: 'multiply' } });
	});
});

describe('one run of a repeating season (what "Make it quarterly" and "Repeat" set)', () => {
	it.each([
		['2026-01-01', 'month', 3, '2026-03-31'],
		['2026-01-15', 'month', 3, '2026-04-14'],
		['2026-11-01', 'month', 3, '2027-01-31'],
		['2026-03-02', 'month', 1, '2026-04-01'],
		['2026-01-31', 'month', 1, '2026-02-27'],
		['2026-03-02', 'week', 1, '2026-03-08'],
		['2026-12-28', 'week', 2, '2027-01-10']
	] as const)('%s every %i %s(s) → last day %s', (start, unit, every, end) => {
		expect(runEndDate(start, unit, every)).toBe(end);
	});

	it.each([
		['2026-02-30', 'month', 1],
		['', 'week', 1],
		['2026-03-02', 'month', 0]
	] as const)('no end for %o', (start, unit, every) => {
		expect(runEndDate(start, unit, every)).toBe('');
	});

	// The season it sets lasts exactly one run: the scheduler's next one starts when it ends.
	it.each([
		['2026-01-01', 'month', 3],
		['2026-01-15', 'month', 3],
		['2026-01-31', 'month', 1],
		['2026-03-23', 'week', 1]
	] as const)('%s every %i %s(s) is back-to-back with the next run', (start, unit, every) => {
		const timeZone = 'Europe/Warsaw';
		const window = seasonBounds({
			startDate: start,
			endDate: runEndDate(start, unit, every),
			timeZone
		});
		expect(nextSeason({ ...window, timeZone }, { every, unit }).startsAt).toBe(window.endsAt);
	});
});

describe('colour fields', () => {
	it.each([
		['', '#2563eb'],
		[null, '#2563eb'],
		['blue', '#2563eb'],
		['#ABCDEF', '#abcdef']
	])('%o shows as %s', (value, shown) => {
		expect(validColour(value, '#2563eb')).toBe(shown);
	});
});

describe('the API body', () => {
	it('fills in the defaults and canonicalizes the zone', () => {
		expect(newSeasonSchema.parse({ ...body, timeZone: 'europe/warsaw' })).toMatchObject({
			timeZone: 'Europe/Warsaw',
			theme: { primary: '#2563eb', emoji: '🏆', tagline: '' },
			tieRule: 'competition',
			graceDays: 7,
			maxSalePoints: 100_000,
			draft: false
		});
	});

	it.each([
		[{ recurrence: { every: 30, unit: 'month' } }, 'recurrence.every'],
		[{ recurrence: { every: 0, unit: 'year' } }, 'recurrence.every'],
		[{ graceDays: 91 }, 'graceDays'],
		[{ maxSalePoints: 2.5 }, 'maxSalePoints'],
		[{ name: '' }, 'name'],
		[{ endsAt: body.startsAt }, 'endsAt']
	])('refuses %o at %s', (change, path) => {
		const parsed = newSeasonSchema.safeParse({ ...body, ...change });
		expect(parsed.success).toBe(false);
		expect(parsed.error?.issues.map((i) => i.path.join('.'))).toContain(path);
	});
});
