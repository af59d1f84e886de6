// How an import recognises what it recorded before, and why a resumed job goes on from its last
// checkpoint: an import that stops part-way (here: a window that fails, rolled back, as a crash
// would lose it) and runs again counts no sale twice either way, because a sale is recognised by
// its external id; but only going on from the checkpoint saved in the last committed window
// gives the same report (new sales, points) as one uninterrupted run.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { openDatabase, type Db } from '../../src/lib/server/db';
import { importSales, type ImportCheckpoint } from '../../src/lib/server/imports/sales';

const HEADER = 'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice';

let a: ReturnType<typeof tempDb>;
let reference: Db;
let csv: string;

/** What an import leaves behind, in a form two databases can be compared by. */
function state(db: Db) {
	const all = (sql: string) => db.$client.prepare(sql).all();
	return {
		sales: all(
			'select external_id, seller_id, points, status, amount from sale order by external_id'
		),
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
}

beforeEach(async () => {
	a = tempDb();
	const c = await makeContest(a.db, { people: 4 });
	const at = new Date(c.season.startsAt + 3_600_000).toISOString();
	// 60 sales, some of two lines, and a refused one every so often.
	const lines = [HEADER];
	for (let i = 1; i <= 60; i++) {
		const seller = c.people[i % 4].email;
		lines.push(`r-${i},${seller},${at},${i % 11 === 0 ? 'NOPE' : 'PHONE'},1,999`);
		if (i % 3 === 0) lines.push(`r-${i},${seller},${at},CASE,2,29`);
	}
	csv = lines.join('\n');
	// The same database before any import, for the run without interruption.
	const copy = join(a.dir, 'reference.db');
	a.db.$client.exec(`vacuum into '${copy}'`);
	reference = openDatabase(copy);
});
afterEach(() => {
	reference.$client.close();
	a.cleanup();
});

/** Imports `csv` and stops it in its third window: two windows committed, the third rolled back. */
async function interrupted(db: Db): Promise<ImportCheckpoint> {
	let saved: ImportCheckpoint | null = null;
	let windows = 0;
	await expect(
		importSales(db, csv, {
			dryRun: false,
			actor: {},
			batchSize: 10,
			onWindow: (_tx, checkpoint) => {
				windows += 1;
				if (windows === 3) throw new Error('the process died');
				saved = structuredClone(checkpoint);
			}
		})
	).rejects.toThrow('the process died');
	return saved!;
}

describe('an interrupted import', () => {
	it('counts nothing twice when run again from the start (external ids), but reports the first windows as duplicates', async () => {
		const once = await importSales(reference, csv, { dryRun: false, actor: {}, batchSize: 10 });
		expect(once.sales.new).toBeGreaterThan(40);
		const { totals } = await interrupted(a.db);
		expect(totals.new).toBe(19);
		const again = await importSales(a.db, csv, { dryRun: false, actor: {}, batchSize: 10 });
		expect(state(a.db)).toEqual(state(reference));
		// The sales the two committed windows stored come back as duplicates: not the same report.
		expect(again.sales.duplicate).toBe(19);
		expect(again.sales.new).toBe(once.sales.new - 19);
	});

	it('resumed from its checkpoint: the same sales, ledger and standings, and the same report, as one run', async () => {
		const once = await importSales(reference, csv, { dryRun: false, actor: {}, batchSize: 10 });
		const checkpoint = await interrupted(a.db);
		expect(checkpoint.totals.new + checkpoint.totals.rejected).toBe(20);
		const errors: string[] = [];
		const resumed = await importSales(a.db, csv, {
			dryRun: false,
			actor: {},
			batchSize: 10,
			resume: checkpoint,
			onWindow: (_tx, _checkpoint, csv) => {
				errors.push(csv);
			}
		});
		expect(state(a.db)).toEqual(state(reference));
		expect(resumed).toEqual(once);
		// Only the windows after the checkpoint were read again: their errors, not the first ones.
		expect(errors.join('')).not.toContain('\r\n11,');
		expect(errors.join('')).toContain('\r\n');
	});
});
