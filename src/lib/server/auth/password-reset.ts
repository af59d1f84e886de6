import { eq } from 'drizzle-orm';
import { write, type Store } from '../db/store';
import type { Role } from '../../contest/types';
import { auditInWrite } from '../audit/record';
import { findLink, issueLinkInWrite, NO_PASSWORD, useLink } from './links';
import { systemClock, type Clock } from '../shared/clock';
import { AppError, conflict, notFound } from '../shared/errors';
import { m } from '../../paraglide/messages.js';
import { queueResetMailInWrite } from '../notify/mail/account-mails';

// A forgotten password: a manager or admin issues a reset link (/reset/<token>) and hands it
// over (it is mailed to the person too); the person sets a new password with it. The same
// single-use, hashed, expiring links as invitations (links.ts); a reset link only works for an
// account that has a password.

export const RESET_LIFETIME = 24 * 60 * 60 * 1000;

/**
 * Who may reset whose password. A manager only a participant's (a manager resetting an admin's
 * password could take over the admin account); an admin anyone's but their own.
 */
export function mayReset(issuer: { id: number; role: Role }, target: { id: number; role: Role }) {
	if (issuer.id === target.id) return false;
	if (issuer.role === 'admin') return true;
	return issuer.role === 'manager' && target.role === 'participant';
}

/**
 * Issues a reset link for a person, voiding their older links, and queues the mail that carries
 * it; returns the token (shown once) and the address it is mailed to. One write through the
 * store: the link, its mail and the audit entry exist together or not at all.
 */
export function issueResetLink(
	store: Store,
	input: { userId: number; issuer: { id: number; role: Role } },
	clock: Clock = systemClock
): Promise<{ token: string; expiresAt: number; email: string }> {
	const now = clock();
	const { user } = store.tables;
	return write(store, async (tx) => {
		const [person] = await tx.select().from(user).where(eq(user.id, input.userId));
		if (!person) throw notFound('not_found', m.people_no_person());
		if (!mayReset(input.issuer, person)) {
			throw new AppError(403, 'forbidden', resetRefusal(input.issuer.id, person));
		}
		if (person.passwordHash === NO_PASSWORD) {
			throw conflict(
				'no_password',
				`${person.displayName} has not set a password yet: send them a new invitation from the team page instead.`
			);
		}
		const token = await issueLinkInWrite(
			tx,
			store,
			{
				purpose: 'reset',
				userId: person.id,
				email: person.email,
				createdById: input.issuer.id,
				lifetime: RESET_LIFETIME
			},
			now
		);
		await queueResetMailInWrite(tx, store, { userId: person.id, token, askedBy: 'manager' }, now);
		await auditInWrite(
			tx,
			store,
			{ userId: input.issuer.id },
			'member.reset_link',
			`user:${person.id}`,
			{ expiresAt: now + RESET_LIFETIME },
			now
		);
		return { token, expiresAt: now + RESET_LIFETIME, email: person.email };
	});
}

/** The person a reset link is for, if it can still be used (else a 410 AppError). */
export async function findReset(store: Store, token: string, clock: Clock = systemClock) {
	const found = await findLink(store, token, 'reset', clock());
	return { email: found.email, name: found.name, expiresAt: found.expiresAt };
}

/** Sets the new password (once), voids the other links and ends every session of the person. */
export function resetPassword(
	store: Store,
	token: string,
	password: string,
	clock: Clock = systemClock
): Promise<number> {
	return useLink(store, token, 'reset', password, clock);
}

/** Why `issuerId` may not reset `person`'s password, in the reader's language. */
export function resetRefusal(issuerId: number, person: { id: number; role: Role }): string {
	if (issuerId === person.id) return m.people_reset_self();
	if (person.role === 'admin') return m.people_reset_admin_only_admin();
	if (person.role === 'executive') return m.people_reset_admin_only_executive();
	return m.people_reset_admin_only_manager();
}
