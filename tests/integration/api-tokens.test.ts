// API tokens against the production build: what each role may do, expiry, revocation, the
// last-used time, and the admins' console page; on the seeded SQLite file and on its copy in a
// throwaway PostgreSQL database (tests/helpers/server-db.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as devalue from 'devalue';
import { runCli, startServer, type RunningServer } from '../helpers/server';
import { signIn, PASSWORD, type SeededDb } from '../helpers/seeded';
import { DIALECTS, seedServerDbOn, serverEnvFor, type ServerDb } from '../helpers/server-db';
import { openDatabase } from '../../src/lib/server/db';
import { makeUser } from '../helpers/factories';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import { sqliteStore } from '../../src/lib/server/db/store';

let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
const tokens = { integration: '', manager: '', admin: '', expired: '', revoked: '' };
const sessions = { participant: '', manager: '', admin: '' };
let counter = 0;

/** The consoles' people and the tokens, made in the seeded file before it is copied or served. */
async function prepare(file: SeededDb) {
	const db = openDatabase(file.path);
	try {
		for (const role of ['manager', 'admin'] as const) {
			await makeUser(db, { email: `${role}@test.test`, role, password: PASSWORD });
			tokens[role] = (await createApiToken(sqliteStore(db), { name: role, role })).token;
		}
		tokens.integration = (
			await createApiToken(sqliteStore(db), { name: 'crm', role: 'integration' })
		).token;
		tokens.revoked = (
			await createApiToken(sqliteStore(db), { name: 'old till', role: 'integration' })
		).token;
		// Created with an expiry a second in the future, as seen by a clock a minute back.
		const soon = Date.now() - 1_000;
		tokens.expired = (
			await createApiToken(
				sqliteStore(db),
				{ name: 'trial', role: 'admin', expiresAt: soon },
				{},
				() => soon - 60_000
			)
		).token;
	} finally {
		db.$client.close();
	}
}

function api(path: string, token: string, init: RequestInit = {}) {
	const headers = new Headers(init.headers);
	headers.set('authorization', `Bearer ${token}`);
	return fetch(`${server.url}/api/v1${path}`, { ...init, headers });
}
const postJson = (path: string, token: string, body: unknown) =>
	api(path, token, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body)
	});

function sale() {
	return {
		externalId: `tok-${++counter}`,
		seller: { email: seeded.people[1].email },
		occurredAt: new Date(Date.now() - 60_000).toISOString(),
		lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 999 }]
	};
}
const csv = () =>
	`externalId,sellerEmail,occurredAt,sku,quantity,unitPrice\ntok-csv-${++counter},${seeded.people[1].email},${new Date(Date.now() - 60_000).toISOString()},CASE,1,29`;

const tokenRow = async (name: string) =>
	(
		await db.rows(
			'select role, last_used_at, revoked_at, created_by_id from api_token where name = ? order by id desc',
			name
		)
	)[0] as {
		role: string;
		last_used_at: number | null;
		revoked_at: number | null;
		created_by_id: number | null;
	};

describe.each(DIALECTS)('API tokens on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, { teams: 2, people: 4 }, prepare);
		seeded = db.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(db) });
		sessions.participant = await signIn(server.url, seeded.people[0].email);
		sessions.manager = await signIn(server.url, 'manager@test.test');
		sessions.admin = await signIn(server.url, 'admin@test.test');
	}, 120_000);

	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('the integration role', () => {
		// What an integration may do: post sales and imports, read seasons.
		const allowed: [string, () => Promise<Response>, number][] = [
			['POST /sales', () => postJson('/sales', tokens.integration, sale()), 201],
			[
				'POST /imports/sales (dry run)',
				() =>
					api('/imports/sales?dryRun=1', tokens.integration, {
						method: 'POST',
						headers: { 'content-type': 'text/csv' },
						body: csv()
					}),
				200
			],
			[
				'POST /imports/sales (commit)',
				() =>
					api('/imports/sales?dryRun=0', tokens.integration, {
						method: 'POST',
						headers: { 'content-type': 'text/csv' },
						body: csv()
					}),
				200
			],
			['GET /seasons/current', () => api('/seasons/current', tokens.integration), 200],
			['GET /seasons', () => api('/seasons', tokens.integration), 200],
			['GET /seasons/:id', () => api(`/seasons/${seeded.seasonId}`, tokens.integration), 200],
			[
				'GET /seasons/:id/products',
				() => api(`/seasons/${seeded.seasonId}/products`, tokens.integration),
				200
			],
			[
				'GET /seasons/:id/leaderboard',
				() => api(`/seasons/${seeded.seasonId}/leaderboard`, tokens.integration),
				200
			]
		];
		it.each(allowed)('may %s', async (_what, call, status) => {
			const response = await call();
			expect(response.status, await response.clone().text()).toBe(status);
		});

		// What it may not: create seasons, confirm or reverse sales.
		const refused: [string, (token: string) => Promise<Response>][] = [
			[
				'POST /seasons',
				(token) =>
					postJson('/seasons', token, {
						name: 'Not yours',
						timeZone: 'UTC',
						startsAt: new Date(Date.now() + 86_400_000).toISOString(),
						endsAt: new Date(Date.now() + 10 * 86_400_000).toISOString()
					})
			],
			['POST /sales/:id/confirm', (token) => postJson('/sales/tok-1/confirm', token, {})],
			[
				'POST /sales/:id/reverse',
				(token) => postJson('/sales/tok-1/reverse', token, { reason: 'test' })
			]
		];
		it.each(refused)('may not %s (403), which a manager token may', async (_what, call) => {
			const seasons = () => db.value('select count(*) from season');
			const before = await seasons();
			const response = await call(tokens.integration);
			expect(response.status).toBe(403);
			expect((await response.json()).error.code).toBe('forbidden');
			expect(await seasons()).toBe(before);
			const manager = await call(tokens.manager);
			expect(manager.status).not.toBe(403);
			expect(manager.status).not.toBe(401);
		});
	});

	describe('token lifecycle', () => {
		it('refuses an expired token with 401 and says it expired', async () => {
			const response = await postJson('/sales', tokens.expired, sale());
			expect(response.status).toBe(401);
			const body = await response.json();
			expect(body.error.code).toBe('token_expired');
			expect(body.error.message).toMatch(/expired on \d{4}-\d{2}-\d{2}T/);
			expect((await api('/seasons/current', tokens.expired)).status).toBe(401);
		});

		it('refuses a token once it is revoked (CLI), with 401 and a clear message', async () => {
			expect((await api('/seasons/current', tokens.revoked)).status).toBe(200);
			const revoked = await runCli(['token', 'revoke', '--name', 'old till'], db.url);
			expect(revoked.code, revoked.stderr).toBe(0);
			const response = await postJson('/sales', tokens.revoked, sale());
			expect(response.status).toBe(401);
			expect((await response.json()).error).toMatchObject({
				code: 'token_revoked',
				message: expect.stringMatching(/revoked/)
			});
			// The other tokens are untouched.
			expect((await api('/seasons/current', tokens.integration)).status).toBe(200);
		}, 60_000);

		it('records the last use, at most once a minute', async () => {
			expect((await api('/seasons/current', tokens.manager)).status).toBe(200);
			const first = (await tokenRow('manager')).last_used_at;
			expect(first).toBeGreaterThan(Date.now() - 60_000);
			expect((await api('/seasons/current', tokens.manager)).status).toBe(200);
			expect((await tokenRow('manager')).last_used_at).toBe(first);
		});
	});

	/** A form action posted the way `use:enhance` does. */
	async function action(path: string, session: string, fields: Record<string, string>) {
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
		const result = await response.json();
		return {
			status: response.status,
			type: result.type as string,
			data: (typeof result.data === 'string' ? devalue.parse(result.data) : result.data) as
				Record<string, unknown> | undefined
		};
	}

	describe('the API tokens page', () => {
		const page = (session: string) =>
			fetch(`${server.url}/manage/tokens`, {
				headers: { cookie: `session=${session}` },
				redirect: 'manual'
			});

		it('is for admins only: managers and participants are refused, and cannot create or revoke', async () => {
			expect((await page(sessions.admin)).status).toBe(200);
			expect((await page(sessions.manager)).status).toBe(403);
			expect((await page(sessions.participant)).status).toBe(403);
			const count = () => db.value('select count(*) from api_token');
			const before = await count();
			for (const session of [sessions.manager, sessions.participant]) {
				const create = await action('/manage/tokens?/create', session, {
					name: 'sneaky',
					role: 'admin',
					expiresOn: ''
				});
				expect(create.status).toBe(403);
				const revoke = await action('/manage/tokens?/revoke', session, { id: '1' });
				expect(revoke.status).toBe(403);
			}
			expect(await count()).toBe(before);
			expect((await tokenRow('manager')).revoked_at).toBeNull();
		});

		it('lists the tokens (never the secrets); creates one shown once; revokes it', async () => {
			const html = await (await page(sessions.admin)).text();
			for (const name of ['crm', 'manager', 'trial', 'old till']) expect(html).toContain(name);
			for (const secret of Object.values(tokens)) expect(html).not.toContain(secret);

			const bad = await action('/manage/tokens?/create', sessions.admin, {
				name: 'crm',
				role: 'owner',
				expiresOn: '2001-01-01'
			});
			expect(bad.type).toBe('failure');
			expect(bad.data?.errors).toMatchObject({
				role: expect.any(String),
				expiresOn: expect.stringMatching(/future/)
			});
			const taken = await action('/manage/tokens?/create', sessions.admin, {
				name: 'crm',
				role: 'integration',
				expiresOn: ''
			});
			expect(taken.data?.errors).toMatchObject({ name: expect.stringMatching(/in use/) });

			const created = await action('/manage/tokens?/create', sessions.admin, {
				name: 'warehouse',
				role: 'integration',
				expiresOn: '2099-12-31'
			});
			expect(created.type, JSON.stringify(created)).toBe('success');
			const { token } = created.data!.created as { token: string };
			expect(token).toMatch(/^hb_/);
			expect(await tokenRow('warehouse')).toMatchObject({
				role: 'integration',
				created_by_id: expect.any(Number)
			});
			expect((await postJson('/sales', token, sale())).status).toBe(201);
			// The page lists it afterwards, with its creator, but never the token again.
			const after = await (await page(sessions.admin)).text();
			expect(after).toContain('warehouse');
			expect(after).not.toContain(token);

			const id = (await db.value("select id from api_token where name = 'warehouse'")) as number;
			const revoked = await action('/manage/tokens?/revoke', sessions.admin, { id: String(id) });
			expect(revoked.type).toBe('success');
			expect((await postJson('/sales', token, sale())).status).toBe(401);
			const again = await action('/manage/tokens?/revoke', sessions.admin, { id: String(id) });
			expect(again.type).toBe('failure');
		});
	});
});
