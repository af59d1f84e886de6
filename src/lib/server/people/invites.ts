import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db';
import { invite, season, seasonMember, team, user } from '../db/schema';
import { hashToken, invalidateUserSessions } from '../auth/session';
import { hashPassword } from '../auth/password';
import { audit, type Actor } from '../audit/record';
import { normalizeEmail } from './users';
import { systemClock, type Clock } from '../shared/clock';
import { AppError, badRequest, conflict } from '../shared/errors';

const INVITE_LIFETIME = 14 * 24 * 60 * 60 * 1000;

// Why a link cannot be used: gone for good (410), whatever the reason, as the invite page says.
const linkGone = (code: 'invalid' | 'expired' | 'used', message: string) =>
	new AppError(410, code, message);

interface InviteInput {
	email: string;
	displayName: string;
	seasonId: number;
	teamId: number;
	actor: Actor;
}

/**
 * Invites a person into a season's team: creates the participant account if the email is new
 * (with an unusable password), adds the membership and returns the token for the link
 * `/invite/<token>`, where the person sets a password. Shown once; stored hashed.
 */
export function createInvite(
	db: Db,
	input: InviteInput,
	clock: Clock = systemClock
): { token: string; userId: number; created: boolean } {
	const now = clock();
	const email = normalizeEmail(input.email);
	return db.transaction(
		(tx) => {
			const t = tx.select().from(team).where(eq(team.id, input.teamId)).get();
			if (!t || t.seasonId !== input.seasonId)
				throw conflict('team_not_in_season', 'That team is not in this season');
			let person = tx.select().from(user).where(eq(user.email, email)).get();
			// Accepting an invite sets the password: never for someone who already has one, or a
			// manager could take over any account (an admin's included).
			if (person && person.passwordHash !== '!') {
				throw conflict(
					'has_account',
					`${email} already has an account: add them to the team instead`
				);
			}
			const created = !person;
			person ??= tx
				.insert(user)
				// Note: '!' is not a valid argon2 hash, so nobody can sign in before accepting.
				.values({
					email,
					displayName: input.displayName.trim() || email,
					role: 'participant',
					passwordHash: '!'
				})
				.returning()
				.get();
			const member = tx
				.select()
				.from(seasonMember)
				.where(and(eq(seasonMember.seasonId, input.seasonId), eq(seasonMember.userId, person.id)))
				.get();
			if (member && member.teamId !== input.teamId) {
				throw conflict('already_member', `${email} is already in another team of this season`);
			}
			if (!member)
				tx.insert(seasonMember)
					.values({
						seasonId: input.seasonId,
						userId: person.id,
						teamId: input.teamId,
						joinedAt: now
					})
					.run();
			const bytes = new Uint8Array(20);
			crypto.getRandomValues(bytes);
			const token = encodeBase32LowerCaseNoPadding(bytes);
			tx.insert(invite)
				.values({
					email,
					userId: person.id,
					seasonId: input.seasonId,
					tokenHash: hashToken(token),
					createdById: input.actor.userId ?? null,
					createdAt: now,
					expiresAt: now + INVITE_LIFETIME
				})
				.run();
			audit(
				tx,
				input.actor,
				'member.invite',
				`user:${person.id}`,
				{ email, seasonId: input.seasonId, teamId: input.teamId },
				now
			);
			return { token, userId: person.id, created };
		},
		{ behavior: 'immediate' }
	);
}

/** The invite behind a link, if it can still be used. */
export function findInvite(db: Db, token: string, clock: Clock = systemClock) {
	const row = db
		.select({ invite, name: user.displayName })
		.from(invite)
		.innerJoin(user, eq(user.id, invite.userId))
		.where(eq(invite.tokenHash, hashToken(token)))
		.get();
	if (!row) throw linkGone('invalid', 'This invitation link is not valid');
	if (row.invite.acceptedAt != null)
		throw linkGone('used', 'This invitation was already used: sign in instead');
	if (clock() >= row.invite.expiresAt)
		throw linkGone('expired', 'This invitation has expired: ask your manager for a new one');
	return { email: row.invite.email, name: row.name, userId: row.invite.userId };
}

/** Sets the password from an invite link (once); the caller then signs the person in. */
export async function acceptInvite(
	db: Db,
	token: string,
	password: string,
	clock: Clock = systemClock
): Promise<number> {
	const found = findInvite(db, token, clock);
	if (password.length < 8 || password.length > 256) {
		throw badRequest('weak_password', 'Choose a password of at least 8 characters', {
			field: 'password'
		});
	}
	const passwordHash = await hashPassword(password);
	const now = clock();
	db.transaction((tx) => {
		const used = tx
			.update(invite)
			.set({ acceptedAt: now })
			.where(and(eq(invite.tokenHash, hashToken(token)), isNull(invite.acceptedAt)))
			.run();
		if (used.changes !== 1)
			throw linkGone('used', 'This invitation was already used: sign in instead');
		tx.update(user).set({ passwordHash }).where(eq(user.id, found.userId)).run();
		audit(tx, { userId: found.userId }, 'member.accept_invite', `user:${found.userId}`, {}, now);
	});
	invalidateUserSessions(db, found.userId);
	return found.userId;
}

/** The season an invitation link is for (its name and look), once findInvite accepted it. */
export function invitedSeason(db: Db, token: string) {
	return db
		.select({ name: season.name, theme: season.theme })
		.from(invite)
		.innerJoin(season, eq(season.id, invite.seasonId))
		.where(eq(invite.tokenHash, hashToken(token)))
		.get();
}
