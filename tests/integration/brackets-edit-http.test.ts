// Changing and removing sprints and knockouts in the console (#17), on the production build:
// participants get 403 and change nothing; a manager's edit form comes filled in, a started
// sprint's form sends only what may change and a forged change of its target is refused with
// the field named; removing one that is live cancels it, and the boards watching over Socket.IO
// lose its card without a reload; /sprints and the bracket page no longer show it.
import { sqliteStore } from '../../src/lib/server/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as devalue from 'devalue';
import { startServer, type RunningServer } from '../helpers/server';
import {
	connect,
	PASSWORD,
	readDb,
	seedServerDb,
	signIn,
	socketFor,
	waitFor,
	type ClientSocket,
	type SeededDb
} from '../helpers/seeded';
import { makeUser } from '../helpers/factories';
import { openDatabase } from '../../src/lib/server/db';
import { createSprint } from '../../src/lib/server/sprints/commands';
import { createKnockout } from '../../src/lib/server/knockouts/commands';
import { localInput } from '../../src/lib/server/quizzes/quiz-form';
import type { SprintsState } from '../../src/lib/server/sprints/view';
import type { LeaderboardPush, LeaderboardSnapshot } from '../../src/lib/realtime/events';

// This file's port (the range given to #17's edit and delete part).
const SERVER_PORT = 47_940;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let db: SeededDb;
let running: RunningServer;
let manager: string;
let rep: string;
let socket: ClientSocket;
const frames: LeaderboardPush[] = [];
let ack: LeaderboardSnapshot;
const ids = { live: 0, later: 0, cup: 0 };
const now = Date.now();

beforeAll(async () => {
	db = await seedServerDb({ teams: 2, people: 4 });
	const d = openDatabase(db.path);
	try {
		await makeUser(d, { email: 'manager@test.test', role: 'manager', password: PASSWORD });
		const base = {
			subject: 'user' as const,
			measure: 'points',
			target: 5000,
			prize: 'Lunch'
		};
		ids.live = (
			await createSprint(
				sqliteStore(d),
				db.seasonId,
				{
					...base,
					name: 'Live race',
					startsAt: now - HOUR,
					endsAt: now + DAY,
					requestId: 'live-1'
				},
				{ userId: null }
			)
		).sprint.id;
		ids.later = (
			await createSprint(
				sqliteStore(d),
				db.seasonId,
				{
					...base,
					name: 'Next week race',
					startsAt: now + 7 * DAY,
					endsAt: now + 8 * DAY,
					requestId: 'later-1'
				},
				{ userId: null }
			)
		).sprint.id;
		ids.cup = (
			await createKnockout(
				sqliteStore(d),
				db.seasonId,
				{
					name: 'Running cup',
					subject: 'user',
					measure: 'points',
					size: 4,
					roundLength: 1,
					roundUnit: 'day',
					graceHours: 2,
					startsAt: now - HOUR,
					prize: null,
					requestId: 'cup-1'
				},
				{ userId: null }
			)
		).knockout.id;
	} finally {
		d.$client.close();
	}
	running = await startServer({ dbPath: db.path, port: SERVER_PORT });
	[manager, rep] = await Promise.all([
		signIn(running.url, 'manager@test.test'),
		signIn(running.url, db.people[0].email)
	]);
	socket = socketFor(running.url, rep);
	socket.on('leaderboard', (push) => frames.push(push));
	await connect(socket);
	ack = await new Promise((done) =>
		socket.emit('watch', { seasonId: db.seasonId }, (r) => done(r as LeaderboardSnapshot))
	);
}, 60_000);

afterAll(async () => {
	socket?.disconnect();
	await running?.dispose();
	db?.cleanup();
});

const page = (session: string, path: string) =>
	fetch(`${running.url}${path}`, { headers: { cookie: `session=${session}` }, redirect: 'manual' });

/** Posts a form action the way the page's enhanced form does; returns SvelteKit's answer. */
async function action(session: string, path: string, fields: Record<string, string>) {
	const response = await fetch(`${running.url}${path}`, {
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

const sprintRow = (id: number) =>
	readDb(
		db.path,
		(d) =>
			d.prepare('select name, target, ends_at, prize, status from sprint where id = ?').get(id) as
				{ name: string; target: number; ends_at: number; prize: string; status: string } | undefined
	);
const knockoutStatus = (id: number) =>
	readDb(
		db.path,
		(d) => d.prepare('select status from knockout where id = ?').get(id) as { status: string }
	).status;
const auditCount = () =>
	readDb(
		db.path,
		(d) =>
			(
				d
					.prepare(
						"select count(*) as n from audit_event where action like 'sprint.%' or action like 'knockout.%'"
					)
					.get() as { n: number }
			).n
	);
const sprintsOnBoard = (state: unknown) =>
	((state as SprintsState | null)?.sprints ?? []).map((s) => s.id);

describe('editing and removing in the console', () => {
	it('is for managers: participants get 403 and change nothing', async () => {
		const before = [sprintRow(ids.live), auditCount()];
		expect((await page(rep, `/manage/sprints?edit=${ids.live}`)).status).toBe(403);
		const update = await action(rep, '/manage/sprints?/update', {
			id: String(ids.live),
			name: 'Hijacked'
		});
		expect(update.status).toBe(403);
		expect((await action(rep, '/manage/sprints?/remove', { id: String(ids.live) })).status).toBe(
			403
		);
		expect((await action(rep, '/manage/knockouts?/remove', { id: String(ids.cup) })).status).toBe(
			403
		);
		expect([sprintRow(ids.live), auditCount()]).toEqual(before);
		expect(knockoutStatus(ids.cup)).not.toBe('cancelled');
	});

	it('opens the edit form filled in, the race fields of a live sprint disabled', async () => {
		const response = await page(manager, `/manage/sprints?edit=${ids.live}`);
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toContain('value="Live race"');
		expect(html).toMatch(/<input[^>]*name="target"[^>]*disabled/);
		expect(html).not.toMatch(/<input[^>]*name="name"[^>]*disabled/);
	});

	it('saves what a live sprint may change and refuses the rest with nothing changed', async () => {
		// The seeded season runs in UTC.
		const zone = 'UTC';
		const forged = await action(manager, '/manage/sprints?/update', {
			id: String(ids.live),
			name: 'Live race',
			target: '10',
			prize: 'Lunch'
		});
		expect(forged.type).toBe('failure');
		expect(forged.status).toBe(400);
		expect(Object.keys(forged.data.errors)).toEqual(['target']);
		const earlier = await action(manager, '/manage/sprints?/update', {
			id: String(ids.live),
			name: 'Live race',
			endsAt: localInput(now + HOUR, zone),
			prize: 'Lunch'
		});
		expect(earlier.status).toBe(400);
		expect(Object.keys(earlier.data.errors)).toEqual(['endsAt']);
		expect(sprintRow(ids.live)).toMatchObject({ name: 'Live race', target: 5000 });

		// What the browser sends from the form: the enabled fields only.
		const saved = await action(manager, '/manage/sprints?/update', {
			id: String(ids.live),
			name: 'Live race: double',
			endsAt: localInput(now + 3 * DAY, zone),
			prize: 'Dinner'
		});
		expect(saved.type).toBe('redirect');
		const row = sprintRow(ids.live)!;
		expect(row).toMatchObject({ name: 'Live race: double', target: 5000, prize: 'Dinner' });
		expect(Math.abs(row.ends_at - (now + 3 * DAY))).toBeLessThan(60_000);
	});

	it('deletes a sprint not started; cancels a live one, which leaves the boards live', async () => {
		expect(sprintsOnBoard(ack.formats?.sprints)).toContain(ids.live);
		const deleted = await action(manager, '/manage/sprints?/remove', { id: String(ids.later) });
		expect(deleted).toMatchObject({ type: 'success', status: 200 });
		expect(sprintRow(ids.later)).toBeUndefined();

		const pushed = frames.length;
		const cancelled = await action(manager, '/manage/sprints?/remove', { id: String(ids.live) });
		expect(cancelled.type).toBe('success');
		expect(sprintRow(ids.live)?.status).toBe('cancelled');
		await waitFor(
			() =>
				frames
					.slice(pushed)
					.some(
						(f) =>
							f.formats !== undefined &&
							'sprints' in f.formats &&
							!sprintsOnBoard(f.formats.sprints).includes(ids.live)
					),
			5_000,
			'a push without the cancelled sprint'
		);
		expect(await (await page(rep, '/sprints')).text()).not.toContain('Live race: double');

		// Once cancelled, nothing more: a second removal is refused.
		const again = await action(manager, '/manage/sprints?/remove', { id: String(ids.live) });
		expect(again.status).toBe(409);
	});

	it('cancels a running knockout: its bracket page is gone', async () => {
		// The scheduler seeds it within its tick; cancelling works either way (its start has come).
		expect((await page(rep, `/knockouts/${ids.cup}`)).status).toBe(200);
		const cancelled = await action(manager, '/manage/knockouts?/remove', { id: String(ids.cup) });
		expect(cancelled.type).toBe('success');
		expect(knockoutStatus(ids.cup)).toBe('cancelled');
		expect((await page(rep, `/knockouts/${ids.cup}`)).status).toBe(404);
		expect(await (await page(rep, '/sprints')).text()).not.toContain('Running cup');
		const list = await (await page(manager, '/manage/knockouts')).text();
		expect(list).toContain('Running cup');
	});
});
