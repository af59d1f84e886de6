import { eq, inArray, lt, sql } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '../db/store';
import { intlLocale } from '../../i18n/current';

// Sign-in throttling with growing delays (OWASP's "exponential back-off" instead of a hard
// lock-out, so that nobody can lock a named person out by guessing wrong on purpose).
//
// Every attempt is counted as a failure BEFORE the slow password check, in one transaction, and
// taken back if the password is right: however many requests arrive at once, no more password
// checks run than the limits allow. Three counters, each its own row in `login_throttle`:
// - one account from one address: slows guessing one person's password;
// - one account from any address: slows a guess spread over many addresses, with a much higher
//   free allowance, so that one attacker's address cannot delay the owner elsewhere;
// - one address over all accounts: slows spraying one password over many accounts. It slows
//   attempts on emails that have no account and on accounts that have failures of their own,
//   but never holds back an account with no failures of its own: behind a reverse proxy (or one
//   office address) everybody may share an address, and someone else's failures must not lock
//   the whole company out. A sprayer thus gets one unslowed guess per real account (after it,
//   that account has a failure of its own and the address limit applies), and none on made-up
//   emails.
// When such an exempt attempt turns out wrong, the sign-in page answers with the address's wait,
// as it does for an email without an account: a slowed address cannot tell the two apart by the
// answer. (Only by its timing: the exempt attempt ran a password check.)
// In the database, not in memory: the counts hold across processes and restarts, and on
// PostgreSQL across the nodes sharing it (written through the store, db/store.ts: the same code
// on both dialects).

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const LOGIN_LIMITS = {
	/** Failures allowed without delay for one account from one address. */
	pair: 5,
	/** ... for one account from all addresses together. */
	account: 50,
	/**
	 * ... from one address over all accounts; it holds back only emails without an account and
	 * accounts that failed themselves.
	 */
	address: 20,
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

export type SignInAttempt =
	| {
			ok: true;
			keys: SignInKeys;
			/**
			 * > 0 when the address alone would have made this attempt wait but the account has no
			 * failures of its own: a wrong password then gets this wait as its answer.
			 */
			addressWait: number;
	  }
	| { ok: false; retryAfter: number };

/**
 * Decides whether a sign-in may check a password now and, if so, counts it as a failure in the
 * same transaction (taken back by `signInSucceeded`). When not, says how long to wait.
 */
export function beginSignIn(
	store: Store,
	/** `known`: the email belongs to an account. */
	input: { email: string; address: string; known: boolean },
	now: number
): Promise<SignInAttempt> {
	const keys = signInKeys(input.email, input.address);
	const { loginThrottle } = store.tables;
	// Serializable on both dialects (write()): two attempts at once cannot both read the same
	// count and both pass.
	return write(store, async (tx) => {
		await forgetOldCounts(tx, store, now);
		const rows = await tx
			.select()
			.from(loginThrottle)
			.where(inArray(loginThrottle.key, Object.values(keys)));
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
		// The address's count never refuses an account that has not failed itself.
		const exempt = input.known && count('account').failures === 0;
		const addressWait = wait('address');
		const retryAfter = Math.max(wait('pair'), wait('account'), exempt ? 0 : addressWait);
		if (retryAfter > 0) return { ok: false as const, retryAfter };
		for (const limit of ['pair', 'account', 'address'] as const) {
			await tx
				.insert(loginThrottle)
				.values({ key: keys[limit], failures: count(limit).failures + 1, lastFailureAt: now })
				.onConflictDoUpdate({
					target: loginThrottle.key,
					set: { failures: count(limit).failures + 1, lastFailureAt: now }
				});
		}
		return { ok: true as const, keys, addressWait: exempt ? addressWait : 0 };
	});
}

/**
 * The password was right: the account's own counts start again, and the address gets back the
 * failure counted in advance (other people's failures from it still count).
 */
export function signInSucceeded(store: Store, keys: SignInKeys): Promise<void> {
	const { loginThrottle } = store.tables;
	return write(store, async (tx) => {
		await tx.delete(loginThrottle).where(inArray(loginThrottle.key, [keys.pair, keys.account]));
		// Note: CASE, not SQLite's two-argument max() (PostgreSQL's is greatest()).
		await tx
			.update(loginThrottle)
			.set({
				failures: sql`case when ${loginThrottle.failures} > 0 then ${loginThrottle.failures} - 1 else 0 end`
			})
			.where(eq(loginThrottle.key, keys.address));
	});
}

/**
 * Drops counts nobody will look at again (their last failure is past `forgetAfter`), inside a
 * write: the sign-in's and the password-reset requests' (notify/mail/self-reset.ts).
 */
export function forgetOldCounts(tx: StoreDb, store: Store, now: number) {
	const { loginThrottle } = store.tables;
	return tx
		.delete(loginThrottle)
		.where(lt(loginThrottle.lastFailureAt, now - LOGIN_LIMITS.forgetAfter));
}

/** "30 seconds", "2 minutes" (in the reader's language): a wait, rounded up, for the sign-in page. */
export function waitInWords(ms: number, locale: string = intlLocale()): string {
	const [n, unit] =
		ms <= 90 * SECOND
			? [Math.max(1, Math.ceil(ms / SECOND)), 'second']
			: [Math.ceil(ms / MINUTE), 'minute'];
	return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(n);
}
