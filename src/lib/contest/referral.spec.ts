import { describe, expect, it } from 'vitest';
import {
	canMove,
	customerKey,
	isFinal,
	isLapsed,
	lapseDate,
	pointsStatus,
	type ReferralState
} from './referral';

describe('customerKey', () => {
	it.each([
		['ACME-001', 'ACME001'],
		['  acme 001 ', 'ACME001'],
		['acme.001', 'ACME001'],
		['NL 123.456-7', 'NL1234567'],
		['12/34_56', '123456'],
		['K\u2013700', 'K700'],
		['Ｋ７', 'K7'],
		['Jan.Smit@Example.COM', 'jan.smit@example.com'],
		[' buyer@shop.nl ', 'buyer@shop.nl'],
		['+31 6 1234-5678', '+31612345678']
	])('%j → %j', (reference, key) => {
		expect(customerKey(reference)).toBe(key);
	});

	it.each([[null], [undefined], [''], ['   '], ['- . -']])('%j has no key', (reference) => {
		expect(customerKey(reference)).toBeNull();
	});

	it('matches the same customer however it is typed', () => {
		expect(customerKey('acme 001')).toBe(customerKey('ACME-001'));
		expect(customerKey('ACME-001')).not.toBe(customerKey('ACME-002'));
	});
});

describe('lapseDate and isLapsed', () => {
	const DAY = 24 * 60 * 60 * 1000;
	it('lapses the given number of days after recording', () => {
		expect(lapseDate(1_000, 60)).toBe(1_000 + 60 * DAY);
		expect(lapseDate(1_000, 0)).toBe(1_000);
	});

	it.each<[ReferralState, number, boolean]>([
		['open', 99, false],
		['open', 100, true],
		['open', 101, true],
		['confirmed', 200, false],
		['rejected', 200, false],
		['lapsed', 200, false]
	])('%s at %i → %s', (status, now, lapsed) => {
		expect(isLapsed({ status, expiresAt: 100 }, now)).toBe(lapsed);
	});
});

describe('status transitions', () => {
	const states: ReferralState[] = ['open', 'confirmed', 'lapsed', 'rejected'];
	it.each([
		['open', 'confirmed', true],
		['open', 'lapsed', true],
		['open', 'rejected', true],
		['open', 'open', false]
	] as const)('%s → %s: %s', (from, to, allowed) => {
		expect(canMove(from, to)).toBe(allowed);
	});

	it('never leaves a final state', () => {
		for (const from of states.filter((s) => s !== 'open')) {
			expect(isFinal(from)).toBe(true);
			for (const to of states) expect(canMove(from, to)).toBe(false);
		}
		expect(isFinal('open')).toBe(false);
	});

	it.each([
		['open', 'provisional'],
		['confirmed', 'confirmed'],
		['lapsed', 'void'],
		['rejected', 'void']
	] as const)('%s points are %s', (state, points) => {
		expect(pointsStatus(state)).toBe(points);
	});
});
