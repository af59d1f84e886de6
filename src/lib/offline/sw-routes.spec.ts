import { describe, expect, it } from 'vitest';
import { cacheNames, keepable, routeOf, staleCaches } from './sw-routes';

const ORIGIN = 'https://board.example';
const assets = new Set(['/_app/immutable/entry/start.abc.js', '/favicon.svg']);
const route = (path: string, method = 'GET', mode = 'navigate', origin = ORIGIN) =>
	routeOf(new URL(path, origin), method, mode, ORIGIN, assets);

describe('routeOf', () => {
	it.each([
		['the board', '/', 'GET', 'navigate', { kind: 'shell', key: '/' }],
		['the board of a chosen season', '/?season=3', 'GET', 'navigate', { kind: 'shell', key: '/' }],
		['/sell', '/sell', 'GET', 'navigate', { kind: 'shell', key: '/sell' }],
		[
			"/sell's data for the client router",
			'/sell/__data.json?x-sveltekit-invalidated=001',
			'GET',
			'cors',
			{ kind: 'shell', key: '/sell/__data.json' }
		],
		[
			"the board's data",
			'/__data.json?x-sveltekit-invalidated=11',
			'GET',
			'cors',
			{ kind: 'shell', key: '/__data.json' }
		],
		['a built asset', '/_app/immutable/entry/start.abc.js', 'GET', 'no-cors', { kind: 'asset' }],
		['a static file', '/favicon.svg', 'GET', 'no-cors', { kind: 'asset' }],
		['signing out', '/logout', 'POST', 'navigate', { kind: 'forget' }],
		['signing in', '/login', 'POST', 'cors', { kind: 'forget' }],
		['the sign-in page', '/login', 'GET', 'navigate', { kind: 'forget' }],
		['accepting an invitation', '/invite/abc', 'POST', 'navigate', { kind: 'forget' }],
		['a sale posted', '/sell', 'POST', 'cors', { kind: 'pass' }],
		['the API', '/api/v1/seasons/current', 'GET', 'cors', { kind: 'pass' }],
		['Socket.IO', '/socket.io/?EIO=4&transport=polling', 'GET', 'cors', { kind: 'pass' }],
		['another page', '/me', 'GET', 'navigate', { kind: 'pass' }],
		["another page's data", '/me/__data.json', 'GET', 'cors', { kind: 'pass' }],
		['/sell fetched by a script', '/sell', 'GET', 'cors', { kind: 'pass' }],
		['a path that only starts like /login', '/loginx', 'POST', 'cors', { kind: 'pass' }]
	])('%s', (_name, path, method, mode, expected) => {
		expect(route(path, method, mode)).toEqual(expected);
	});

	it('leaves other origins alone', () => {
		expect(route('/', 'GET', 'navigate', 'https://other.example')).toEqual({ kind: 'pass' });
	});
});

describe('caches', () => {
	it('deletes the caches of other versions only', () => {
		const current = cacheNames('2');
		expect(
			staleCaches(
				['honorboard-assets-1', 'honorboard-pages-1', current.assets, current.pages, 'other'],
				'2'
			)
		).toEqual(['honorboard-assets-1', 'honorboard-pages-1']);
	});

	it.each([
		['a page', { ok: true, status: 200, redirected: false, type: 'basic' }, true],
		['a redirect to sign in', { ok: true, status: 200, redirected: true, type: 'basic' }, false],
		[
			'a manual redirect',
			{ ok: false, status: 0, redirected: false, type: 'opaqueredirect' },
			false
		],
		['an error page', { ok: false, status: 503, redirected: false, type: 'basic' }, false]
	])('keeps %s: %s', (_name, response, expected) => {
		expect(keepable(response)).toBe(expected);
	});
});
