// Which index each of the app's statements on sale, sale_line, ledger_entry and dashboard_line
// reads, on a big database: EXPLAIN QUERY PLAN of every statement bench/lib/log-statements.mjs
// logged (while the tests ran), each index with the statements that use it, and the statements
// that scan one of those tables whole. `--drop 'DROP INDEX x'` first changes a copy, to see which
// plans an index's absence changes.
// `npx tsx bench/index-reads.ts --statements FILE --db FILE [--drop SQL] [--json OUT]`
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { openDatabase } from '../src/lib/server/db';
import { textOption } from './lib/args';

const statementsFile = textOption('statements');
const source = textOption('db');
if (!statementsFile || !source) throw new Error('--statements FILE --db FILE');
const drop = textOption('drop');
const out = textOption('json');

const path = `${source}.index-reads`;
const remove = () => {
	for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
};
remove(); // a run that failed leaves its WAL, which the next copy would take up
copyFileSync(source, path);
const db = openDatabase(path).$client;
if (drop) db.exec(drop);
const statements = [
	...new Set(
		readFileSync(statementsFile, 'utf8')
			.trim()
			.split('\n')
			.map((line) => JSON.parse(line) as string)
	)
].filter((sql) => /^\s*(select|with|insert|update|delete)/i.test(sql));

/**
 * The plan's lines; unbound parameters are NULL (the plan does not depend on their values). A
 * statement that names a dropped index (`INDEXED BY`) does not prepare: its error is its plan.
 */
function planOf(sql: string): string[] {
	let explain;
	try {
		explain = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
	} catch (error) {
		return [`ERROR ${error instanceof Error ? error.message : error}`];
	}
	// better-sqlite3 wants every parameter bound and does not say how many there are: as many as
	// the text's question marks, else fewer (a mark inside a string literal).
	const marks = sql.split('?').length - 1;
	for (const count of [marks, ...Array(marks).keys()])
		try {
			return (explain.all(...Array(count).fill(null)) as { detail: string }[]).map((r) => r.detail);
		} catch (error) {
			if (!(error instanceof RangeError)) throw error;
		}
	throw new Error(`parameters not bound: ${sql.slice(0, 80)}`);
}

const plans = statements.map((sql) => ({ sql, plan: planOf(sql) }));
if (out) writeFileSync(out, JSON.stringify(plans, null, 1));
const short = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 110);
const byIndex = new Map<string, string[]>();
const scans: string[] = [];
for (const { sql, plan } of plans)
	for (const line of plan) {
		const index = /^SEARCH \w+ USING (?:COVERING )?INDEX (\w+)/.exec(line)?.[1];
		if (index) byIndex.set(index, [...(byIndex.get(index) ?? []), short(sql)]);
		if (/^SCAN (sale|sale_line|ledger_entry|dashboard_line|s|l|le|sa)\b/.test(line))
			scans.push(`${line}  <=  ${short(sql)}`);
	}
console.log(`${plans.length} statements${drop ? ` (after ${drop})` : ''}`);
for (const [index, users] of [...byIndex].sort(([a], [b]) => a.localeCompare(b))) {
	console.log(`\n${index}: ${users.length} statements`);
	for (const sql of users) console.log(`  ${sql}`);
}
console.log(`\nscans of the four tables (${scans.length}):`);
for (const scan of scans) console.log(`  ${scan}`);
db.close();
remove();
