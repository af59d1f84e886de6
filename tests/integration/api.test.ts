// The HTTP API contract (DESIGN.md "Contracts"), against the production build on a real database:
// the seeded SQLite file, and its copy in a throwaway PostgreSQL database (server-db.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type RunningServer } from '../helpers/server';
import { postSaleBody } from '../helpers/sales';
import { lastLine, type SeededDb } from '../helpers/seeded';
import {
	DIALECTS,
	scoreStateOn,
	seedServerDbOn,
	serverEnvFor,
	type ServerDb
} from '../helpers/server-db';

const DAY = 24 * 60 * 60 * 1000;

let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
let token: string;
let seller: { id: number; email: string };
let counter = 0;

const externalId = () => `api-test-${++counter}`;

function saleBody(overrides: Record<string, unknown> = {}) {
	return {
		externalId: externalId(),
		seller: { email: seller.email },
		occurredAt: new Date(Date.now() - 60_000).toISOString(),
		lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 999 }],
		...overrides
	};
}

function api(path: string, init: RequestInit & { auth?: string | null } = {}) {
	const { auth = `Bearer ${token}`, ...rest } = init;
	const headers = new Headers(rest.headers);
	if (auth !== null) headers.set('authorization', auth);
	return fetch(`${server.url}/api/v1${path}`, { ...rest, headers });
}

async function salesWithExternalId(id: string): Promise<number> {
	return Number(await db.value('select count(*) from sale where external_id = ?', id));
}

function expectErrorShape(body: unknown, code?: string) {
	expect(body).toEqual({
		error: { code: expect.any(String), message: expect.any(String), details: expect.any(Object) }
	});
	if (code) expect((body as { error: { code: string } }).error.code).toBe(code);
}

describe.each(DIALECTS)('the API on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, { teams: 3, people: 6 });
		seeded = db.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(db) });
		const created = await runCli(['token', 'create', '--name', 't'], db.url);
		expect(created.code, created.stderr).toBe(0);
		token = lastLine(created.stdout);
		seller = seeded.people[0];
	});

	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('POST /api/v1/sales', () => {
		it('records a new sale: 201 { sale: { id, status, points } } with its ledger entry and standings', async () => {
			const before = await scoreStateOn(db);
			const body = saleBody({
				lines: [
					{ sku: 'PHONE', quantity: 2, unitPrice: 999 },
					{ sku: 'CASE', quantity: 1, unitPrice: 29 }
				]
			});
			const response = await postSaleBody(server.url, token, body);
			expect(response.status).toBe(201);
			const json = await response.json();
			expect(json.sale).toEqual({ id: expect.any(Number), status: 'approved', points: 2 * 50 + 5 });

			const after = await scoreStateOn(db);
			expect(after.sales).toBe(before.sales + 1);
			expect(after.saleLines).toBe(before.saleLines + 2);
			expect(after.ledger).toBe(before.ledger + 1);
			// The seller's standing and their team's each gain the points.
			expect(after.standingPoints).toBe(before.standingPoints + 2 * 105);
			const [row] = await db.rows('select * from sale where id = ?', json.sale.id);
			expect(row).toMatchObject({
				source: 'api',
				external_id: body.externalId,
				seller_id: seller.id,
				amount: 2 * 99_900 + 2_900,
				points: 105,
				status: 'approved'
			});
		});

		it('answers the same externalId again with 200 and the first result, counting nothing twice', async () => {
			const body = saleBody();
			const first = await postSaleBody(server.url, token, body);
			expect(first.status).toBe(201);
			const firstJson = await first.json();
			const before = await scoreStateOn(db);

			const again = await postSaleBody(server.url, token, body);
			expect(again.status).toBe(200);
			expect((await again.json()).sale).toEqual(firstJson.sale);
			// A different sale with the same externalId is refused (Stripe's idempotency keys).
			const other = await postSaleBody(server.url, token, {
				...body,
				lines: [{ sku: 'CASE', quantity: 9, unitPrice: 1 }]
			});
			expect(other.status).toBe(409);
			expectErrorShape(await other.json(), 'idempotency_conflict');
			expect(await scoreStateOn(db)).toEqual(before);
		});

		it('makes exactly one sale out of 20 concurrent identical requests', async () => {
			const body = saleBody({ lines: [{ sku: 'PHONE', quantity: 3, unitPrice: 999 }] });
			const before = await scoreStateOn(db);
			const responses = await Promise.all(
				Array.from({ length: 20 }, () => postSaleBody(server.url, token, body))
			);
			const results = await Promise.all(
				responses.map(async (r) => ({ status: r.status, json: await r.json() }))
			);

			expect(results.filter((r) => r.status === 201)).toHaveLength(1);
			expect(results.filter((r) => r.status === 200)).toHaveLength(19);
			const ids = new Set(results.map((r) => r.json.sale.id));
			const points = new Set(results.map((r) => r.json.sale.points));
			expect([...ids]).toHaveLength(1);
			expect([...points]).toEqual([150]);

			expect(await salesWithExternalId(body.externalId)).toBe(1);
			const ledgerRows = await db.value(
				'select count(*) from ledger_entry where sale_id = ?',
				[...ids][0]
			);
			expect(ledgerRows).toBe(1);
			const after = await scoreStateOn(db);
			expect(after.sales).toBe(before.sales + 1);
			expect(after.ledger).toBe(before.ledger + 1);
			expect(after.standingPoints).toBe(before.standingPoints + 2 * 150);
		});

		it('finds the seller by email whatever its case', async () => {
			const response = await postSaleBody(
				server.url,
				token,
				saleBody({ seller: { email: seller.email.toUpperCase() } })
			);
			expect(response.status).toBe(201);
		});

		describe('rejects malformed input with 400 and stores nothing', () => {
			const valid = () => saleBody();
			const without = (key: string) => {
				const body: Record<string, unknown> = valid();
				delete body[key];
				return body;
			};
			const withLine = (line: Record<string, unknown>) => ({
				...valid(),
				lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 999, ...line }]
			});
			const cases: [string, () => unknown, string][] = [
				['invalid JSON', () => '{"externalId": "x", ', 'invalid_json'],
				['an empty body', () => '', 'invalid_json'],
				['a JSON array', () => [valid()], 'invalid_input'],
				['missing externalId', () => without('externalId'), 'invalid_input'],
				['an empty externalId', () => ({ ...valid(), externalId: '  ' }), 'invalid_input'],
				['missing seller', () => without('seller'), 'invalid_input'],
				['a seller without email', () => ({ ...valid(), seller: {} }), 'invalid_input'],
				[
					'a seller email that is not one',
					() => ({ ...valid(), seller: { email: 'rep1' } }),
					'invalid_input'
				],
				['missing occurredAt', () => without('occurredAt'), 'invalid_input'],
				['missing lines', () => without('lines'), 'invalid_input'],
				['no lines', () => ({ ...valid(), lines: [] }), 'invalid_input'],
				['quantity 0', () => withLine({ quantity: 0 }), 'invalid_input'],
				['a fractional quantity', () => withLine({ quantity: 1.5 }), 'invalid_input'],
				['quantity as a string', () => withLine({ quantity: '2' }), 'invalid_input'],
				['a negative price', () => withLine({ unitPrice: -1 }), 'invalid_input'],
				['a line without sku', () => withLine({ sku: undefined }), 'invalid_input'],
				[
					'occurredAt that is no date',
					() => ({ ...valid(), occurredAt: 'yesterday' }),
					'invalid_input'
				],
				[
					'occurredAt without a time',
					() => ({ ...valid(), occurredAt: '2025-01-15' }),
					'invalid_input'
				],
				[
					'occurredAt month 13',
					() => ({ ...valid(), occurredAt: '2025-13-01T10:00:00Z' }),
					'invalid_input'
				],
				['occurredAt as epoch ms', () => ({ ...valid(), occurredAt: Date.now() }), 'invalid_input']
			];

			it.each(cases)('%s', async (_name, makeBody, code) => {
				const body = makeBody();
				const before = await scoreStateOn(db);
				const response = await postSaleBody(server.url, token, body);
				expect(response.status).toBe(400);
				const json = await response.json();
				expectErrorShape(json, code);
				if (code === 'invalid_input') {
					expect(json.error.details.issues.length).toBeGreaterThan(0);
					expect(json.error.details.issues[0]).toEqual({
						path: expect.any(String),
						message: expect.any(String)
					});
				}
				expect(await scoreStateOn(db)).toEqual(before);
			});
		});

		describe('refuses requests without a valid token with 401 and stores nothing', () => {
			const cases: [string, () => string | null][] = [
				['no Authorization header', () => null],
				['an empty header', () => ''],
				['"Bearer" without a token', () => 'Bearer '],
				['another scheme', () => `Basic ${token}`],
				['the token without a scheme', () => token],
				['a wrong token', () => 'Bearer hb_notarealtoken'],
				[
					'a token with one character changed',
					() => `Bearer ${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`
				],
				['two tokens', () => `Bearer ${token} ${token}`]
			];

			it.each(cases)('%s', async (_name, header) => {
				const body = saleBody();
				const before = await scoreStateOn(db);
				const auth = header();
				const response = await postSaleBody(
					server.url,
					null,
					body,
					auth === null ? {} : { headers: { authorization: auth } }
				);
				expect(response.status).toBe(401);
				expectErrorShape(await response.json(), 'unauthorized');
				expect(await salesWithExternalId(body.externalId)).toBe(0);
				expect(await scoreStateOn(db)).toEqual(before);
			});

			it.each(['/seasons/current', '/seasons/1/products', '/seasons/1/leaderboard'])(
				'GET %s without a token',
				async (path) => {
					const response = await api(path, { auth: null });
					expect(response.status).toBe(401);
					expectErrorShape(await response.json(), 'unauthorized');
				}
			);
		});

		describe('answers sales that cannot count with 422 and changes nothing', () => {
			const cases: [string, () => Record<string, unknown>, string][] = [
				[
					'an unknown seller email',
					() => ({ seller: { email: 'nobody@test.test' } }),
					'unknown_seller'
				],
				[
					'an unknown SKU',
					() => ({ lines: [{ sku: 'NOPE', quantity: 1, unitPrice: 1 }] }),
					'unknown_sku'
				],
				[
					'an unknown SKU after a valid line',
					() => ({
						lines: [
							{ sku: 'PHONE', quantity: 1, unitPrice: 999 },
							{ sku: 'NOPE', quantity: 1, unitPrice: 1 }
						]
					}),
					'unknown_sku'
				],
				[
					'an inactive SKU',
					() => ({ lines: [{ sku: 'OLD', quantity: 1, unitPrice: 1 }] }),
					'inactive_sku'
				],
				[
					'a seller in no season',
					() => ({ seller: { email: seeded.outsider.email } }),
					'not_a_member'
				],
				[
					'a seller whose season has ended',
					() => ({ seller: { email: seeded.pastMember.email } }),
					'not_a_member'
				],
				[
					'occurredAt before the season',
					() => ({ occurredAt: new Date(seeded.season.startsAt - 1).toISOString() }),
					'outside_season'
				],
				[
					'occurredAt after the season',
					() => ({ occurredAt: new Date(seeded.season.endsAt + DAY).toISOString() }),
					// The season's end is in the future: this sale is caught as a future one first.
					'in_the_future'
				],
				[
					'occurredAt tomorrow',
					() => ({ occurredAt: new Date(Date.now() + DAY).toISOString() }),
					'in_the_future'
				]
			];

			it.each(cases)('%s', async (_name, overrides, code) => {
				const body = saleBody(overrides());
				const before = await scoreStateOn(db);
				const response = await postSaleBody(server.url, token, body);
				expect(response.status).toBe(422);
				expectErrorShape(await response.json(), code);
				expect(await scoreStateOn(db)).toEqual(before);
				expect(await salesWithExternalId(body.externalId)).toBe(0);
			});

			it('lets a refused externalId be sent again once it is fixed', async () => {
				const body = saleBody({ lines: [{ sku: 'NOPE', quantity: 1, unitPrice: 1 }] });
				expect((await postSaleBody(server.url, token, body)).status).toBe(422);
				const fixed = await postSaleBody(server.url, token, {
					...body,
					lines: [{ sku: 'CASE', quantity: 1, unitPrice: 29 }]
				});
				expect(fixed.status).toBe(201);
				expect((await fixed.json()).sale.points).toBe(5);
			});
		});
	});

	describe('GET /api/v1/seasons', () => {
		it('current → the live season', async () => {
			const response = await api('/seasons/current');
			expect(response.status).toBe(200);
			expect(await response.json()).toMatchObject({
				id: seeded.seasonId,
				name: seeded.season.name,
				startsAt: new Date(seeded.season.startsAt).toISOString(),
				endsAt: new Date(seeded.season.endsAt).toISOString(),
				status: 'live'
			});
		});

		it(':id/products → { entries: [{ sku, name, category, points }] }', async () => {
			const response = await api(`/seasons/${seeded.seasonId}/products`);
			expect(response.status).toBe(200);
			const { entries } = await response.json();
			const bySku = Object.fromEntries(
				entries.map((e: Record<string, unknown>) => [
					e.sku,
					{ sku: e.sku, name: e.name, category: e.category, points: e.points }
				])
			);
			expect(bySku).toEqual({
				PHONE: { sku: 'PHONE', name: 'Phone', category: 'Phones', points: 50 },
				CASE: { sku: 'CASE', name: 'Case', category: 'Accessories', points: 5 },
				OLD: { sku: 'OLD', name: 'Old model', category: 'Phones', points: 20 }
			});
		});

		it.each([
			['products of an unknown season', '/seasons/999999/products', 404, 'not_found'],
			['leaderboard of an unknown season', '/seasons/999999/leaderboard', 404, 'not_found'],
			['products of season "abc"', '/seasons/abc/products', 400, 'invalid_id'],
			['leaderboard of season 0', '/seasons/0/leaderboard', 400, 'invalid_id'],
			['leaderboard of season -1', '/seasons/-1/leaderboard', 400, 'invalid_id']
		])('%s → %s', async (_name, path, status, code) => {
			const response = await api(path);
			expect(response.status).toBe(status);
			expectErrorShape(await response.json(), code);
		});

		describe(':id/leaderboard', () => {
			type Entry = {
				rank: number;
				id: number;
				name: string;
				points: number;
				provisionalPoints: number;
			};

			beforeAll(async () => {
				// Two people tie (50 each) ahead of one with 10, and some stay at 0: ties at two levels.
				const [, a, b, c] = seeded.people;
				for (const [who, sku, quantity] of [
					[a, 'PHONE', 1],
					[b, 'PHONE', 1],
					[c, 'CASE', 2]
				] as const) {
					const response = await postSaleBody(
						server.url,
						token,
						saleBody({ seller: { email: who.email }, lines: [{ sku, quantity, unitPrice: 1 }] })
					);
					expect(response.status).toBe(201);
				}
			});

			/** Competition ranking: rank = 1 + how many have strictly more points; sorted by points. */
			function expectCompetitionRanking(entries: Entry[]) {
				for (const [i, entry] of entries.entries()) {
					expect(entry).toEqual(
						expect.objectContaining({
							rank: expect.any(Number),
							id: expect.any(Number),
							name: expect.any(String),
							points: expect.any(Number),
							provisionalPoints: expect.any(Number)
						})
					);
					expect(entry.rank, `rank of ${entry.name}`).toBe(
						1 + entries.filter((other) => other.points > entry.points).length
					);
					if (i > 0) expect(entries[i - 1].points).toBeGreaterThanOrEqual(entry.points);
				}
			}

			it.each(['individual', 'team'])(
				'scope=%s → { seasonId, version, entries } in competition ranking',
				async (scope) => {
					const response = await api(`/seasons/${seeded.seasonId}/leaderboard?scope=${scope}`);
					expect(response.status).toBe(200);
					const json = await response.json();
					expect(json).toMatchObject({ seasonId: seeded.seasonId, version: expect.any(Number) });
					const entries: Entry[] = json.entries;
					expect(entries).toHaveLength(
						scope === 'team' ? seeded.teams.length : seeded.people.length
					);
					expectCompetitionRanking(entries);
				}
			);

			it('shares ranks between ties and skips the ranks they take (1, 2, 2, 4)', async () => {
				const json = await (
					await api(`/seasons/${seeded.seasonId}/leaderboard?scope=individual`)
				).json();
				const entries: Entry[] = json.entries;
				const [, a, b, c] = seeded.people;
				const find = (id: number) => entries.find((e) => e.id === id)!;
				expect(find(a.id).points).toBe(50);
				expect(find(b.id).points).toBe(50);
				expect(find(a.id).rank).toBe(find(b.id).rank);
				expect(find(c.id).rank).toBe(find(a.id).rank + 2);
				const zeros = entries.filter((e) => e.points === 0);
				expect(zeros.length).toBeGreaterThan(1);
				expect(new Set(zeros.map((e) => e.rank)).size).toBe(1);
				expect(zeros[0].rank).toBe(entries.length - zeros.length + 1);
			});

			it('pages the individual ranking by cursor: the pages put together are the whole ranking', async () => {
				const whole: Entry[] = (
					await (await api(`/seasons/${seeded.seasonId}/leaderboard?scope=individual`)).json()
				).entries;
				const paged: Entry[] = [];
				let after: string | null = null;
				for (let guard = 0; guard < 50; guard++) {
					const query: string = after ? `&after=${after}` : '';
					const page: { entries: Entry[]; next: string | null } = await (
						await api(`/seasons/${seeded.seasonId}/leaderboard?scope=individual&limit=2${query}`)
					).json();
					expect(page.entries.length).toBeLessThanOrEqual(2);
					paged.push(...page.entries);
					if (!page.next) break;
					after = page.next;
				}
				expect(paged).toEqual(whole);
				// A person's rank and neighbours come with `around`.
				const someone = whole[Math.floor(whole.length / 2)];
				const withStanding = await (
					await api(`/seasons/${seeded.seasonId}/leaderboard?limit=1&around=${someone.id}`)
				).json();
				expect(withStanding.standing.entry).toEqual(someone);
				const bad = await api(`/seasons/${seeded.seasonId}/leaderboard?after=nonsense`);
				expect(bad.status).toBe(400);
				expect((await bad.json()).error.code).toBe('invalid_cursor');
			});

			it('team points are the sum of their members’ points', async () => {
				const individual: (Entry & { teamId: number })[] = (
					await (await api(`/seasons/${seeded.seasonId}/leaderboard?scope=individual`)).json()
				).entries;
				const teams: Entry[] = (
					await (await api(`/seasons/${seeded.seasonId}/leaderboard?scope=team`)).json()
				).entries;
				for (const t of teams) {
					const sum = individual.filter((p) => p.teamId === t.id).reduce((s, p) => s + p.points, 0);
					expect(t.points, t.name).toBe(sum);
				}
			});

			it.each([
				['1', 1],
				['3', 3],
				['1000', 'all'],
				[null, 'all']
			] as const)('limit=%s is respected', async (limit, expected) => {
				const query = limit === null ? '' : `&limit=${limit}`;
				const json = await (
					await api(`/seasons/${seeded.seasonId}/leaderboard?scope=individual${query}`)
				).json();
				expect(json.entries).toHaveLength(expected === 'all' ? seeded.people.length : expected);
				expect(json.entries[0].rank).toBe(1);
			});

			it.each([
				['scope=everyone'],
				['scope='],
				['limit=0'],
				['limit=-1'],
				['limit=abc'],
				['limit=1.5'],
				['limit=1001'],
				['scope=team&limit=x']
			])('%s → 400', async (query) => {
				const response = await api(`/seasons/${seeded.seasonId}/leaderboard?${query}`);
				expect(response.status).toBe(400);
				expectErrorShape(await response.json(), 'invalid_query');
			});

			it('version increases after a sale and the sale shows in the entries', async () => {
				const board = async () =>
					(await api(`/seasons/${seeded.seasonId}/leaderboard?scope=individual&limit=1000`)).json();
				const before = await board();
				const sellerBefore = before.entries.find((e: Entry) => e.id === seller.id).points;
				const response = await postSaleBody(server.url, token, saleBody());
				expect(response.status).toBe(201);
				const sale = await response.json();
				expect(sale.version).toBeGreaterThan(before.version);
				const after = await board();
				expect(after.version).toBeGreaterThanOrEqual(sale.version);
				expect(after.entries.find((e: Entry) => e.id === seller.id).points).toBe(sellerBefore + 50);
			});
		});
	});
});
