import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db';
import {
	beginSignIn,
	delayAfter,
	LOGIN_LIMITS,
	signInSucceeded,
	waitInWords,
	type SignInAttempt
} from './rate-limit';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe('delayAfter', () => {
	it.each([
		{ failures: 0, delay: 0 },
		{ failures: 4, delay: 0 },
		{ failures: 5, delay: 30 * SECOND },
		{ failures: 6, delay: 60 * SECOND },
		{ failures: 7, delay: 2 * MINUTE },
		{ failures: 9, delay: 8 * MINUTE },
		{ failures: 10, delay: 15 * MINUTE },
		{ failures: 500, delay: 15 * MINUTE }
	])('after $failures failures (5 free) waits $delay ms', ({ failures, delay }) => {
		expect(delayAfter(failures, 5)).toBe(delay);
	});
});

describe('waitInWords', () => {
	it.each([
		{ ms: 1, words: '1 second' },
		{ ms: 29_001, words: '30 seconds' },
		{ ms: 90_000, words: '90 seconds' },
		{ ms: 90_001, words: '2 minutes' },
		{ ms: 15 * MINUTE, words: '15 minutes' }
	])('$ms ms reads "$words"', ({ ms, words }) => {
		expect(waitInWords(ms)).toBe(words);
	});
});

describe('beginSignIn', () => {
	let db: Db;
	beforeEach(() => (db = openDatabase(':memory:')));
	afterEach(() => db.$client.close());

	const attempt = (email: string, address: string, now: number) =>
		beginSignIn(db, { email, address }, now);
	const retry = (a: SignInAttempt) => (a.ok ? 0 : a.retryAfter);

	it('lets the free tries through, then makes each further one wait a growing delay', () => {
		let now = 1_000_000;
		for (let i = 0; i < LOGIN_LIMITS.pair; i++)
			expect(attempt('a@x', '1.1.1.1', now).ok).toBe(true);
		expect(retry(attempt('a@x', '1.1.1.1', now + 10 * SECOND))).toBe(20 * SECOND);
		now += 30 * SECOND;
		expect(attempt('a@x', '1.1.1.1', now).ok).toBe(true);
		expect(retry(attempt('a@x', '1.1.1.1', now))).toBe(60 * SECOND);
		// The same account from another address is not held back by this address's failures.
		expect(attempt('a@x', '2.2.2.2', now).ok).toBe(true);
	});

	it('a success clears the account and takes back the failure counted in advance', () => {
		for (let i = 0; i < LOGIN_LIMITS.pair - 1; i++) attempt('a@x', '1.1.1.1', 0);
		const right = attempt('a@x', '1.1.1.1', 0);
		expect(right.ok).toBe(true);
		if (right.ok) signInSucceeded(db, right.keys);
		for (let i = 0; i < LOGIN_LIMITS.pair; i++) expect(attempt('a@x', '1.1.1.1', 0).ok).toBe(true);
	});

	it('an address spraying many accounts waits, but not for an account with no failures of its own', () => {
		for (let i = 0; i < LOGIN_LIMITS.address; i++)
			expect(attempt(`user${i}@x`, '6.6.6.6', 0).ok).toBe(true);
		expect(retry(attempt('user0@x', '6.6.6.6', 1))).toBeGreaterThan(0);
		expect(attempt('fresh@x', '6.6.6.6', 1).ok).toBe(true);
	});

	it('an address that failed very often holds back every account, so that spraying new emails stops', () => {
		for (let i = 0; i < LOGIN_LIMITS.addressForEveryone; i++)
			expect(attempt(`user${i}@x`, '6.6.6.6', 0).ok).toBe(true);
		expect(retry(attempt('fresh@x', '6.6.6.6', 1))).toBe(30 * SECOND - 1);
		// Elsewhere the same account signs in as usual.
		expect(attempt('fresh@x', '7.7.7.7', 1).ok).toBe(true);
	});

	it('forgets failures a day after the last one', () => {
		const last = (LOGIN_LIMITS.pair + 2) * 20 * MINUTE;
		for (let i = 0; i < LOGIN_LIMITS.pair + 3; i++)
			expect(attempt('a@x', '1.1.1.1', i * 20 * MINUTE).ok).toBe(true);
		expect(retry(attempt('a@x', '1.1.1.1', last))).toBe(4 * MINUTE);
		// A day later the count starts again: the free tries are back.
		for (let i = 0; i < LOGIN_LIMITS.pair; i++)
			expect(attempt('a@x', '1.1.1.1', last + LOGIN_LIMITS.forgetAfter).ok).toBe(true);
	});
});
