import type { PageServerLoad } from './$types';
import * as z from 'zod';
import { getStore } from '$lib/server/db/store';
import { ADMINS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { MESSAGE_CHANNELS, MESSAGE_STATUSES, messageLog } from '$lib/server/notify/message-log';
import { mailConfig, safeSmtpUrl } from '$lib/server/notify/mail/config';
import { datesIn } from '$lib/format/dates';
import { m } from '$lib/paraglide/messages.js';

// Every outgoing message (mail, push, Slack, Teams) with its outcome: for admins only, since
// the texts carry people's addresses and, for mails, their invitation and reset links.

const querySchema = z.object({
	channel: z.enum(MESSAGE_CHANNELS).optional().catch(undefined),
	status: z.enum(MESSAGE_STATUSES).optional().catch(undefined),
	page: z.coerce.number().int().min(1).max(100_000).catch(1)
});

export const load: PageServerLoad = async (event) => {
	requireRole(event, ADMINS, m.messages_admins_only());
	const q = event.url.searchParams;
	const { channel, status, page } = querySchema.parse({
		channel: q.get('channel') ?? undefined,
		status: q.get('status') ?? undefined,
		page: q.get('page') ?? 1
	});
	const timeZone = (await consoleSeason())?.timeZone ?? 'UTC';
	const dates = datesIn(timeZone);
	const log = await messageLog(getStore(), { channel, status, page });
	const config = mailConfig();
	return {
		channel: channel ?? null,
		status: status ?? null,
		timeZone,
		mail: config.smtpUrl
			? { smtp: safeSmtpUrl(config.smtpUrl), from: config.from, outbox: null }
			: { smtp: null, from: config.from, outbox: config.outboxDir },
		...log,
		rows: log.rows.map((row) => ({
			...row,
			when: dates.dateTime(row.createdAt),
			sent: row.sentAt == null ? null : dates.dateTime(row.sentAt),
			next: row.status === 'pending' ? dates.dateTime(row.nextAttemptAt) : null
		}))
	};
};
