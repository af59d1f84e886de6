// The PostgreSQL schema against the SQLite one (#20), both as their own migrations build them:
// drizzle-pg/ applied by Drizzle's node-postgres migrator to a throwaway PostgreSQL, drizzle/ to a
// temp SQLite file. Same tables, columns (type, nullability, default), primary keys, foreign keys,
// indexes and triggers; and the triggers' rollups the same after the same writes. A column, key,
// index or trigger added to one dialect only fails here. PostgreSQL comes from
// tests/helpers/postgres.ts (its server programs must be installed: CI's .ci/run installs them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { resolve } from 'node:path';
import pg from 'pg';
import { tempDb } from '../helpers/db';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { pgShape, sqliteShape, type SchemaShape, type TableShape } from '../helpers/schema-shape';

let postgres: TestPostgres | undefined;
let client: pg.Client | undefined;
let sqlite: ReturnType<typeof tempDb> | undefined;
let shapes: { sqlite: SchemaShape; pg: SchemaShape };

beforeAll(async () => {
	postgres = await startPostgres();
	client = new pg.Client({ connectionString: postgres.url });
	await client.connect();
	// The migrations' notices (e.g. "table does not exist, skipping") are not the test's output.
	client.on('notice', () => {});
	await migrate(drizzle(client), { migrationsFolder: resolve('drizzle-pg') });
	sqlite = tempDb();
	shapes = { sqlite: sqliteShape(sqlite.db.$client), pg: await pgShape(client) };
});

afterAll(async () => {
	await client?.end();
	await postgres?.stop();
	sqlite?.cleanup();
});

/** One part of every table's shape, by table name. */
function part<K extends keyof TableShape>(shape: SchemaShape, key: K) {
	return Object.fromEntries(Object.entries(shape).map(([name, table]) => [name, table[key]]));
}

describe('the PostgreSQL migrations build the schema the SQLite migrations build', () => {
	it('the same tables', () => {
		expect(Object.keys(shapes.pg).sort()).toEqual(Object.keys(shapes.sqlite).sort());
		expect(Object.keys(shapes.pg).length).toBeGreaterThanOrEqual(62);
	});

	it('the same columns: type, nullability, default, numbering', () => {
		expect(part(shapes.pg, 'columns')).toEqual(part(shapes.sqlite, 'columns'));
	});

	it('the same primary keys', () => {
		expect(part(shapes.pg, 'primaryKey')).toEqual(part(shapes.sqlite, 'primaryKey'));
	});

	it('the same foreign keys, with the same actions', () => {
		expect(part(shapes.pg, 'foreignKeys')).toEqual(part(shapes.sqlite, 'foreignKeys'));
	});

	it('the same indexes and unique constraints: names, keys, uniqueness, conditions', () => {
		expect(part(shapes.pg, 'indexes')).toEqual(part(shapes.sqlite, 'indexes'));
	});

	it('the same triggers on the same tables', async () => {
		const inSqlite = sqlite!.db.$client
			.prepare(`SELECT name, tbl_name AS "table" FROM sqlite_master WHERE type = 'trigger'`)
			.all();
		const inPg = await client!.query(
			`SELECT t.tgname AS name, c.relname AS "table" FROM pg_trigger t
			 JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal`
		);
		const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
		expect([...inPg.rows].sort(byName)).toEqual([...inSqlite].sort(byName as never));
	});
});

const T0 = Date.UTC(2026, 0, 5, 9, 0); // a Monday, 09:00 UTC
const MIN = 60_000;
const DAY = 86_400_000;

/**
 * Writes that fire every dashboard trigger: sales and lines of each status, their review, a sale
 * moved in time, lines changed and removed, entries of a sale, an activity and neither, an entry
 * voided, a void entry removed, statements of many rows, a sale removed with its lines. Plain SQL
 * both dialects read alike.
 */
const WRITES = [
	`INSERT INTO "user" (id, email, display_name, password_hash) VALUES
		(1, 'a@demo.test', 'A', '!'), (2, 'b@demo.test', 'B', '!')`,
	`INSERT INTO season (id, name, theme, starts_at, ends_at) VALUES
		(1, 'Spring', '{"primary":"#123456","accent":"#654321","emoji":"🌱","tagline":""}', ${T0}, ${T0 + 30 * DAY})`,
	`INSERT INTO team (id, season_id, name) VALUES (1, 1, 'Red'), (2, 1, 'Blue')`,
	`INSERT INTO product (id, season_id, sku, name, category, points) VALUES
		(1, 1, 'PHONE', 'Phone', 'Phones', 10), (2, 1, 'CASE', 'Case', 'Accessories', 5)`,
	`INSERT INTO sale (id, season_id, source, external_id, seller_id, team_id, occurred_at, amount, status, points, created_at) VALUES
		(1, 1, 'api', 's1', 1, 1, ${T0 + 1000}, 10000, 'pending', 25, ${T0}),
		(2, 1, 'api', 's2', 2, 2, ${T0 + 20 * MIN}, 5000, 'approved', 5, ${T0}),
		(3, 1, 'api', 's3', 1, 1, ${T0 + 40 * MIN}, 7000, 'rejected', 10, ${T0}),
		(4, 1, 'web', 's4', 2, 2, ${T0 + DAY + 5 * MIN}, 2500, 'pending', 5, ${T0})`,
	`INSERT INTO sale_line (id, sale_id, product_id, quantity, unit_price, points) VALUES
		(1, 1, 1, 2, 4000, 20), (2, 1, 2, 1, 2000, 5), (3, 2, 2, 1, 5000, 5),
		(4, 3, 1, 1, 7000, 10), (5, 4, 2, 1, 2500, 5)`,
	`INSERT INTO activity_type (id, season_id, key, name, points) VALUES (1, 1, 'call', 'Call', 2)`,
	`INSERT INTO activity (id, season_id, user_id, team_id, type_id, quantity, occurred_at, source, external_id, points, created_at) VALUES
		(1, 1, 1, 1, 1, 3, ${T0}, 'api', 'a1', 6, ${T0 + 3 * 60 * MIN})`,
	`INSERT INTO ledger_entry (id, season_id, user_id, team_id, sale_id, activity_id, kind, points, status, created_at) VALUES
		(1, 1, 1, 1, 1, NULL, 'sale', 25, 'provisional', ${T0 + 5 * MIN}),
		(2, 1, 2, 2, 2, NULL, 'sale', 5, 'confirmed', ${T0 + 25 * MIN}),
		(3, 1, 1, 1, NULL, 1, 'activity', 6, 'confirmed', ${T0 + 4 * 60 * MIN}),
		(4, 1, 2, 2, NULL, NULL, 'bonus', 7, 'confirmed', ${T0 + 2 * DAY}),
		(5, 1, 1, 1, NULL, NULL, 'adjustment', -3, 'void', ${T0 + DAY}),
		(6, 1, 2, 2, 4, NULL, 'sale', 5, 'provisional', ${T0 + DAY + 6 * MIN})`,
	`UPDATE sale SET status = 'approved' WHERE id = 1`,
	`UPDATE ledger_entry SET status = 'confirmed' WHERE id = 1`,
	`UPDATE sale SET occurred_at = occurred_at + ${DAY} WHERE id = 2`,
	`UPDATE sale_line SET quantity = 3, points = 15 WHERE id = 3`,
	`UPDATE sale SET status = 'reversed' WHERE id = 3`,
	`DELETE FROM sale_line WHERE id = 2`,
	`UPDATE ledger_entry SET status = 'void' WHERE id = 4`,
	`DELETE FROM ledger_entry WHERE id = 5`,
	// Statements of many rows (PostgreSQL runs the row triggers at the statement's end).
	`UPDATE sale_line SET points = points * 2 WHERE sale_id IN (1, 2, 4)`,
	`UPDATE ledger_entry SET points = points + 1 WHERE status <> 'void'`,
	`UPDATE sale SET occurred_at = occurred_at + 30 * ${MIN} WHERE id IN (1, 4)`,
	`DELETE FROM ledger_entry WHERE id = 6`,
	`DELETE FROM sale WHERE id = 4`
];

const ROLLUPS = {
	dashboard_slot: 'season_id, slot, team_id',
	dashboard_product_day: 'season_id, day, team_id, product_id',
	dashboard_line: 'season_id, product_id, occurred_at, line_id',
	// Not a rollup: the record sales, kept by the sale triggers (drizzle/0027).
	badge_record: 'season_id, occurred_at, sale_id'
};

describe('the PostgreSQL triggers keep the dashboard rollups as the SQLite ones do', () => {
	it('after the same writes, the same rows in dashboard_slot, dashboard_product_day, dashboard_line, badge_record', async () => {
		for (const statement of WRITES) {
			sqlite!.db.$client.exec(statement);
			await client!.query(statement);
		}
		for (const [table, order] of Object.entries(ROLLUPS)) {
			const query = `SELECT * FROM ${table} ORDER BY ${order}`;
			const fromSqlite = sqlite!.db.$client.prepare(query).all();
			// node-postgres reads bigint as text: compare them as the numbers they are.
			const fromPg = (await client!.query(query)).rows.map((row) =>
				Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]))
			);
			expect(fromSqlite.length, table).toBeGreaterThan(0);
			expect(fromPg, table).toEqual(fromSqlite);
		}
	});
});
