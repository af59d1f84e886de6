// The service worker's part of web push: shows what the server sent (notify/push/send.ts) and
// opens its page when the person taps it. src/service-worker.ts calls handlePush(self).
//
// Note: typed by the little it uses rather than by the webworker lib, which would clash with
// the DOM types of every other file in the program; ServiceWorkerGlobalScope fits this shape.

interface Waiting {
	waitUntil(promise: Promise<unknown>): void;
}
interface PushMessage extends Waiting {
	data: { json(): unknown; text(): string } | null;
}
interface NotificationTap extends Waiting {
	notification: { close(): void; data?: unknown };
}
interface WindowLike {
	url: string;
	focus(): Promise<unknown>;
	navigate?(url: string): Promise<unknown>;
}

export interface PushScope {
	location: { origin: string };
	registration: {
		showNotification(title: string, options?: NotificationOptions): Promise<void>;
	};
	clients: {
		matchAll(options: {
			type: 'window';
			includeUncontrolled: boolean;
		}): Promise<readonly unknown[]>;
		openWindow(url: string): Promise<unknown>;
	};
	addEventListener(type: 'push', listener: (event: PushMessage) => void): void;
	addEventListener(type: 'notificationclick', listener: (event: NotificationTap) => void): void;
}

export interface PushPayload {
	title: string;
	body?: string;
	url?: string;
	tag?: string;
}

const ICON = '/favicon.svg';

/** The payload as sent, or a plain notice when it cannot be read. */
export function readPayload(data: PushMessage['data']): PushPayload {
	if (!data) return { title: 'Honorboard' };
	try {
		const value = data.json() as Partial<PushPayload>;
		if (typeof value?.title === 'string') return value as PushPayload;
	} catch {
		// Not JSON: shown as text below.
	}
	return { title: 'Honorboard', body: data.text() };
}

/** A path on this site only: a tap never opens another site. */
export function sameOriginUrl(url: unknown, origin: string): string {
	try {
		const target = new URL(typeof url === 'string' ? url : '/', origin);
		return target.origin === origin ? target.href : `${origin}/`;
	} catch {
		return `${origin}/`;
	}
}

export function handlePush(self: PushScope): void {
	self.addEventListener('push', (event) => {
		const payload = readPayload(event.data);
		event.waitUntil(
			self.registration.showNotification(payload.title, {
				body: payload.body,
				icon: ICON,
				badge: ICON,
				tag: payload.tag,
				data: { url: sameOriginUrl(payload.url, self.location.origin) }
			})
		);
	});
	self.addEventListener('notificationclick', (event) => {
		event.notification.close();
		const data = event.notification.data as { url?: string } | undefined;
		const url = sameOriginUrl(data?.url, self.location.origin);
		event.waitUntil(
			(async () => {
				const open = (await self.clients.matchAll({
					type: 'window',
					includeUncontrolled: true
				})) as WindowLike[];
				// An open tab of the site is reused: focused, and moved to the page.
				const tab = open.find((c) => c.url.startsWith(self.location.origin));
				if (tab) {
					await tab.focus();
					if (tab.url !== url) await tab.navigate?.(url);
					return;
				}
				await self.clients.openWindow(url);
			})()
		);
	});
}
