import { TZDate } from '@date-fns/tz';
import { describe, expect, it } from 'vitest';
import { describeRule, localDateWindow, ruleStatus, ruleWindowText, type Rule } from './rules';
import type { CatalogueItem } from './types';

const HOUR = 3_600_000;
const TZ = 'Europe/Warsaw';

describe('localDateWindow', () => {
	it.each([
		{
			name: 'Warsaw, 1–15 March (CET)',
			from: '2026-03-01',
			to: '2026-03-15',
			timeZone: TZ,
			window: [Date.UTC(2026, 1, 28, 23), Date.UTC(2026, 2, 15, 23)]
		},
		{
			name: 'Warsaw spring-forward day lasts 23 h',
			from: '2026-03-29',
			to: '2026-03-29',
			timeZone: TZ,
			window: [Date.UTC(2026, 2, 28, 23), Date.UTC(2026, 2, 29, 22)]
		},
		{
			name: 'Warsaw fall-back day lasts 25 h',
			from: '2026-10-25',
			to: '2026-10-25',
			timeZone: TZ,
			window: [Date.UTC(2026, 9, 24, 22), Date.UTC(2026, 9, 25, 23)]
		},
		{
			name: 'New York spring-forward day',
			from: '2026-03-08',
			to: '2026-03-08',
			timeZone: 'America/New_York',
			window: [Date.UTC(2026, 2, 8, 5), Date.UTC(2026, 2, 9, 4)]
		},
		{
			name: 'Havana skips midnight: the day starts at 01:00',
			from: '2025-03-09',
			to: '2025-03-09',
			timeZone: 'America/Havana',
			window: [Date.UTC(2025, 2, 9, 5), Date.UTC(2025, 2, 10, 4)]
		},
		{
			name: 'across New Year in Tokyo',
			from: '2025-12-31',
			to: '2026-01-01',
			timeZone: 'Asia/Tokyo',
			window: [Date.UTC(2025, 11, 30, 15), Date.UTC(2026, 0, 1, 15)]
		}
	])('$name', ({ from, to, timeZone, window }) => {
		const { startsAt, endsAt } = localDateWindow(from, to, timeZone);
		expect([startsAt, endsAt]).toEqual(window);
	});

	it('includes 23:30 local on the last day and not 00:30 the day after', () => {
		const { endsAt } = localDateWindow('2026-03-01', '2026-03-15', TZ);
		expect(new TZDate(2026, 2, 15, 23, 30, TZ).getTime()).toBeLessThan(endsAt);
		expect(new TZDate(2026, 2, 16, 0, 30, TZ).getTime()).toBeGreaterThanOrEqual(endsAt);
		expect(endsAt - new TZDate(2026, 2, 15, 23, 30, TZ).getTime()).toBe(HOUR / 2);
	});

	it.each([
		{ from: '2026-02-30', to: '2026-03-01', timeZone: TZ, error: /No such date/ },
		{ from: '2026-3-1', to: '2026-03-02', timeZone: TZ, error: /YYYY-MM-DD/ },
		{ from: '2026-03-15', to: '2026-03-01', timeZone: TZ, error: /after/ },
		{ from: '2026-03-01', to: '2026-03-15', timeZone: 'Mars/Olympus', error: /time zone/ }
	])('rejects $from..$to in $timeZone', ({ from, to, timeZone, error }) => {
		expect(() => localDateWindow(from, to, timeZone)).toThrow(error);
	});
});

describe('describeRule', () => {
	const catalogue = new Map<string, CatalogueItem>([
		['HS-PRO', { sku: 'HS-PRO', name: 'Headset Pro', category: 'audio', points: 40, active: true }],
		['PH-X', { sku: 'PH-X', name: 'Phone X', category: 'phone', points: 100, active: true }]
	]);
	const march = localDateWindow('2026-03-01', '2026-03-15', TZ);
	const rule = (effect: Rule['effect'], extra: Partial<Rule> = {}): Rule => ({
		id: 1,
		name: 'Campaign',
		active: true,
		target: { kind: 'any' },
		effect,
		...extra
	});
	const sku = (value: string): Rule['target'] => ({ kind: 'sku', sku: value });
	const category = (value: string): Rule['target'] => ({ kind: 'category', category: value });
	const times = (factor: number): Rule['effect'] => ({ kind: 'multiplier', factor });

	it.each<{ rule: Rule; text: string; timeZone?: string; currency?: string }>([
		{
			rule: rule(
				{ kind: 'cross_sell_multiplier', withCategory: 'accessory', factor: 3 },
				{ target: sku('HS-PRO'), ...march }
			),
			text: 'Triple points on Headset Pro when an accessory is on the same sale, 1–15 March'
		},
		{ rule: rule(times(2), { target: sku('HS-PRO') }), text: 'Double points on Headset Pro' },
		{ rule: rule(times(2), { target: sku('ZZ-9') }), text: 'Double points on ZZ-9' },
		{ rule: rule(times(1.5), { target: category('phones') }), text: '1.5× points on all phones' },
		{
			rule: rule(times(4), { target: category('Phone') }),
			text: 'Quadruple points on every phone'
		},
		{ rule: rule(times(2)), text: 'Double points on everything' },
		{
			rule: rule(
				{ kind: 'cross_sell_bonus', withCategory: 'accessories', points: 20, per: 'unit' },
				{ target: sku('PH-X') }
			),
			text: '+20 points per Phone X when accessories are on the same sale'
		},
		{
			rule: rule(
				{ kind: 'cross_sell_bonus', withCategory: 'accessory', points: 50, per: 'sale' },
				{ target: category('phone') }
			),
			text: '+50 points per sale with a phone when an accessory is on the same sale'
		},
		{
			rule: rule({ kind: 'cross_sell_bonus', withCategory: 'accessory', points: 5, per: 'unit' }),
			text: '+5 points per item when an accessory is sold with another product'
		},
		{
			rule: rule({ kind: 'amount_bonus', minAmount: 100_000, points: 50 }),
			currency: 'EUR',
			text: '+50 points per sale with at least €1,000'
		},
		{
			rule: rule(
				{ kind: 'amount_bonus', minAmount: 150_050, points: 50 },
				{ target: category('audio') }
			),
			// Without a currency asked for, the organisation's (EUR here).
			text: '+50 points per sale with at least €1,500.50 of audio products'
		},
		{
			rule: rule({ kind: 'first_sale_bonus', points: 1 }),
			text: '+1 point for your first sale of the day'
		},
		{
			rule: rule({ kind: 'first_sale_bonus', points: 10 }, { target: sku('HS-PRO') }),
			text: '+10 points for your first sale of the day, if it includes Headset Pro'
		},
		{
			rule: rule(times(2), { ...march, dailyCap: 1_200 }),
			text: 'Double points on everything, 1–15 March (up to 1,200 points a day)'
		},
		{
			rule: rule(times(2), localDateWindow('2026-02-28', '2026-03-15', TZ)),
			text: 'Double points on everything, 28 February – 15 March'
		},
		{
			rule: rule(times(2), localDateWindow('2025-12-20', '2026-01-05', TZ)),
			text: 'Double points on everything, 20 December 2025 – 5 January 2026'
		},
		{
			rule: rule(times(2), localDateWindow('2026-03-29', '2026-03-29', TZ)),
			text: 'Double points on everything, on 29 March'
		},
		{
			rule: rule(times(2), { startsAt: march.startsAt }),
			text: 'Double points on everything, from 1 March'
		},
		{
			rule: rule(times(2), { endsAt: march.endsAt }),
			text: 'Double points on everything, until 15 March'
		},
		{
			rule: rule(times(2), {
				startsAt: new TZDate(2026, 2, 1, 9, 0, TZ).getTime(),
				endsAt: new TZDate(2026, 2, 15, 18, 0, TZ).getTime()
			}),
			text: 'Double points on everything, 1 March 09:00 – 15 March 18:00'
		},
		{
			// Dates are read in the zone asked for: Warsaw midnights are 23:00 in UTC.
			rule: rule(times(2), march),
			timeZone: 'UTC',
			text: 'Double points on everything, 28 February 23:00 – 15 March 23:00'
		}
	])('$text', ({ rule: r, text, timeZone, currency }) => {
		expect(describeRule(r, timeZone ?? TZ, { catalogue, currency })).toBe(text);
	});
});

describe('ruleStatus', () => {
	const now = 1000;
	it.each([
		{ row: { active: false, startsAt: null, endsAt: null }, status: 'off' },
		{ row: { active: true, startsAt: null, endsAt: null }, status: 'active' },
		{ row: { active: true, startsAt: 1001, endsAt: null }, status: 'scheduled' },
		{ row: { active: true, startsAt: 0, endsAt: 1000 }, status: 'over' },
		{ row: { active: true, startsAt: 1000, endsAt: 1001 }, status: 'active' }
	])('$status', ({ row, status }) => expect(ruleStatus(row, now)).toBe(status));
});

describe('ruleWindowText', () => {
	// Warsaw midnights (CET, UTC+1) of 1, 15 and 16 November 2026 and 1 January 2027.
	const nov1 = Date.UTC(2026, 9, 31, 23);
	const nov16 = Date.UTC(2026, 10, 15, 23);
	const nov2 = Date.UTC(2026, 10, 1, 23);
	const jan2 = Date.UTC(2027, 0, 1, 23);
	it.each([
		{ startsAt: null, endsAt: null, text: 'Whole season' },
		{ startsAt: nov1, endsAt: null, text: 'From 1 Nov 2026' },
		{ startsAt: null, endsAt: nov16, text: 'Until 15 Nov 2026' },
		{ startsAt: nov1, endsAt: nov2, text: 'On 1 Nov 2026' },
		{ startsAt: nov1, endsAt: nov16, text: '1 Nov – 15 Nov 2026' },
		{ startsAt: nov1, endsAt: jan2, text: '1 Nov 2026 – 1 Jan 2027' }
	])('$text', ({ startsAt, endsAt, text }) =>
		expect(ruleWindowText({ startsAt, endsAt }, TZ)).toBe(text)
	);
});
