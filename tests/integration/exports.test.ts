// CSV exports, the background sales import and the webhooks console, against the production build,
// on the seeded SQLite file and on its copy in a throwaway PostgreSQL database (server-db.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import * as devalue from 'devalue';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { startServer, type RunningServer } from '../helpers/server';
import { signIn, waitFor, PASSWORD, type SeededDb } from '../helpers/seeded';
import { DIALECTS, seedServerDbOn, serverEnvFor, type ServerDb } from '../helpers/server-db';
import { eq } from 'drizzle-orm';
import { makeMember, makeUser } from '../helpers/factories';
import { recordOn } from '../helpers/record-sale';
import { adjustPoints } from '../../src/lib/server/scoring/adjustments';
import { sqliteStore } from '../../src/lib/server/db/store';
import { readLeaderboard } from '../../src/lib/server/boards/leaderboard';
import { Webhook } from 'standardwebhooks';
import { tempDb } from '../helpers/db';
import { openDatabase } from '../../src/lib/server/db';
import { makeContest } from '../helpers/factories';
import { getImportJob, startImportJob } from '../../src/lib/server/imports/jobs';
import { AppError } from '../../src/lib/server/shared/errors';

const HOUR = 60 * 60 * 1000;
const EVIL = '=HYPERLINK("http://evil.test","x")';

let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
const sessions: Record<'participant' | 'executive' | 'manager' | 'admin', string> = {
	participant: '',
	executive: '',
	manager: '',
	admin: ''
};

/** The consoles' people, a member named like a formula, three sales and an adjustment. */
async function prepare(file: SeededDb) {
	const db = openDatabase(file.path);
	try {
		for (const role of ['executive', 'manager', 'admin'] as const)
			await makeUser(db, { email: `${role}@test.test`, role, password: PASSWORD });
		const evil = await makeMember(db, file.seasonId, file.teams[1].id, {
			email: 'evil@test.test',
			name: EVIL
		});
		const at = Date.now() - 2 * HOUR;
		const sell = (externalId: string, email: string, lines: { sku: string; quantity: number }[]) =>
			recordOn(
				db,
				{ source: 'api', externalId, seller: { email }, occurredAt: at, lines },
				undefined,
				{ awards: false }
			);
		await sell('=cmd|calc', evil.email, [
			{ sku: 'PHONE', quantity: 2 },
			{ sku: 'CASE', quantity: 1 }
		]);
		await sell('s-2', file.people[1].email, [{ sku: 'PHONE', quantity: 1 }]);
		await sell('s-3', file.people[2].email, [{ sku: 'CASE', quantity: 3 }]);
		const manager = db.$client
			.prepare("select id from user where email = 'manager@test.test'")
			.pluck()
			.get() as number;
		await adjustPoints(sqliteStore(db), {
			seasonId: file.seasonId,
			userId: file.people[2].id,
			points: -7,
			reason: '-duplicate entry',
			actor: { userId: manager }
		});
	} finally {
		db.$client.close();
	}
}

const get = (path: string, session?: string) =>
	fetch(`${server.url}${path}`, {
		headers: session ? { cookie: `session=${session}` } : {},
		redirect: 'manual'
	});

/** A form action posted the way `use:enhance` does; resolves with SvelteKit's action result. */
async function action(path: string, session: string, body: FormData) {
	const response = await fetch(`${server.url}${path}`, {
		method: 'POST',
		body,
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
		...result,
		data: typeof result.data === 'string' ? devalue.parse(result.data) : result.data
	} as {
		type: 'success' | 'failure' | 'error' | 'redirect';
		status: number;
		data?: Record<string, unknown>;
		error?: { message: string };
	};
}

const parse = (text: string) =>
	Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;

describe.each(DIALECTS)('exports, imports and webhooks on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, {}, prepare);
		seeded = db.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(db) });
		sessions.participant = await signIn(server.url, seeded.people[0].email);
		for (const role of ['executive', 'manager', 'admin'] as const)
			sessions[role] = await signIn(server.url, `${role}@test.test`);
	});
	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('CSV exports', () => {
		it('serves the ranking as the board ranks it, with the stored points', async () => {
			const response = await get(
				`/exports/ranking.csv?season=${seeded.seasonId}`,
				sessions.executive
			);
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
			expect(response.headers.get('content-disposition')).toMatch(
				/^attachment; filename=".+-ranking\.csv"$/
			);
			const rows = parse(await response.text());
			const board = (await db.withStore((store) => readLeaderboard(store, seeded.seasonId)))!;
			const shown = (name: string) => (/^[=+\-@]/.test(name) ? `'${name}` : name);
			expect(rows.filter((r) => r.scope === 'individual')).toEqual(
				board.individual.map((e) => ({
					scope: 'individual',
					rank: String(e.rank),
					name: shown(e.name),
					team: e.teamName,
					confirmedPoints: String(e.points),
					provisionalPoints: String(e.provisionalPoints),
					salesCount: String(e.salesCount)
				}))
			);
			expect(
				rows.filter((r) => r.scope === 'team').map((r) => [r.name, Number(r.confirmedPoints)])
			).toEqual(board.teams.map((e) => [e.name, e.points]));
			// The totals are the ledger's.
			const ledger = await db.value(
				"select sum(points) from ledger_entry where season_id = ? and status = 'confirmed'",
				seeded.seasonId
			);
			expect(
				rows
					.filter((r) => r.scope === 'individual')
					.reduce((sum, r) => sum + Number(r.confirmedPoints), 0)
			).toBe(ledger);
			expect(rows.find((r) => r.name.includes('HYPERLINK'))?.name).toBe(`'${EVIL}`);
		});

		it('serves one row per sale line with the sale points and breakdown', async () => {
			const response = await get(`/exports/sales.csv?season=${seeded.seasonId}`, sessions.manager);
			expect(response.status).toBe(200);
			const rows = parse(await response.text());
			const lines = (await db.rows(
				'select s.external_id as id, l.quantity, l.points, s.points as "salePoints" from sale_line l join sale s on s.id = l.sale_id where s.season_id = ? order by s.occurred_at, s.id, l.id',
				seeded.seasonId
			)) as { id: string; quantity: number; points: number; salePoints: number }[];
			expect(rows).toHaveLength(lines.length);
			expect(
				rows.map((r) => [
					r.externalId,
					Number(r.quantity),
					Number(r.linePoints),
					Number(r.salePoints)
				])
			).toEqual(
				lines.map((l) => [
					/^[=+\-@]/.test(l.id) ? `'${l.id}` : l.id,
					l.quantity,
					l.points,
					l.salePoints
				])
			);
			const evil = rows.filter((r) => r.seller === `'${EVIL}`);
			expect(evil.map((r) => r.sku)).toEqual(['PHONE', 'CASE']);
			expect(evil[0]).toMatchObject({
				externalId: "'=cmd|calc",
				unitPrice: '999.00',
				currency: 'EUR',
				status: 'approved'
			});
			expect(evil[0].occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
			expect(evil[0].breakdown).toMatch(/: \+\d+/);
		});

		it('serves the ledger entry by entry; negative points stay numbers', async () => {
			const response = await get(`/exports/ledger.csv?season=${seeded.seasonId}`, sessions.admin);
			expect(response.status).toBe(200);
			const text = await response.text();
			const rows = parse(text);
			const entries = (await db.rows(
				'select id, points, status, kind from ledger_entry where season_id = ? order by id',
				seeded.seasonId
			)) as {
				id: number;
				points: number;
				status: string;
				kind: string;
			}[];
			expect(rows.map((r) => [Number(r.id), Number(r.points), r.status, r.kind])).toEqual(
				entries.map((e) => [e.id, e.points, e.status, e.kind])
			);
			const adjustment = rows.find((r) => r.kind === 'adjustment')!;
			expect(adjustment).toMatchObject({
				points: '-7',
				note: "'-duplicate entry",
				saleExternalId: ''
			});
			expect(rows.find((r) => r.user === `'${EVIL}`)?.saleExternalId).toBe("'=cmd|calc");
		});

		it('escapes a team name that a spreadsheet would run as a formula in the dashboard CSV', async () => {
			const teamId = seeded.teams[1].id;
			const rename = (name: string) =>
				db.withStore((store) =>
					store.db.update(store.tables.team).set({ name }).where(eq(store.tables.team.id, teamId))
				);
			const before = (await db.value('select name from team where id = ?', teamId)) as string;
			await rename(EVIL);
			try {
				const response = await get(
					`/dashboard/data.csv?season=${seeded.seasonId}&team=${teamId}`,
					sessions.executive
				);
				expect(response.status).toBe(200);
				expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
				const rows = parse(await response.text());
				const named = rows.filter((r) => r.team.includes('HYPERLINK'));
				expect(named.length).toBeGreaterThan(0);
				expect(new Set(named.map((r) => r.team))).toEqual(new Set([`'${EVIL}`]));
			} finally {
				await rename(before);
			}
		});

		it('lets each role have only its exports', async () => {
			for (const path of ['ranking', 'sales', 'ledger']) {
				expect((await get(`/exports/${path}.csv`, sessions.participant)).status).toBe(403);
				expect((await get(`/exports/${path}.csv`)).status).toBe(303);
			}
			expect((await get('/exports/ranking.csv', sessions.executive)).status).toBe(200);
			expect((await get('/exports/sales.csv', sessions.executive)).status).toBe(403);
			expect((await get('/exports/ledger.csv', sessions.executive)).status).toBe(403);
			expect((await get('/exports/ranking.csv?season=9999', sessions.manager)).status).toBe(404);
			expect((await get('/manage/exports', sessions.manager)).status).toBe(200);
		});
	});

	describe('sales import from the console', () => {
		const csv = () => {
			const at = new Date(Date.now() - HOUR).toISOString();
			const lines = ['Order,Email,When,Item,Qty,Price'];
			for (let i = 1; i <= 40; i++)
				lines.push(`imp-${i},${seeded.people[i % 4].email},${at},PHONE,1,999.00`);
			lines.push(`imp-bad,${seeded.people[0].email},${at},NOPE,1,1.00`);
			return lines.join('\n');
		};
		const formFor = (text: string) => {
			const form = new FormData();
			form.set('file', new File([text], 'crm.csv', { type: 'text/csv' }));
			return form;
		};

		it('checks, then imports as a job whose progress reaches the end; a re-import counts nothing twice', async () => {
			const text = csv();
			const before = await db.value('select count(*) from ledger_entry');
			const check = await action('/manage/import?/check', sessions.manager, formFor(text));
			expect(check.type).toBe('success');
			const dry = check.data!.report as {
				rows: number;
				accepted: number;
				rejected: number;
				sales: { new: number };
				errors: { row: number; column: string }[];
			};
			expect(dry).toMatchObject({ rows: 41, accepted: 40, rejected: 1, sales: { new: 40 } });
			expect(dry.errors[0]).toMatchObject({ row: 41, column: 'Item' });
			expect(await db.value('select count(*) from ledger_entry')).toBe(before);

			const commit = await action('/manage/import?/commit', sessions.manager, formFor(text));
			expect(commit.type).toBe('success');
			const id = commit.data!.jobId as string;
			let job = {
				status: 'running',
				done: 0,
				total: 0,
				report: null as null | { sales: { new: number; duplicate: number }; points: number }
			};
			const seen: number[] = [];
			while (job.status === 'running') {
				const response = await get(`/manage/import/jobs/${id}`, sessions.manager);
				expect(response.status).toBe(200);
				job = await response.json();
				seen.push(job.done);
				if (job.status === 'running') await new Promise((r) => setTimeout(r, 50));
			}
			expect(job).toMatchObject({
				status: 'done',
				done: 41,
				total: 41,
				report: { sales: { new: 40, duplicate: 0 } }
			});
			expect(seen).toEqual([...seen].sort((a, b) => a - b));
			const after = await db.value("select count(*) from sale where external_id like 'imp-%'");
			expect(after).toBe(40);

			// Another manager cannot follow someone else's job.
			expect((await get(`/manage/import/jobs/${id}`, sessions.admin)).status).toBe(404);
			expect((await get(`/manage/import/jobs/${id}`, sessions.executive)).status).toBe(403);

			const again = await action('/manage/import?/commit', sessions.manager, formFor(text));
			const secondId = again.data!.jobId as string;
			let second: {
				status: string;
				report: { sales: { new: number; duplicate: number }; points: number } | null;
			} = { status: 'running', report: null };
			while (second.status === 'running') {
				second = await (await get(`/manage/import/jobs/${secondId}`, sessions.manager)).json();
				await new Promise((r) => setTimeout(r, 50));
			}
			expect(second.report).toMatchObject({ sales: { new: 0, duplicate: 40 }, points: 0 });
			expect(await db.value("select count(*) from sale where external_id like 'imp-%'")).toBe(40);
		});

		it.each([
			{ title: 'no file', form: () => new FormData(), message: /Choose a CSV file/ },
			{ title: 'an empty file', form: () => formFor('   \n'), message: /Choose a CSV file/ },
			{
				title: 'a header only',
				form: () => formFor('Order,Email,When,Item,Qty,Price\n'),
				message: /no rows/
			},
			{
				title: 'an unmapped column',
				form: () => {
					const form = formFor(
						'Order,Email,When,Thing,Qty,Price\nx,a@b.c,2026-01-01T00:00:00Z,PHONE,1,1'
					);
					form.set('map.sku', '');
					return form;
				},
				message: /column that holds sku/
			},
			{
				title: 'a column chosen twice',
				form: () => {
					const form = formFor(csv());
					form.set('map.sku', 'Order');
					return form;
				},
				message: /chosen for two fields/
			}
		])('refuses $title and changes nothing', async ({ form, message }) => {
			const before = await db.value('select count(*) from sale');
			for (const kind of ['check', 'commit']) {
				const result = await action(`/manage/import?/${kind}`, sessions.manager, form());
				expect(result).toMatchObject({ type: 'failure', status: 400 });
				expect(result.data!.message).toMatch(message);
			}
			expect(await db.value('select count(*) from sale')).toBe(before);
		});

		it('keeps participants out of the import', async () => {
			const result = await action('/manage/import?/commit', sessions.participant, formFor(csv()));
			expect(result).toMatchObject({ type: 'error', status: 403 });
		});
	});

	describe('webhooks console', () => {
		let receiver: Server;
		const received: { headers: IncomingHttpHeaders; body: string }[] = [];
		let receiverUrl = '';

		beforeAll(async () => {
			receiver = createServer((req, res) => {
				let body = '';
				req.on('data', (c) => (body += c));
				req.on('end', () => {
					received.push({ headers: req.headers, body });
					res.writeHead(204).end();
				});
			});
			await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
			receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
		});
		afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

		it('is for admins only', async () => {
			const page = await get('/manage/webhooks', sessions.manager);
			expect(page.status).toBe(403);
			expect(await page.text()).toContain('Webhooks are managed by admins');
			const form = new FormData();
			form.set('url', receiverUrl);
			form.append('events', 'sale.confirmed');
			expect(await action('/manage/webhooks?/create', sessions.manager, form)).toMatchObject({
				type: 'error',
				status: 403
			});
			expect(await db.value('select count(*) from webhook')).toBe(0);
		});

		it('refuses a URL that is not http(s) and a webhook without events', async () => {
			const form = new FormData();
			form.set('url', 'ftp://example.com/x');
			const result = await action('/manage/webhooks?/create', sessions.admin, form);
			expect(result).toMatchObject({ type: 'failure', status: 400 });
			expect(result.data!.errors).toMatchObject({
				url: expect.stringMatching(/http/),
				events: expect.stringMatching(/at least one/)
			});
		});

		it('lets an admin register a webhook, see its secret once, send a signed test and read the log', async () => {
			const form = new FormData();
			form.set('url', receiverUrl);
			form.append('events', 'sale.confirmed');
			form.append('events', 'season.ended');
			const created = await action('/manage/webhooks?/create', sessions.admin, form);
			expect(created.type).toBe('success');
			const hook = created.data!.created as { id: number; secret: string; events: string[] };
			expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
			expect(hook.events).toEqual(['sale.confirmed', 'season.ended']);
			const html = await (await get('/manage/webhooks', sessions.admin)).text();
			expect(html).toContain(receiverUrl);
			expect(html).not.toContain(hook.secret);

			const test = new FormData();
			test.set('id', String(hook.id));
			expect(await action('/manage/webhooks?/test', sessions.admin, test)).toMatchObject({
				type: 'success'
			});
			await waitFor(() => received.length > 0, 10_000, 'the test delivery');
			const [delivery] = received;
			// What a Standard Webhooks receiver does: verify with the secret, then read the event.
			expect(
				new Webhook(hook.secret).verify(delivery.body, delivery.headers as Record<string, string>)
			).toMatchObject({ type: 'webhook.test', data: { test: true } });
			await waitFor(
				async () =>
					(await db.value("select count(*) from webhook_delivery where status = 'delivered'")) ===
					1,
				5_000,
				'the log'
			);
			const log = await (await get('/manage/webhooks', sessions.admin)).text();
			expect(log).toMatch(/Delivery log/);
			expect(log).toMatch(/delivered/);
			expect(log).toContain('HTTP 204');

			const toggle = new FormData();
			toggle.set('id', String(hook.id));
			toggle.set('active', 'false');
			expect(await action('/manage/webhooks?/toggle', sessions.admin, toggle)).toMatchObject({
				type: 'success'
			});
			const actions = (
				await db.rows("select action from audit_event where action like 'webhook.%' order by id")
			).map((row) => row.action);
			expect(actions).toEqual(['webhook.create', 'webhook.test', 'webhook.disable']);
			const remove = new FormData();
			remove.set('id', String(hook.id));
			expect(await action('/manage/webhooks?/delete', sessions.admin, remove)).toMatchObject({
				type: 'success'
			});
			expect(await db.value('select count(*) from webhook')).toBe(0);
		});
	});
});

describe('import job registry', () => {
	it('runs one import per person at a time and reports row progress to the end', async () => {
		const t = tempDb();
		try {
			const c = await makeContest(t.db, { people: 4 });
			const at = new Date(Date.now() - HOUR).toISOString();
			const text = [
				'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice',
				...Array.from(
					{ length: 25 },
					(_, i) => `r-${i},${c.people[i % 4].email},${at},CASE,1,29.00`
				)
			].join('\n');
			const progress: number[] = [];
			const store = sqliteStore(t.db);
			const job = await startImportJob(store, text, {
				owner: { userId: c.people[0].id },
				batchSize: 5
			});
			await expect(
				startImportJob(store, text, { owner: { userId: c.people[0].id } })
			).rejects.toThrow(AppError);
			// Progress as a poll reads it: from the database, window by window.
			const owner = { userId: c.people[0].id };
			while (job.status === 'running') {
				progress.push((await getImportJob(store, job.id, owner))!.done);
				await new Promise((r) => setImmediate(r));
			}
			await job.finished;
			expect(job).toMatchObject({ status: 'done', done: 25, total: 25 });
			expect(progress.some((p) => p > 0 && p < 25)).toBe(true);
			expect(job.report!.sales.new).toBe(25);
			expect(await getImportJob(store, job.id, owner)).toMatchObject({
				id: job.id,
				status: 'done',
				done: 25,
				total: 25,
				report: { sales: { new: 25 } }
			});
			expect(await getImportJob(store, job.id, { userId: c.people[1].id })).toBeNull();
			// An hour after it finished the job is forgotten.
			expect(
				await getImportJob(store, job.id, owner, () => Date.now() + 61 * 60 * 1000)
			).toBeNull();
		} finally {
			t.cleanup();
		}
	});
});
