import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../../db';
import {
	notificationOptOut,
	outgoingMessage,
	season,
	user,
	type NotificationKind
} from '../../db/schema';
import { NO_PASSWORD } from '../../auth/links';
import { getOrganisation } from '../../organisation/settings';
import { isLocale } from '../../../i18n/locales';
import type { Recipient } from './recipient';
import type { DueSlot } from './due';

// Reads shared by the weekly digest and the daily summary, each one query for all people.

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

export function liveSeasons(db: Queryable): LiveSeason[] {
	return db
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
		.orderBy(season.id)
		.all();
}

const CHUNK = 500;
function chunks<T>(items: readonly T[]): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
	return out;
}

/**
 * The people among `ids` who get `kind` by mail now: joined, not switched off, and without a
 * message under their dedupe key yet (`keyOf`), with their language.
 */
export function mailRecipients(
	db: Queryable,
	ids: readonly number[],
	kind: NotificationKind,
	keyOf: (userId: number) => string
): Recipient[] {
	const fallback = getOrganisation(db).defaultLocale;
	const out: Recipient[] = [];
	for (const part of chunks([...new Set(ids)])) {
		const off = new Set(
			db
				.select({ id: notificationOptOut.userId })
				.from(notificationOptOut)
				.where(
					and(
						inArray(notificationOptOut.userId, part),
						eq(notificationOptOut.channel, 'email'),
						eq(notificationOptOut.kind, kind)
					)
				)
				.all()
				.map((r) => r.id)
		);
		const sent = new Set(
			db
				.select({ key: outgoingMessage.dedupeKey })
				.from(outgoingMessage)
				.where(inArray(outgoingMessage.dedupeKey, part.map(keyOf)))
				.all()
				.map((r) => r.key)
		);
		const people = db
			.select({ id: user.id, email: user.email, name: user.displayName, locale: user.locale })
			.from(user)
			.where(and(inArray(user.id, part), sql`${user.passwordHash} <> ${NO_PASSWORD}`))
			.all();
		for (const p of people)
			if (!off.has(p.id) && !sent.has(keyOf(p.id)))
				out.push({ ...p, locale: isLocale(p.locale) ? p.locale : fallback });
	}
	return out.sort((a, b) => a.id - b.id);
}
