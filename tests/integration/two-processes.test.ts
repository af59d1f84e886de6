// Two server processes on one database file (issue #20: several identical app nodes). What one
// node keeps in memory must not outlive a write by the other: a token revoked on A, a product
// changed on A, a person removed on A, a sale reversed on A are what B answers at once, and the
// scheduler (held by one node) acts on a change made through the other. docs/process-state.md
// lists every piece of in-memory state and why it is safe across processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as devalue from 'devalue';
import { eq } from 'drizzle-orm';
import { startServer, type RunningServer } from '../helpers/server';
import {
	readDb,
	seedServerDb,
	signIn,
	waitFor,
	withDb,
	PASSWORD,
	type SeededDb
} from '../helpers/seeded';
import { makeMember, makeProduct, makeSeason, makeTeam, makeUser } from '../helpers/factories';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import { sqliteStore } from '../../src/lib/server/db/store';
import { season, user } from '../../src/lib/server/db/schema';
import { openDatabase } from '../../src/lib/server/db';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let seeded: SeededDb;
/** A holds the scheduler lease (started first); B is the other node. */
let a: RunningServer;
let b: RunningServer;
const tokens = { sales: '', doomed: '' };
let doomedId = 0;
let draftId = 0;
let endingId = 0;
const sessions = { admin: '', manager: '', lead: '' };
let counter = 0;

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 2, people: 4 });
	const db = openDatabase(seeded.path);
	try {
		await makeUser(db, { email: 'admin@test.test', role: 'admin', password: PASSWORD });
		await makeUser(db, { email: 'manager@test.test', role: 'manager', password: PASSWORD });
		await makeUser(db, { email: 'lead@test.test', role: 'manager', password: PASSWORD });
		tokens.sales = (await createApiToken(sqliteStore(db), { name: 'crm', role: 'admin' })).token;
		const doomed = await createApiToken(sqliteStore(db), { name: 'old till', role: 'integration' });
		tokens.doomed = doomed.token;
		doomedId = doomed.id;
		// The draft is ready to open as soon as it is published: people, a product, a past start.
		draftId = seeded.draftSeasonId;
		db.update(season)
			.set({ startsAt: Date.now() - HOUR, endsAt: Date.now() + 10 * DAY })
			.where(eq(season.id, draftId))
			.run();
		await makeMember(db, draftId, makeTeam(db, draftId).id);
		makeProduct(db, draftId);
		// A repeating season that the test ends while both nodes run.
		const ending = makeSeason(db, { recurrence: { every: 1, unit: 'month' } });
		endingId = ending.id;
		await makeMember(db, endingId, makeTeam(db, endingId).id);
		makeProduct(db, endingId);
	} finally {
		db.$client.close();
	}
	a = await startServer({ dbPath: seeded.path });
	await waitFor(
		() => leaseHolder()?.includes(`:${a.process.pid}:`) ?? false,
		10_000,
		'node A to hold the scheduler lease'
	);
	b = await startServer({ dbPath: seeded.path });
	sessions.admin = await signIn(a.url, 'admin@test.test');
	sessions.manager = await signIn(a.url, 'manager@test.test');
	sessions.lead = await signIn(a.url, 'lead@test.test');
}, 180_000);

afterAll(async () => {
	await Promise.all([a?.dispose(), b?.dispose()]);
	seeded?.cleanup();
});

const leaseHolder = () =>
	readDb(seeded.path, (db) => db.prepare('select holder from scheduler_lease').pluck().get()) as
		string | undefined;

function api(node: RunningServer, path: string, token: string, init: RequestInit = {}) {
	const headers = new Headers(init.headers);
	headers.set('authorization', `Bearer ${token}`);
	return fetch(`${node.url}/api/v1${path}`, { ...init, headers });
}
const postJson = (node: RunningServer, path: string, token: string, body: unknown) =>
	api(node, path, token, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body)
	});

function sale(email = seeded.people[1].email, sku = 'PHONE') {
	return {
		externalId: `two-${++counter}`,
		seller: { email },
		occurredAt: new Date(Date.now() - 60_000).toISOString(),
		lines: [{ sku, quantity: 1, unitPrice: 999 }]
	};
}

/** A form action posted the way `use:enhance` does. */
async function action(
	node: RunningServer,
	path: string,
	session: string,
	fields: Record<string, string>,
	/** The console's season (the contest switcher's cookie): several seasons are live here. */
	seasonId?: number
) {
	const response = await fetch(`${node.url}${path}`, {
		method: 'POST',
		body: new URLSearchParams(fields),
		headers: {
			cookie: `session=${session}${seasonId ? `; hb_season=${seasonId}` : ''}`,
			origin: node.url,
			accept: 'application/json',
			'x-sveltekit-action': 'true'
		}
	});
	const result = await response.json();
	return {
		status: response.status,
		type: result.type as string,
		data: (typeof result.data === 'string' ? devalue.parse(result.data) : result.data) as
			Record<string, unknown> | undefined
	};
}

const statusOf = (seasonId: number) =>
	readDb(seeded.path, (db) =>
		db.prepare('select status from season where id = ?').pluck().get(seasonId)
	) as string;

describe('two server processes on one database', () => {
	it('a token revoked on node A is refused by node B within a tenth of a second', async () => {
		// B has just checked the token and keeps it: the revocation comes right after.
		expect((await api(b, '/seasons/current', tokens.doomed)).status).toBe(200);
		const revoked = await action(a, '/manage/tokens?/revoke', sessions.admin, {
			id: String(doomedId)
		});
		expect(revoked.type).toBe('success');
		// B looks at SQLite's data_version at most every 100 ms (api-token.ts), not on every call.
		await new Promise((r) => setTimeout(r, 150));
		const refused = await api(b, '/seasons/current', tokens.doomed);
		expect(refused.status).toBe(401);
		expect((await refused.json()).error.code).toBe('token_revoked');
		// The sales path (server.ts's fast handler) refuses it too.
		expect((await postJson(b, '/sales', tokens.doomed, sale())).status).toBe(401);
	});

	it("a product's points changed on node A score the next sale on node B", async () => {
		const before = await postJson(b, '/sales', tokens.sales, sale());
		expect(before.status).toBe(201);
		expect((await before.json()).sale.points).toBe(50);
		const phone = readDb(seeded.path, (db) =>
			db.prepare("select * from product where season_id = ? and sku = 'PHONE'").get(seeded.seasonId)
		) as { id: number; name: string; category: string; price: number };
		const saved = await action(
			a,
			'/manage/products?/update',
			sessions.manager,
			{
				id: String(phone.id),
				sku: 'PHONE',
				name: phone.name,
				category: phone.category,
				points: '77',
				price: String(phone.price / 100),
				active: 'on'
			},
			seeded.seasonId
		);
		expect(saved.type, JSON.stringify(saved.data)).toBe('success');
		const after = await postJson(b, '/sales', tokens.sales, sale());
		expect(after.status).toBe(201);
		expect((await after.json()).sale.points).toBe(77);
	});

	it('a person moved or removed on node A is credited as such on node B', async () => {
		const [moving, leaving] = [seeded.people[2], seeded.people[3]];
		const teamOf = (externalId: string) =>
			readDb(seeded.path, (db) =>
				db.prepare('select team_id from sale where external_id = ?').pluck().get(externalId)
			) as number;
		const first = sale(moving.email);
		expect((await postJson(b, '/sales', tokens.sales, first)).status).toBe(201);
		const other = seeded.teams.find((t) => t.id !== teamOf(first.externalId))!;
		const moved = await action(a, '/manage/teams?/moveMember', sessions.manager, {
			seasonId: String(seeded.seasonId),
			userId: String(moving.id),
			teamId: String(other.id)
		});
		expect(moved.type, JSON.stringify(moved.data)).toBe('success');
		const second = sale(moving.email);
		expect((await postJson(b, '/sales', tokens.sales, second)).status).toBe(201);
		expect(teamOf(second.externalId)).toBe(other.id);
		// Removal needs a person without points: this one has sold nothing.
		const removed = await action(a, '/manage/teams?/removeMember', sessions.manager, {
			seasonId: String(seeded.seasonId),
			userId: String(leaving.id)
		});
		expect(removed.type, JSON.stringify(removed.data)).toBe('success');
		const refused = await postJson(b, '/sales', tokens.sales, sale(leaving.email));
		expect(refused.status).toBe(422);
		expect((await refused.json()).error.code).toBe('not_a_member');
	});

	it('a manager made a participant by another process is refused the console by node B', async () => {
		const consolePage = () =>
			fetch(`${b.url}/manage/products`, {
				headers: { cookie: `session=${sessions.lead}` },
				redirect: 'manual'
			});
		expect((await consolePage()).status).toBe(200);
		withDb(seeded.path, (db) =>
			db.update(user).set({ role: 'participant' }).where(eq(user.email, 'lead@test.test')).run()
		);
		expect((await consolePage()).status).toBe(403);
	});

	it('a replay on node B of a sale reversed on node A answers what the database holds', async () => {
		const body = sale();
		const first = await postJson(b, '/sales', tokens.sales, body);
		expect(first.status).toBe(201);
		// Answered once more by B, which now keeps the body's answer in memory.
		expect((await (await postJson(b, '/sales', tokens.sales, body)).json()).sale.status).toBe(
			'approved'
		);
		const reversed = await postJson(a, `/sales/${body.externalId}/reverse`, tokens.sales, {
			reason: 'sold twice'
		});
		expect(reversed.status).toBe(200);
		const replay = await postJson(b, '/sales', tokens.sales, body);
		expect(replay.status).toBe(200);
		const answer = await replay.json();
		const stored = readDb(seeded.path, (db) =>
			db
				.prepare(
					'select s.id, s.status, s.points, v.version from sale s join season v on v.id = s.season_id where s.external_id = ?'
				)
				.get(body.externalId)
		) as { id: number; status: string; points: number; version: number };
		expect(answer.sale).toEqual({ id: stored.id, status: 'reversed', points: stored.points });
		expect(stored.status).toBe('reversed');
		expect(answer.version).toBe(stored.version);
	});

	it('a draft published on node B opens at once, though node A holds the scheduler', async () => {
		expect(leaseHolder()).toContain(`:${a.process.pid}:`);
		const published = await action(b, `/manage/seasons/${draftId}?/publish`, sessions.manager, {});
		expect(published.type, JSON.stringify(published.data)).toBe('success');
		// A's next safety tick is up to 30 s away: only noticing B's write opens it this soon.
		await waitFor(() => statusOf(draftId) === 'live', 5_000, 'the published season to open');
	});

	it('a season due to end with both nodes up ends once: one result, one next season', async () => {
		// As a season's end passes by the clock; written by a third process, so that neither
		// node was told.
		withDb(seeded.path, (db) =>
			db
				.update(season)
				.set({ endsAt: Date.now() - 1000 })
				.where(eq(season.id, endingId))
				.run()
		);
		await waitFor(() => statusOf(endingId) === 'ended', 5_000, 'the season to end');
		// Both nodes have had time to look again (B every 2 s while A holds the lease).
		await new Promise((r) => setTimeout(r, 3_000));
		const counts = readDb(seeded.path, (db) => ({
			ended: db
				.prepare(
					"select count(*) from season_transition where season_id = ? and to_status = 'ended'"
				)
				.pluck()
				.get(endingId),
			results: db
				.prepare('select count(*) from season_result where season_id = ?')
				.pluck()
				.get(endingId),
			distinctResults: db
				.prepare(
					'select count(distinct subject_type || subject_id) from season_result where season_id = ?'
				)
				.pluck()
				.get(endingId),
			next: db
				.prepare('select count(*) from season where previous_season_id = ?')
				.pluck()
				.get(endingId)
		}));
		expect(counts.results).toBeGreaterThan(0);
		expect(counts).toEqual({
			ended: 1,
			results: counts.distinctResults,
			distinctResults: counts.distinctResults,
			next: 1
		});
	});
});
