// Duels live, against the production build: the challenge pages' actions (who may do what) and
// the 'challenges' format view, carried by the leaderboard push (its `formats`), when a duel is
// accepted and when a sale moves it. One server per dialect: the seeded SQLite file, and its copy
// in a throwaway PostgreSQL database (tests/helpers/server-db.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as devalue from 'devalue';
import { startServer, type RunningServer } from '../helpers/server';
import { postSale } from '../helpers/sales';
import {
	apiTokenFor,
	connect,
	signIn,
	socketFor,
	waitFor,
	type ClientSocket,
	type SeededDb
} from '../helpers/seeded';
import {
	DIALECTS,
	seedServerDbOn,
	serverEnvFor,
	sessionTokenOn,
	type ServerDb
} from '../helpers/server-db';
import type { ChallengesView } from '../../src/lib/contest/challenge';
import type { LeaderboardPush, LeaderboardSnapshot } from '../../src/lib/realtime/events';

let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
let token: string;
let socket: ClientSocket;
const frames: LeaderboardPush[] = [];
let ack: LeaderboardSnapshot;

const sessionFor = (userId: number) => sessionTokenOn(db, userId);

async function act(path: string, session: string, fields: Record<string, string>) {
	const response = await fetch(`${server.url}${path}`, {
		method: 'POST',
		body: new URLSearchParams(fields),
		headers: {
			cookie: `session=${session}`,
			origin: server.url,
			accept: 'application/json',
			'x-sveltekit-action': 'true'
		}
	});
	const result = (await response.json()) as { type: string; status?: number; data?: string };
	return {
		type: result.type,
		status: result.status ?? response.status,
		data: (typeof result.data === 'string' ? devalue.parse(result.data) : result.data) as
			Record<string, unknown> | undefined
	};
}

/** The duels of the last frame that carried the challenges view. */
const duelsIn = (pushes: LeaderboardPush[]) =>
	(
		pushes.findLast((p) => p.formats && 'challenges' in p.formats)?.formats?.challenges as
			ChallengesView | null | undefined
	)?.duels ?? [];

describe.each(DIALECTS)('live duels on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, { teams: 2, people: 3 }, (file) => {
			token = apiTokenFor(file.path);
		});
		seeded = db.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(db) });
		const session = await signIn(server.url, seeded.people[0].email);
		socket = socketFor(server.url, session);
		socket.on('leaderboard', (push) => frames.push(push));
		await connect(socket);
		ack = await new Promise((done) =>
			socket.emit('watch', { seasonId: seeded.seasonId }, (r) => done(r as LeaderboardSnapshot))
		);
	}, 60_000);

	afterAll(async () => {
		socket?.disconnect();
		await server?.stop();
		await db?.cleanup();
	});

	describe('duels over HTTP and Socket.IO', () => {
		it('gives every format view in the watch ack, null when the season has none', () => {
			expect(ack.formats).toMatchObject({ challenges: null, sprints: null, divisions: null });
		});

		it('pushes the duel when it is accepted and again when a sale moves it', async () => {
			const [sam, ann] = seeded.people;
			const samSession = await signIn(server.url, sam.email);
			const annSession = await sessionFor(ann.id);
			const sent = await act('/challenges?/propose', samSession, {
				subject: 'user',
				opponentId: String(ann.id),
				measure: 'points',
				preset: 'week',
				fromDate: '',
				toDate: '',
				stake: '0',
				requestId: 'live-duel-1'
			});
			expect(sent).toMatchObject({ type: 'success', data: { success: true } });
			const id = (await db.value('select id from challenge')) as number;

			// A participant cannot answer for someone else, nor use the console.
			expect(
				await act('/challenges?/answer', samSession, {
					challengeId: String(id),
					decision: 'accept'
				})
			).toMatchObject({ type: 'failure', status: 404 });
			const pair = await fetch(`${server.url}/manage/challenges?/pair`, {
				method: 'POST',
				body: new URLSearchParams({ mode: 'random' }),
				headers: { cookie: `session=${samSession}`, origin: server.url, accept: 'application/json' }
			});
			expect(pair.status).toBe(403);

			frames.length = 0;
			expect(
				await act('/challenges?/answer', annSession, {
					challengeId: String(id),
					decision: 'accept'
				})
			).toMatchObject({ type: 'success', data: { status: 'live' } });
			await waitFor(() => duelsIn(frames).some((d) => d.id === id), 5_000, 'accepted duel');
			expect(duelsIn(frames)[0]).toMatchObject({
				status: 'live',
				challenger: { id: sam.id, value: 0 },
				opponent: { id: ann.id, value: 0 }
			});

			frames.length = 0;
			const sale = await postSale(server.url, token, {
				externalId: 'duel-sale-1',
				seller: sam.email,
				occurredAt: new Date().toISOString(),
				unitPrice: 999
			});
			expect(sale.status).toBe(201);
			await waitFor(
				() => duelsIn(frames).some((d) => d.id === id && d.challenger.value === 50),
				5_000,
				'the sale in the duel'
			);
			expect(duelsIn(frames)[0]).toMatchObject({ leaderId: sam.id });
		});
	});
});
