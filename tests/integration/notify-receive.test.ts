// The profile's "What I receive", through the production server: what is listed (the managers'
// summary only for managers), saving by a plain form post, and a form naming anything that is
// not a switchable kind refused whole with nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { readDb, seedServerDb, signIn, type SeededDb } from '../helpers/seeded';

let seeded: SeededDb;
let server: RunningServer;
let session: string;

beforeAll(async () => {
	seeded = await seedServerDb({ people: 1 });
	server = await startServer({ dbPath: seeded.path });
	session = await signIn(server.url, seeded.people[0].email);
});
afterAll(async () => {
	await server?.dispose();
	seeded?.cleanup();
});

const optOuts = () =>
	readDb(seeded.path, (db) =>
		db
			.prepare('select channel, kind from notification_opt_out where user_id = ? order by 1, 2')
			.all(seeded.people[0].id)
	);

function post(fields: [string, string][]) {
	return fetch(`${server.url}/me?/receive`, {
		method: 'POST',
		body: new URLSearchParams(fields),
		headers: {
			origin: server.url,
			cookie: `session=${session}`,
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'text/html'
		},
		redirect: 'manual'
	});
}

describe('/me: what I receive', () => {
	it('lists the switches, saves the unticked as switched off, and refuses a bad form whole', async () => {
		const page = await (
			await fetch(`${server.url}/me`, { headers: { cookie: `session=${session}` } })
		).text();
		expect(page).toContain('What I receive');
		expect(page).toContain('value="email:overtaken"');
		expect(page).toContain('value="push:quiz_open"');
		expect(page).not.toContain('email:daily_summary');

		const shown: [string, string][] = [
			['shown', 'email:overtaken'],
			['shown', 'email:weekly_digest'],
			['shown', 'push:badge']
		];
		const saved = await post([...shown, ['on', 'email:weekly_digest']]);
		expect(saved.status).toBe(200);
		expect(await saved.text()).toContain('Saved: you receive what is ticked.');
		expect(optOuts()).toEqual([
			{ channel: 'email', kind: 'overtaken' },
			{ channel: 'push', kind: 'badge' }
		]);

		const bad = await post([...shown, ['shown', 'sms:overtaken'], ['on', 'email:overtaken']]);
		expect(bad.status).toBe(400);
		expect(await bad.text()).toContain('nothing was changed');
		expect(optOuts()).toEqual([
			{ channel: 'email', kind: 'overtaken' },
			{ channel: 'push', kind: 'badge' }
		]);

		// Signed out: the form is nobody's.
		const anonymous = await fetch(`${server.url}/me?/receive`, {
			method: 'POST',
			body: new URLSearchParams(shown),
			headers: {
				origin: server.url,
				'content-type': 'application/x-www-form-urlencoded',
				accept: 'text/html'
			},
			redirect: 'manual'
		});
		expect(anonymous.status).toBe(303);
		expect(anonymous.headers.get('location')).toMatch(/^\/login/);
		expect(optOuts()).toHaveLength(2);
	});
});
