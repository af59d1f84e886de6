// `npm run cli -- backup --to FILE` (issue #16): an online backup through SQLite's backup API,
// taken while the production server records sales, is one consistent snapshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startServer, type RunningServer } from '../helpers/server';
import { apiTokenFor, readDb, seedServerDb, type SeededDb } from '../helpers/seeded';
import { postSale } from '../helpers/sales';

let seeded: SeededDb;
let server: RunningServer;
let token: string;
beforeAll(async () => {
	seeded = await seedServerDb({ teams: 2, people: 4 });
	token = apiTokenFor(seeded.path);
	server = await startServer({ dbPath: seeded.path });
});
afterAll(async () => {
	await server?.stop();
	seeded?.cleanup();
});

let sold = 0;
async function sell(): Promise<void> {
	const i = sold++;
	const answer = await postSale(server.url, token, {
		externalId: `backup-${i}`,
		seller: seeded.people[i % seeded.people.length].email,
		quantity: 1 + (i % 3),
		unitPrice: 999
	});
	expect(answer.status).toBe(201);
}

/** What one consistent snapshot must agree on: every sale has its ledger entry and standing. */
function snapshot(db: Database.Database) {
	const one = (sql: string) => db.prepare(sql).pluck().get() as number;
	return {
		integrity: db.pragma('integrity_check', { simple: true }),
		sales: one('select count(*) from sale'),
		saleEntries: one(`select count(*) from ledger_entry where sale_id is not null`),
		userSales: one(
			`select coalesce(sum(sales_count), 0) from standing where subject_type = 'user'`
		),
		ledgerPoints: one(
			`select coalesce(sum(points), 0) from ledger_entry where sale_id is not null and status != 'void'`
		)
	};
}

describe('npm run cli -- backup --to FILE', () => {
	it('a backup taken while sales are recorded opens, passes its integrity check and is consistent', async () => {
		const to = join(seeded.dir, 'nightly.db');
		// A steady stream of sales, 4 at a time, before, during and after the backup.
		let writing = true;
		const writers = Array.from({ length: 4 }, async () => {
			while (writing) await sell();
		});
		while (sold < 40) await new Promise((r) => setTimeout(r, 20));
		const result = await runCli(['backup', '--to', to], seeded.path);
		const soldDuringBackup = sold;
		writing = false;
		await Promise.all(writers);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toMatch(/Backed up to .*nightly\.db \(\d+(\.\d+)? [KM]B, \d+ bytes\)\./);
		expect(result.stdout).toContain(`${statSync(to).size} bytes`);
		// Sales went on while the backup ran, and the copy is one self-contained file.
		expect(soldDuringBackup).toBeGreaterThan(40);
		expect(existsSync(`${to}-wal`)).toBe(false);
		expect(statSync(to).mode & 0o777).toBe(0o600);

		const copy = readDb(to, snapshot);
		expect(copy.integrity).toBe('ok');
		expect(copy.sales).toBeGreaterThanOrEqual(40);
		expect(copy.sales).toBeLessThanOrEqual(sold);
		expect(copy.saleEntries).toBe(copy.sales);
		expect(copy.userSales).toBe(copy.sales);
		// The live database agrees on the same relations (so they are what consistency means).
		const live = readDb(seeded.path, snapshot);
		expect(live.sales).toBe(sold);
		expect(live.saleEntries).toBe(live.sales);
		expect(live.userSales).toBe(live.sales);
		expect(copy.ledgerPoints).toBeLessThanOrEqual(live.ledgerPoints);
	});

	it('refuses to overwrite a file without --force, and overwrites it with --force', async () => {
		const to = join(seeded.dir, 'keep.db');
		writeFileSync(to, 'an older backup');
		const refused = await runCli(['backup', '--to', to], seeded.path);
		expect(refused.code).toBe(1);
		expect(refused.stderr).toContain('exists already; add --force to overwrite it');
		expect(statSync(to).size).toBe('an older backup'.length);

		const forced = await runCli(['backup', '--to', to, '--force'], seeded.path);
		expect(forced.code, forced.stderr).toBe(0);
		expect(readDb(to, snapshot).integrity).toBe('ok');
		// No temporary file left beside it.
		expect(readdirSync(seeded.dir).filter((f) => f.includes('.partial-'))).toEqual([]);
	});

	it('refuses to write over the database itself, or into a missing folder', async () => {
		const over = await runCli(['backup', '--to', seeded.path, '--force'], seeded.path);
		expect(over.code).toBe(1);
		expect(over.stderr).toContain('cannot be written over the database itself');
		const missing = await runCli(
			['backup', '--to', join(seeded.dir, 'no-such-folder', 'b.db')],
			seeded.path
		);
		expect(missing.code).toBe(1);
		expect(missing.stderr).toContain('does not exist');
	});
});
