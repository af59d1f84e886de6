// The console's sprint and knockout forms on the production build: participants get 403 on the
// pages and the actions, bad input is refused with nothing stored, a double submit creates one
// sprint, and the pages a participant sees (/sprints, the bracket) answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as devalue from 'devalue';
import { startServer, type RunningServer } from '../helpers/server';
import { PASSWORD, readDb, seedServerDb, signIn, type SeededDb } from '../helpers/seeded';
import { makeUser } from '../helpers/factories';
import { openDatabase } from '../../src/lib/server/db';

// This file's port (the range given to the brackets part of #17).
const SERVER_PORT = 47_610;

let db: SeededDb;
let running: RunningServer;
let manager: string;
let rep: string;

beforeAll(async () => {
	db = await seedServerDb({ teams: 2, people: 4 });
	const d = openDatabase(db.path);
	try {
		await makeUser(d, { email: 'manager@test.test', role: 'manager', password: PASSWORD });
	} finally {
		d.$client.close();
	}
	running = await startServer({ dbPath: db.path, port: SERVER_PORT });
	[manager, rep] = await Promise.all([
		signIn(running.url, 'manager@test.test'),
		signIn(running.url, db.people[0].email)
	]);
}, 120_000);

afterAll(async () => {
	await running?.dispose();
	db?.cleanup();
});

const page = (session: string, path: string) =>
	fetch(`${running.url}${path}`, { headers: { cookie: `session=${session}` }, redirect: 'manual' });

/** Posts a form action the way the page's enhanced form does; returns SvelteKit's answer. */
async function action(session: string, path: string, fields: Record<string, string>) {
	const response = await fetch(`${running.url}${path}?/create`, {
		method: 'POST',
		body: new URLSearchParams(fields),
		headers: {
			origin: running.url,
			cookie: `session=${session}`,
			'content-type': 'application/x-www-form-urlencoded',
			'x-sveltekit-action': 'true'
		}
	});
	const body = (await response.json()) as { type: string; status?: number; data?: string };
	return {
		status: response.status,
		...body,
		data: typeof body.data === 'string' ? devalue.parse(body.data) : body.data
	};
}

const count = (table: 'sprint' | 'knockout') =>
	readDb(
		db.path,
		(d) => (d.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n
	);

const sprintFields = {
	name: 'First to 300',
	subject: 'user',
	measure: 'points',
	target: '300',
	startsAt: '2026-01-01T09:00',
	endsAt: '2026-12-31T18:00',
	prize: 'Lunch',
	requestId: 'sprint-http-0001'
};

describe('the console forms', () => {
	it('are for managers: participants get 403 on the pages and the actions', async () => {
		expect((await page(rep, '/manage/sprints')).status).toBe(403);
		expect((await page(rep, '/manage/knockouts')).status).toBe(403);
		expect((await action(rep, '/manage/sprints', sprintFields)).status).toBe(403);
		expect(count('sprint')).toBe(0);
		expect((await page(manager, '/manage/sprints')).status).toBe(200);
		expect((await page(manager, '/manage/knockouts')).status).toBe(200);
	});

	it('refuse bad input with a clear error and store nothing', async () => {
		const bad = await action(manager, '/manage/sprints', {
			...sprintFields,
			target: 'lots',
			endsAt: '2025-01-01T00:00'
		});
		expect(bad.type).toBe('failure');
		expect(bad.status).toBe(400);
		expect(Object.keys(bad.data.errors).sort()).toEqual(['endsAt', 'target']);
		const knockout = await action(manager, '/manage/knockouts', {
			name: 'Cup',
			subject: 'user',
			measure: 'revenue',
			size: '3',
			roundLength: '1',
			roundUnit: 'week',
			graceHours: '2',
			startsAt: '2026-01-01T09:00',
			prize: '',
			requestId: 'knockout-http-0001'
		});
		expect(knockout.status).toBe(400);
		expect(Object.keys(knockout.data.errors).sort()).toEqual(['measure', 'roundUnit', 'size']);
		expect([count('sprint'), count('knockout')]).toEqual([0, 0]);
	});

	it('create once for a double submit; the participant pages show it', async () => {
		const first = await action(manager, '/manage/sprints', sprintFields);
		const again = await action(manager, '/manage/sprints', sprintFields);
		expect([first.type, again.type]).toEqual(['redirect', 'redirect']);
		expect(count('sprint')).toBe(1);
		const made = await action(manager, '/manage/knockouts', {
			name: 'Cup',
			subject: 'user',
			measure: 'points',
			size: '4',
			roundLength: '12',
			roundUnit: 'hour',
			graceHours: '1',
			startsAt: '2026-01-01T09:00',
			prize: '',
			requestId: 'knockout-http-0002'
		});
		expect(made.type).toBe('redirect');
		const id = readDb(
			db.path,
			(d) => (d.prepare('select id from knockout').get() as { id: number }).id
		);
		const sprints = await page(rep, '/sprints');
		expect(sprints.status).toBe(200);
		expect(await sprints.text()).toContain('First to 300');
		expect((await page(rep, `/knockouts/${id}`)).status).toBe(200);
		expect((await page(rep, '/knockouts/99999')).status).toBe(404);
	});
});
