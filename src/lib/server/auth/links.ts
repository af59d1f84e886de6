import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, eq, isNull, ne } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { invite, user } from '../db/schema';
import { audit } from '../audit/record';
import { hashPassword } from './password';
import { hashToken, invalidateUserSessions } from './session';
import { AppError, badRequest } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { m } from '../../paraglide/messages.js';

// The one mechanism behind invitation and password-reset links: a random token shown once and
// stored as its SHA-256, single use, expiring, and only ever one open link per person (a newer
// link, or the use of any link, voids the others). An invitation sets the first password of an
// account that has none; a reset replaces the password of an account that has one. Neither can
// do the other's job, so an old invitation can never take over an activated account.

export type LinkPurpose = 'invite' | 'reset';

/** The password hash of an account that has not set a password yet (not a valid argon2 hash). */
export const NO_PASSWORD = '!';

// Why each kind of link no longer works, in the words of the person opening it (a request).
const WORDS: Record<
	LinkPurpose,
	Record<'invalid' | 'used' | 'replaced' | 'expired', () => string>
> = {
	invite: {
		invalid: m.auth_invite_invalid,
		used: m.auth_invite_used,
		replaced: m.auth_invite_replaced,
		expired: m.auth_invite_expired
	},
	reset: {
		invalid: m.auth_reset_invalid,
		used: m.auth_reset_used,
		replaced: m.auth_reset_replaced,
		expired: m.auth_reset_expired
	}
};

// Why a link cannot be used: gone for good (410), whatever the reason, as the link pages say.
const linkGone = (code: 'invalid' | 'expired' | 'replaced' | 'used', message: string) =>
	new AppError(410, code, message);

export function newLinkToken(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

/** Voids every open link of a person (but `exceptId`): called when a link is issued or used. */
export function voidOpenLinks(tx: Queryable, userId: number, now: number, exceptId?: number) {
	tx.update(invite)
		.set({ voidedAt: now })
		.where(
			and(
				eq(invite.userId, userId),
				isNull(invite.acceptedAt),
				isNull(invite.voidedAt),
				exceptId === undefined ? undefined : ne(invite.id, exceptId)
			)
		)
		.run();
}

/** Stores a new link of a person (voiding their older ones) and returns its token. */
export function issueLink(
	tx: Queryable,
	input: {
		purpose: LinkPurpose;
		userId: number;
		email: string;
		seasonId?: number | null;
		createdById?: number | null;
		lifetime: number;
	},
	now: number
): string {
	voidOpenLinks(tx, input.userId, now);
	const token = newLinkToken();
	tx.insert(invite)
		.values({
			purpose: input.purpose,
			email: input.email,
			userId: input.userId,
			seasonId: input.seasonId ?? null,
			tokenHash: hashToken(token),
			createdById: input.createdById ?? null,
			createdAt: now,
			expiresAt: now + input.lifetime
		})
		.run();
	return token;
}

/** The link behind a token, if it can still be used for `purpose`; otherwise a 410 AppError. */
export function findLink(db: Queryable, token: string, purpose: LinkPurpose, now: number) {
	const words = WORDS[purpose];
	const row = db
		.select({ link: invite, name: user.displayName, passwordHash: user.passwordHash })
		.from(invite)
		.innerJoin(user, eq(user.id, invite.userId))
		.where(and(eq(invite.tokenHash, hashToken(token)), eq(invite.purpose, purpose)))
		.get();
	if (!row) throw linkGone('invalid', words.invalid());
	if (row.link.acceptedAt != null) throw linkGone('used', words.used());
	// An invitation is spent once the account has a password, whichever link set it.
	if (purpose === 'invite' && row.passwordHash !== NO_PASSWORD)
		throw linkGone('used', words.used());
	if (row.link.voidedAt != null) throw linkGone('replaced', words.replaced());
	if (purpose === 'reset' && row.passwordHash === NO_PASSWORD)
		throw linkGone('invalid', m.auth_reset_no_password());
	if (now >= row.link.expiresAt) throw linkGone('expired', words.expired());
	return {
		id: row.link.id,
		email: row.link.email,
		name: row.name,
		userId: row.link.userId,
		seasonId: row.link.seasonId,
		expiresAt: row.link.expiresAt
	};
}

export function checkNewPassword(password: string): void {
	if (password.length < 8 || password.length > 256) {
		throw badRequest('weak_password', m.auth_password_too_short(), {
			field: 'password'
		});
	}
}

/**
 * Sets the password from a link, once: in one transaction the link is marked used, the
 * person's other open links are voided and the password is written only if the account is in
 * the state the link is for (no password for an invitation, a password for a reset). Then every
 * session of the person ends; the caller signs them in afresh.
 */
export async function useLink(
	db: Db,
	token: string,
	purpose: LinkPurpose,
	password: string,
	clock: Clock = systemClock
): Promise<number> {
	const found = findLink(db, token, purpose, clock());
	checkNewPassword(password);
	const passwordHash = await hashPassword(password);
	const now = clock();
	const words = WORDS[purpose];
	db.transaction(
		(tx) => {
			const used = tx
				.update(invite)
				.set({ acceptedAt: now })
				.where(
					and(
						eq(invite.id, found.id),
						isNull(invite.acceptedAt),
						isNull(invite.voidedAt),
						eq(invite.purpose, purpose)
					)
				)
				.run();
			if (used.changes !== 1) throw linkGone('used', words.used());
			const hasNoPassword = eq(user.passwordHash, NO_PASSWORD);
			const set = tx
				.update(user)
				.set({ passwordHash })
				.where(
					and(
						eq(user.id, found.userId),
						purpose === 'invite' ? hasNoPassword : ne(user.passwordHash, NO_PASSWORD)
					)
				)
				.run();
			if (set.changes !== 1) throw linkGone('used', words.used());
			voidOpenLinks(tx, found.userId, now, found.id);
			invalidateUserSessions(tx, found.userId);
			audit(
				tx,
				{ userId: found.userId },
				purpose === 'invite' ? 'member.accept_invite' : 'member.reset_password',
				`user:${found.userId}`,
				{},
				now
			);
		},
		{ behavior: 'immediate' }
	);
	return found.userId;
}
