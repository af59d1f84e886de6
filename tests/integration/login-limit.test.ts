import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { PASSWORD, seedServerDb, type SeededDb } from '../helpers/seeded';

let seeded: SeededDb;
let server: RunningServer;
beforeAll(async () => {
	seeded = await seedServerDb();
	server = await startServer({ dbPath: seeded.path });
});
afterAll(async () => {
	await server?.stop();
	seeded?.cleanup();
});

/** A browser's form post to /login; resolves with the status and the page or redirect. */
async function attempt(email: string, password: string, ip = '203.0.113.7') {
	const response = await fetch(`${server.url}/login`, {
		method: 'POST',
		body: new URLSearchParams({ email, password }),
		headers: {
			origin: server.url,
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'text/html',
			'x-forwarded-for': ip
		},
		redirect: 'manual'
	});
	return { status: response.status, text: await response.text() };
}

describe('sign-in failures are rate-limited', () => {
	it('per account: after 5 failures even the right password waits, and the message tells nothing about the account', async () => {
		const email = 'seller@test.test';
		for (let i = 0; i < 5; i++) {
			const wrong = await attempt(email, `wrong-${i}`);
			expect(wrong.status).toBe(400);
			expect(wrong.text).toContain('That email and password do not match an account.');
		}
		const blocked = await attempt(email, PASSWORD);
		expect(blocked.status).toBe(429);
		expect(blocked.text).toMatch(/Too many failed attempts\. Try again in \d+ minutes?\./);
		// An unknown email gets the same answer as a wrong password.
		const unknown = await attempt('nobody@test.test', 'whatever-1');
		expect(unknown.status).toBe(400);
		expect(unknown.text).toContain('That email and password do not match an account.');
	});
});
