// Robust input and database faults, against the production build on a real database: a write
// lock held by another process, lenient numbers, oversized bodies, points ceilings and reused
// idempotency keys (API, /sell and the CSV import).
import Database from 'better-sqlite3';
import { request as httpRequest } from 'node:http';
import { parse as devalueParse } from 'devalue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type RunningServer } from '../helpers/server';
import { postSaleBody } from '../helpers/sales';
import {
	lastLine,
	PASSWORD,
	readDb,
	scoreState,
	seedServerDb,
	signIn,
	withDb,
	type SeededDb
} from '../helpers/seeded';
import { hashPassword } from '../../src/lib/server/auth/password';
import { user } from '../../src/lib/server/db/schema';

let seeded: SeededDb;
let server: RunningServer;
let token: string;
let cookie: string;
let counter = 0;

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 2, people: 4 });
	server = await startServer({ dbPath: seeded.path });
	const created = await runCli(['token', 'create', '--name', 't'], seeded.path);
	expect(created.code, created.stderr).toBe(0);
	token = lastLine(created.stdout);
	cookie = await signIn(server.url, seeded.people[0].email);
});

afterAll(async () => {
	await server?.dispose();
	seeded?.cleanup();
});

const externalId = () => `robust-${++counter}`;

function saleBody(overrides: Record<string, unknown> = {}) {
	return {
		externalId: externalId(),
		seller: { email: seeded.people[1].email },
		occurredAt: new Date(Date.now() - 60_000).toISOString(),
		lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 999 }],
		...overrides
	};
}

/** Posts the /sell form the way enhance does; returns the action result with its data. */
async function sell(fields: Record<string, string>) {
	const response = await fetch(`${server.url}/sell`, {
		method: 'POST',
		body: new URLSearchParams(fields),
		headers: {
			cookie: `session=${cookie}`,
			origin: server.url,
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'application/json',
			'x-sveltekit-action': 'true'
		}
	});
	const result = (await response.json()) as { type: string; status?: number; data?: string };
	return {
		type: result.type,
		status: result.status,
		data: (result.data ? devalueParse(result.data) : {}) as Record<string, unknown>
	};
}

function salesWith(column: 'external_id', value: string) {
	return readDb(seeded.path, (db) =>
		db
			.prepare(`select * from sale where ${column} = ? or ${column} like ?`)
			.all(value, `%:${value}`)
	) as Record<string, unknown>[];
}

describe('a write lock held by another process', () => {
	it('answers a sale 503 with Retry-After, keeps serving reads meanwhile, and the retry counts it once', async () => {
		const body = saleBody();
		const leaderboardUrl = `${server.url}/api/v1/seasons/${seeded.seasonId}/leaderboard`;
		const auth = { headers: { authorization: `Bearer ${token}` } };
		// Each read once before the lock: a route's first request loads its modules, which on a
		// loaded machine can take longer than the sale's busy budget (1.5 s); the order asserted
		// below is about the wait, not about a cold start.
		expect((await fetch(`${server.url}/login`)).status).toBe(200);
		expect((await fetch(leaderboardUrl, auth)).status).toBe(200);
		const before = scoreState(seeded.path);
		const holder = new Database(seeded.path);
		holder.pragma('busy_timeout = 5000');
		holder.exec('BEGIN IMMEDIATE');
		try {
			const finished: string[] = [];
			const salePromise = postSaleBody(server.url, token, body).then((r) => {
				finished.push('sale');
				return r;
			});
			// Sent after the sale, while it waits for the lock: still answered, and before it.
			await new Promise((r) => setTimeout(r, 50));
			const reads = [
				fetch(`${server.url}/login`).then((r) => (finished.push('login'), r)),
				fetch(leaderboardUrl, auth).then((r) => (finished.push('leaderboard'), r))
			];
			const [login, leaderboard] = await Promise.all(reads);
			expect(login.status).toBe(200);
			expect(leaderboard.status).toBe(200);
			const sale = await salePromise;
			expect(sale.status).toBe(503);
			expect(Number(sale.headers.get('retry-after'))).toBeGreaterThan(0);
			expect((await sale.json()).error.code).toBe('database_busy');
			expect(finished.indexOf('login')).toBeLessThan(finished.indexOf('sale'));
			expect(finished.indexOf('leaderboard')).toBeLessThan(finished.indexOf('sale'));

			// A form post gets a friendly refusal (not the 500 page) that keeps what was typed.
			const form = await sell({
				requestId: crypto.randomUUID(),
				qty_CASE: '2',
				customerRef: 'K-7'
			});
			expect(form.type).toBe('failure');
			expect(form.status).toBe(503);
			expect(form.data.message).toBe('The database is busy, please try again in a moment.');
			expect(form.data.values).toMatchObject({ qty_CASE: '2', customerRef: 'K-7' });
		} finally {
			holder.exec('ROLLBACK');
			holder.close();
		}
		expect(scoreState(seeded.path)).toEqual(before);

		const retried = await postSaleBody(server.url, token, body);
		expect(retried.status).toBe(201);
		const again = await postSaleBody(server.url, token, body);
		expect(again.status).toBe(200);
		expect(salesWith('external_id', body.externalId)).toHaveLength(1);
		expect(scoreState(seeded.path).sales).toBe(before.sales + 1);
	});
});

describe('numbers are read strictly', () => {
	it.each([
		['0x10', '0x10'],
		['1e1', '1e1'],
		['2.5', '2.5'],
		['100000', '100000'],
		['-1', '-1'],
		['a hex quantity with spaces', ' 0x3 ']
	])('/sell refuses the quantity %s with a clear message and stores nothing', async (_n, qty) => {
		const before = scoreState(seeded.path);
		const requestId = crypto.randomUUID();
		const result = await sell({ requestId, qty_CASE: qty });
		expect(result.type).toBe('failure');
		expect(result.status).toBe(400);
		expect(result.data.message).toBe('Quantities must be whole numbers from 1 to 99.');
		expect(result.data.errors).toEqual({
			qty_CASE: 'Quantities must be whole numbers from 1 to 99.'
		});
		expect(result.data.values).toMatchObject({ qty_CASE: qty });
		expect(scoreState(seeded.path)).toEqual(before);
	});

	it('/sell still takes a plain whole number', async () => {
		const result = await sell({ requestId: crypto.randomUUID(), qty_CASE: '3' });
		expect(result.type).toBe('success');
		expect(result.data.points).toBe(15);
	});

	it.each([
		['a quantity above the limit', { quantity: 10_001 }],
		['a price above the limit', { unitPrice: 10_000_001 }],
		['a price with fractions of a cent', { unitPrice: 9.999 }],
		['a missing price', { unitPrice: undefined }],
		['a price as text', { unitPrice: '' }]
	])('the API refuses %s with 400', async (_n, line) => {
		const before = scoreState(seeded.path);
		const response = await postSaleBody(
			server.url,
			token,
			saleBody({ lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 999, ...line }] })
		);
		expect(response.status).toBe(400);
		expect((await response.json()).error.code).toBe('invalid_input');
		expect(scoreState(seeded.path)).toEqual(before);
	});

	it('the CSV import refuses hex, exponent and empty numbers cell by cell', async () => {
		const before = scoreState(seeded.path);
		const at = new Date(Date.now() - 60_000).toISOString();
		const email = seeded.people[1].email;
		const ids = [externalId(), externalId(), externalId(), externalId()];
		const response = await fetch(`${server.url}/api/v1/imports/sales?dryRun=0`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
			body: [
				'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice',
				`${ids[0]},${email},${at},CASE,0x10,29`,
				`${ids[1]},${email},${at},CASE,1e3,29`,
				`${ids[2]},${email},${at},CASE,1,`,
				`${ids[3]},${email},${at},CASE,2,10000001`
			].join('\n')
		});
		expect(response.status).toBe(200);
		const report = await response.json();
		expect(report.errors).toEqual([
			expect.objectContaining({
				row: 1,
				column: 'quantity',
				message: 'quantity must be a whole number'
			}),
			expect.objectContaining({
				row: 2,
				column: 'quantity',
				message: 'quantity must be a whole number'
			}),
			expect.objectContaining({ row: 3, column: 'unitPrice', message: 'unitPrice is required' }),
			expect.objectContaining({
				row: 4,
				column: 'unitPrice',
				message: 'unitPrice is too large: at most 10,000,000'
			})
		]);
		expect(report.sales.new).toBe(0);
		expect(scoreState(seeded.path)).toEqual(before);
	});

	it('answers a JSON body over the limit with 413 and a JSON error', async () => {
		const before = scoreState(seeded.path);
		const big = JSON.stringify({ ...saleBody(), padding: 'x'.repeat(2 * 1024 * 1024) });
		const response = await postSaleBody(server.url, token, big);
		expect(response.status).toBe(413);
		const json = await response.json();
		expect(json.error.code).toBe('payload_too_large');
		expect(json.error.message).toMatch(/too large/);
		expect(scoreState(seeded.path)).toEqual(before);
	});

	it('answers a body over the server limit (60 MB) with 413 too', async () => {
		// On its own connection (node:http), closed after the answer: the server answers before
		// reading the body, and a pooled connection would be left mid-upload.
		const size = 60 * 1024 * 1024;
		const answer = await new Promise<{ status: number; body: string }>((done, fail) => {
			const request = httpRequest(
				`${server.url}/api/v1/sales`,
				{
					method: 'POST',
					headers: {
						authorization: `Bearer ${token}`,
						'content-type': 'application/json',
						'content-length': String(size)
					}
				},
				(response) => {
					let text = '';
					response.setEncoding('utf8');
					response.on('data', (chunk) => (text += chunk));
					response.on('end', () => {
						request.destroy();
						done({ status: response.statusCode ?? 0, body: text });
					});
				}
			);
			let answered = false;
			request.on('response', () => (answered = true));
			// Once the server has answered it may close the connection mid-upload (EPIPE, reset).
			request.on('error', (error) => {
				if (!answered && !request.destroyed) fail(error);
			});
			// The declared length is what the server refuses: it answers before reading the body, so
			// the first megabyte is sent and the rest only while no answer has come.
			const chunk = Buffer.alloc(1024 * 1024, 'x');
			let sent = 0;
			const pump = () => {
				while (sent < size && !answered && !request.destroyed) {
					sent += chunk.length;
					if (!request.write(chunk)) return void request.once('drain', pump);
				}
				if (!answered && !request.destroyed) request.end();
			};
			pump();
		});
		expect(answer.status).toBe(413);
		expect(JSON.parse(answer.body).error.code).toBe('payload_too_large');
	});
});

describe('a sale above the season ceiling on points', () => {
	const confirmedPoints = () =>
		readDb(seeded.path, (db) =>
			db.prepare('select coalesce(sum(confirmed_points), 0) from standing').pluck().get()
		);

	it('is recorded but waits for a manager, with the reason, instead of counting at once', async () => {
		const confirmedBefore = confirmedPoints();
		const body = saleBody({ lines: [{ sku: 'PHONE', quantity: 10_000, unitPrice: 999 }] });
		const response = await postSaleBody(server.url, token, body);
		expect(response.status).toBe(201);
		const json = await response.json();
		expect(json.sale).toEqual({ id: expect.any(Number), status: 'pending', points: 500_000 });
		expect(json.flagReason).toMatch(/above this season's limit of 100,000/);
		const [row] = salesWith('external_id', body.externalId);
		expect(row).toMatchObject({ status: 'pending', flag_reason: json.flagReason });
		const ledger = readDb(seeded.path, (db) =>
			db.prepare('select status from ledger_entry where sale_id = ?').all(json.sale.id)
		);
		expect(ledger).toEqual([{ status: 'provisional' }]);
		// Confirmed points (what the board ranks by default) are unchanged.
		expect(confirmedPoints()).toBe(confirmedBefore);
		// The manager's review queue says why it waits.
		const managerEmail = `ceiling-manager-${Date.now()}@test.test`;
		const passwordHash = await hashPassword(PASSWORD);
		withDb(seeded.path, (db) =>
			db
				.insert(user)
				.values({
					email: managerEmail,
					displayName: 'Ceiling Manager',
					role: 'manager',
					passwordHash
				})
				.run()
		);
		const session = await signIn(server.url, managerEmail);
		const queue = await fetch(`${server.url}/manage/review`, {
			headers: { cookie: `session=${session}` }
		});
		expect(queue.status).toBe(200);
		expect(await queue.text()).toContain('limit of 100,000 per sale');
	});

	it('a sale at the ceiling counts at once', async () => {
		// 2,000 × 50 points = 100,000: not above the ceiling.
		const response = await postSaleBody(
			server.url,
			token,
			saleBody({ lines: [{ sku: 'PHONE', quantity: 2_000, unitPrice: 999 }] })
		);
		expect(response.status).toBe(201);
		const json = await response.json();
		expect(json.sale.status).toBe('approved');
		expect(json.flagReason).toBeUndefined();
	});
});

describe('a reused idempotency key', () => {
	it('the API replays the same body and answers 409 idempotency_conflict for a different one', async () => {
		const body = saleBody();
		const first = await postSaleBody(server.url, token, body);
		expect(first.status).toBe(201);
		const firstJson = await first.json();
		const before = scoreState(seeded.path);

		const same = await postSaleBody(server.url, token, body);
		expect(same.status).toBe(200);
		expect((await same.json()).sale).toEqual(firstJson.sale);

		for (const changed of [
			{ lines: [{ sku: 'CASE', quantity: 9, unitPrice: 1 }] },
			{ lines: [{ sku: 'PHONE', quantity: 2, unitPrice: 999 }] },
			{ lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 998 }] },
			{ seller: { email: seeded.people[2].email } },
			{ occurredAt: new Date(Date.now() - 120_000).toISOString() }
		]) {
			const conflict = await postSaleBody(server.url, token, { ...body, ...changed });
			expect(conflict.status).toBe(409);
			const json = await conflict.json();
			expect(json.error.code).toBe('idempotency_conflict');
			expect(json.error.message).toBe(
				`externalId ${body.externalId} was already used for a different sale`
			);
		}
		expect(scoreState(seeded.path)).toEqual(before);
	});

	it('the CSV import rejects a row whose externalId was used for a different sale', async () => {
		const body = saleBody();
		expect((await postSaleBody(server.url, token, body)).status).toBe(201);
		const before = scoreState(seeded.path);
		const csv = [
			'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice',
			`${body.externalId},${body.seller.email},${body.occurredAt},PHONE,1,999`,
			`${externalId()},${body.seller.email},${body.occurredAt},CASE,1,29`
		];
		const conflicting = [...csv];
		conflicting[1] = `${body.externalId},${body.seller.email},${body.occurredAt},PHONE,5,999`;
		const response = await fetch(`${server.url}/api/v1/imports/sales?dryRun=true`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
			body: conflicting.join('\n')
		});
		const report = await response.json();
		expect(report.errors).toContainEqual({
			row: 1,
			code: 'external_id_conflict',
			column: 'externalId',
			message: `externalId ${body.externalId} was already used for a different sale`
		});
		expect(scoreState(seeded.path)).toEqual(before);
		// The same sale again is a duplicate, not an error.
		const same = await fetch(`${server.url}/api/v1/imports/sales?dryRun=true`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
			body: csv.join('\n')
		});
		const sameReport = await same.json();
		expect(sameReport.errors).toEqual([]);
		expect(sameReport.sales).toMatchObject({ duplicate: 1, new: 1 });
	});

	it('/sell replays a double submit and refuses the same form with other products', async () => {
		const requestId = crypto.randomUUID();
		const first = await sell({ requestId, qty_CASE: '1' });
		expect(first.type).toBe('success');
		const before = scoreState(seeded.path);
		const again = await sell({ requestId, qty_CASE: '1' });
		expect(again.type).toBe('success');
		expect(again.data.duplicate).toBe(true);
		const other = await sell({ requestId, qty_CASE: '4' });
		expect(other.type).toBe('failure');
		expect(other.status).toBe(409);
		expect(other.data.message).toMatch(/already sent with other products/);
		expect(scoreState(seeded.path)).toEqual(before);
	});
});
