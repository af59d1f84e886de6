import { eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { loginThrottle } from '../db/schema';

// Sign-in throttling with growing delays (OWASP's "exponential back-off" instead of a hard
// lock-out, so that nobody can lock a named person out by guessing wrong on purpose).
//
// Every attempt is counted as a failure BEFORE the slow password check, in one transaction, and
// taken back if the password is right: however many requests arrive at once, no more password
// checks run than the limits allow. Three counters, each its own row in `login_throttle`:
// - one account from one address: slows guessing one person's password;
// - one account from any address: slows a guess spread over many addresses, with a much higher
//   free allowance, so that one attacker's address cannot delay the owner elsewhere;
// - one address over all accounts: slows spraying one password over many accounts; it does not
//   hold back an account that has no failures of its own (people behind one office address),
//   until the address has failed so often (`addressForEveryone`) that it holds back everyone:
//   otherwise a sprayer of ever new emails would get unlimited password checks.
// In the database, not in memory: the counts hold across processes and restarts.

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const LOGIN_LIMITS = {
	/** Failures allowed without delay for one account from one address. */
	pair: 5,
	/** ... for one account from all addresses together. */
	account: 50,
	/** ... from one address over all accounts, for accounts that failed themselves. */
	address: 20,
	/** ... from one address over all accounts, for every account. */
	addressForEveryone: 100,
	/** The wait after the first failure beyond the allowance; it doubles with each further one. */
	firstDelay: 30 * SECOND,
	maxDelay: 15 * MINUTE,
	/** Counts are forgotten this long after their last failure. */
	forgetAfter: 24 * 60 * MINUTE
} as const;

type Limit = 'pair' | 'account' | 'address';

/** Milliseconds to wait after the last failure, given `failures` and the allowance. */
export function delayAfter(failures: number, free: number): number {
	if (failures < free) return 0;
	const doublings = Math.min(failures - free, 20);
	return Math.min(LOGIN_LIMITS.firstDelay * 2 ** doublings, LOGIN_LIMITS.maxDelay);
}

export interface SignInKeys {
	pair: string;
	account: string;
	address: string;
}

export function signInKeys(email: string, address: string): SignInKeys {
	return {
		pair: `pair:${email}|${address}`,
		account: `account:${email}`,
		address: `ip:${address}`
	};
}

export type SignInAttempt = { ok: true; keys: SignInKeys } | { ok: false; retryAfter: number };

/**
 * Decides whether a sign-in may check a password now and, if so, counts it as a failure in the
 * same transaction (taken back by `signInSucceeded`). When not, says how long to wait.
 */
export function beginSignIn(
	db: Db,
	input: { email: string; address: string },
	now: number
): SignInAttempt {
	const keys = signInKeys(input.email, input.address);
	return db.transaction(
		(tx) => {
			forgetOldFailures(tx, now);
			const rows = tx
				.select()
				.from(loginThrottle)
				.where(inArray(loginThrottle.key, Object.values(keys)))
				.all();
			const count = (limit: Limit) => {
				const row = rows.find((r) => r.key === keys[limit]);
				return row && row.lastFailureAt > now - LOGIN_LIMITS.forgetAfter
					? row
					: { failures: 0, lastFailureAt: now };
			};
			const wait = (limit: Limit, free: number = LOGIN_LIMITS[limit]) => {
				const { failures, lastFailureAt } = count(limit);
				return Math.max(0, lastFailureAt + delayAfter(failures, free) - now);
			};
			const ownFailures = count('account').failures > 0;
			const retryAfter = Math.max(
				wait('pair'),
				wait('account'),
				wait('address', ownFailures ? LOGIN_LIMITS.address : LOGIN_LIMITS.addressForEveryone)
			);
			if (retryAfter > 0) return { ok: false as const, retryAfter };
			for (const limit of ['pair', 'account', 'address'] as const) {
				tx.insert(loginThrottle)
					.values({ key: keys[limit], failures: count(limit).failures + 1, lastFailureAt: now })
					.onConflictDoUpdate({
						target: loginThrottle.key,
						set: { failures: count(limit).failures + 1, lastFailureAt: now }
					})
					.run();
			}
			return { ok: true as const, keys };
		},
		{ behavior: 'immediate' }
	);
}

/**
 * The password was right: the account's own counts start again, and the address gets back the
 * failure counted in advance (other people's failures from it still count).
 */
export function signInSucceeded(db: Queryable, keys: SignInKeys): void {
	db.delete(loginThrottle)
		.where(inArray(loginThrottle.key, [keys.pair, keys.account]))
		.run();
	db.update(loginThrottle)
		.set({ failures: sql`max(${loginThrottle.failures} - 1, 0)` })
		.where(eq(loginThrottle.key, keys.address))
		.run();
}

/** Drops counts nobody will look at again (their last failure is past `forgetAfter`). */
export function forgetOldFailures(db: Queryable, now: number): void {
	db.delete(loginThrottle)
		.where(lt(loginThrottle.lastFailureAt, now - LOGIN_LIMITS.forgetAfter))
		.run();
}

/** "30 seconds", "2 minutes": a wait, rounded up, for the sign-in page. */
export function waitInWords(ms: number): string {
	const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
	if (ms <= 90 * SECOND) return plural(Math.max(1, Math.ceil(ms / SECOND)), 'second');
	return plural(Math.ceil(ms / MINUTE), 'minute');
}
