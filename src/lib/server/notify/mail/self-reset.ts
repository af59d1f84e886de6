import { eq, inArray } from 'drizzle-orm';
import { write, type Store } from '../../db/store';
import { issueLinkInWrite, NO_PASSWORD } from '../../auth/links';
import { forgetOldCounts } from '../../auth/rate-limit';
import { RESET_LIFETIME } from '../../auth/password-reset';
import { normalizeEmail } from '../../people/users';
import { queueResetMailInWrite } from './account-mails';

// "Forgot your password?" on the sign-in page, once mail is configured: the person types their
// address and, if it belongs to an account with a password, gets a reset link by mail (the same
// single-use links as a manager's, auth/links.ts). The answer never says whether the address
// has an account; the requests are limited per address and per client address, counted in
// login_throttle (in the database: the limits hold across processes, restarts and, on
// PostgreSQL, nodes).

const HOUR = 60 * 60 * 1000;

export const SELF_RESET_LIMITS = {
	/** Mails one address can ask for per window: enough for a typo and a lost mail. */
	email: 3,
	/** Requests one client address can make per window, over all addresses. */
	address: 10,
	windowMs: HOUR
} as const;

export type SelfResetAnswer = { ok: true } | { ok: false; retryAfter: number };

/**
 * Counts the request and, within the limits, mails a reset link to the account with this
 * address, if there is one that has set a password (an invited person who never joined gets
 * nothing: their invitation is the link). The same answer either way. One write through the
 * store (db/store.ts): on PostgreSQL the limits are shared by every node, and the link, its mail
 * and the count exist together or not at all.
 */
export function requestSelfReset(
	store: Store,
	input: { email: string; address: string },
	now: number
): Promise<SelfResetAnswer> {
	const email = normalizeEmail(input.email);
	const keys = { email: `reset:${email}`, address: `reset-ip:${input.address}` };
	const { loginThrottle, user } = store.tables;
	return write(store, async (tx) => {
		await forgetOldCounts(tx, store, now);
		// Each row counts the requests of one window: failures = the count, lastFailureAt = its start.
		const rows = await tx
			.select()
			.from(loginThrottle)
			.where(inArray(loginThrottle.key, Object.values(keys)));
		const counts = (['email', 'address'] as const).map((limit) => {
			const row = rows.find((r) => r.key === keys[limit]);
			const current = row && now - row.lastFailureAt < SELF_RESET_LIMITS.windowMs;
			return {
				limit,
				count: current ? row.failures : 0,
				since: current ? row.lastFailureAt : now
			};
		});
		const over = counts.filter((c) => c.count >= SELF_RESET_LIMITS[c.limit]);
		if (over.length > 0)
			return {
				ok: false as const,
				retryAfter: Math.max(...over.map((c) => c.since + SELF_RESET_LIMITS.windowMs - now))
			};
		for (const c of counts)
			await tx
				.insert(loginThrottle)
				.values({ key: keys[c.limit], failures: c.count + 1, lastFailureAt: c.since })
				.onConflictDoUpdate({
					target: loginThrottle.key,
					set: { failures: c.count + 1, lastFailureAt: c.since }
				});
		const [person] = await tx
			.select({ id: user.id, passwordHash: user.passwordHash })
			.from(user)
			.where(eq(user.email, email));
		if (person && person.passwordHash !== NO_PASSWORD) {
			const token = await issueLinkInWrite(
				tx,
				store,
				{ purpose: 'reset', userId: person.id, email, lifetime: RESET_LIFETIME },
				now
			);
			await queueResetMailInWrite(tx, store, { userId: person.id, token, askedBy: 'self' }, now);
		}
		return { ok: true as const };
	});
}
