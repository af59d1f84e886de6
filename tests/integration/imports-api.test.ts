// POST /api/v1/imports/sales against the production build: input that is not text is refused,
// large or async imports run as jobs to poll, and the error list in an answer is capped with the
// whole list downloadable as CSV. On the seeded SQLite file and on its copy in a throwaway
// PostgreSQL database (tests/helpers/server-db.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { randomBytes } from 'node:crypto';
import { startServer, type RunningServer } from '../helpers/server';
import * as devalue from 'devalue';
import { signIn, PASSWORD, type SeededDb, withStore } from '../helpers/seeded';
import {
	DIALECTS,
	scoreStateOn,
	seedServerDbOn,
	serverEnvFor,
	type ServerDb
} from '../helpers/server-db';
import { openDatabase } from '../../src/lib/server/db';
import { makeUser } from '../helpers/factories';
import { createApiToken } from '../../src/lib/server/auth/api-token';

let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
let token: string;
let other: string;
let manager: string;

/** The tokens and a manager, made in the seeded file before it is copied or served. */
async function prepare(file: SeededDb) {
	await withStore(file.path, async (store) => {
		token = (await createApiToken(store, { name: 'crm', role: 'integration' })).token;
		other = (await createApiToken(store, { name: 'till', role: 'admin' })).token;
	});
	const sqlite = openDatabase(file.path);
	try {
		await makeUser(sqlite, { email: 'manager@test.test', role: 'manager', password: PASSWORD });
	} finally {
		sqlite.$client.close();
	}
}

const HEADER = 'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice';
const at = () => new Date(Date.now() - 3_600_000).toISOString();

function post(query: string, body: BodyInit, auth = token, type = 'text/csv') {
	return fetch(`${server.url}/api/v1/imports/sales?${query}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${auth}`, 'content-type': type },
		body
	});
}
const get = (path: string, auth = token) =>
	fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${auth}` } });

/** `good` valid one-line sales, then `bad` rows whose seller is not an email address. */
function file(prefix: string, good: number, bad: number) {
	const seller = seeded.people[1].email;
	const rows = [
		...Array.from({ length: good }, (_, i) => `${prefix}-${i},${seller},${at()},CASE,1,29`),
		...Array.from({ length: bad }, (_, i) => `${prefix}-bad-${i},not-an-email,${at()},CASE,1,29`)
	];
	return [HEADER, ...rows].join('\n');
}

const salesLike = (prefix: string) =>
	db.value('select count(*) from sale where external_id like ?', `${prefix}-%`);

/** Polls a job until it has finished (a bounded number of times). */
async function finished(url: string) {
	for (let i = 0; i < 600; i++) {
		const response = await get(url);
		expect(response.status).toBe(200);
		const body = await response.json();
		if (body.job.status !== 'running') return body;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`job ${url} did not finish`);
}

describe.each(DIALECTS)('the imports API on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, { teams: 2, people: 4 }, prepare);
		seeded = db.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(db) });
		manager = await signIn(server.url, 'manager@test.test');
	}, 60_000);

	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('input that is not CSV text', () => {
		it.each([
			['random binary', () => new Uint8Array(randomBytes(8192))],
			// Note: bytes that are not UTF-8 but read as Windows-1250/1252 text are a European
			// spreadsheet's "CSV" and are imported (import-formats tests).
			['NUL bytes', () => Buffer.from(`${HEADER}\u0000\nx,a@b.io,${at()},CASE,1,29`)]
		])('refuses %s with 400 not_text and stores nothing', async (_title, body) => {
			const before = await scoreStateOn(db);
			const response = await post('dryRun=0', body());
			expect(response.status).toBe(400);
			const json = await response.json();
			expect(json.error.code).toBe('not_text');
			expect(json.error.message).toMatch(/CSV UTF-8/);
			expect(await scoreStateOn(db)).toEqual(before);
		});
	});

	describe('a file without the columns', () => {
		it('is refused with 422 missing_columns and stores nothing', async () => {
			const before = await scoreStateOn(db);
			const response = await post(
				'dryRun=0',
				`name,total\nAcme,12\n${seeded.people[0].email},${at()}\n`
			);
			expect(response.status).toBe(422);
			const body = await response.json();
			expect(body.error).toMatchObject({
				code: 'missing_columns',
				details: {
					missing: ['externalId', 'sellerEmail', 'occurredAt', 'sku', 'quantity', 'unitPrice']
				}
			});
			expect(await scoreStateOn(db)).toEqual(before);
		});
	});

	describe('the console import form', () => {
		it.each(['check', 'commit'])(
			'?/%s refuses a binary file with a clear message',
			async (kind) => {
				const before = await scoreStateOn(db);
				const form = new FormData();
				form.set('file', new File([new Uint8Array(randomBytes(4096))], 'export.xlsx'));
				const response = await fetch(`${server.url}/manage/import?/${kind}`, {
					method: 'POST',
					body: form,
					headers: {
						cookie: `session=${manager}`,
						origin: server.url,
						accept: 'application/json',
						'x-sveltekit-action': 'true'
					}
				});
				const result = await response.json();
				expect(result.type).toBe('failure');
				expect((devalue.parse(result.data) as { message: string }).message).toMatch(/CSV UTF-8/);
				expect(await scoreStateOn(db)).toEqual(before);
			}
		);
	});

	describe('the error list', () => {
		it('is capped at 100 in the answer, with exact totals and every error as CSV', async () => {
			const response = await post('dryRun=0', file('cap', 5, 150));
			expect(response.status).toBe(200);
			const report = await response.json();
			expect(report).toMatchObject({ rows: 155, accepted: 5, rejected: 150, errorsTotal: 150 });
			expect(report.errors).toHaveLength(100);
			expect(report.errorsTruncated).toBe(true);
			expect(report.errors[0]).toMatchObject({ row: 6, column: 'sellerEmail' });
			expect(await salesLike('cap')).toBe(5);

			const download = await get(report.errorsUrl);
			expect(download.status).toBe(200);
			expect(download.headers.get('content-type')).toMatch(/^text\/csv/);
			const rows = Papa.parse<Record<string, string>>(await download.text(), {
				header: true,
				skipEmptyLines: true
			}).data;
			expect(rows).toHaveLength(150);
			expect(rows.map((r) => Number(r.row))).toEqual(Array.from({ length: 150 }, (_, i) => i + 6));
			// Another token cannot read it.
			expect((await get(report.errorsUrl, other)).status).toBe(404);
		});

		it('has no download when there are no errors', async () => {
			const report = await (await post('dryRun=1', file('clean', 3, 0))).json();
			expect(report).toMatchObject({ rows: 3, accepted: 3, errorsTotal: 0, errorsUrl: null });
		});
	});

	describe('imports as jobs', () => {
		it('async=1: 202 with a job to poll; the job reports what it stored', async () => {
			const response = await post('dryRun=0&async=1', file('async', 7, 2));
			expect(response.status).toBe(202);
			const started = await response.json();
			expect(started.job.url).toBe(`/api/v1/imports/jobs/${started.job.id}`);
			expect(response.headers.get('location')).toBe(started.job.url);
			const done = await finished(started.job.url);
			expect(done.job).toMatchObject({ status: 'done', done: 9, total: 9, dryRun: false });
			expect(done.report).toMatchObject({ rows: 9, accepted: 7, rejected: 2, errorsTotal: 2 });
			expect(await salesLike('async')).toBe(7);
			// Only the token that started a job sees it.
			expect((await get(started.job.url, other)).status).toBe(404);
			expect((await get('/api/v1/imports/jobs/nope')).status).toBe(404);
		});

		it('more than 10,000 rows run as a job even without async=1', async () => {
			const response = await post('dryRun=0', file('big', 40, 9_970));
			expect(response.status).toBe(202);
			const started = await response.json();
			const done = await finished(started.job.url);
			expect(done.report).toMatchObject({
				rows: 10_010,
				accepted: 40,
				rejected: 9_970,
				errorsTotal: 9_970
			});
			expect(done.report.errors).toHaveLength(100);
			expect(await salesLike('big')).toBe(40);
			const csv = await (await get(done.report.errorsUrl)).text();
			expect(csv.trim().split('\r\n')).toHaveLength(9_971);
		}, 120_000);

		it('10,000 rows exactly still answer at once', async () => {
			const response = await post('dryRun=1', file('edge', 0, 10_000));
			expect(response.status).toBe(200);
			expect(await response.json()).toMatchObject({ rows: 10_000, errorsTotal: 10_000 });
		}, 60_000);
	});
});
