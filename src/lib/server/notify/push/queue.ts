import { and, eq, gte, inArray } from 'drizzle-orm';
import type { NotificationKind } from '../../db/schema';
import { chooseLocale, type Locale } from '../../../i18n/locales';
import { m } from '../../../paraglide/messages.js';
import {
	isSerializationFailure,
	savepointInWrite,
	write,
	type Store,
	type StoreDb
} from '../../db/store';
import { readOrganisation } from '../../organisation/settings';
import { log } from '../../shared/log';
import { onDomainEventInWrite, rankEvents, type DomainData, type RankEvents } from '../events';
import { deviceLabel } from './subscriptions';

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

/** How many people's devices, opt-outs and languages one query of `queuePushesInWrite` reads. */
const PEOPLE_PER_QUERY = 500;

/**
 * Queues `kind` for every device of each of `userIds` who has one and wants it, the text made
 * in the person's language, inside a store's write (db/store.ts): a badge, an overtaking, an
 * opened quiz. Their devices, opt-outs and languages are read a few hundred people to a query, and the
 * rows inserted as many to a statement. `dedupeKey(userId)` sends it once only (per device);
 * a text that cannot be made for one person (`notice` throws) is left out and logged, and holds
 * no one else's up. Returns the rows queued.
 */
export async function queuePushesInWrite(
	tx: StoreDb,
	store: Store,
	userIds: readonly number[],
	kind: NotificationKind,
	notice: (locale: Locale) => PushNotice,
	dedupeKey: (userId: number) => string,
	now: number
): Promise<number> {
	const {
		outgoingMessage: outbox,
		pushSubscription,
		notificationOptOut,
		user: person
	} = store.tables;
	const organisation = await readOrganisation(tx, store);
	let queued = 0;
	for (let from = 0; from < userIds.length; from += PEOPLE_PER_QUERY) {
		const ids = userIds.slice(from, from + PEOPLE_PER_QUERY);
		const devices = await tx
			.select({
				id: pushSubscription.id,
				userId: pushSubscription.userId,
				userAgent: pushSubscription.userAgent
			})
			.from(pushSubscription)
			.where(inArray(pushSubscription.userId, ids))
			.orderBy(pushSubscription.id);
		if (devices.length === 0) continue;
		const withDevices = [...new Set(devices.map((d) => d.userId))];
		const optedOut = new Set(
			(
				await tx
					.select({ userId: notificationOptOut.userId })
					.from(notificationOptOut)
					.where(
						and(
							inArray(notificationOptOut.userId, withDevices),
							eq(notificationOptOut.channel, 'push'),
							eq(notificationOptOut.kind, kind)
						)
					)
			).map((r) => r.userId)
		);
		const locales = new Map(
			(
				await tx
					.select({ id: person.id, locale: person.locale })
					.from(person)
					.where(inArray(person.id, withDevices))
			).map((r) => [r.id, r.locale])
		);
		const texts = new Map<number, PushNotice>();
		for (const userId of withDevices) {
			if (optedOut.has(userId)) continue;
			const locale = chooseLocale({
				own: locales.get(userId),
				organisation: organisation.defaultLocale
			});
			try {
				texts.set(userId, notice(locale));
			} catch (error) {
				log.error({ err: error, userId, kind }, 'making a push notice failed');
			}
		}
		const rows = devices.flatMap((device) => {
			const text = texts.get(device.userId);
			if (!text) return [];
			return [
				{
					channel: 'push' as const,
					kind,
					userId: device.userId,
					recipient: deviceLabel(device.userAgent),
					subject: text.title,
					body: text.body,
					payload: { url: text.url, subscriptionId: device.id },
					dedupeKey: `${dedupeKey(device.userId)}:${device.id}`,
					nextAttemptAt: now,
					createdAt: now
				}
			];
		});
		if (rows.length === 0) continue;
		const inserted = await tx
			.insert(outbox)
			.values(rows)
			.onConflictDoNothing()
			.returning({ id: outbox.id });
		queued += inserted.length;
	}
	return queued;
}

/** Whether `userId` was told `kind` on push since `since` (the once-an-hour limit). */
async function toldSince(
	tx: StoreDb,
	store: Store,
	userId: number,
	kind: NotificationKind,
	since: number
): Promise<boolean> {
	const { outgoingMessage: outbox } = store.tables;
	const [row] = await tx
		.select({ id: outbox.id })
		.from(outbox)
		.where(
			and(
				eq(outbox.userId, userId),
				eq(outbox.channel, 'push'),
				eq(outbox.kind, kind),
				gte(outbox.createdAt, since)
			)
		)
		.limit(1);
	return row !== undefined;
}

/**
 * "You were overtaken by Sam": at most once an hour per person. One write: nodes that all see
 * the overtaking queue it once (the dedupe key, and the check in the same transaction).
 */
export function queueOvertaken(store: Store, event: RankEvents['overtaken'][0]): Promise<number> {
	const { user: person } = store.tables;
	return write(store, async (tx) => {
		if (await toldSince(tx, store, event.userId, 'overtaken', event.at - HOUR)) return 0;
		const [by] = await tx
			.select({ name: person.displayName })
			.from(person)
			.where(eq(person.id, event.byUserId));
		return queuePushesInWrite(
			tx,
			store,
			[event.userId],
			'overtaken',
			(locale) => ({
				title: m.push_overtaken_title({ name: by?.name ?? '?' }, { locale }),
				body: m.push_overtaken_body({ rank: event.rank }, { locale }),
				url: '/'
			}),
			() => `push:overtaken:${event.userId}:${Math.floor(event.at / HOUR)}`,
			event.at
		);
	});
}

type BadgeAwarded = DomainData<'badge.awarded'>;

/** A person's award, when the event is one (a team's badge pushes nothing). */
function badgeAwarded(event: string, data: unknown): BadgeAwarded | undefined {
	if (event !== 'badge.awarded') return undefined;
	const award = data as BadgeAwarded;
	return award.subjectType === 'user' ? award : undefined;
}

const badgeNotice =
	(award: BadgeAwarded) =>
	(locale: Locale): PushNotice => ({
		title: m.push_badge_title(
			{ badge: `${award.badge.emoji} ${award.badge.name}`.trim() },
			{ locale }
		),
		body: award.badge.description,
		url: '/me'
	});

const badgeDedupeKey = (award: BadgeAwarded) =>
	`push:badge:${award.subjectId}:${award.badge.id}:${award.periodKey ?? ''}`;

/**
 * Starts queueing pushes: badges a person earned (in the award's write) and who was overtaken
 * (from the rank watch), on either dialect. Returns the stop.
 */
export function startPushNotices(store: Store): () => void {
	// The awards given inside a store's write. In a savepoint: on PostgreSQL a failed statement
	// aborts the whole transaction, and a push is never worth the award; a serialization failure
	// is the write's, which runs again.
	const offDomainInWrite = onDomainEventInWrite(async (tx, inStore, event, data, now) => {
		const award = badgeAwarded(event, data);
		if (!award) return;
		try {
			await savepointInWrite(tx, inStore, (sp) =>
				queuePushesInWrite(
					sp,
					inStore,
					[award.subjectId],
					'badge',
					badgeNotice(award),
					() => badgeDedupeKey(award),
					now
				)
			);
		} catch (error) {
			if (isSerializationFailure(error)) throw error;
			log.error({ err: error, userId: award.subjectId }, 'queueing a badge push failed');
		}
	});
	const overtaken = (event: RankEvents['overtaken'][0]) => {
		queueOvertaken(store, event).catch((error) =>
			log.error({ err: error, userId: event.userId }, 'queueing an overtaken push failed')
		);
	};
	rankEvents.on('overtaken', overtaken);
	return () => {
		offDomainInWrite();
		rankEvents.off('overtaken', overtaken);
	};
}
