// The seasons' API on both dialects: the built server on the seeded SQLite file, and on its copy
// in a throwaway PostgreSQL database (tests/helpers/server-db.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { apiTokenFor, type SeededDb, withStore } from '../helpers/seeded';
import { DIALECTS, seedServerDbOn, serverEnvFor, type ServerDb } from '../helpers/server-db';
import { createApiToken } from '../../src/lib/server/auth/api-token';

const HOUR = 60 * 60 * 1000;
const iso = (offset: number) => new Date(Date.now() + offset).toISOString();

describe.each(DIALECTS)('seasons API on %s', (dialect) => {
	let db: ServerDb;
	let seeded: SeededDb;
	let server: RunningServer;
	let admin: string;
	let manager: string;

	beforeAll(async () => {
		db = await seedServerDbOn(dialect, {}, async (file) => {
			admin = apiTokenFor(file.path, 'admin');
			manager = await withStore(
				file.path,
				async (store) => (await createApiToken(store, { name: 'manager', role: 'manager' })).token
			);
		});
		seeded = db.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(db) });
	});
	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	const call = (path: string, token: string, init: RequestInit = {}) =>
		fetch(`${server.url}/api/v1${path}`, {
			...init,
			headers: {
				authorization: `Bearer ${token}`,
				'content-type': 'application/json',
				...init.headers
			}
		});

	it('creates a season whose start has passed: it waits for people and products', async () => {
		const response = await call('/seasons', manager, {
			method: 'POST',
			body: JSON.stringify({
				name: 'Spring push',
				timeZone: 'Europe/Warsaw',
				startsAt: iso(-HOUR),
				endsAt: iso(30 * 24 * HOUR),
				recurrence: { every: 3, unit: 'month' }
			})
		});
		expect(response.status).toBe(201);
		const { id, status } = await response.json();
		// Nobody is in it and there is nothing to sell yet: it is not put on every board empty.
		expect(status).toBe('scheduled');
		const got = await (await call(`/seasons/${id}`, admin)).json();
		expect(got).toMatchObject({
			id,
			name: 'Spring push',
			status: 'scheduled',
			timeZone: 'Europe/Warsaw',
			recurrence: { every: 3, unit: 'month' }
		});
	});

	it('creates a future season as scheduled and lists seasons by status', async () => {
		const response = await call('/seasons', admin, {
			method: 'POST',
			body: JSON.stringify({
				name: 'Next quarter',
				timeZone: 'UTC',
				startsAt: iso(10 * 24 * HOUR),
				endsAt: iso(100 * 24 * HOUR)
			})
		});
		expect(await response.json()).toMatchObject({ status: 'scheduled' });
		const scheduled = await (await call('/seasons?status=scheduled', admin)).json();
		expect(scheduled.entries.map((s: { name: string }) => s.name)).toContain('Next quarter');
		// The seeded season ended 60 days ago: on boot the scheduler caught up and made it final.
		const archived = await (await call('/seasons?status=archived', admin)).json();
		expect(archived.entries.map((s: { id: number }) => s.id)).toEqual([seeded.endedSeasonId]);
		expect((await (await call('/seasons?status=ended', admin)).json()).entries).toEqual([]);
		expect((await call('/seasons?status=finished', admin)).status).toBe(400);
	});

	it.each([
		{
			title: 'unknown time zone',
			body: { name: 'X', timeZone: 'Mars/Base', startsAt: iso(0), endsAt: iso(HOUR) },
			path: 'timeZone'
		},
		{
			title: 'end before start',
			body: { name: 'X', timeZone: 'UTC', startsAt: iso(HOUR), endsAt: iso(0) },
			path: 'endsAt'
		},
		{
			title: 'missing name',
			body: { timeZone: 'UTC', startsAt: iso(0), endsAt: iso(HOUR) },
			path: 'name'
		},
		{
			title: 'bad recurrence',
			body: {
				name: 'X',
				timeZone: 'UTC',
				startsAt: iso(0),
				endsAt: iso(HOUR),
				recurrence: { every: 0, unit: 'year' }
			},
			path: 'recurrence.every'
		}
	])('refuses $title with 400 and creates nothing', async ({ body, path }) => {
		const before = (await (await call('/seasons', admin)).json()).entries.length;
		const response = await call('/seasons', admin, { method: 'POST', body: JSON.stringify(body) });
		expect(response.status).toBe(400);
		const { error } = await response.json();
		expect(error.code).toBe('invalid_input');
		expect(error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
		expect((await (await call('/seasons', admin)).json()).entries.length).toBe(before);
	});

	it('serves results only once a season has ended', async () => {
		expect((await call(`/seasons/${seeded.seasonId}/results`, admin)).status).toBe(409);
		expect((await call('/seasons/9999/results', admin)).status).toBe(404);
		const ended = await call(`/seasons/${seeded.endedSeasonId}/results`, admin);
		expect(ended.status).toBe(200);
		expect(await ended.json()).toMatchObject({
			seasonId: seeded.endedSeasonId,
			status: 'archived',
			final: true
		});
	});

	it('needs a token', async () => {
		expect((await fetch(`${server.url}/api/v1/seasons`)).status).toBe(401);
	});
});
