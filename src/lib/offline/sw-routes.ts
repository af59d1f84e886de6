// Which requests the service worker answers and how: pure, so that the rules are tested without
// a browser. The worker keeps two caches per app version: the built assets (the same for
// everyone) and the shells of the two pages a seller needs without signal, the board and /sell,
// as the signed-in person last saw them. Everything else (the API, form posts, Socket.IO, the
// other pages) goes to the network untouched.

/** The pages kept for offline use, as their paths. */
export const SHELLS = ['/', '/sell'] as const;

const PREFIX = 'honorboard-';

export function cacheNames(version: string) {
	return { assets: `${PREFIX}assets-${version}`, pages: `${PREFIX}pages-${version}` };
}

/** The caches an activated worker of `version` deletes: every other version's. */
export function staleCaches(names: readonly string[], version: string): string[] {
	const current = Object.values(cacheNames(version));
	return names.filter((name) => name.startsWith(PREFIX) && !current.includes(name));
}

export type Route =
	/** A built asset or a static file: from the cache, the network only if it is missing. */
	| { kind: 'asset' }
	/** A shell page or its data (`__data.json`): network first, the cached copy when offline. */
	| { kind: 'shell'; key: string }
	/** Signing in or out: the cached shells belong to someone else now, drop them. */
	| { kind: 'forget' }
	/** Not the worker's business. */
	| { kind: 'pass' };

const SIGN_IN_OUT = /^\/(login|logout|invite|reset)(\/|$)/;

/**
 * How the worker treats one request. `assets` lists the cached asset paths; `mode` is the
 * request's mode ('navigate' for a page load).
 */
export function routeOf(
	url: URL,
	method: string,
	mode: string,
	origin: string,
	assets: ReadonlySet<string>
): Route {
	if (url.origin !== origin) return { kind: 'pass' };
	// Whoever signs in or out (a shared phone) must not find the last person's pages.
	if (SIGN_IN_OUT.test(url.pathname) && (method === 'POST' || mode === 'navigate'))
		return { kind: 'forget' };
	if (method !== 'GET') return { kind: 'pass' };
	if (assets.has(url.pathname)) return { kind: 'asset' };
	const page = url.pathname.endsWith('/__data.json')
		? url.pathname.slice(0, -'/__data.json'.length) || '/'
		: url.pathname;
	if (!(SHELLS as readonly string[]).includes(page)) return { kind: 'pass' };
	// A page load, or the client router's data for it (any query: one copy per page).
	if (page !== url.pathname) return { kind: 'shell', key: url.pathname };
	return mode === 'navigate' ? { kind: 'shell', key: page } : { kind: 'pass' };
}

/** Whether a network answer may stand in for the page later: a whole page, for this person. */
export function keepable(response: {
	ok: boolean;
	redirected: boolean;
	type: string;
	status: number;
}): boolean {
	return (
		response.ok && response.status === 200 && !response.redirected && response.type === 'basic'
	);
}
