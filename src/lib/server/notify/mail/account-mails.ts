import { eq } from 'drizzle-orm';
import { m } from '../../../paraglide/messages.js';
import { appOrigin } from './config';
import type { Store, StoreDb } from '../../db/store';
import { readOrganisation } from '../../organisation/settings';
import type { Locale } from '../../../i18n/locales';
import { queueMailInWrite } from './queue';
import { renderMail } from './templates';

// The mails that carry a link to set a password: an invitation, and a password reset (asked for
// by the person on /forgot, or issued by a manager). Queued in the transaction that stores the
// link, so that the mail exists exactly when the link does; neither can be switched off.

/** Queues the invitation mail with the link `/invite/<token>`, inside a store's write
 * (db/store.ts): people/invites.ts `createInviteInWrite`. */
export async function queueInvitationMailInWrite(
	tx: StoreDb,
	store: Store,
	input: { userId: number; token: string; seasonName: string; teamName: string },
	now: number
): Promise<void> {
	const { user: people } = store.tables;
	const [to] = await tx
		.select({ name: people.displayName, email: people.email, locale: people.locale })
		.from(people)
		.where(eq(people.id, input.userId));
	if (!to) return;
	// Their own language, else the organisation's default (a mail has no browser to ask).
	const locale = to.locale ?? (await readOrganisation(tx, store)).defaultLocale;
	const o = { locale };
	const mail = renderMail({
		locale,
		subject: m.mail_invite_subject({ season: input.seasonName }, o),
		greeting: m.mail_greeting({ name: to.name }, o),
		paragraphs: [m.mail_invite_body({ season: input.seasonName, team: input.teamName }, o)],
		action: { label: m.mail_invite_action({}, o), url: `${appOrigin()}/invite/${input.token}` },
		notes: [m.mail_invite_expires({}, o)]
	});
	await queueMailInWrite(
		tx,
		store,
		{ userId: input.userId, kind: 'invitation', to: to.email, ...mail },
		now
	);
}

/** Queues the password-reset mail with the link `/reset/<token>`, inside a store's write
 * (db/store.ts): a manager's reset and the self-service one. */
export async function queueResetMailInWrite(
	tx: StoreDb,
	store: Store,
	input: ResetMail,
	now: number
): Promise<void> {
	const { user: people } = store.tables;
	const [to] = await tx
		.select({ name: people.displayName, email: people.email, locale: people.locale })
		.from(people)
		.where(eq(people.id, input.userId));
	if (!to) return;
	// Their own language, else the organisation's default (a mail has no browser to ask).
	const locale = to.locale ?? (await readOrganisation(tx, store)).defaultLocale;
	await queueMailInWrite(
		tx,
		store,
		{
			userId: input.userId,
			kind: 'password_reset',
			to: to.email,
			...resetMail(to.name, locale, input)
		},
		now
	);
}

type ResetMail = { userId: number; token: string; askedBy: 'self' | 'manager' };

function resetMail(name: string, locale: Locale, input: ResetMail) {
	const o = { locale };
	return renderMail({
		locale,
		subject: m.mail_reset_subject({}, o),
		greeting: m.mail_greeting({ name }, o),
		paragraphs: [
			input.askedBy === 'self' ? m.mail_reset_body_self({}, o) : m.mail_reset_body_manager({}, o)
		],
		action: { label: m.mail_reset_action({}, o), url: `${appOrigin()}/reset/${input.token}` },
		notes: [
			m.mail_reset_expires({}, o),
			...(input.askedBy === 'self' ? [m.mail_reset_ignore({}, o)] : [])
		]
	});
}
