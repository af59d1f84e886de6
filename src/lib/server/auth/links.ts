import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, eq, isNull, ne } from 'drizzle-orm';
import type { invite } from '../db/schema';
import { write, type Store, type StoreDb } from '../db/store';
import { auditInWrite } from '../audit/record';
import { hashPassword } from './password';
import { deleteUserSessionsInWrite, hashToken } from './session';
import { sessionsEnded } from './session-events';
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

/** Voids every open link of a person (but `exceptId`), inside a store's write: called when a
 * link is issued or used. */
export function voidOpenLinksInWrite(
	tx: StoreDb,
	store: Store,
	userId: number,
	now: number,
	exceptId?: number
) {
	const links = store.tables.invite;
	return tx
		.update(links)
		.set({ voidedAt: now })
		.where(openLinksOf(links, userId, exceptId));
}

function openLinksOf(links: Store['tables']['invite'], userId: number, exceptId?: number) {
	return and(
		eq(links.userId, userId),
		isNull(links.acceptedAt),
		isNull(links.voidedAt),
		exceptId === undefined ? undefined : ne(links.id, exceptId)
	);
}

/**
 * Stores a new link of a person (voiding their older ones), inside a store's write, and returns
 * its token: the self-service and the manager's reset, an invitation.
 */
export async function issueLinkInWrite(
	tx: StoreDb,
	store: Store,
	input: NewLink,
	now: number
): Promise<string> {
	await voidOpenLinksInWrite(tx, store, input.userId, now);
	const token = newLinkToken();
	await tx.insert(store.tables.invite).values(linkRow(input, token, now));
	return token;
}

type NewLink = {
	purpose: LinkPurpose;
	userId: number;
	email: string;
	seasonId?: number | null;
	createdById?: number | null;
	lifetime: number;
};

function linkRow(input: NewLink, token: string, now: number) {
	return {
		purpose: input.purpose,
		email: input.email,
		userId: input.userId,
		seasonId: input.seasonId ?? null,
		tokenHash: hashToken(token),
		createdById: input.createdById ?? null,
		createdAt: now,
		expiresAt: now + input.lifetime
	};
}

/**
 * The link behind a token, if it can still be used for `purpose`; otherwise a 410 AppError.
 * Read through the store: a link issued or used on one node is seen by every other.
 */
export async function findLink(store: Store, token: string, purpose: LinkPurpose, now: number) {
	const { invite: links, user: people } = store.tables;
	const [row] = await store.db
		.select({ link: links, name: people.displayName, passwordHash: people.passwordHash })
		.from(links)
		.innerJoin(people, eq(people.id, links.userId))
		.where(and(eq(links.tokenHash, hashToken(token)), eq(links.purpose, purpose)));
	return usableLink(row, purpose, now);
}

type LinkRow = {
	link: typeof invite.$inferSelect;
	name: string;
	passwordHash: string;
};

function usableLink(row: LinkRow | undefined, purpose: LinkPurpose, now: number) {
	const words = WORDS[purpose];
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
 * Sets the password from a link, once: in one write the link is marked used, the person's other
 * open links are voided and the password is written only if the account is in the state the
 * link is for (no password for an invitation, a password for a reset). Then every session of
 * the person ends; the caller signs them in afresh.
 */
export async function useLink(
	store: Store,
	token: string,
	purpose: LinkPurpose,
	password: string,
	clock: Clock = systemClock
): Promise<number> {
	const found = await findLink(store, token, purpose, clock());
	checkNewPassword(password);
	const passwordHash = await hashPassword(password);
	const now = clock();
	const words = WORDS[purpose];
	const { invite: links, user: people } = store.tables;
	await write(store, async (tx) => {
		const used = await tx
			.update(links)
			.set({ acceptedAt: now })
			.where(
				and(
					eq(links.id, found.id),
					isNull(links.acceptedAt),
					isNull(links.voidedAt),
					eq(links.purpose, purpose)
				)
			)
			.returning({ id: links.id });
		if (used.length !== 1) throw linkGone('used', words.used());
		const hasNoPassword = eq(people.passwordHash, NO_PASSWORD);
		const set = await tx
			.update(people)
			.set({ passwordHash })
			.where(
				and(
					eq(people.id, found.userId),
					purpose === 'invite' ? hasNoPassword : ne(people.passwordHash, NO_PASSWORD)
				)
			)
			.returning({ id: people.id });
		if (set.length !== 1) throw linkGone('used', words.used());
		await voidOpenLinksInWrite(tx, store, found.userId, now, found.id);
		await deleteUserSessionsInWrite(tx, store, found.userId);
		await auditInWrite(
			tx,
			store,
			{ userId: found.userId },
			purpose === 'invite' ? 'member.accept_invite' : 'member.reset_password',
			`user:${found.userId}`,
			{},
			now
		);
	});
	// After the commit: the live sockets of the person's old sessions are closed.
	sessionsEnded({ userId: found.userId });
	return found.userId;
}
