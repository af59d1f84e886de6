// Import jobs across app nodes: two server processes share one database file (standing in for
// the shared database). A job started on node A is polled on node B while it runs, only by its
// owner; its error file downloads from B; a job whose node is killed mid-import is resumed by
// the next node that starts and ends with the same sales, ledger and standings as one
// uninterrupted import; finished jobs expire from the database.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import * as devalue from 'devalue';
import { startServer, type RunningServer } from '../helpers/server';
import {
	readDb,
	seedServerDb,
	signIn,
	waitFor,
	PASSWORD,
	type SeededDb,
	withStore
} from '../helpers/seeded';
import { makeUser } from '../helpers/factories';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import { openDatabase } from '../../src/lib/server/db';
import { importSales } from '../../src/lib/server/imports/sales';
import { pruneImportJobs } from '../../src/lib/server/imports/jobs';

const HEADER = 'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice';
/** A short lease, so that a killed node's jobs are taken over within seconds. */
const env = { IMPORT_JOB_LEASE_MS: '2000' };

let seeded: SeededDb;
let token: string;
let stranger: string;
const paths = { nodes: '', crash: '', reference: '' };

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 2, people: 4 });
	await withStore(seeded.path, async (store) => {
		token = (await createApiToken(store, { name: 'crm', role: 'integration' })).token;
		stranger = (await createApiToken(store, { name: 'till', role: 'admin' })).token;
	});
	const db = openDatabase(seeded.path);
	try {
		await makeUser(db, { email: 'manager@test.test', role: 'manager', password: PASSWORD });
		await makeUser(db, { email: 'other@test.test', role: 'manager', password: PASSWORD });
	} finally {
		db.$client.close();
	}
	// Three copies of one database: two nodes, a crash, and the import without interruption.
	for (const name of ['nodes', 'crash', 'reference'] as const) {
		paths[name] = join(seeded.dir, `${name}.db`);
		copyFileSync(seeded.path, paths[name]);
	}
}, 60_000);

afterAll(() => seeded?.cleanup());

/** `rows` one-line sales over four sellers; every 97th row's seller is not an email address. */
function file(prefix: string, rows: number) {
	const at = new Date(Date.now() - 3_600_000).toISOString();
	const lines = [HEADER];
	for (let i = 1; i <= rows; i++) {
		const seller = i % 97 === 0 ? 'not-an-email' : seeded.people[i % 4].email;
		lines.push(`${prefix}-${i},${seller},${at},${i % 2 ? 'CASE' : 'PHONE'},1,29`);
	}
	return { csv: lines.join('\n'), bad: Math.floor(rows / 97) };
}

const get = (url: string, auth: string) =>
	fetch(url, { headers: { authorization: `Bearer ${auth}` } });
const post = (server: RunningServer, csv: string) =>
	fetch(`${server.url}/api/v1/imports/sales?dryRun=0&async=1`, {
		method: 'POST',
		headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
		body: csv
	});
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What an import leaves behind, in a form two databases can be compared by. */
function scoreRows(path: string) {
	return readDb(path, (db) => {
		const all = (sql: string) => db.prepare(sql).all();
		return {
			sales: all('select external_id, seller_id, points, status, amount from sale order by 1'),
			ledger: all(
				'select user_id, team_id, kind, status, sum(points) as points, count(*) as n from ledger_entry group by 1, 2, 3, 4 order by 1, 2, 3, 4'
			),
			standings: all(
				'select season_id, subject_type, subject_id, confirmed_points, provisional_points, sales_count from standing order by 1, 2, 3'
			),
			awards: all(
				'select badge_id, subject_type, subject_id, period_key from award order by 1, 2, 3, 4'
			)
		};
	});
}
const count = (path: string, sql: string, ...args: unknown[]) =>
	readDb(
		path,
		(db) =>
			db
				.prepare(sql)
				.pluck()
				.get(...args) as number
	);

describe('two nodes on one database', () => {
	let a: RunningServer;
	let b: RunningServer;
	beforeAll(async () => {
		[a, b] = await Promise.all([
			startServer({ dbPath: paths.nodes, env }),
			startServer({ dbPath: paths.nodes, env })
		]);
	}, 120_000);
	afterAll(async () => {
		await Promise.all([a?.stop(), b?.stop()]);
	});

	it('a job started on A is watched on B while it runs, by its owner only; its errors download from B; it expires', async () => {
		const { csv, bad } = file('nodes', 20_000);
		const started = await post(a, csv);
		expect(started.status).toBe(202);
		const { job } = await started.json();
		const url = `${b.url}${job.url}`;
		const seen: number[] = [];
		let body;
		for (let i = 0; i < 1200; i++) {
			const response = await get(url, token);
			expect(response.status).toBe(200);
			body = await response.json();
			seen.push(body.job.done);
			if (body.job.status !== 'running') break;
			if (seen.length === 2) {
				// Another token (another role) gets today's answer, on either node.
				for (const node of [a, b]) {
					const refused = await get(`${node.url}${job.url}`, stranger);
					expect(refused.status).toBe(404);
					expect((await refused.json()).error.code).toBe('unknown_job');
				}
			}
			await pause(100);
		}
		expect(body.job).toMatchObject({ status: 'done', done: 20_000, total: 20_000 });
		expect(body.report).toMatchObject({ rows: 20_000, rejected: bad, errorsTotal: bad });
		expect(body.report.sales).toEqual({ new: 20_000 - bad, duplicate: 0, rejected: bad });
		// Progress moved, window by window, and never back.
		expect(seen.some((done) => done > 0 && done < 20_000)).toBe(true);
		expect(seen).toEqual([...seen].sort((x, y) => x - y));
		// The upload has served: it is gone; the error file downloads from B.
		expect(count(paths.nodes, 'select count(*) from import_upload')).toBe(0);
		const download = await get(`${b.url}${body.report.errorsUrl}`, token);
		expect(download.status).toBe(200);
		const rows = Papa.parse<Record<string, string>>(await download.text(), {
			header: true,
			skipEmptyLines: true
		}).data;
		expect(rows.map((r) => Number(r.row))).toEqual(
			Array.from({ length: bad }, (_, i) => 97 * (i + 1))
		);
		expect((await get(`${b.url}${body.report.errorsUrl}`, stranger)).status).toBe(404);

		// An hour after it finished, the job and its errors are removed from the database.
		await withStore(paths.nodes, (store) => pruneImportJobs(store, Date.now() + 61 * 60 * 1000));
		expect(count(paths.nodes, 'select count(*) from import_job where id = ?', job.id)).toBe(0);
		expect(
			count(paths.nodes, 'select count(*) from import_job_error where job_id = ?', job.id)
		).toBe(0);
		expect((await get(url, token)).status).toBe(404);
	}, 240_000);

	it('a console import started on A is polled on B by the manager who started it, and no one else', async () => {
		const [manager, other, participant] = await Promise.all([
			signIn(a.url, 'manager@test.test'),
			signIn(b.url, 'other@test.test'),
			signIn(b.url, seeded.people[0].email)
		]);
		const form = new FormData();
		form.set('file', new File([file('console', 3_000).csv], 'sales.csv', { type: 'text/csv' }));
		const response = await fetch(`${a.url}/manage/import?/commit`, {
			method: 'POST',
			body: form,
			headers: {
				cookie: `session=${manager}`,
				origin: a.url,
				accept: 'application/json',
				'x-sveltekit-action': 'true'
			}
		});
		const result = await response.json();
		expect(result.type).toBe('success');
		const { jobId } = devalue.parse(result.data) as { jobId: string };
		const poll = (session: string) =>
			fetch(`${b.url}/manage/import/jobs/${jobId}`, { headers: { cookie: `session=${session}` } });
		expect((await poll(other)).status).toBe(404);
		expect((await poll(participant)).status).toBe(403);
		let view;
		for (let i = 0; i < 600; i++) {
			const polled = await poll(manager);
			expect(polled.status).toBe(200);
			view = await polled.json();
			if (view.status !== 'running') break;
			await pause(100);
		}
		expect(view).toMatchObject({ status: 'done', done: 3_000, total: 3_000 });
		expect(view.report.sales.new).toBe(3_000 - Math.floor(3_000 / 97));
		// Its file was kept in the database while it ran (to be resumed), and is gone now.
		expect(count(paths.nodes, 'select count(*) from import_upload')).toBe(0);
	}, 120_000);
});

describe('a node killed mid-import', () => {
	it('the next node to start resumes the job: nothing twice, nothing lost', async () => {
		const { csv, bad } = file('crash', 20_000);
		const a = await startServer({ dbPath: paths.crash, env });
		let c: RunningServer | undefined;
		try {
			const started = await post(a, csv);
			expect(started.status).toBe(202);
			const { job } = await started.json();
			// SIGKILL once a few windows have committed, well before the end.
			let doneAtKill = 0;
			for (let i = 0; i < 1200 && doneAtKill === 0; i++) {
				const done = count(paths.crash, 'select done from import_job where id = ?', job.id);
				if (done >= 1_500) doneAtKill = done;
				else await pause(20);
			}
			a.process.kill('SIGKILL');
			await a.stop();
			expect(doneAtKill).toBeGreaterThan(0);
			expect(doneAtKill).toBeLessThan(20_000);
			const before = count(paths.crash, 'select count(*) from sale');
			expect(before).toBeGreaterThan(0);
			expect(before).toBeLessThan(20_000 - bad);

			c = await startServer({ dbPath: paths.crash, env });
			let body;
			for (let i = 0; i < 1200; i++) {
				const response = await get(`${c.url}${job.url}`, token);
				expect(response.status).toBe(200);
				body = await response.json();
				if (body.job.status !== 'running') break;
				await pause(100);
			}
			// Log lines are written in batches, up to 0.1 s late (shared/log.ts, batchLogLines).
			const resumed = c;
			await waitFor(
				() => resumed.output().includes(`resuming import job ${job.id}`),
				5_000,
				'the resume log line'
			);
			// The report of one run: every sale new once, none a duplicate of the first node's.
			expect(body.job).toMatchObject({ status: 'done', done: 20_000, total: 20_000 });
			expect(body.report).toMatchObject({ rows: 20_000, rejected: bad, errorsTotal: bad });
			expect(body.report.sales).toEqual({ new: 20_000 - bad, duplicate: 0, rejected: bad });
			const download = await get(`${c.url}${body.report.errorsUrl}`, token);
			const rows = Papa.parse<Record<string, string>>(await download.text(), {
				header: true,
				skipEmptyLines: true
			}).data;
			expect(rows.map((r) => Number(r.row))).toEqual(
				Array.from({ length: bad }, (_, i) => 97 * (i + 1))
			);
			expect(count(paths.crash, 'select count(*) from import_upload')).toBe(0);
		} finally {
			await a.stop();
			await c?.stop();
		}
		// The same file imported once, without interruption, into a copy of the same database.
		const db = openDatabase(paths.reference);
		try {
			await importSales(db, csv, { dryRun: false, actor: { tokenId: 1 } });
		} finally {
			db.$client.close();
		}
		expect(scoreRows(paths.crash)).toEqual(scoreRows(paths.reference));
	}, 300_000);
});
