// Against the production build: a badge earned by a pending sale is pushed as pending, and when
// the sale is reversed its withdrawal is pushed to everyone watching, with the board. On the seeded
// SQLite file and on its copy in a throwaway PostgreSQL database (tests/helpers/server-db.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { io as ioClient } from 'socket.io-client';
import { startServer, type RunningServer } from '../helpers/server';
import { postSale } from '../helpers/sales';
import {
	apiTokenFor,
	connect,
	signIn,
	socketFor,
	waitFor,
	withDb,
	type ClientSocket,
	type SeededDb
} from '../helpers/seeded';
import {
	DIALECTS,
	seedServerDbOn,
	serverEnvFor,
	standingsVsLedgerOn,
	type ServerDb
} from '../helpers/server-db';
import { season } from '../../src/lib/server/db/schema';
import { createBadge } from '../../src/lib/server/badges/commands';
import { sqliteStore } from '../../src/lib/server/db/store';
import type { ActivityItem, BadgeEvent, LeaderboardPush } from '../../src/lib/realtime/events';

let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
let token: string;
let socket: ClientSocket | undefined;
let tool: ClientSocket | undefined;

/** A season that needs confirmation, a first-sale badge and an API token, in the seeded file. */
async function prepare(seeded: SeededDb) {
	await withDb(seeded.path, async (db) => {
		db.update(season)
			.set({ requireConfirmation: true })
			.where(eq(season.id, seeded.seasonId))
			.run();
		await createBadge(
			sqliteStore(db),
			seeded.seasonId,
			{
				name: 'First sale',
				emoji: '🥇',
				description: '',
				points: 10,
				criterion: { kind: 'first_sale' },
				active: true
			},
			{ userId: null }
		);
	});
	token = apiTokenFor(seeded.path);
}

describe.each(DIALECTS)('live badges on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, { teams: 2, people: 3 }, prepare);
		seeded = db.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(db) });
	});

	afterAll(async () => {
		socket?.disconnect();
		tool?.disconnect();
		await server?.stop();
		await db?.cleanup();
	});

	it('pushes the pending badge, then its withdrawal when the sale is reversed', async () => {
		const session = await signIn(server.url, seeded.people[0].email);
		socket = socketFor(server.url, session);
		await connect(socket);
		const seen = {
			badges: [] as BadgeEvent[],
			activity: [] as ActivityItem[],
			boards: [] as LeaderboardPush[]
		};
		// Feed items and badges ride in the leaderboard push: no frame of their own.
		const frames: string[] = [];
		socket.onAny((event: string) => frames.push(event));
		socket.on('leaderboard', (e) => {
			seen.boards.push(e);
			seen.activity.push(...(e.activity ?? []));
			seen.badges.push(...(e.badges ?? []));
		});
		await socket.timeout(5_000).emitWithAck('watch', { seasonId: seeded.seasonId });
		// Another tool, with an API token, also gets a `badge` frame per award (the contract).
		tool = ioClient(server.url, {
			autoConnect: false,
			reconnection: false,
			transports: ['websocket'],
			auth: { token }
		}) as ClientSocket;
		const toolBadges: BadgeEvent[] = [];
		tool.on('badge', (e) => toolBadges.push(e));
		await connect(tool);
		await tool.timeout(5_000).emitWithAck('watch', { seasonId: seeded.seasonId });

		const seller = seeded.people[1];
		const api = (path: string, body: unknown) =>
			fetch(`${server.url}/api/v1${path}`, {
				method: 'POST',
				headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
				body: JSON.stringify(body)
			});
		const sold = await postSale(server.url, token, {
			externalId: 'live-badge-1',
			seller: seller.email
		});
		expect(sold.status).toBe(201);
		await waitFor(() => seen.badges.length > 0, 10_000, 'the badge push');
		expect(seen.badges[0]).toMatchObject({
			subjectId: seller.id,
			provisional: true,
			badge: { name: 'First sale', points: 10 }
		});
		await waitFor(() => toolBadges.length > 0, 10_000, 'the badge frame to the API token');
		expect(toolBadges).toEqual(seen.badges);

		const reversed = await api('/sales/live-badge-1/reverse', { reason: 'cancelled order' });
		expect(reversed.status).toBe(200);
		await waitFor(
			() => seen.activity.some((item) => item.kind === 'badge_withdrawn'),
			10_000,
			'the withdrawal push'
		);
		expect(seen.activity.find((item) => item.kind === 'badge_withdrawn')).toMatchObject({
			userId: seller.id,
			points: -10,
			provisional: true
		});
		await waitFor(
			() => {
				// A delta carries the rows that changed: the seller's latest row.
				const mine = seen.boards
					.map((board) => board.individual.find((e) => e.id === seller.id))
					.findLast((row) => row !== undefined);
				return mine !== undefined && mine.points === 0 && mine.provisionalPoints === 0;
			},
			10_000,
			'the board without the sale and its badge'
		);
		const { stored, fromLedger } = await standingsVsLedgerOn(db, seeded.seasonId);
		expect(stored).toEqual(fromLedger);
		expect(new Set(frames)).toEqual(new Set(['leaderboard']));
	});
});
