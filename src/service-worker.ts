/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// The phone app's service worker: the built assets are precached, the board and /sell are kept
// as the signed-in person last loaded them and served when there is no signal (network first),
// and nothing else is touched: the API, form posts and Socket.IO always go to the network, and
// signing in or out drops the kept pages. The offline sale queue itself lives in the page
// (src/lib/offline/), not here: a sale is sent by the page that shows its result.
import { build, files, version } from '$service-worker';
import { cacheNames, keepable, routeOf, SHELLS, staleCaches } from '$lib/offline/sw-routes';
import { handlePush } from '$lib/push/sw-push';

const sw = self as unknown as ServiceWorkerGlobalScope;
const caches_ = cacheNames(version);
const ASSETS = new Set([...build, ...files]);

// Web push: the 'push' and 'notificationclick' listeners (src/lib/push/sw-push.ts).
handlePush(sw);

/** Fetches a shell page with the person's cookie and keeps it if it is theirs to keep. */
async function refreshShell(path: string) {
	try {
		const response = await fetch(path, { credentials: 'same-origin' });
		if (keepable(response)) await (await caches.open(caches_.pages)).put(path, response);
	} catch {
		// Offline at install: the pages are kept at their next visit.
	}
}

sw.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			await (await caches.open(caches_.assets)).addAll([...ASSETS]);
			await Promise.all(SHELLS.map(refreshShell));
			await sw.skipWaiting();
		})()
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			await Promise.all(staleCaches(await caches.keys(), version).map((c) => caches.delete(c)));
			await sw.clients.claim();
		})()
	);
});

async function fromAssets(request: Request) {
	const cached = await (await caches.open(caches_.assets)).match(request);
	return cached ?? fetch(request);
}

async function networkFirst(request: Request, key: string) {
	const cache = await caches.open(caches_.pages);
	try {
		const response = await fetch(request);
		if (keepable(response)) await cache.put(key, response.clone());
		return response;
	} catch (error) {
		const cached = await cache.match(key);
		if (cached) return cached;
		throw error;
	}
}

sw.addEventListener('fetch', (event) => {
	const { request } = event;
	const route = routeOf(
		new URL(request.url),
		request.method,
		request.mode,
		sw.location.origin,
		ASSETS
	);
	if (route.kind === 'forget') event.waitUntil(caches.delete(caches_.pages));
	else if (route.kind === 'asset') event.respondWith(fromAssets(request));
	else if (route.kind === 'shell') event.respondWith(networkFirst(request, route.key));
});
