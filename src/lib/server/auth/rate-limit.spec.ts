import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db';
import { closeStore, sqliteStore, type Store } from '../db/store';
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
	let store: Store;
	beforeEach(() => (store = sqliteStore(openDatabase(':memory:'))));
	afterEach(() => closeStore(store));

	/** `known`: the email has an account. */
	const attempt = (email: string, address: string, now: number, known = true) =>
		beginSignIn(store, { email, address, known }, now);
	const retry = (a: SignInAttempt) => (a.ok ? 0 : a.retryAfter);

	it('lets the free tries through, then makes each further one wait a growing delay', async () => {
		let now = 1_000_000;
		for (let i = 0; i < LOGIN_LIMITS.pair; i++)
			expect((await attempt('a@x', '1.1.1.1', now)).ok).toBe(true);
		expect(retry(await attempt('a@x', '1.1.1.1', now + 10 * SECOND))).toBe(20 * SECOND);
		now += 30 * SECOND;
		expect((await attempt('a@x', '1.1.1.1', now)).ok).toBe(true);
		expect(retry(await attempt('a@x', '1.1.1.1', now))).toBe(60 * SECOND);
		// The same account from another address is not held back by this address's failures.
		expect((await attempt('a@x', '2.2.2.2', now)).ok).toBe(true);
	});

	it('a success clears the account and takes back the failure counted in advance', async () => {
		for (let i = 0; i < LOGIN_LIMITS.pair - 1; i++) await attempt('a@x', '1.1.1.1', 0);
		const right = await attempt('a@x', '1.1.1.1', 0);
		expect(right.ok).toBe(true);
		if (right.ok) await signInSucceeded(store, right.keys);
		for (let i = 0; i < LOGIN_LIMITS.pair; i++)
			expect((await attempt('a@x', '1.1.1.1', 0)).ok).toBe(true);
	});

	it('an address spraying many accounts waits, but not for an account with no failures of its own', async () => {
		for (let i = 0; i < LOGIN_LIMITS.address; i++)
			expect((await attempt(`user${i}@x`, '6.6.6.6', 0)).ok).toBe(true);
		expect(retry(await attempt('user0@x', '6.6.6.6', 1))).toBeGreaterThan(0);
		expect((await attempt('fresh@x', '6.6.6.6', 1)).ok).toBe(true);
	});

	it('however often an address failed, an account with no failures of its own is never held back by it', async () => {
		// 20 wrong passwords for one account, then hundreds of made-up emails (most of them slowed).
		for (let i = 0; i < LOGIN_LIMITS.address; i++) await attempt('victim@x', '6.6.6.6', i);
		for (let i = 0; i < 300; i++) await attempt(`made-up${i}@x`, '6.6.6.6', 100 + i, false);
		const fresh = await attempt('colleague@x', '6.6.6.6', 1000);
		expect(fresh.ok).toBe(true);
		// ...but it is told the address's wait, to answer a wrong password with it.
		expect(fresh.ok && fresh.addressWait).toBeGreaterThan(0);
		// An email without an account and an account that failed itself wait.
		expect(retry(await attempt('made-up-again@x', '6.6.6.6', 1000, false))).toBeGreaterThan(0);
		expect(retry(await attempt('victim@x', '6.6.6.6', 1000))).toBeGreaterThan(0);
		// ...and so does the colleague's second try at once: the first counted as its own failure.
		expect(retry(await attempt('colleague@x', '6.6.6.6', 1000))).toBeGreaterThan(0);
	});

	it('an address under its allowance checks every email, known or not, with no address wait', async () => {
		const a = await attempt('nobody@x', '8.8.8.8', 0, false);
		expect(a.ok && a.addressWait).toBe(0);
		const b = await attempt('someone@x', '8.8.8.8', 0);
		expect(b.ok && b.addressWait).toBe(0);
	});

	it('forgets failures a day after the last one', async () => {
		const last = (LOGIN_LIMITS.pair + 2) * 20 * MINUTE;
		for (let i = 0; i < LOGIN_LIMITS.pair + 3; i++)
			expect((await attempt('a@x', '1.1.1.1', i * 20 * MINUTE)).ok).toBe(true);
		expect(retry(await attempt('a@x', '1.1.1.1', last))).toBe(4 * MINUTE);
		// A day later the count starts again: the free tries are back.
		for (let i = 0; i < LOGIN_LIMITS.pair; i++)
			expect((await attempt('a@x', '1.1.1.1', last + LOGIN_LIMITS.forgetAfter)).ok).toBe(true);
	});
});
