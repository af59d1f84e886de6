// The built server on DATABASE_URL=postgres://… (#20, docs/postgres.md "Running on PostgreSQL"):
// the store is the pool, the ported pages answer from PostgreSQL (no route calls SQLite's
// connection there any more: what would answers 503 `not_on_postgres`), and no SQLite file is
// made beside the pool; the demo seeded through the CLI on it. Then the SQLite default, unchanged. Needs `npm run build` (build/server.js, cli.js).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import * as devalue from 'devalue';
import { and, eq, inArray, ne } from 'drizzle-orm';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { runCli, startServer, type RunningServer } from '../helpers/server';
import { PASSWORD, seedServerDb, signIn, waitFor, type SeededDb } from '../helpers/seeded';
import { liveSeasonOn, phoneAndCaseOn } from '../helpers/store-season';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createECDH, randomBytes } from 'node:crypto';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { subscribe } from '../../src/lib/server/notify/push/subscriptions';
import { closeStore, openStore, type Store } from '../../src/lib/server/db/store';
import { createUser } from '../../src/lib/server/people/users';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import { readOrganisation } from '../../src/lib/server/organisation/settings';
import { createDisplay } from '../../src/lib/server/displays/tokens';
import { placeAutomatically, saveDivision } from '../../src/lib/server/divisions/commands';
import { createRule } from '../../src/lib/server/rules/commands';
import { DEMO_PASSWORD } from '../../src/lib/server/db/seed-demo';
import { readBoardTop } from '../../src/lib/server/boards/leaderboard';

const ADMIN = 'admin@pg.test';
const MEMBER = 'member@pg.test';
const DAY = 86_400_000;

let pg: TestPostgres;
let store: Store;
let server: RunningServer;
let seasonId: number;
let seasonName: string;
let sellers: string[];
let thirdName: string;
let apiToken: string;
let cookie: string;
let memberCookie: string;
let tvToken: string;
let memberId: number;
let weekly: Awaited<ReturnType<typeof weeklyBadgeAndItsPush>>;

/** What the local push service stand-in received: the device's path per POST. */
const pushed: string[] = [];
let pushService: Server;

/**
 * A season whose only sales fell in a week that ended weeks ago, a weekly badge, and a device of
 * its best seller subscribed to the local push service: the server's periodic job, at its first
 * run, gives the week's badge and its push goes out (before the server starts: the job then
 * waits 10 minutes).
 */
async function weeklyBadgeAndItsPush() {
	pushService = createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			pushed.push(req.url ?? '');
			res.writeHead(201).end();
		});
	});
	await new Promise<void>((resolve) => pushService.listen(0, '127.0.0.1', resolve));
	const made = await liveSeasonOn(store, {
		size: 2,
		teams: ['Weekly'],
		endsAt: Date.now() + 30 * DAY,
		timeZone: 'UTC'
	});
	await phoneAndCaseOn(store, made.seasonId);
	const [badge] = await store.db
		.insert(store.tables.badge)
		.values({
			seasonId: made.seasonId,
			name: 'Best of the week',
			emoji: '🥇',
			description: 'Topped a week',
			criterion: { kind: 'top_k_week', k: 1 },
			points: 5
		})
		.returning();
	const threeWeeksAgo = new Date(Date.now() - 21 * DAY);
	const monday =
		Date.UTC(
			threeWeeksAgo.getUTCFullYear(),
			threeWeeksAgo.getUTCMonth(),
			threeWeeksAgo.getUTCDate()
		) -
		((threeWeeksAgo.getUTCDay() + 6) % 7) * DAY;
	for (const [who, quantity] of [
		[0, 2],
		[1, 1]
	] as const) {
		const at = monday + DAY + who * 3_600_000;
		await recordSaleGrouped(
			store,
			{
				source: 'api',
				externalId: `weekly-${who}`,
				seller: { userId: made.people[who].id },
				occurredAt: at,
				lines: [{ sku: 'PHONE', quantity }]
			},
			// One clock for both: the group commit keeps the clock its queue started with.
			() => monday + 2 * DAY
		);
	}
	const ecdh = createECDH('prime256v1');
	ecdh.generateKeys();
	const path = `/device/${made.people[0].id}`;
	await subscribe(
		store,
		made.people[0].id,
		{
			endpoint: `http://127.0.0.1:${(pushService.address() as AddressInfo).port}${path}`,
			keys: {
				p256dh: ecdh.getPublicKey().toString('base64url'),
				auth: randomBytes(16).toString('base64url')
			}
		},
		'Android · Chrome',
		Date.now()
	);
	return { seasonId: made.seasonId, winner: made.people[0].id, badgeId: badge.id, path };
}

beforeAll(async () => {
	pg = await startPostgres();
	store = await openStore(pg.url);
	await createUser(store, {
		email: ADMIN,
		displayName: 'Ada Postgres',
		role: 'admin',
		password: PASSWORD
	});
	let teamIds: number[];
	let people: { email: string; name: string }[];
	({
		seasonId,
		name: seasonName,
		teamIds,
		people
	} = await liveSeasonOn(store, {
		size: 3,
		teams: ['Harbour', 'Summit'],
		endsAt: Date.now() + 30 * DAY,
		points: [30, 20, 10]
	}));
	// Their emails name the season's serial, which goes on across the files of one process.
	sellers = people.map((p) => p.email);
	thirdName = people[2].name;
	// A member of the season who signs in, for the pages a season's member sees.
	const member = await createUser(store, {
		email: MEMBER,
		displayName: 'Max Member',
		role: 'participant',
		password: PASSWORD
	});
	memberId = member.id;
	const { seasonMember } = store.tables;
	await store.db
		.insert(seasonMember)
		.values({ seasonId, userId: member.id, teamId: teamIds[0], joinedAt: Date.now() });
	// The formats' views and the campaigns have something to show.
	for (const name of ['Premier', 'Challenger'])
		await saveDivision(
			store,
			{ id: null, seasonId, name, promote: 1, relegate: 1, prizes: [] },
			{},
			Date.now()
		);
	await placeAutomatically(store, seasonId, 'tier', {}, Date.now());
	await createRule(
		store,
		seasonId,
		{
			name: 'Harbour weekend',
			active: true,
			highlight: true,
			startsAt: null,
			endsAt: null,
			target: { kind: 'any' },
			effect: { kind: 'multiplier', factor: 2 },
			dailyCap: null
		},
		{}
	);
	tvToken = (await createDisplay(store, seasonId, 'Lobby')).token;
	apiToken = (await createApiToken(store, { name: 'pg-server', role: 'admin' })).token;
	weekly = await weeklyBadgeAndItsPush();
	server = await startServer({ env: { DATABASE_URL: pg.url } });
	cookie = await signIn(server.url, ADMIN);
	memberCookie = await signIn(server.url, MEMBER);
}, 120_000);

afterAll(async () => {
	await server?.dispose();
	await new Promise((resolve) => pushService?.close(resolve));
	if (store) await closeStore(store);
	await pg?.stop();
});

function page(path: string, init: RequestInit = {}, session = cookie) {
	return fetch(`${server.url}${path}`, {
		...init,
		redirect: 'manual',
		headers: { cookie: `session=${session}`, ...init.headers }
	});
}

describe('the server on PostgreSQL', () => {
	it('is ready on the pool, and says once what it did not start', async () => {
		const ready = await fetch(`${server.url}/readyz`);
		expect(ready.status).toBe(200);
		expect(await ready.json()).toMatchObject({
			status: 'ready',
			checks: { database: 'ok', migrations: 'ok' }
		});
		const log = server.output();
		expect(log).toContain('PostgreSQL: the read thread');
		// The periodic badges and web push run on the pool (badges/periodic.ts, notify/push/).
		expect(log).not.toContain('PostgreSQL: the periodic badges');
		expect(log).not.toContain('PostgreSQL: web push');
		// Never a SQLite file beside the pool.
		expect(existsSync(server.dbPath)).toBe(false);
	});

	it('signs in through the pool and serves the ported pages from it', async () => {
		const seasons = await page('/manage/seasons');
		expect(seasons.status).toBe(200);
		expect(await seasons.text()).toContain(seasonName);

		const people = await page('/manage/people');
		expect(people.status).toBe(200);
		expect(await people.text()).toContain('Ada Postgres');

		const hall = await page('/hall-of-fame');
		expect(hall.status).toBe(200);

		const season = await page(`/manage/seasons/${seasonId}`);
		expect(season.status).toBe(200);
		const console = await season.text();
		expect(console).toContain(seasonName);
		// The three of liveSeasonOn and the member who signs in.
		expect(console).toContain('4 people');
	});

	it("serves a season's member the board, the divisions, the duels, how to score and a profile from the pool", async () => {
		const shows: [string, string[]][] = [
			['/', ['Harbour weekend', 'Premier']],
			['/divisions', ['Premier', 'Challenger']],
			['/challenges', ['Max Member']],
			['/how-to-score', ['Harbour weekend']],
			[`/people/${memberId}`, ['Max Member']]
		];
		for (const [path, texts] of shows) {
			const shown = await page(path, {}, memberCookie);
			expect(shown.status, path).toBe(200);
			const html = await shown.text();
			for (const text of texts) expect(html, path).toContain(text);
		}
		const tv = await fetch(`${server.url}/tv/${tvToken}`);
		expect(tv.status).toBe(200);
		expect(await tv.text()).toContain('Harbour weekend');
	});

	it('serves the settings, rules and displays consoles, and saves the settings, audited', async () => {
		for (const path of ['/manage/rules', '/manage/rules/new', '/manage/displays'])
			expect((await page(path)).status, path).toBe(200);
		const settings = await page('/manage/settings');
		expect(settings.status).toBe(200);
		const save = await page('/manage/settings?/save', {
			method: 'POST',
			body: new URLSearchParams({ defaultLocale: 'en', currency: 'SEK' }),
			headers: {
				origin: server.url,
				'content-type': 'application/x-www-form-urlencoded',
				accept: 'application/json',
				'x-sveltekit-action': 'true'
			}
		});
		expect(save.status).toBe(200);
		expect(((await save.json()) as { type: string }).type).toBe('success');
		expect(await readOrganisation(store.db, store)).toEqual({
			defaultLocale: 'en',
			currency: 'SEK'
		});
		const shown = await runCli(['org', 'show'], pg.url);
		expect(shown.code, shown.stderr).toBe(0);
		expect(shown.stdout).toContain('Currency: SEK');
	});

	it('serves the leaderboard API from the pool, and records a sale from the API and the sell form on it', async () => {
		const board = await fetch(`${server.url}/api/v1/seasons/${seasonId}/leaderboard`, {
			headers: { authorization: `Bearer ${apiToken}` }
		});
		expect(board.status).toBe(200);
		const ranked = (await board.json()) as { entries: { rank: number; points: number }[] };
		expect(ranked.entries.map((e) => [e.rank, e.points])).toEqual([
			[1, 30],
			[2, 20],
			[3, 10],
			[4, 0]
		]);

		const { product, seasonMember, team, user } = store.tables;
		await store.db
			.insert(product)
			.values({ seasonId, sku: 'X', name: 'Gadget', category: 'Gadgets', points: 5, price: 1000 });
		const occurredAt = new Date().toISOString();
		const post = () =>
			fetch(`${server.url}/api/v1/sales`, {
				method: 'POST',
				headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
				body: JSON.stringify({
					externalId: 'pg-server-1',
					seller: { email: sellers[0] },
					occurredAt,
					lines: [{ sku: 'X', quantity: 1, unitPrice: 10 }]
				})
			});
		const sale = await post();
		expect(sale.status).toBe(201);
		const recorded = (await sale.json()) as { sale: { id: number; points: number } };
		// The gadget's 5 points, doubled by the season's campaign.
		expect(recorded.sale.points).toBe(10);
		// The same sale again: its first answer, counted once.
		const again = await post();
		expect(again.status).toBe(200);
		expect(((await again.json()) as typeof recorded).sale.id).toBe(recorded.sale.id);

		// The admin sells too, through the form: a member of the season's first team.
		const [admin] = await store.db.select({ id: user.id }).from(user).where(eq(user.email, ADMIN));
		const [first] = await store.db
			.select({ id: team.id })
			.from(team)
			.where(eq(team.seasonId, seasonId))
			.orderBy(team.id)
			.limit(1);
		await store.db.insert(seasonMember).values({ seasonId, userId: admin.id, teamId: first.id });
		const sell = await page('/sell');
		expect(sell.status).toBe(200);
		expect(await sell.text()).toContain('Gadget');
		const sold = await page('/sell', {
			method: 'POST',
			body: new URLSearchParams({ qty_X: '2', requestId: 'pg-server-form-1' }),
			headers: {
				origin: server.url,
				'content-type': 'application/x-www-form-urlencoded',
				'x-sveltekit-action': 'true'
			}
		});
		expect(sold.status).toBe(200);
		expect(await sold.text()).toContain('success');

		const after = await fetch(`${server.url}/api/v1/seasons/${seasonId}/leaderboard`, {
			headers: { authorization: `Bearer ${apiToken}` }
		});
		const now = (await after.json()) as { entries: { id: number; points: number }[] };
		// The first seller 30 + 10, the admin's two gadgets 20, the member who has not sold 0.
		expect(now.entries.map((e) => e.points)).toEqual([40, 20, 20, 10, 0]);
	});

	it("runs the rules console's preview, plan and recalculation on the pool; a member may not", async () => {
		const form = (fields: Record<string, string>) => ({
			method: 'POST',
			body: new URLSearchParams(fields),
			headers: {
				origin: server.url,
				'content-type': 'application/x-www-form-urlencoded',
				accept: 'application/json',
				'x-sveltekit-action': 'true'
			}
		});
		const answer = async (response: Response) => {
			const result = (await response.json()) as { status?: number; data?: string };
			const data = result.data ? (devalue.parse(result.data) as Record<string, unknown>) : {};
			return { status: result.status ?? response.status, data };
		};
		const preview = await answer(
			await page(
				'/manage/rules/new?/preview',
				form({
					name: 'Gadgets triple',
					effect: 'multiplier',
					factor: '3',
					targetKind: 'category',
					targetCategory: 'Gadgets',
					active: 'on',
					sampleSku0: 'X',
					sampleQty0: '1',
					sampleFirst: 'on'
				})
			)
		);
		expect(preview.status).toBe(200);
		// The gadget's 5, tripled by the draft (the season's ×2 campaign is the lesser: best wins).
		expect(preview.data.preview).toMatchObject({ base: 5, total: 15, totalWithout: 10 });

		// The rules change after the sales recorded above: a first sale of the day earns 5 more.
		await createRule(
			store,
			seasonId,
			{
				name: 'First sale bonus',
				active: true,
				highlight: false,
				startsAt: null,
				endsAt: null,
				target: { kind: 'any' },
				effect: { kind: 'first_sale_bonus', points: 5 },
				dailyCap: null
			},
			{}
		);
		const { auditEvent } = store.tables;
		const recalculations = async () =>
			(await store.db.select().from(auditEvent).where(eq(auditEvent.action, 'season.recalculate')))
				.length;
		for (const path of ['/manage/rules?/plan', '/manage/rules?/recalculate'])
			expect((await answer(await page(path, form({}), memberCookie))).status, path).toBe(403);
		expect(await recalculations()).toBe(0);

		const plan = await answer(await page('/manage/rules?/plan', form({})));
		expect(plan.status).toBe(200);
		expect(plan.data.plan).toMatchObject({ salesChecked: 2, salesChanged: 2 });
		const run = await answer(await page('/manage/rules?/recalculate', form({})));
		expect(run.status).toBe(200);
		expect(run.data).toMatchObject({ running: false, plan: { salesChanged: 2 } });
		expect(await recalculations()).toBe(1);
		const after = await fetch(`${server.url}/api/v1/seasons/${seasonId}/leaderboard`, {
			headers: { authorization: `Bearer ${apiToken}` }
		});
		const now = (await after.json()) as { entries: { points: number }[] };
		// Each seller's sale was their first of the day: 5 more each.
		expect(now.entries.map((e) => e.points)).toEqual([45, 25, 20, 10, 0]);
	});

	it("gives a sale's badge on the pool, in the sale's write", async () => {
		const { award, badge, product, user } = store.tables;
		await store.db.insert(product).values({
			seasonId,
			sku: 'GIZMO',
			name: 'Gizmo',
			category: 'Gizmos',
			points: 1,
			price: 1000
		});
		// No points: the boards the other cases read stay as they are.
		const [gizmos] = await store.db
			.insert(badge)
			.values({
				seasonId,
				name: 'Gizmo seller',
				emoji: '🔧',
				description: '',
				points: 0,
				active: true,
				criterion: { kind: 'sales_count', count: 1, category: 'Gizmos' }
			})
			.returning({ id: badge.id });
		const sale = await fetch(`${server.url}/api/v1/sales`, {
			method: 'POST',
			headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				externalId: 'pg-server-gizmo',
				seller: { email: sellers[1] },
				occurredAt: new Date().toISOString(),
				lines: [{ sku: 'GIZMO', quantity: 1, unitPrice: 1000 }]
			})
		});
		expect(sale.status).toBe(201);
		const { sale: recorded } = (await sale.json()) as { sale: { id: number } };
		const [seller] = await store.db
			.select({ id: user.id })
			.from(user)
			.where(eq(user.email, sellers[1]));
		expect(
			await store.db
				.select({ subjectId: award.subjectId, saleId: award.saleId, status: award.status })
				.from(award)
				.where(eq(award.badgeId, gizmos.id))
		).toEqual([{ subjectId: seller.id, saleId: recorded.id, status: 'confirmed' }]);
	});

	it("gives an ended week's badge by its periodic job, and sends its web push", async () => {
		// The job's first run comes 2 s after the start; the sender looks every 2 s.
		await waitFor(() => pushed.includes(weekly.path), 20_000, 'the weekly badge’s push');
		const { award, outgoingMessage } = store.tables;
		const awards = await store.db
			.select({ subjectId: award.subjectId, badgeId: award.badgeId })
			.from(award)
			.where(eq(award.seasonId, weekly.seasonId));
		expect(awards).toEqual([{ subjectId: weekly.winner, badgeId: weekly.badgeId }]);
		const pushes = () =>
			store.db
				.select({ kind: outgoingMessage.kind, status: outgoingMessage.status })
				.from(outgoingMessage)
				.where(and(eq(outgoingMessage.userId, weekly.winner), eq(outgoingMessage.channel, 'push')));
		// The receiver has the push before the sender hears its answer and marks it sent (CI
		// read it pending once, between the two).
		await waitFor(
			async () => (await pushes()).some((p) => p.status === 'sent'),
			10_000,
			'the push marked sent'
		);
		expect(await pushes()).toEqual([{ kind: 'badge', status: 'sent' }]);
		expect(pushed.filter((p) => p === weekly.path)).toHaveLength(1);
	});

	it('imports a CSV file on the pool: dry run, commit, the same file again, a job to poll and its errors', async () => {
		const { product, sale } = store.tables;
		await store.db.insert(product).values({
			seasonId,
			sku: 'CSV-KIT',
			name: 'Import kit',
			category: 'Kits',
			points: 4,
			price: 1000
		});
		const at = new Date(Date.now() - 3_600_000).toISOString();
		// Two sales of the season's third seller (one of two lines) and a row of an unknown SKU.
		const csv = [
			'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice',
			`pg-csv-1,${sellers[2]},${at},CSV-KIT,1,10`,
			`pg-csv-2,${sellers[2]},${at},CSV-KIT,2,10`,
			`pg-csv-2,${sellers[2]},${at},CSV-KIT,1,10`,
			`pg-csv-3,${sellers[2]},${at},NO-SUCH-SKU,1,10`
		].join('\n');
		const post = (query: string) =>
			fetch(`${server.url}/api/v1/imports/sales?${query}`, {
				method: 'POST',
				headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'text/csv' },
				body: csv
			});
		const imported = () =>
			store.db
				.select({ externalId: sale.externalId, points: sale.points })
				.from(sale)
				.where(inArray(sale.externalId, ['pg-csv-1', 'pg-csv-2', 'pg-csv-3']))
				.orderBy(sale.externalId);
		type Report = {
			rows: number;
			accepted: number;
			rejected: number;
			sales: { new: number; duplicate: number; rejected: number };
			points: number;
			errors: { row: number; column: string }[];
			errorsUrl: string | null;
		};

		const dry = await post('dryRun=1');
		expect(dry.status).toBe(200);
		const dryReport = (await dry.json()) as Report;
		expect(dryReport).toMatchObject({ rows: 4, accepted: 3, rejected: 1 });
		expect(dryReport.sales).toEqual({ new: 2, duplicate: 0, rejected: 1 });
		expect(await imported()).toEqual([]);

		const committed = await post('dryRun=0');
		expect(committed.status).toBe(200);
		const report = (await committed.json()) as Report;
		expect(report.sales).toEqual(dryReport.sales);
		expect(report.points).toBe(dryReport.points);
		expect(report.errors).toEqual([expect.objectContaining({ row: 4, column: 'sku' })]);
		const stored = await imported();
		expect(stored.map((r) => r.externalId)).toEqual(['pg-csv-1', 'pg-csv-2']);
		// The kit's 4 points a unit, doubled by the season's campaign (and a rule's bonus, if
		// any): the report's points are the sales' own.
		expect(stored[0].points).toBeGreaterThanOrEqual(8);
		expect(report.points).toBe(stored[0].points + stored[1].points);
		const errors = await fetch(`${server.url}${report.errorsUrl}`, {
			headers: { authorization: `Bearer ${apiToken}` }
		});
		expect(errors.status).toBe(200);
		expect((await errors.text()).trim().split('\r\n')).toHaveLength(2);

		// The same file again, as a background job: every sale a duplicate, counted once.
		const queued = await post('dryRun=0&async=1');
		expect(queued.status).toBe(202);
		const { job } = (await queued.json()) as { job: { url: string } };
		let polled: { job: { status: string }; report: Report | null } | undefined;
		for (let i = 0; i < 100; i++) {
			const answer = await fetch(`${server.url}${job.url}`, {
				headers: { authorization: `Bearer ${apiToken}` }
			});
			polled = (await answer.json()) as typeof polled;
			if (polled!.job.status !== 'running') break;
			await new Promise((r) => setTimeout(r, 100));
		}
		expect(polled!.job.status).toBe('done');
		expect(polled!.report!.sales).toEqual({ new: 0, duplicate: 2, rejected: 1 });
		expect(await imported()).toHaveLength(2);
		const board = await fetch(`${server.url}/api/v1/seasons/${seasonId}/leaderboard`, {
			headers: { authorization: `Bearer ${apiToken}` }
		});
		const ranked = (await board.json()) as { entries: { name: string; points: number }[] };
		// The third seller's 10 points before, and the file's.
		expect(ranked.entries.find((e) => e.name === thirdName)?.points).toBe(10 + report.points);
	});

	it('runs the CLI on the store, and backup refuses and names pg_dump', async () => {
		const made = await runCli(
			['user', 'create', '--email', 'cli@pg.test', '--name', 'Cli Person', '--role', 'manager'],
			pg.url
		);
		// --password is required: the usage error, nothing written.
		expect(made.code).toBe(1);
		const created = await runCli(
			[
				...['user', 'create', '--email', 'cli@pg.test', '--name', 'Cli Person'],
				...['--role', 'manager', '--password', 'a-long-password-1']
			],
			pg.url
		);
		expect(created.stderr).toBe('');
		expect(created.code).toBe(0);
		const { user } = store.tables;
		const [row] = await store.db.select().from(user).where(eq(user.email, 'cli@pg.test'));
		expect(row).toMatchObject({ displayName: 'Cli Person', role: 'manager' });

		const backup = await runCli(['backup', '--to', '/tmp/honorboard-pg-backup.db'], pg.url);
		expect(backup.code).toBe(1);
		expect(backup.stderr).toContain('pg_dump');
		expect(existsSync('/tmp/honorboard-pg-backup.db')).toBe(false);
	});
});

describe('the demo on PostgreSQL', () => {
	it('is seeded through the CLI, and its board, knockout and dashboard show its people and sales', async () => {
		const demo = await runCli(['seed-demo'], pg.url);
		expect(demo.stderr).toBe('');
		expect(demo.code).toBe(0);
		const { season, sale } = store.tables;
		const [made] = await store.db
			.select({ id: season.id, name: season.name })
			.from(season)
			.where(eq(season.key, 'demo'));
		const standing = await store.db
			.select({ id: sale.id })
			.from(sale)
			.where(and(eq(sale.seasonId, made.id), inArray(sale.status, ['pending', 'approved'])));
		expect(standing.length).toBeGreaterThan(100);

		const rep = await signIn(server.url, 'rep1@demo.test', DEMO_PASSWORD);
		const board = await page('/', {}, rep);
		expect(board.status).toBe(200);
		const html = await board.text();
		const top = (await readBoardTop(store, made.id))!;
		for (const text of [made.name, top.individual[0].name, top.individual[1].name])
			expect(html).toContain(text);
		// A rep may not see the dashboard.
		expect((await page('/dashboard', {}, rep)).status).toBe(403);
		// The demo's knockout bracket (/knockouts/[id] reads through the store).
		const { knockout } = store.tables;
		const [bracket] = await store.db
			.select({ id: knockout.id, name: knockout.name })
			.from(knockout)
			.where(and(eq(knockout.seasonId, made.id), ne(knockout.status, 'cancelled')))
			.limit(1);
		const knockoutPage = await page(`/knockouts/${bracket.id}`, {}, rep);
		expect(knockoutPage.status).toBe(200);
		// Its name's first word: the rest may be written with an HTML entity (Closers' Cup).
		expect(await knockoutPage.text()).toContain(bracket.name.split(/\W/)[0]);

		const executive = await signIn(server.url, 'executive@demo.test', DEMO_PASSWORD);
		const dashboard = await page(`/dashboard?season=${made.id}`, {}, executive);
		expect(dashboard.status).toBe(200);
		expect(await dashboard.text()).toContain(made.name);
		const csv = await page(`/dashboard/data.csv?season=${made.id}`, {}, executive);
		expect(csv.status).toBe(200);
		expect(await csv.text()).toMatch(
			new RegExp(`^kpi,[^,]+,all,sales,${standing.length}\r?$`, 'm')
		);
	});
});

describe('the server on SQLite (the default), unchanged', () => {
	let seeded: SeededDb;
	let sqlite: RunningServer;

	beforeAll(async () => {
		seeded = await seedServerDb({ teams: 2, people: 4 });
		sqlite = await startServer({ dbPath: seeded.path });
	}, 120_000);

	afterAll(async () => {
		await sqlite?.dispose();
		seeded?.cleanup();
	});

	it('is ready on its file, starts its live updates, and serves what PostgreSQL refuses', async () => {
		const ready = await fetch(`${sqlite.url}/readyz`);
		expect(ready.status).toBe(200);
		expect(await ready.json()).toMatchObject({ checks: { database: 'ok', migrations: 'ok' } });
		expect(sqlite.output()).not.toContain('not available on PostgreSQL');
		const token = await signIn(sqlite.url, 'seller@test.test');
		const me = await fetch(`${sqlite.url}/me`, { headers: { cookie: `session=${token}` } });
		expect(me.status).toBe(200);
		expect(await me.text()).toContain('Sam Seller');
	});
});
