// What a chat channel hears, queued in the outbox inside the event's transaction: a domain
// event (notify/events.ts) queues for every active channel that picked it, so the message exists
// exactly when the event does. send.ts posts the rows.
// The domain events, the lead changes and the daily summaries (watch.ts) all queue inside a
// store's write.
import { eq } from 'drizzle-orm';
import type { ChatEvent } from '../../db/schema';
import type { Store, StoreDb } from '../../db/store';
import { readOrganisation } from '../../organisation/settings';
import type { Locale } from '../../../i18n/locales';
import type { DomainData, DomainEvent } from '../events';
import { DEFAULT_BIG_SALE_POINTS, readActiveChannels, type ActiveChannel } from './channels';
import { formatChat, type ChatSubject, type FormattedChat } from './compose';

type ChatTarget = Pick<ActiveChannel, 'id' | 'platform' | 'name'>;

/** Queues one message for one channel in a store's write; false when its dedupe key was queued already. */
export async function queueChatInWrite(
	tx: StoreDb,
	store: Store,
	channel: ChatTarget,
	kind: ChatEvent | 'test',
	message: FormattedChat,
	now: number,
	dedupeKey: string | null = null
): Promise<boolean> {
	const { outgoingMessage: outbox } = store.tables;
	const rows = await tx
		.insert(outbox)
		.values(outboxRow(channel, kind, message, now, dedupeKey))
		.onConflictDoNothing()
		.returning({ id: outbox.id });
	return rows.length > 0;
}

function outboxRow(
	channel: ChatTarget,
	kind: ChatEvent | 'test',
	message: FormattedChat,
	now: number,
	dedupeKey: string | null
) {
	return {
		channel: channel.platform,
		kind,
		chatChannelId: channel.id,
		recipient: channel.name,
		subject: message.subject,
		body: message.body,
		payload: message.payload,
		dedupeKey,
		nextAttemptAt: now,
		createdAt: now
	};
}

type QueuedSubject = Exclude<ChatSubject, { event: 'test' }>;

/** Each channel's message and dedupe key, formatted once per platform. */
function messagesFor(
	channels: ActiveChannel[],
	subject: QueuedSubject,
	key: string,
	locale: Locale
): { channel: ActiveChannel; message: FormattedChat; dedupe: string }[] {
	const formatted = new Map<string, FormattedChat>();
	return channels.map((channel) => {
		let message = formatted.get(channel.platform);
		if (!message) {
			message = formatChat(channel.platform, subject, locale);
			formatted.set(channel.platform, message);
		}
		return { channel, message, dedupe: `chat:${channel.id}:${subject.event}:${key}` };
	});
}

/**
 * Queues `subject` for each channel in a store's write (in the organisation's default language,
 * each in its platform's format); `key` names the occurrence, so that it is posted once per
 * channel.
 */
export async function queueForChannelsInWrite(
	tx: StoreDb,
	store: Store,
	channels: ActiveChannel[],
	subject: QueuedSubject,
	key: string,
	now: number
): Promise<number> {
	if (channels.length === 0) return 0;
	let queued = 0;
	const locale = (await readOrganisation(tx, store)).defaultLocale;
	for (const { channel, message, dedupe } of messagesFor(channels, subject, key, locale))
		if (await queueChatInWrite(tx, store, channel, subject.event, message, now, dedupe))
			queued += 1;
	return queued;
}

const wanting = (channels: ActiveChannel[], event: ChatEvent) =>
	channels.filter((c) => c.events.includes(event));

type SeasonNaming = { name: string; timeZone: string } | undefined;

/** What a domain event queues: for which channels, which subject, under which key. */
interface ChatPlan {
	to: ActiveChannel[];
	/** The season whose name or time zone the subject needs (read only when a channel wants it). */
	seasonId: number | null;
	subject: (s: SeasonNaming) => QueuedSubject;
	key: string;
}

function chatPlan<E extends DomainEvent>(
	channels: ActiveChannel[],
	event: E,
	data: DomainData<E>
): ChatPlan | null {
	switch (event) {
		case 'sale.confirmed': {
			const { seasonId, sale } = data as DomainData<'sale.confirmed'>;
			const big = wanting(channels, 'big_sale').filter(
				(c) => sale.points >= (c.bigSalePoints ?? DEFAULT_BIG_SALE_POINTS)
			);
			return {
				to: big,
				seasonId,
				subject: (s) => ({
					event: 'big_sale',
					season: s?.name ?? '',
					seller: sale.seller.name,
					points: sale.points
				}),
				key: String(sale.id)
			};
		}
		case 'badge.awarded': {
			const d = data as DomainData<'badge.awarded'>;
			return {
				to: wanting(channels, 'badge'),
				seasonId: d.seasonId,
				subject: (s) => ({
					event: 'badge',
					season: s?.name ?? '',
					who: d.subjectName,
					badge: d.badge
				}),
				key: `${d.seasonId}:${d.subjectType}:${d.subjectId}:${d.badge.id}:${d.periodKey}`
			};
		}
		case 'season.started': {
			const { season: started } = data as DomainData<'season.started'>;
			return {
				to: wanting(channels, 'season_start'),
				seasonId: started.id,
				subject: (s) => ({
					event: 'season_start',
					season: started.name,
					startsAt: Date.parse(started.startsAt),
					endsAt: Date.parse(started.endsAt),
					timeZone: s?.timeZone ?? 'UTC'
				}),
				key: String(started.id)
			};
		}
		case 'season.ended': {
			const d = data as DomainData<'season.ended'>;
			return {
				to: wanting(channels, 'season_end'),
				seasonId: null,
				subject: () => ({
					event: 'season_end',
					season: d.season.name,
					podium: d.podium,
					teams: d.teams
				}),
				key: String(d.season.id)
			};
		}
	}
	return null;
}

/**
 * The domain-event handler, inside the event's write: it costs one cached list (channels.ts)
 * until a channel wants the event; only then does it read the season's name.
 */
export async function onChatDomainEventInWrite<E extends DomainEvent>(
	tx: StoreDb,
	store: Store,
	event: E,
	data: DomainData<E>,
	now: number
): Promise<void> {
	const channels = await readActiveChannels(store, tx);
	if (channels.length === 0) return;
	const plan = chatPlan(channels, event, data);
	if (!plan || plan.to.length === 0) return;
	const { season } = store.tables;
	const [s] =
		plan.seasonId == null
			? []
			: await tx
					.select({ name: season.name, timeZone: season.timeZone })
					.from(season)
					.where(eq(season.id, plan.seasonId))
					.limit(1);
	await queueForChannelsInWrite(tx, store, plan.to, plan.subject(s), plan.key, now);
}
