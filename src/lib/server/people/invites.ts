import { and, eq } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '../db/store';
import { hashToken } from '../auth/session';
import { findLink, issueLinkInWrite, NO_PASSWORD, useLink } from '../auth/links';
import { auditInWrite, type Actor } from '../audit/record';
import { normalizeEmail } from './users';
import { systemClock, type Clock } from '../shared/clock';
import { conflict } from '../shared/errors';
import { m } from '../../paraglide/messages.js';
import { queueInvitationMailInWrite } from '../notify/mail/account-mails';

const INVITE_LIFETIME = 14 * 24 * 60 * 60 * 1000;

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
 * `/invite/<token>`, where the person sets a password. Shown once; stored hashed; also mailed to
 * the person (notify/mail/). A new invitation voids the person's older links (auth/links.ts).
 */
export function createInvite(
	store: Store,
	input: InviteInput,
	clock: Clock = systemClock
): Promise<{ token: string; userId: number; created: boolean }> {
	return write(store, (tx) => createInviteInWrite(tx, store, input, clock()));
}

/** `createInvite` inside a store's write (teams/members.ts, which invites while it adds). */
export async function createInviteInWrite(
	tx: StoreDb,
	store: Store,
	input: InviteInput,
	now: number
): Promise<{ token: string; userId: number; created: boolean }> {
	const { season, seasonMember, team, user } = store.tables;
	const email = normalizeEmail(input.email);
	const [t] = await tx.select().from(team).where(eq(team.id, input.teamId));
	if (!t || t.seasonId !== input.seasonId)
		throw conflict('team_not_in_season', m.teams_error_team_not_in_season());
	let [person] = await tx.select().from(user).where(eq(user.email, email));
	// Accepting an invite sets the password: never for someone who already has one, or a
	// manager could take over any account (an admin's included).
	if (person && person.passwordHash !== NO_PASSWORD) {
		throw conflict('has_account', m.teams_error_has_account({ email }));
	}
	const created = !person;
	person ??= (
		await tx
			.insert(user)
			// Note: NO_PASSWORD is not a valid argon2 hash, so nobody can sign in before accepting.
			.values({
				email,
				displayName: input.displayName.trim() || email,
				role: 'participant',
				passwordHash: NO_PASSWORD
			})
			.returning()
	)[0];
	const [member] = await tx
		.select()
		.from(seasonMember)
		.where(and(eq(seasonMember.seasonId, input.seasonId), eq(seasonMember.userId, person.id)));
	if (member && member.teamId !== input.teamId) {
		throw conflict('already_member', `${email} is already in another team of this season`);
	}
	if (!member)
		await tx.insert(seasonMember).values({
			seasonId: input.seasonId,
			userId: person.id,
			teamId: input.teamId,
			joinedAt: now
		});
	const token = await issueLinkInWrite(
		tx,
		store,
		{
			purpose: 'invite',
			userId: person.id,
			email,
			seasonId: input.seasonId,
			createdById: input.actor.userId ?? null,
			lifetime: INVITE_LIFETIME
		},
		now
	);
	// The link also goes out by mail, in the same write: it exists when the link does.
	const [named] = await tx
		.select({ name: season.name })
		.from(season)
		.where(eq(season.id, input.seasonId));
	await queueInvitationMailInWrite(
		tx,
		store,
		{ userId: person.id, token, seasonName: named?.name ?? '', teamName: t.name },
		now
	);
	await auditInWrite(
		tx,
		store,
		input.actor,
		'member.invite',
		`user:${person.id}`,
		{ email, seasonId: input.seasonId, teamId: input.teamId },
		now
	);
	return { token, userId: person.id, created };
}

/** The invite behind a link, if it can still be used. */
export async function findInvite(store: Store, token: string, clock: Clock = systemClock) {
	const found = await findLink(store, token, 'invite', clock());
	return { email: found.email, name: found.name, userId: found.userId };
}

/**
 * Sets the first password from an invite link (once, and only while the account has none);
 * voids the person's other links and ends their sessions. The caller then signs them in.
 */
export function acceptInvite(
	store: Store,
	token: string,
	password: string,
	clock: Clock = systemClock
): Promise<number> {
	return useLink(store, token, 'invite', password, clock);
}

/** The season an invitation link is for (its name and look), once findInvite accepted it. */
export async function invitedSeason(store: Store, token: string) {
	const { invite: links, season: seasons } = store.tables;
	const [row] = await store.db
		.select({ name: seasons.name, theme: seasons.theme })
		.from(links)
		.innerJoin(seasons, eq(seasons.id, links.seasonId))
		.where(eq(links.tokenHash, hashToken(token)));
	return row;
}
