// `npm run cli -- migrate-to --to postgres://…` (#20): the demo season and rows that exercise
// every conversion (booleans both ways, JSON, NULLs, text in several scripts) copied by the real
// CLI (build/cli.js) from a temp SQLite file into a throwaway PostgreSQL (tests/helpers/
// postgres.ts, PG_TEST_PORT), then read back through both Drizzle schemas.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import { asc } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { join } from 'node:path';
import { tempDb } from '../helpers/db';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { runCli } from '../helpers/server';
import { seedDemo } from '../../src/lib/server/db/seed-demo';
import { sqliteStore } from '../../src/lib/server/db/store';
import * as schema from '../../src/lib/server/db/schema';
import * as pgSchema from '../../src/lib/server/db/schema.pg';
import { copyPlan, verifyCopy } from '../../src/lib/server/db/migrate-to';

vi.setConfig({ testTimeout: 60_000 });

const T0 = Date.UTC(2026, 10, 2, 9, 0);
const TABLES = copyPlan().map((p) => p.name);
/** Text in five languages and scripts (and an emoji): text must arrive byte for byte. */
const NAMES = [
	'Фёдор Тютчев',
	'Zażółć Gęślą Jaźń',
	'Åsa Öberg-Ärlig',
	'Élodie Façade',
	'王小明 🎉'
];

let postgres: TestPostgres;
let admin: pg.Client;
let source: ReturnType<typeof tempDb>;
let broken: string;
let target: pg.Client;

/** An empty database in the test cluster. */
async function database(name: string): Promise<string> {
	await admin.query(`CREATE DATABASE ${name}`);
	const url = new URL(postgres.url);
	url.pathname = `/${name}`;
	return url.toString();
}

async function connect(url: string): Promise<pg.Client> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	return client;
}

async function rowCounts(client: pg.Client): Promise<Record<string, number>> {
	const counts: Record<string, number> = {};
	for (const table of TABLES)
		counts[table] = Number((await client.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n);
	return counts;
}

beforeAll(async () => {
	[postgres, source] = await Promise.all([startPostgres(), Promise.resolve(tempDb())]);
	admin = await connect(postgres.url);
	const { db } = source;
	await seedDemo(sqliteStore(db), T0);
	db.insert(schema.user)
		.values(
			NAMES.map((name, i) => ({
				email: `lang${i}@demo.test`,
				displayName: name,
				passwordHash: '!',
				locale: i % 2 === 0 ? null : ('ru' as const)
			}))
		)
		.run();
	const [on, off] = db
		.insert(schema.webhook)
		.values([
			{ url: 'https://example.test/on', secret: 'whsec_a', events: ['sale.confirmed'] },
			{ url: 'https://example.test/off', secret: 'whsec_b', events: [], active: false }
		])
		.returning()
		.all();
	const [delivery] = db
		.insert(schema.webhookDelivery)
		.values({
			webhookId: on.id,
			event: 'sale.confirmed',
			payload: { seller: NAMES[0], lines: [{ sku: 'X', quantity: 2 }], note: null, ok: true },
			nextAttemptAt: T0,
			createdAt: T0
		})
		.returning()
		.all();
	db.insert(schema.webhookAttempt)
		.values([
			{ deliveryId: delivery.id, attemptedAt: T0, durationMs: 12, httpStatus: 200, ok: true },
			{ deliveryId: delivery.id, attemptedAt: T0, durationMs: 5000, error: 'timeout', ok: false }
		])
		.run();
	expect(off.active).toBe(false);

	// The same data with one ledger row PostgreSQL refuses (a NUL character in its text): a copy
	// that fails late, in one of the last tables.
	broken = join(source.dir, 'broken.db');
	db.$client.exec(`VACUUM INTO '${broken}'`);
	const file = new Database(broken);
	file
		.prepare(
			'UPDATE ledger_entry SET kind = kind || char(0) WHERE id = (SELECT max(id) FROM ledger_entry)'
		)
		.run();
	file.close();
});

afterAll(async () => {
	await target?.end();
	await admin?.end();
	await postgres?.stop();
	source?.cleanup();
});

describe('migrate-to', () => {
	let url: string;

	it('a copy that fails in a late table names the row and leaves the target without a row', async () => {
		url = await database('copy');
		const result = await runCli(['migrate-to', '--to', url], broken);
		expect(result.code, result.stdout).toBe(1);
		const maxId = new Database(broken, { readonly: true });
		const id = maxId.prepare('SELECT max(id) FROM ledger_entry').pluck().get();
		const rows = maxId.prepare('SELECT count(*) FROM ledger_entry').pluck().get();
		maxId.close();
		expect(result.stderr).toContain(`Copying ledger_entry failed at row ${rows} (id=${id})`);
		expect(result.stderr).toContain('0x00');
		target = await connect(url);
		const counts = await rowCounts(target);
		expect(Object.values(counts).every((n) => n === 0)).toBe(true);
	});

	it('copies every table into the (schema-only) target and verifies it', async () => {
		const result = await runCli(['migrate-to', '--to', url], source.path);
		expect(result.code, result.stderr).toBe(0);
		if (process.env.SHOW_REPORT) console.log(result.stdout);
		expect(result.stdout).toContain('Verified: the PostgreSQL copy matches the source');
		expect(result.stdout).toMatch(/^ {2}ledger_entry +[\d,]+$/m);
		expect(result.stdout).toMatch(/ok {7}1 .*: \d+ ranked; confirmed [\d,]+/);

		const sqlite = source.db;
		const copy = drizzle(target, { schema: pgSchema });
		// Drizzle reads both as the same JavaScript values: booleans, JSON, NULLs, text.
		const pairs = [
			[
				sqlite.select().from(schema.user).orderBy(asc(schema.user.id)).all(),
				await copy.select().from(pgSchema.user).orderBy(asc(pgSchema.user.id))
			],
			[sqlite.select().from(schema.season).all(), await copy.select().from(pgSchema.season)],
			[
				sqlite.select().from(schema.ledgerEntry).orderBy(asc(schema.ledgerEntry.id)).all(),
				await copy.select().from(pgSchema.ledgerEntry).orderBy(asc(pgSchema.ledgerEntry.id))
			],
			[sqlite.select().from(schema.webhook).all(), await copy.select().from(pgSchema.webhook)],
			[
				sqlite.select().from(schema.webhookDelivery).all(),
				await copy.select().from(pgSchema.webhookDelivery)
			],
			[
				sqlite.select().from(schema.webhookAttempt).orderBy(asc(schema.webhookAttempt.id)).all(),
				await copy.select().from(pgSchema.webhookAttempt).orderBy(asc(pgSchema.webhookAttempt.id))
			],
			[
				sqlite.select().from(schema.dashboardSlot).all().length,
				(await copy.select().from(pgSchema.dashboardSlot)).length
			]
		] as const;
		for (const [fromSqlite, fromPg] of pairs) expect(fromPg).toEqual(fromSqlite);
		const names = (await copy.select().from(pgSchema.user)).map((u) => u.displayName);
		expect(names).toEqual(expect.arrayContaining(NAMES));
		const attempts = await copy.select().from(pgSchema.webhookAttempt);
		expect(attempts.map((a) => a.ok).sort()).toEqual([false, true]);
		expect(attempts.some((a) => a.httpStatus === null)).toBe(true);
		// The rollups came with the rows, not again from the triggers: the same totals.
		const totals =
			'SELECT sum(sales) AS sales, sum(confirmed) AS confirmed, sum(provisional) AS provisional FROM dashboard_slot';
		const fromSqlite = sqlite.$client.prepare(totals).get() as Record<string, number>;
		const fromPg = (await target.query(totals)).rows[0];
		expect(Object.values(fromPg).map(Number)).toEqual(Object.values(fromSqlite));
		expect(fromSqlite.sales).toBeGreaterThan(0);
		// Analysed once copied: the planner has the copy's statistics before the first request.
		const analysed = await target.query(
			"SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL AND relname IN ('sale', 'ledger_entry', 'standing') ORDER BY relname"
		);
		expect(analysed.rows.map((r) => r.relname)).toEqual(['ledger_entry', 'sale', 'standing']);
	});

	it('refuses a target that holds Honorboard data, and changes nothing', async () => {
		const before = await rowCounts(target);
		const result = await runCli(['migrate-to', '--to', url], source.path);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('The target already holds Honorboard data');
		expect(await rowCounts(target)).toEqual(before);
	});

	it('refuses a source that is not a migrated Honorboard database', async () => {
		const empty = join(source.dir, 'empty.db');
		new Database(empty).close();
		const result = await runCli(['migrate-to', '--to', await database('other')], empty);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('is not a Honorboard database');
	});

	it('the verification catches a tampered target: a lost row, standings, ledger totals', async () => {
		const seasonId = source.db.select().from(schema.season).all()[0].id;
		expect((await verifyCopy(source.db.$client, target, TABLES)).ok).toBe(true);
		await target.query('BEGIN');
		try {
			await target.query('DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)');
			await target.query(
				`UPDATE standing SET confirmed_points = confirmed_points + 1000
				 WHERE season_id = $1 AND subject_type = 'user' AND subject_id = (SELECT min(subject_id) FROM standing WHERE season_id = $1 AND subject_type = 'user')`,
				[seasonId]
			);
			await target.query(
				`UPDATE ledger_entry SET status = 'confirmed' WHERE id = (SELECT min(id) FROM ledger_entry WHERE status = 'provisional' AND season_id = $1)`,
				[seasonId]
			);
			const report = await verifyCopy(source.db.$client, target, TABLES);
			expect(report.ok).toBe(false);
			expect(report.mismatches.join('\n')).toMatch(
				/^audit_event: \d+ rows in the source, \d+ in the target$/m
			);
			expect(report.mismatches.join('\n')).toMatch(
				new RegExp(`^season ${seasonId} .* standings differ: `, 'm')
			);
			expect(report.mismatches.join('\n')).toMatch(
				new RegExp(`^season ${seasonId} .* ledger totals differ: `, 'm')
			);
		} finally {
			await target.query('ROLLBACK');
		}
	});

	it('new rows after the copy get fresh ids', async () => {
		const copy = drizzle(target, { schema: pgSchema });
		const highest = (rows: { id: number }[]) => Math.max(...rows.map((r) => r.id));
		const users = source.db.select({ id: schema.user.id }).from(schema.user).all();
		const [created] = await copy
			.insert(pgSchema.user)
			.values({ email: 'after@demo.test', displayName: 'After', passwordHash: '!' })
			.returning();
		expect(created.id).toBe(highest(users) + 1);
		const webhooks = source.db.select({ id: schema.webhook.id }).from(schema.webhook).all();
		const [hook] = await copy
			.insert(pgSchema.webhook)
			.values({ url: 'https://example.test/new', secret: 'whsec_c', events: [] })
			.returning();
		expect(hook.id).toBe(highest(webhooks) + 1);
	});
});
