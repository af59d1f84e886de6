import type { Store, StoreDb } from '../db/store';
import { queueMailInWrite } from '../notify/mail/queue';
import { renderMail } from '../notify/mail/templates';
import { appUrl, pts } from '../notify/mail/digest-layout';
import { readRecipient } from '../notify/digest/recipient';
import { readWants } from '../notify/preferences';
import { m } from '../../paraglide/messages.js';

// The mail a person gets when a manager decides on their redemption or hands the reward over:
// queued in the same write as the decision (the outbox sends it later), in their own
// language, never to someone who switched "redemption" mails off.

export type RedemptionNews = 'approved' | 'rejected' | 'fulfilled';

export async function queueRedemptionMailInWrite(
	tx: StoreDb,
	store: Store,
	input: {
		redemptionId: number;
		userId: number;
		news: RedemptionNews;
		reward: string;
		points: number;
		reason?: string | null;
	},
	now: number
): Promise<boolean> {
	if (!(await readWants(tx, store, input.userId, 'email', 'redemption'))) return false;
	const to = await readRecipient(tx, store, input.userId);
	if (!to) return false;
	const o = { locale: to.locale };
	const values = { reward: input.reward, points: pts(input.points, to.locale) };
	const said = {
		approved: {
			subject: m.rewards_mail_approved_subject(values, o),
			text: m.rewards_mail_approved_text(values, o)
		},
		rejected: {
			subject: m.rewards_mail_rejected_subject(values, o),
			text: m.rewards_mail_rejected_text(values, o)
		},
		fulfilled: {
			subject: m.rewards_mail_fulfilled_subject(values, o),
			text: m.rewards_mail_fulfilled_text(values, o)
		}
	}[input.news];
	const mail = renderMail({
		locale: to.locale,
		subject: said.subject,
		greeting: m.mail_greeting({ name: to.name }, o),
		paragraphs: [
			said.text,
			...(input.news === 'rejected' && input.reason
				? [m.rewards_mail_reason({ reason: input.reason }, o)]
				: [])
		],
		action: { label: m.rewards_mail_action({}, o), url: appUrl('/rewards') },
		notes: [m.rewards_mail_why({}, o)]
	});
	return queueMailInWrite(
		tx,
		store,
		{
			userId: to.id,
			kind: 'redemption',
			to: to.email,
			...mail,
			dedupeKey: `redemption:${input.redemptionId}:${input.news}`
		},
		now
	);
}
