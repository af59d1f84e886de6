import { and, eq } from 'drizzle-orm';
import type { NotificationKind } from '../db/schema';
import { write, type Store, type StoreDb } from '../db/store';

// What a person receives outside the app: every kind is on until they switch it off in their
// profile, per channel. Nothing is queued for a kind someone switched off. The profile reads and
// saves the choices through the store (db/store.ts), and the queues ask `readWants` inside their
// write (a redemption's mail).

export type PersonalChannel = 'email' | 'push';

/** The kinds a person can switch, per channel, in the order the profile lists them. */
export const SWITCHABLE: Record<PersonalChannel, NotificationKind[]> = {
	email: ['overtaken', 'weekly_digest', 'daily_summary', 'badge', 'redemption'],
	push: ['overtaken', 'badge', 'quiz_open']
};

/**
 * Whether `userId` wants `kind` on `channel` (no opt-out row: yes), on the store's database or a
 * write's transaction (a redemption's mail, rewards/mails.ts).
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
export async function optOutsOf(store: Store, userId: number): Promise<Set<string>> {
	const { notificationOptOut: optOut } = store.tables;
	const rows = await store.db
		.select({ channel: optOut.channel, kind: optOut.kind })
		.from(optOut)
		.where(eq(optOut.userId, userId));
	return new Set(rows.map((r) => `${r.channel}:${r.kind}`));
}

/** Switches one kind on or off for a person on one channel (idempotent). */
export function setWanted(
	store: Store,
	userId: number,
	channel: PersonalChannel,
	kind: NotificationKind,
	wanted: boolean
): Promise<void> {
	return write(store, (tx) => setWantedInWrite(tx, store, userId, channel, kind, wanted));
}

/** `setWanted` inside a store's write: the profile saves all its choices in one. */
export async function setWantedInWrite(
	tx: StoreDb,
	store: Store,
	userId: number,
	channel: PersonalChannel,
	kind: NotificationKind,
	wanted: boolean
): Promise<void> {
	const { notificationOptOut: optOut } = store.tables;
	if (wanted)
		await tx
			.delete(optOut)
			.where(and(eq(optOut.userId, userId), eq(optOut.channel, channel), eq(optOut.kind, kind)));
	else await tx.insert(optOut).values({ userId, channel, kind }).onConflictDoNothing();
}
