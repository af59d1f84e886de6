// What a season's look can put into viewers' pages (theme.banner through the API) and the
// Content-Security-Policy that every page is sent with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { apiTokenFor, seedServerDb, signIn, type SeededDb } from '../helpers/seeded';

let seeded: SeededDb;
let server: RunningServer;
let token: string;

beforeAll(async () => {
	seeded = await seedServerDb();
	token = apiTokenFor(seeded.path, 'admin');
	server = await startServer({ dbPath: seeded.path });
});
afterAll(async () => {
	await server?.dispose();
	seeded?.cleanup();
});

const HOUR = 60 * 60 * 1000;
const png = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
	'base64'
);
const dataUrl = (type: string, bytes: Buffer) => `data:${type};base64,${bytes.toString('base64')}`;

function createSeason(banner: unknown) {
	return fetch(`${server.url}/api/v1/seasons`, {
		method: 'POST',
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: JSON.stringify({
			name: 'Banner test',
			timeZone: 'UTC',
			startsAt: new Date(Date.now() + HOUR).toISOString(),
			endsAt: new Date(Date.now() + 48 * HOUR).toISOString(),
			theme: { banner }
		})
	});
}

describe('theme.banner through the API', () => {
	const svg = Buffer.from(
		'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
	);
	it.each([
		['a javascript: url()', 'url(javascript:alert(1))'],
		['an outside https URL', 'https://evil.example/track.png'],
		['a protocol-relative URL', '//evil.example/track.png'],
		[
			'a value that closes url() and adds a declaration',
			'"); background:url(https://evil.example/x'
		],
		['a path that closes url()', '/a.png); background:url(https://evil.example/x.png'],
		['a path with a backslash', '/\\evil.example/x.png'],
		['an SVG data URL', dataUrl('image/svg+xml', svg)],
		['an SVG declared as PNG', dataUrl('image/png', svg)],
		['HTML declared as a GIF', dataUrl('image/gif', Buffer.from('<html><body>hi</body></html>'))],
		['a PNG declared as JPEG', dataUrl('image/jpeg', png)],
		['a data URL with a trailing payload', `${dataUrl('image/png', png)}"); x:url(//evil.example`]
	])('refuses %s with 400 and creates nothing', async (_name, banner) => {
		const before = await (
			await fetch(`${server.url}/api/v1/seasons`, {
				headers: { authorization: `Bearer ${token}` }
			})
		).json();
		const response = await createSeason(banner);
		expect(response.status).toBe(400);
		const body = await response.json();
		expect(JSON.stringify(body)).toMatch(/banner|PNG, JPEG, WebP or GIF/);
		const after = await (
			await fetch(`${server.url}/api/v1/seasons`, {
				headers: { authorization: `Bearer ${token}` }
			})
		).json();
		expect(after.entries).toHaveLength(before.entries.length);
	});

	it.each([
		['a PNG checked by its bytes', dataUrl('image/png', png)],
		['a same-origin path', '/uploads/banners/spring-2026.png']
	])('accepts %s', async (_name, banner) => {
		const response = await createSeason(banner);
		expect(response.status).toBe(201);
		const { id } = await response.json();
		const got = await (
			await fetch(`${server.url}/api/v1/seasons/${id}`, {
				headers: { authorization: `Bearer ${token}` }
			})
		).json();
		expect(got.theme.banner).toBe(banner);
	});
});

describe('Content-Security-Policy', () => {
	it('is sent with every page and forbids outside origins for scripts, styles and images', async () => {
		const session = await signIn(server.url, seeded.people[0].email);
		for (const [path, cookie] of [
			['/login', ''],
			['/', `session=${session}`]
		]) {
			const response = await fetch(`${server.url}${path}`, { headers: { cookie } });
			expect(response.status).toBe(200);
			const policy = response.headers.get('content-security-policy') ?? '';
			const directives = Object.fromEntries(
				policy
					.split(';')
					.map((d) => d.trim().split(/\s+/))
					.filter((d) => d[0])
					.map(([name, ...values]) => [name, values])
			);
			expect(directives['default-src']).toEqual(["'self'"]);
			expect(directives['img-src']).toEqual(["'self'", 'data:', 'blob:']);
			expect(directives['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
			expect(directives['font-src']).toEqual(["'self'"]);
			expect(directives['connect-src']).toEqual(["'self'", 'ws:', 'wss:']);
			// Scripts: this origin and SvelteKit's nonce for its inline start-up script only.
			expect(directives['script-src'][0]).toBe("'self'");
			expect(directives['script-src'].slice(1)).toEqual([expect.stringMatching(/^'nonce-/)]);
			expect(directives['object-src']).toEqual(["'none'"]);
			const html = await response.text();
			const nonce = directives['script-src'][1].slice("'nonce-".length, -1);
			expect(html).toContain(`nonce="${nonce}"`);
		}
	});
});
