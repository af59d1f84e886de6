import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../db';
import { notificationOptOut, type NotificationKind } from '../db/schema';
import type { Store, StoreDb } from '../db/store';

// What a person receives outside the app: every kind is on until they switch it off in their
// profile, per channel. Nothing is queued for a kind someone switched off.

export type PersonalChannel = 'email' | 'push';

/** The kinds a person can switch, per channel, in the order the profile lists them. */
export const SWITCHABLE: Record<PersonalChannel, NotificationKind[]> = {
	email: ['overtaken', 'weekly_digest', 'daily_summary', 'badge', 'redemption'],
	push: ['overtaken', 'badge', 'quiz_open']
};

/** Whether `userId` wants `kind` on `channel` (no opt-out row: yes). */
export function wants(
	db: Queryable,
	userId: number,
	channel: PersonalChannel,
	kind: NotificationKind
): boolean {
	const row = db
		.select({ userId: notificationOptOut.userId })
		.from(notificationOptOut)
		.where(
			and(
				eq(notificationOptOut.userId, userId),
				eq(notificationOptOut.channel, channel),
				eq(notificationOptOut.kind, kind)
			)
		)
		.get();
	return !row;
}

/**
 * `wants` through the store (db/store.ts): its database or a write's transaction (a redemption's
 * mail, rewards/mails.ts). `wants` stays for the synchronous transactions.
 */
export async function readWants(
	db: StoreDb,
	store: Store,
	userId: number,
	channel: PersonalChannel,
	kind: NotificationKind
): Promise<boolean> {
	const { notificationOptOut: optOut } = store.tables;
	const rows = await db
		.select({ userId: optOut.userId })
		.from(optOut)
		.where(and(eq(optOut.userId, userId), eq(optOut.channel, channel), eq(optOut.kind, kind)));
	return rows.length === 0;
}

/** The kinds `userId` switched off, as `channel:kind` strings. */
export function optOutsOf(db: Queryable, userId: number): Set<string> {
	return new Set(
		db
			.select({ channel: notificationOptOut.channel, kind: notificationOptOut.kind })
			.from(notificationOptOut)
			.where(eq(notificationOptOut.userId, userId))
			.all()
			.map((r) => `${r.channel}:${r.kind}`)
	);
}

/** Switches one kind on or off for a person on one channel (idempotent). */
export function setWanted(
	db: Queryable,
	userId: number,
	channel: PersonalChannel,
	kind: NotificationKind,
	wanted: boolean
): void {
	if (wanted)
		db.delete(notificationOptOut)
			.where(
				and(
					eq(notificationOptOut.userId, userId),
					eq(notificationOptOut.channel, channel),
					eq(notificationOptOut.kind, kind)
				)
			)
			.run();
	else db.insert(notificationOptOut).values({ userId, channel, kind }).onConflictDoNothing().run();
}
