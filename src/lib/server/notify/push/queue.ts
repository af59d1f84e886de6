import { and, eq, gte } from 'drizzle-orm';
import type { Db, Queryable } from '../../db';
import { outgoingMessage, user, type NotificationKind } from '../../db/schema';
import { chooseLocale, type Locale } from '../../../i18n/locales';
import { m } from '../../../paraglide/messages.js';
import { getOrganisation } from '../../organisation/settings';
import { log } from '../../shared/log';
import { onDomainEvent, rankEvents, type DomainData, type RankEvents } from '../events';
import { wants } from '../preferences';
import { deviceLabel, subscriptionsOf } from './subscriptions';

// What a person's phones are told, queued in the outbox (outgoing_message, channel 'push'): one
// row per device, so the admins' log shows each device's outcome and a retry reaches only the
// device that failed. send.ts sends them.

const HOUR = 60 * 60 * 1000;

/** What the service worker shows (src/lib/push/sw-push.ts reads the same shape). */
export interface PushNotice {
	title: string;
	body: string;
	/** The page a tap opens, on this site. */
	url: string;
}

/** How long the push service keeps a message for a phone that is off, and how urgent it is. */
export const DELIVERY: Partial<
	Record<NotificationKind, { ttl: number; urgency: 'normal' | 'high' }>
> = {
	overtaken: { ttl: 60 * 60, urgency: 'high' },
	badge: { ttl: 24 * 60 * 60, urgency: 'normal' },
	quiz_open: { ttl: 24 * 60 * 60, urgency: 'normal' }
};

function localeOf(tx: Queryable, userId: number): Locale {
	const row = tx.select({ locale: user.locale }).from(user).where(eq(user.id, userId)).get();
	return chooseLocale({ own: row?.locale, organisation: getOrganisation(tx).defaultLocale });
}

/**
 * Queues `kind` for every device of `userId` who has one and wants it; the text is made in the
 * person's language. `dedupeKey` sends it once only (per device). Returns the rows queued.
 */
export function queuePush(
	tx: Queryable,
	userId: number,
	kind: NotificationKind,
	notice: (locale: Locale) => PushNotice,
	dedupeKey: string,
	now: number
): number {
	const devices = subscriptionsOf(tx, userId);
	if (devices.length === 0 || !wants(tx, userId, 'push', kind)) return 0;
	const { title, body, url } = notice(localeOf(tx, userId));
	let queued = 0;
	for (const device of devices) {
		const row = tx
			.insert(outgoingMessage)
			.values({
				channel: 'push',
				kind,
				userId,
				recipient: deviceLabel(device.userAgent),
				subject: title,
				body,
				payload: { url, subscriptionId: device.id },
				dedupeKey: `${dedupeKey}:${device.id}`,
				nextAttemptAt: now,
				createdAt: now
			})
			.onConflictDoNothing()
			.returning({ id: outgoingMessage.id })
			.get();
		if (row) queued += 1;
	}
	return queued;
}

/** Whether `userId` was told `kind` on push since `since` (the once-an-hour limit). */
function toldSince(tx: Queryable, userId: number, kind: NotificationKind, since: number): boolean {
	return (
		tx
			.select({ id: outgoingMessage.id })
			.from(outgoingMessage)
			.where(
				and(
					eq(outgoingMessage.userId, userId),
					eq(outgoingMessage.channel, 'push'),
					eq(outgoingMessage.kind, kind),
					gte(outgoingMessage.createdAt, since)
				)
			)
			.get() !== undefined
	);
}

/** "You were overtaken by Sam": at most once an hour per person. */
export function queueOvertaken(db: Db, event: RankEvents['overtaken'][0]): number {
	return db.transaction((tx) => {
		if (toldSince(tx, event.userId, 'overtaken', event.at - HOUR)) return 0;
		const by = tx
			.select({ name: user.displayName })
			.from(user)
			.where(eq(user.id, event.byUserId))
			.get();
		return queuePush(
			tx,
			event.userId,
			'overtaken',
			(locale) => ({
				title: m.push_overtaken_title({ name: by?.name ?? '?' }, { locale }),
				body: m.push_overtaken_body({ rank: event.rank }, { locale }),
				url: '/'
			}),
			`push:overtaken:${event.userId}:${Math.floor(event.at / HOUR)}`,
			event.at
		);
	});
}

/**
 * Starts queueing pushes: badges a person earned (in the award's transaction) and who was
 * overtaken (from the rank watch). Returns the stop.
 */
export function startPushNotices(db: Db): () => void {
	const offDomain = onDomainEvent((tx, event, data, now) => {
		if (event !== 'badge.awarded') return;
		const award = data as DomainData<'badge.awarded'>;
		if (award.subjectType !== 'user') return;
		// A push that cannot be queued must not undo the award: logged, the award stands.
		try {
			queuePush(
				tx,
				award.subjectId,
				'badge',
				(locale) => ({
					title: m.push_badge_title(
						{ badge: `${award.badge.emoji} ${award.badge.name}`.trim() },
						{ locale }
					),
					body: award.badge.description,
					url: '/me'
				}),
				`push:badge:${award.subjectId}:${award.badge.id}:${award.periodKey ?? ''}`,
				now
			);
		} catch (error) {
			log.error({ err: error, userId: award.subjectId }, 'queueing a badge push failed');
		}
	});
	const overtaken = (event: RankEvents['overtaken'][0]) => {
		try {
			queueOvertaken(db, event);
		} catch (error) {
			log.error({ err: error, userId: event.userId }, 'queueing an overtaken push failed');
		}
	};
	rankEvents.on('overtaken', overtaken);
	return () => {
		offDomain();
		rankEvents.off('overtaken', overtaken);
	};
}
