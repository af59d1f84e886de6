import webpush from 'web-push';
import { inArray } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '../../db/store';

// The VAPID key pair that signs every push (RFC 8292). Configured by VAPID_PUBLIC_KEY and
// VAPID_PRIVATE_KEY, else made once and kept in server_secret: every process and restart signs
// with the same pair, so the subscriptions phones made with its public key keep working. Read
// through the store (db/store.ts): on PostgreSQL every node signs with the one pair.

export interface VapidKeys {
	publicKey: string;
	privateKey: string;
	/** Who runs the server, for the push service: a mailto: or https: URL. */
	subject: string;
}

const PUBLIC = 'vapid_public_key';
const PRIVATE = 'vapid_private_key';

/** VAPID_SUBJECT, else the site's https ORIGIN, else a mailto: at the site's host. */
export function vapidSubject(env: NodeJS.ProcessEnv = process.env): string {
	const configured = env.VAPID_SUBJECT?.trim();
	if (configured) {
		if (!/^(mailto:|https:\/\/)/.test(configured))
			throw new Error('VAPID_SUBJECT must be a mailto: address or an https: URL');
		return configured;
	}
	const origin = env.ORIGIN ? new URL(env.ORIGIN) : null;
	if (origin?.protocol === 'https:') return origin.origin;
	return `mailto:push@${origin && origin.hostname !== 'localhost' ? origin.hostname : 'honorboard.invalid'}`;
}

function configuredKeys(env: NodeJS.ProcessEnv): { publicKey: string; privateKey: string } | null {
	const publicKey = env.VAPID_PUBLIC_KEY?.trim();
	const privateKey = env.VAPID_PRIVATE_KEY?.trim();
	if (!publicKey && !privateKey) return null;
	if (!publicKey || !privateKey)
		throw new Error('Set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither');
	return { publicKey, privateKey };
}

async function storedKeys(
	db: StoreDb,
	store: Store
): Promise<{ publicKey: string; privateKey: string } | null> {
	const { serverSecret } = store.tables;
	const rows = await db
		.select({ name: serverSecret.name, value: serverSecret.value })
		.from(serverSecret)
		.where(inArray(serverSecret.name, [PUBLIC, PRIVATE]));
	const publicKey = rows.find((r) => r.name === PUBLIC)?.value;
	const privateKey = rows.find((r) => r.name === PRIVATE)?.value;
	return publicKey && privateKey ? { publicKey, privateKey } : null;
}

let cached: VapidKeys | undefined;

/** The key pair (read once per process); the first process to need it makes and stores it. */
export async function vapidKeys(
	store: Store,
	env: NodeJS.ProcessEnv = process.env
): Promise<VapidKeys> {
	if (cached) return cached;
	const subject = vapidSubject(env);
	let pair = configuredKeys(env) ?? (await storedKeys(store.db, store));
	if (!pair) {
		const made = webpush.generateVAPIDKeys();
		// Two processes starting together: the first insert wins, both read the winner back.
		const { serverSecret } = store.tables;
		pair = await write(store, async (tx) => {
			await tx
				.insert(serverSecret)
				.values([
					{ name: PUBLIC, value: made.publicKey },
					{ name: PRIVATE, value: made.privateKey }
				])
				.onConflictDoNothing();
			return (await storedKeys(tx, store))!;
		});
	}
	cached = { ...pair, subject };
	return cached;
}

/** Forgets the pair read (tests that switch databases). */
export function forgetVapidKeys(): void {
	cached = undefined;
}
