// The import report says what was stored, row by row: a row the report rejects is not in the
// database, a row it accepts is, and the counts add up to the file's rows.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { importSales, type ImportReport } from '../../src/lib/server/imports/sales';

let a: ReturnType<typeof tempDb>;
beforeEach(() => (a = tempDb()));
afterEach(() => a.cleanup());

const HEADER = 'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice';

function storedLines(db: Db): Map<string, number> {
	const rows = db.$client
		.prepare(
			'select s.external_id as id, count(l.id) as lines from sale s join sale_line l on l.sale_id = s.id group by s.id'
		)
		.all() as { id: string; lines: number }[];
	return new Map(rows.map((r) => [r.id, r.lines]));
}

/** The report agrees with itself and with the database, row by row. */
function expectReportMatchesDb(report: ImportReport, db: Db, before: Map<string, number>) {
	const stored = storedLines(db);
	expect(report.accepted + report.rejected).toBe(report.rows);
	expect(report.accepted).toBeGreaterThanOrEqual(0);
	expect(report.results.map((r) => r.row)).toEqual(
		Array.from({ length: report.rows }, (_, i) => i + 1)
	);
	const errorRows = new Set(report.errors.map((e) => e.row).filter((r) => r > 0));
	const rejectedRows = new Set(
		report.results.filter((r) => r.outcome === 'error').map((r) => r.row)
	);
	expect([...errorRows].sort((x, y) => x - y)).toEqual([...rejectedRows]);
	expect(rejectedRows.size).toBe(report.rejected);
	for (const e of report.errors) expect(e.row).toBeLessThanOrEqual(report.rows);
	const newLines = new Map<string, number>();
	for (const r of report.results) {
		if (r.outcome === 'new') newLines.set(r.externalId, (newLines.get(r.externalId) ?? 0) + 1);
		if (r.outcome === 'error' && r.externalId)
			expect(stored.has(r.externalId) && !before.has(r.externalId), `row ${r.row}`).toBe(false);
		if (r.outcome === 'duplicate') expect(before.has(r.externalId), `row ${r.row}`).toBe(true);
	}
	// Every sale the report calls new is stored with exactly its lines, and nothing else is new.
	const added = [...stored].filter(([id]) => !before.has(id));
	expect(new Map(added)).toEqual(newLines);
	expect(report.sales.new).toBe(newLines.size);
}

describe('the import report equals what was stored', () => {
	it('a mixed file: good sales, extra fields, a bad SKU, a disagreement, an unclosed quote', async () => {
		const c = await makeContest(a.db, { people: 3 });
		const [p, q] = c.people.map((x) => x.email);
		const at = new Date(Date.now() - 3_600_000).toISOString();
		const lines = [
			`good-1,${p},${at},PHONE,1,999`,
			`good-1,${p},${at},CASE,2,29`,
			`extra-1,${p},${at},PHONE,1,999,surprise`, // one field too many: rejected, not stored
			`half-1,${p},${at},PHONE,1,999`,
			`half-1,${p},${at},CASE,1,29,surprise`, // a bad line rejects its whole sale
			`few-1,${p},${at},PHONE`,
			`badsku-1,${p},${at},NOPE,1,1`,
			`mixed-1,${p},${at},PHONE,1,999`,
			`mixed-1,${q},${at},CASE,1,29`,
			`good-2,${q},${at},PHONE,3,999`,
			`"quote-1,${q},${at},PHONE,1,999` // never closed: the rest of the file is one value
		];
		const csv = [HEADER, ...lines].join('\n');
		const before = storedLines(a.db);
		const report = await importSales(a.db, csv, { dryRun: false, actor: {} });
		expectReportMatchesDb(report, a.db, before);
		expect(report.rows).toBe(11);
		expect(report.sales.new).toBe(2);
		expect(report.accepted).toBe(3);
		expect(report.errors.find((e) => e.row === 3)?.message).toMatch(/many fields/);
		expect(report.errors.find((e) => e.row === 11)?.message).toMatch(/never closed/);

		// A dry run of the same file predicts the same report, and a second commit is all duplicates.
		const again = await importSales(a.db, csv, { dryRun: false, actor: {} });
		expectReportMatchesDb(again, a.db, storedLines(a.db));
		expect(again.sales).toMatchObject({ new: 0, duplicate: 2 });
		expect(again.accepted).toBe(3);
	});

	it.each([
		['an unclosed quote in the first row', (l: string[]) => [`"${l[0]}`, l[1]]],
		['an unclosed quote in the middle', (l: string[]) => [l[0], `${l[1]},"x`, l[0]]],
		['a quote in the middle of a value', (l: string[]) => [l[0].replace('PHONE', 'PH"ONE'), l[1]]],
		['only broken rows', (l: string[]) => [`${l[0]},1,2,3`, `${l[1]},4`]],
		['a stray quote at the very end', (l: string[]) => [l[0], `${l[1]}"`]]
	])('%s: counts never go negative and add up', async (_title, edit) => {
		const c = await makeContest(a.db, { people: 2 });
		const at = new Date(Date.now() - 3_600_000).toISOString();
		const base = [
			`q-a,${c.people[0].email},${at},PHONE,1,999`,
			`q-b,${c.people[1].email},${at},CASE,1,29`
		];
		const csv = [HEADER, ...edit(base)].join('\n');
		const before = storedLines(a.db);
		const report = await importSales(a.db, csv, { dryRun: false, actor: {} });
		expectReportMatchesDb(report, a.db, before);
	});
});
