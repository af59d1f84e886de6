// The API of the #17 formats against the production build: duels, sprints and knockouts made
// through POST (manager and admin tokens only), read back by any token with the numbers the
// board shows, moved by a sale; refusals (401, 403, 400, 404, 422) write nothing. On the seeded
// SQLite file and on its copy in a throwaway PostgreSQL database (tests/helpers/server-db.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { postSale } from '../helpers/sales';
import { io as ioClient } from 'socket.io-client';
import {
	apiTokenFor,
	connect,
	waitFor,
	type ClientSocket,
	type SeededDb,
	withStore
} from '../helpers/seeded';
import { DIALECTS, seedServerDbOn, serverEnvFor, type ServerDb } from '../helpers/server-db';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import { advanceKnockouts } from '../../src/lib/server/knockouts/advance';
import { readKnockout } from '../../src/lib/server/knockouts/bracket';
import { readKnockoutCard } from '../../src/lib/server/knockouts/view';
import { readSprintCards, type SprintsState } from '../../src/lib/server/sprints/view';
import type { LeaderboardPush } from '../../src/lib/realtime/events';

// This file's port (the range 47960–47979 is this part's).
const SERVER_PORT = 47_960;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
let admin: string;
let manager: { token: string; id: number };
let integration: string;

/** The tokens, made in the seeded file before it is copied or served. */
async function prepare(file: SeededDb) {
	admin = apiTokenFor(file.path, 'formats-admin');
	manager = await withStore(file.path, (store) =>
		createApiToken(store, { name: 'formats-manager', role: 'manager' })
	);
	integration = await withStore(
		file.path,
		async (store) =>
			(await createApiToken(store, { name: 'formats-crm', role: 'integration' })).token
	);
}

const call = (path: string, token: string | null, body?: unknown) =>
	fetch(`${server.url}/api/v1${path}`, {
		method: body === undefined ? 'GET' : 'POST',
		headers: {
			...(token ? { authorization: `Bearer ${token}` } : {}),
			'content-type': 'application/json'
		},
		body: body === undefined ? undefined : JSON.stringify(body)
	});

const iso = (offset: number) => new Date(Date.now() + offset).toISOString();
const season = () => `/seasons/${seeded.seasonId}`;

/** Rows a create writes: the formats and the audit trail. */
const written = async () => {
	const one = async (table: string) => Number(await db.value(`select count(*) from ${table}`));
	return {
		sprints: await one('sprint'),
		knockouts: await one('knockout'),
		challenges: await one('challenge'),
		audit: await one('audit_event')
	};
};

const sprintBody = {
	name: 'First to 100',
	subject: 'user',
	measure: 'points',
	target: 100,
	startsAt: iso(-HOUR),
	endsAt: iso(7 * DAY),
	prize: 'Team lunch',
	requestId: 'formats-sprint-1'
};
const knockoutBody = {
	name: 'Phone cup',
	subject: 'user',
	measure: 'category:Phones',
	size: 8,
	startsAt: iso(-HOUR),
	requestId: 'formats-knockout-1'
};

async function sell(externalId: string, email: string) {
	const answer = await postSale<{ sale: { points: number } }>(server.url, integration, {
		externalId,
		seller: email,
		occurredAt: iso(-60_000),
		unitPrice: 999
	});
	expect(answer.status).toBe(201);
	return answer.body.sale.points;
}

describe.each(DIALECTS)('the formats API on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, { teams: 2, people: 4 }, prepare);
		seeded = db.seeded;
		server = await startServer({ dbPath: seeded.path, port: SERVER_PORT, env: serverEnvFor(db) });
	}, 60_000);

	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('formats API: refusals write nothing', () => {
		it('needs a token (401) and a manager or admin token to create (403)', async () => {
			const before = await written();
			for (const path of ['/challenges', '/sprints', '/knockouts'])
				expect((await call(`${season()}${path}`, null)).status).toBe(401);
			expect((await call(`${season()}/sprints`, null, sprintBody)).status).toBe(401);
			for (const [path, body] of [
				['/sprints', sprintBody],
				['/knockouts', knockoutBody],
				[
					'/challenges',
					{
						challenger: { email: seeded.people[0].email },
						opponent: { email: seeded.people[1].email },
						measure: 'points'
					}
				]
			] as const) {
				const refused = await call(`${season()}${path}`, integration, body);
				expect(refused.status).toBe(403);
				expect(await refused.json()).toMatchObject({ error: { code: 'forbidden' } });
				// The integration token reads the same list.
				expect((await call(`${season()}${path}`, integration)).status).toBe(200);
			}
			expect(await written()).toEqual(before);
		});

		it.each([
			{
				title: 'a sprint ending before it starts',
				path: '/sprints',
				body: () => ({ ...sprintBody, endsAt: iso(-2 * HOUR) }),
				issue: 'endsAt'
			},
			{
				title: 'a sprint without a target',
				path: '/sprints',
				body: () => ({ ...sprintBody, target: undefined }),
				issue: 'target'
			},
			{
				title: 'a knockout of 2',
				path: '/knockouts',
				body: () => ({ ...knockoutBody, size: 2 }),
				issue: 'size'
			},
			{
				title: 'a duel of a person against a team',
				path: '/challenges',
				body: () => ({
					challenger: { email: seeded.people[0].email },
					opponent: { teamId: 1 },
					measure: 'points'
				}),
				issue: 'opponent'
			},
			{
				title: 'a duel of a person against themself',
				path: '/challenges',
				body: () => ({
					challenger: { email: seeded.people[0].email },
					opponent: { email: seeded.people[0].email.toUpperCase() },
					measure: 'points'
				}),
				issue: 'opponent'
			},
			{
				title: 'a custom period without dates',
				path: '/challenges',
				body: () => ({
					challenger: { email: seeded.people[0].email },
					opponent: { email: seeded.people[1].email },
					measure: 'points',
					preset: 'custom'
				}),
				issue: 'fromDate'
			}
		])('refuses $title with 400', async ({ path, body, issue }) => {
			const before = await written();
			const response = await call(`${season()}${path}`, manager.token, body());
			expect(response.status).toBe(400);
			const { error } = await response.json();
			expect(error.code).toBe('invalid_input');
			expect(error.details.issues.map((i: { path: string }) => i.path)).toContain(issue);
			expect(await written()).toEqual(before);
		});

		it.each([
			{
				title: 'an unknown category',
				path: () => `${season()}/sprints`,
				body: () => ({ ...sprintBody, measure: 'category:Tablets' }),
				code: 'unknown_measure'
			},
			{
				title: 'a sprint in an ended season',
				path: () => `/seasons/${seeded.endedSeasonId}/sprints`,
				body: () => sprintBody,
				code: 'season_closed'
			},
			{
				title: 'a sprint already over',
				path: () => `${season()}/sprints`,
				body: () => ({ ...sprintBody, startsAt: iso(-3 * HOUR), endsAt: iso(-HOUR) }),
				code: 'period_over'
			},
			{
				title: 'a knockout on an unknown activity',
				path: () => `${season()}/knockouts`,
				body: () => ({ ...knockoutBody, measure: 'activity:golf' }),
				code: 'unknown_measure'
			},
			{
				title: 'a duel with someone outside the season',
				path: () => `${season()}/challenges`,
				body: () => ({
					challenger: { email: seeded.people[0].email },
					opponent: { email: seeded.outsider.email },
					measure: 'points'
				}),
				code: 'not_a_member'
			},
			{
				title: 'a duel with an unknown email',
				path: () => `${season()}/challenges`,
				body: () => ({
					challenger: { email: 'nobody@test.test' },
					opponent: { email: seeded.people[0].email },
					measure: 'points'
				}),
				code: 'unknown_person'
			},
			{
				title: 'a duel with an unknown team',
				path: () => `${season()}/challenges`,
				body: () => ({
					challenger: { teamName: seeded.teams[0].name },
					opponent: { teamName: 'Nobody FC' },
					measure: 'points'
				}),
				code: 'unknown_team'
			},
			{
				title: 'a duel whose period is over',
				path: () => `${season()}/challenges`,
				body: () => ({
					challenger: { email: seeded.people[0].email },
					opponent: { email: seeded.people[1].email },
					measure: 'points',
					preset: 'custom',
					fromDate: '2020-01-01',
					toDate: '2020-01-02'
				}),
				code: 'bad_period'
			}
		])('refuses $title with 422 $code', async ({ path, body, code }) => {
			const before = await written();
			const response = await call(path(), manager.token, body());
			expect(response.status).toBe(422);
			expect(await response.json()).toMatchObject({ error: { code } });
			expect(await written()).toEqual(before);
		});

		it('answers 404 for an unknown season or knockout', async () => {
			const before = await written();
			for (const path of ['/challenges', '/sprints', '/knockouts']) {
				const read = await call(`/seasons/999999${path}`, integration);
				expect(read.status).toBe(404);
				expect(await read.json()).toMatchObject({ error: { code: 'not_found' } });
			}
			expect((await call('/seasons/999999/sprints', admin, sprintBody)).status).toBe(404);
			expect((await call('/knockouts/999999', integration)).status).toBe(404);
			expect((await call('/knockouts/abc', integration)).status).toBe(400);
			expect((await call(`${season()}/challenges?status=soon`, integration)).status).toBe(400);
			expect(await written()).toEqual(before);
		});
	});

	describe('formats API: created, read back and moved by a sale', () => {
		const [sam, ann] = [0, 1].map((i) => () => seeded.people[i]);
		let sprintId = 0;
		let knockoutId = 0;

		it('creates a sprint (a resend answers the first) audited with the token as the actor', async () => {
			const before = await written();
			const response = await call(`${season()}/sprints`, manager.token, sprintBody);
			expect(response.status).toBe(201);
			const sprint = await response.json();
			expect(sprint).toMatchObject({
				name: 'First to 100',
				subject: 'user',
				measure: 'points',
				target: 100,
				prize: 'Team lunch',
				status: 'live',
				winner: null,
				progress: []
			});
			sprintId = sprint.id;
			const again = await call(`${season()}/sprints`, manager.token, sprintBody);
			expect(again.status).toBe(200);
			expect((await again.json()).id).toBe(sprintId);
			expect(await written()).toEqual({
				...before,
				sprints: before.sprints + 1,
				audit: before.audit + 1
			});
			const [audited] = await db.rows(
				`select actor_user_id as "userId", actor_token_id as "tokenId" from audit_event
				 where action = 'sprint.create' and subject = ?`,
				`sprint:${sprintId}`
			);
			expect(audited).toEqual({ userId: null, tokenId: manager.id });
		});

		it('creates a duel between two people by email and one between two teams', async () => {
			const people = await call(`${season()}/challenges`, admin, {
				challenger: { email: sam().email },
				opponent: { email: ann().email.toUpperCase() },
				measure: 'category:Phones',
				preset: 'week',
				requestId: 'formats-duel-1'
			});
			expect(people.status).toBe(201);
			expect(await people.json()).toMatchObject({
				subject: 'user',
				status: 'live',
				byManager: true,
				stake: 0,
				challenger: { id: sam().id, email: sam().email, value: 0 },
				opponent: { id: ann().id, email: ann().email, value: 0 },
				outcome: null
			});
			const [red, blue] = seeded.teams;
			const teams = await call(`${season()}/challenges`, manager.token, {
				challenger: { teamId: red.id },
				opponent: { teamName: blue.name },
				measure: 'sales',
				preset: 'today'
			});
			expect(teams.status).toBe(201);
			const duel = await teams.json();
			expect(duel).toMatchObject({
				subject: 'team',
				challenger: { id: red.id, name: red.name },
				opponent: { id: blue.id, name: blue.name }
			});
			expect(duel.challenger.email).toBeUndefined();
			const audited = await db.value(
				`select actor_token_id from audit_event where subject = ?`,
				`challenge:${duel.id}`
			);
			expect(audited).toBe(manager.id);
		});

		it('creates a knockout; seeded, its bracket pairs the ranking with byes', async () => {
			const response = await call(`${season()}/knockouts`, manager.token, knockoutBody);
			expect(response.status).toBe(201);
			const created = await response.json();
			expect(created).toMatchObject({
				name: 'Phone cup',
				size: 8,
				roundLength: 1,
				roundUnit: 'day',
				graceHours: 2,
				status: 'scheduled',
				rounds: 0,
				currentRound: null,
				bracket: []
			});
			knockoutId = created.id;
			// The scheduler seeds it at its start (within its tick): run that step now.
			await db.withStore((store) => advanceKnockouts(store));
			const bracket = await (await call(`/knockouts/${knockoutId}`, integration)).json();
			// Five people in a bracket of eight: three of them skip the first round.
			expect(bracket).toMatchObject({ id: knockoutId, status: 'live', rounds: 3, currentRound: 1 });
			expect(bracket.bracket.map((r: { round: number }) => r.round)).toEqual([1, 2, 3]);
			const first = bracket.bracket[0];
			expect(first.started).toBe(true);
			expect(first.matches).toHaveLength(4);
			expect(first.matches.filter((m: { bye: boolean }) => m.bye)).toHaveLength(3);
			const emails = new Set(seeded.people.map((p) => p.email));
			const sides = first.matches.flatMap((m: { a: unknown; b: unknown }) => [m.a, m.b]);
			const entrants = sides.filter(Boolean) as { email: string; seed: number }[];
			expect(entrants.every((e) => emails.has(e.email))).toBe(true);
			expect(entrants.map((e) => e.seed).sort()).toEqual([1, 2, 3, 4, 5]);
			const list = await (await call(`${season()}/knockouts`, integration)).json();
			expect(list.entries).toEqual([
				expect.objectContaining({ id: knockoutId, rounds: 3, currentRound: 1, status: 'live' })
			]);
			expect(list.entries[0].bracket).toBeUndefined();
		});

		it('moves the sprint, the duel and the bracket when a sale is posted, as the board shows them', async () => {
			const points = await sell('formats-sale-1', ann().email);
			expect(points).toBe(50);
			const sprints = await (await call(`${season()}/sprints`, integration)).json();
			const sprint = sprints.entries.find((s: { id: number }) => s.id === sprintId);
			expect(sprint.progress).toEqual([
				{ id: ann().id, name: ann().displayName, email: ann().email, value: 50 }
			]);
			expect(sprint.winner).toBeNull();
			const duels = await (await call(`${season()}/challenges?status=live`, integration)).json();
			const duel = duels.entries.find((d: { subject: string }) => d.subject === 'user');
			expect([duel.challenger.value, duel.opponent.value, duel.leaderId]).toEqual([
				0,
				50,
				ann().id
			]);
			expect(duels.entries).toHaveLength(2);
			expect(
				(await (await call(`${season()}/challenges?status=final`, admin)).json()).entries
			).toEqual([]);

			// The second phone reaches the target: the sprint is won, the winner named.
			await sell('formats-sale-2', ann().email);
			const won = (await (await call(`${season()}/sprints`, admin)).json()).entries.find(
				(s: { id: number }) => s.id === sprintId
			);
			expect(won).toMatchObject({
				status: 'won',
				winner: { id: ann().id, email: ann().email },
				progress: [{ id: ann().id, value: 100 }]
			});

			// The same numbers the board's views give.
			const board = await db.withStore(async (store) => {
				const now = Date.now();
				const k = await readKnockout(store.db, store.tables, knockoutId);
				return {
					sprint: (await readSprintCards(store, seeded.seasonId, now, { all: true })).find(
						(c) => c.id === sprintId
					)!,
					knockout: await readKnockoutCard(store.db, store.tables, k!, now)
				};
			});
			expect(won.progress.map((p: { id: number; value: number }) => [p.id, p.value])).toEqual(
				Object.entries(board.sprint.values).map(([id, value]) => [Number(id), value])
			);
			const bracket = await (await call(`/knockouts/${knockoutId}`, integration)).json();
			const values = (rounds: { matches: { aValue: number | null; bValue: number | null }[] }[]) =>
				rounds.flatMap((r) => r.matches.map((m) => [m.aValue, m.bValue]));
			expect(values(bracket.bracket)).toEqual(values(board.knockout.rounds));
		});
	});

	describe('formats API: pushed live', () => {
		it("pushes a sprint created by a token to the season's watchers", async () => {
			const socket = ioClient(server.url, {
				autoConnect: false,
				reconnection: false,
				transports: ['websocket'],
				auth: { token: integration },
				timeout: 5_000
			}) as ClientSocket;
			const frames: LeaderboardPush[] = [];
			socket.on('leaderboard', (push) => frames.push(push));
			try {
				await connect(socket);
				await new Promise((done) => socket.emit('watch', { seasonId: seeded.seasonId }, done));
				const response = await call(`${season()}/sprints`, admin, {
					...sprintBody,
					name: 'Teams to three sales',
					subject: 'team',
					measure: 'sales',
					target: 3,
					requestId: 'formats-sprint-live'
				});
				expect(response.status).toBe(201);
				const { id } = await response.json();
				const pushed = () =>
					frames.some((f) =>
						(f.formats?.sprints as SprintsState | null | undefined)?.sprints.some(
							(c) => c.id === id
						)
					);
				await waitFor(pushed, 5_000, 'the new sprint in a leaderboard push');
			} finally {
				socket.disconnect();
			}
		});
	});

	describe('formats API in the OpenAPI document', () => {
		it('lists the new operations under Formats, with their bodies', async () => {
			const document = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
			const formats = Object.entries(document.paths as Record<string, Record<string, unknown>>)
				.flatMap(([path, methods]) =>
					Object.entries(methods).map(([method, op]) => ({
						key: `${method} ${path}`,
						op: op as { tags: string[]; requestBody?: unknown; responses: Record<string, unknown> }
					}))
				)
				.filter(({ op }) => op.tags?.includes('Formats'));
			expect(formats.map((f) => f.key).sort()).toEqual([
				'get /knockouts/{id}',
				'get /seasons/{id}/challenges',
				'get /seasons/{id}/knockouts',
				'get /seasons/{id}/sprints',
				'post /seasons/{id}/challenges',
				'post /seasons/{id}/knockouts',
				'post /seasons/{id}/sprints'
			]);
			for (const { key, op } of formats) {
				expect(op.responses, key).toHaveProperty(key.startsWith('post') ? '201' : '200');
				if (key.startsWith('post')) expect(op.requestBody, key).toBeDefined();
			}
		});
	});
});
