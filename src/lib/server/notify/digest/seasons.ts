import { and, eq, inArray, ne } from 'drizzle-orm';
import type { NotificationKind } from '../../db/schema';
import type { Store } from '../../db/store';
import { NO_PASSWORD } from '../../auth/links';
import { readOrganisation } from '../../organisation/settings';
import { isLocale } from '../../../i18n/locales';
import type { Recipient } from './recipient';
import type { DueSlot } from './due';

// Reads shared by the weekly digest and the daily summary, each one query for all people, through
// the store (db/store.ts).

export interface LiveSeason {
	id: number;
	name: string;
	timeZone: string;
	startsAt: number;
	endsAt: number;
	rankBy: 'confirmed' | 'total';
	tieRule: 'competition' | 'dense';
}

/** A live season whose digest or summary is due, with its slot. */
export interface DueSeason {
	season: LiveSeason;
	slot: DueSlot;
}

export async function liveSeasons(store: Store): Promise<LiveSeason[]> {
	const { season } = store.tables;
	return store.db
		.select({
			id: season.id,
			name: season.name,
			timeZone: season.timeZone,
			startsAt: season.startsAt,
			endsAt: season.endsAt,
			rankBy: season.rankBy,
			tieRule: season.tieRule
		})
		.from(season)
		.where(eq(season.status, 'live'))
		.orderBy(season.id);
}

const CHUNK = 500;
function chunks<T>(items: readonly T[]): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
	return out;
}

/**
 * The people among `ids` who get `kind` by mail now: joined, not switched off, and without a
 * message under their dedupe key yet (`keyOf`), with their language. Read before the write that
 * queues them: a mail another node queued meanwhile is kept once by its dedupe key.
 */
export async function mailRecipients(
	store: Store,
	ids: readonly number[],
	kind: NotificationKind,
	keyOf: (userId: number) => string
): Promise<Recipient[]> {
	const { notificationOptOut, outgoingMessage, user } = store.tables;
	const fallback = (await readOrganisation(store.db, store)).defaultLocale;
	const out: Recipient[] = [];
	for (const part of chunks([...new Set(ids)])) {
		const off = new Set(
			(
				await store.db
					.select({ id: notificationOptOut.userId })
					.from(notificationOptOut)
					.where(
						and(
							inArray(notificationOptOut.userId, part),
							eq(notificationOptOut.channel, 'email'),
							eq(notificationOptOut.kind, kind)
						)
					)
			).map((r) => r.id)
		);
		const sent = new Set(
			(
				await store.db
					.select({ key: outgoingMessage.dedupeKey })
					.from(outgoingMessage)
					.where(inArray(outgoingMessage.dedupeKey, part.map(keyOf)))
			).map((r) => r.key)
		);
		const people = await store.db
			.select({ id: user.id, email: user.email, name: user.displayName, locale: user.locale })
			.from(user)
			.where(and(inArray(user.id, part), ne(user.passwordHash, NO_PASSWORD)));
		for (const p of people)
			if (!off.has(p.id) && !sent.has(keyOf(p.id)))
				out.push({ ...p, locale: isLocale(p.locale) ? p.locale : fallback });
	}
	return out.sort((a, b) => a.id - b.id);
}
