// Sign-in rate limits against the production build, on the seeded SQLite file and on its copy in a
// throwaway PostgreSQL database (tests/helpers/server-db.ts): the counts are the database's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { PASSWORD, type SeededDb } from '../helpers/seeded';
import { DIALECTS, seedServerDbOn, serverEnvFor, type ServerDb } from '../helpers/server-db';
import { openDatabase } from '../../src/lib/server/db';
import { makeUser } from '../helpers/factories';

const FREE_TRIES = 5;

let db: ServerDb;
let server: RunningServer;

/** Three more people who sign in, made in the seeded file before it is copied or served. */
async function prepare(seeded: SeededDb) {
	const db = openDatabase(seeded.path);
	await makeUser(db, { email: 'office@test.test', name: 'Olga Office', password: PASSWORD });
	await makeUser(db, { email: 'colleague@test.test', name: 'Carl Colleague', password: PASSWORD });
	await makeUser(db, { email: 'typist@test.test', name: 'Tina Typist', password: PASSWORD });
	db.$client.close();
}

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
	return {
		status: response.status,
		retryAfter: response.headers.get('retry-after'),
		text: await response.text()
	};
}

const WRONG = 'That email and password do not match an account.';
const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe.each(DIALECTS)('sign-in limits on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, {}, prepare);
		// As behind a reverse proxy: the client's address comes from X-Forwarded-For.
		server = await startServer({
			dbPath: db.seeded.path,
			env: { ADDRESS_HEADER: 'x-forwarded-for', ...serverEnvFor(db) }
		});
	});

	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('sign-in failures are slowed down, counted before the password check', () => {
		it('40 simultaneous wrong passwords get no more password checks than the free tries', async () => {
			const results = await Promise.all(
				Array.from({ length: 40 }, (_, i) => attempt('seller@test.test', `wrong-${i}`))
			);
			const statuses = results.map((r) => r.status);
			// A 400 is a password that was checked and wrong; a 429 was refused before any check.
			expect(count(statuses, 400)).toBe(FREE_TRIES);
			expect(count(statuses, 429)).toBe(40 - FREE_TRIES);
			for (const r of results.filter((r) => r.status === 400)) expect(r.text).toContain(WRONG);
			const counted = await db.value(
				'select failures from login_throttle where key = ?',
				'pair:seller@test.test|203.0.113.7'
			);
			expect(counted).toBe(FREE_TRIES);
		});

		it('the address that guessed waits a while, even with the right password, and is told how long', async () => {
			const blocked = await attempt('seller@test.test', PASSWORD);
			expect(blocked.status).toBe(429);
			expect(blocked.text).toMatch(/Too many failed attempts\. Try again in \d+ seconds?\./);
			expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
			expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(30);
		});

		it('the owner still signs in from another address while the attacker keeps guessing', async () => {
			const [owner, ...hammering] = await Promise.all([
				attempt('seller@test.test', PASSWORD, '198.51.100.4'),
				...Array.from({ length: 10 }, (_, i) => attempt('seller@test.test', `guess-${i}`))
			]);
			expect(owner.status).toBe(303);
			expect(hammering.map((r) => r.status)).toEqual(Array(10).fill(429));
			// ...and the attacker's own delay is not lifted by the owner's success.
			expect((await attempt('seller@test.test', PASSWORD)).status).toBe(429);
		});

		it('an address spraying many accounts is slowed, but not for an account with no failures of its own', async () => {
			const spray = '192.0.2.9';
			for (let i = 0; i < 20; i++) {
				const r = await attempt(`nobody${i}@test.test`, 'Summer2026!', spray);
				// An unknown email gets the same answer as a wrong password.
				expect(r.status).toBe(400);
				expect(r.text).toContain(WRONG);
			}
			expect((await attempt('nobody0@test.test', 'Winter2026!', spray)).status).toBe(429);
			// Someone else behind the same office address signs in as usual.
			expect((await attempt('office@test.test', PASSWORD, spray)).status).toBe(303);
		});
	});

	describe('behind a reverse proxy, one address for everybody (issue #16)', () => {
		const proxy = '10.0.0.2';

		it('20 failed logins from the address, then 100 more with made-up emails: a colleague with the right password still signs in', async () => {
			const statuses: number[] = [];
			// Someone guesses a colleague's... and their own forgotten emails, 120 times in all.
			for (let batch = 0; batch < 12; batch++)
				statuses.push(
					...(
						await Promise.all(
							Array.from({ length: 10 }, (_, i) =>
								attempt(`forgot-${batch * 10 + i}@test.test`, 'not-it', proxy)
							)
						)
					).map((r) => r.status)
				);
			// The address's allowance of checks, then growing delays for emails without an account.
			expect(count(statuses, 400)).toBe(20);
			expect(count(statuses, 429)).toBe(100);
			// The next person behind the proxy, with the right password, is not refused.
			expect((await attempt('colleague@test.test', PASSWORD, proxy)).status).toBe(303);
		});

		it('a mistyped password from the slowed address gets the same answer as a made-up email', async () => {
			const typo = await attempt('typist@test.test', 'typo', proxy);
			const madeUp = await attempt('nobody-at-all@test.test', 'typo', proxy);
			expect(typo.status).toBe(429);
			expect(madeUp.status).toBe(429);
			// The same answer (the wait itself runs on between the two), never "do not match".
			for (const r of [typo, madeUp]) {
				expect(r.text).toMatch(/Too many failed attempts\. Try again in \d+ (second|minute)s?\./);
				expect(r.text).not.toContain(WRONG);
				expect(Number(r.retryAfter)).toBeGreaterThan(0);
			}
		});
	});
});
