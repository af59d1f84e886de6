// Preloaded with `NODE_OPTIONS="--import ./bench/lib/log-statements.mjs"` (vitest's forks inherit
// it): appends each distinct SQL text that better-sqlite3 prepares and that names sale, sale_line,
// ledger_entry or dashboard_line to $LOG_STATEMENTS (one JSON string a line), for
// bench/index-reads.ts to explain.
import { appendFileSync } from 'node:fs';
import Database from 'better-sqlite3';

const file = process.env.LOG_STATEMENTS;
const prepare = Database.prototype.prepare;
const seen = new Set();
Database.prototype.prepare = function (sql, ...rest) {
	if (file && !seen.has(sql) && /\b(sale|sale_line|ledger_entry|dashboard_line)\b/.test(sql)) {
		seen.add(sql);
		appendFileSync(file, JSON.stringify(sql) + '\n');
	}
	return prepare.call(this, sql, ...rest);
};
