import * as z from 'zod';
import { and, eq, or } from 'drizzle-orm';
import { write, type Store } from '../../db/store';
import { privateTargetsAllowed } from '../../webhooks/target';

// The phones and browsers that allowed web push, per person. The browser's PushSubscription
// (its toJSON()) is checked here before it is stored: the server later POSTs to its endpoint.

const base64url = z
	.string()
	.min(16)
	.max(200)
	.regex(/^[A-Za-z0-9_-]+=*$/, 'must be base64url');

export const pushSubscriptionInput = z.object({
	endpoint: z.url().max(1000),
	expirationTime: z.number().nullable().optional(),
	keys: z.object({ p256dh: base64url, auth: base64url })
});
export type PushSubscriptionInput = z.infer<typeof pushSubscriptionInput>;

/**
 * Why an endpoint is refused, or null. Push services are public https hosts; a local stand-in
 * on http://127.0.0.1 is accepted only where webhooks may reach private hosts (tests, a demo).
 * Every send checks the address again (webhooks/target.ts postToTarget).
 */
export function refusedEndpoint(
	endpoint: string,
	allowPrivate = privateTargetsAllowed()
): string | null {
	const url = new URL(endpoint);
	if (url.username || url.password) return 'The endpoint must not carry credentials';
	if (url.protocol === 'https:') return null;
	if (url.protocol === 'http:' && url.hostname === '127.0.0.1' && allowPrivate) return null;
	return 'The endpoint must be an https: URL';
}

/** A short name of the device, for the log admins read ("Android · Chrome"). */
export function deviceLabel(userAgent: string | null | undefined): string {
	const ua = userAgent ?? '';
	const system =
		[
			['Android', /Android/],
			['iPhone', /iPhone/],
			['iPad', /iPad/],
			['Windows', /Windows/],
			['macOS', /Mac OS X|Macintosh/],
			['Linux', /Linux/]
		].find(([, re]) => (re as RegExp).test(ua))?.[0] ?? null;
	const browser =
		[
			['Edge', /Edg\//],
			['Firefox', /Firefox\//],
			['Chrome', /Chrome\//],
			['Safari', /Safari\//]
		].find(([, re]) => (re as RegExp).test(ua))?.[0] ?? null;
	return [system, browser].filter(Boolean).join(' · ') || 'Browser';
}

/**
 * Stores a subscription for `userId` (upsert by endpoint: a browser that subscribes again keeps
 * one row). A device another person subscribed passes to `userId` only with its keys: the
 * browser's own subscription proves it (a shared phone), an endpoint alone does not. False when
 * the endpoint stays someone else's.
 */
export async function subscribe(
	store: Store,
	userId: number,
	input: PushSubscriptionInput,
	userAgent: string | null,
	now: number
): Promise<boolean> {
	const { pushSubscription } = store.tables;
	const values = {
		userId,
		p256dh: input.keys.p256dh,
		auth: input.keys.auth,
		userAgent: userAgent?.slice(0, 300) ?? null
	};
	const stored = await write(store, (tx) =>
		tx
			.insert(pushSubscription)
			.values({ ...values, endpoint: input.endpoint, createdAt: now })
			.onConflictDoUpdate({
				target: pushSubscription.endpoint,
				set: values,
				setWhere: or(
					eq(pushSubscription.userId, userId),
					and(eq(pushSubscription.p256dh, values.p256dh), eq(pushSubscription.auth, values.auth))
				)
			})
			.returning({ id: pushSubscription.id })
	);
	return stored.length > 0;
}

/** Removes `userId`'s subscription at `endpoint`; false when they have none there. */
export async function unsubscribe(
	store: Store,
	userId: number,
	endpoint: string
): Promise<boolean> {
	const { pushSubscription } = store.tables;
	const gone = await write(store, (tx) =>
		tx
			.delete(pushSubscription)
			.where(and(eq(pushSubscription.userId, userId), eq(pushSubscription.endpoint, endpoint)))
			.returning({ id: pushSubscription.id })
	);
	return gone.length > 0;
}
