import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db';
import { user } from '../../db/schema';
import { m } from '../../../paraglide/messages.js';
import { appOrigin } from './config';
import { queueMail } from './queue';
import { recipientLocale, renderMail } from './templates';

// The mails that carry a link to set a password: an invitation, and a password reset (asked for
// by the person on /forgot, or issued by a manager). Queued in the transaction that stores the
// link, so that the mail exists exactly when the link does; neither can be switched off.

function person(tx: Queryable, userId: number) {
	return tx
		.select({ name: user.displayName, email: user.email })
		.from(user)
		.where(eq(user.id, userId))
		.get();
}

/** Queues the invitation mail with the link `/invite/<token>`. */
export function queueInvitationMail(
	tx: Queryable,
	input: { userId: number; token: string; seasonName: string; teamName: string },
	now: number
): void {
	const to = person(tx, input.userId);
	if (!to) return;
	const locale = recipientLocale(tx, input.userId);
	const o = { locale };
	const mail = renderMail({
		locale,
		subject: m.mail_invite_subject({ season: input.seasonName }, o),
		greeting: m.mail_greeting({ name: to.name }, o),
		paragraphs: [m.mail_invite_body({ season: input.seasonName, team: input.teamName }, o)],
		action: { label: m.mail_invite_action({}, o), url: `${appOrigin()}/invite/${input.token}` },
		notes: [m.mail_invite_expires({}, o)]
	});
	queueMail(tx, { userId: input.userId, kind: 'invitation', to: to.email, ...mail }, now);
}

/** Queues the password-reset mail with the link `/reset/<token>`. */
export function queueResetMail(
	tx: Queryable,
	input: { userId: number; token: string; askedBy: 'self' | 'manager' },
	now: number
): void {
	const to = person(tx, input.userId);
	if (!to) return;
	const locale = recipientLocale(tx, input.userId);
	const o = { locale };
	const mail = renderMail({
		locale,
		subject: m.mail_reset_subject({}, o),
		greeting: m.mail_greeting({ name: to.name }, o),
		paragraphs: [
			input.askedBy === 'self' ? m.mail_reset_body_self({}, o) : m.mail_reset_body_manager({}, o)
		],
		action: { label: m.mail_reset_action({}, o), url: `${appOrigin()}/reset/${input.token}` },
		notes: [
			m.mail_reset_expires({}, o),
			...(input.askedBy === 'self' ? [m.mail_reset_ignore({}, o)] : [])
		]
	});
	queueMail(tx, { userId: input.userId, kind: 'password_reset', to: to.email, ...mail }, now);
}
