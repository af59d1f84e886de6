// What `migrate-to` copies and how (#20): every table of schema.ts, in an order in which each
// row's foreign keys point at rows already copied, and each column's conversion to the type
// schema.pg.ts gives it. Derived from the two Drizzle schemas, so a new table or column is
// copied without touching the command; a column kind with no conversion stops it here.
import { is, type Column } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as sqlite from '../schema';
import * as postgres from '../schema.pg';

export interface ColumnPlan {
	name: string;
	/** The PostgreSQL type, for casts in statements that have no target column to infer it from. */
	type: string;
	/** A non-null SQLite value (integers read as bigint) as the PostgreSQL parameter. */
	convert: (value: unknown) => unknown;
}

export interface TablePlan {
	name: string;
	columns: ColumnPlan[];
	/** The primary key's columns: the copy's row order, and how an error names a row. */
	key: string[];
	/**
	 * Foreign-key columns written NULL at first and set once every table is copied: they close a
	 * cycle of references (activity ↔ ledger_entry) or point into their own table.
	 */
	deferred: string[];
}

function integer(value: unknown): bigint {
	if (typeof value === 'bigint') return value;
	throw new Error(`${JSON.stringify(value)} is not an integer`);
}

/** SQLite values as PostgreSQL's column types take them (docs/postgres.md, "Type mapping"). */
const CONVERSIONS: Record<string, Omit<ColumnPlan, 'name'>> = {
	// BigInt, sent as its decimal text: exact over SQLite's whole 64-bit range.
	PgBigInt53: { type: 'bigint', convert: integer },
	PgBoolean: {
		type: 'boolean',
		convert: (value) => {
			const bit = integer(value);
			if (bit !== 0n && bit !== 1n) throw new Error(`${bit} is not a boolean (0 or 1)`);
			return bit === 1n;
		}
	},
	PgDoublePrecision: {
		type: 'double precision',
		convert: (value) => {
			if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
			throw new Error(`${JSON.stringify(value)} is not a number`);
		}
	},
	PgText: {
		type: 'text',
		convert: (value) => {
			if (typeof value === 'string') return value;
			throw new Error(`${typeof value} where text belongs`);
		}
	},
	// The text as it is: PostgreSQL parses it into jsonb. Parsed here first so that a row of
	// invalid JSON is named with its table and key rather than as a failed batch.
	PgJsonb: {
		type: 'jsonb',
		convert: (value) => {
			if (typeof value !== 'string') throw new Error(`${typeof value} where JSON text belongs`);
			try {
				JSON.parse(value);
			} catch {
				throw new Error(`not JSON: ${value.slice(0, 40)}`);
			}
			return value;
		}
	}
};

interface Edge {
	from: string;
	to: string;
	column: string;
	nullable: boolean;
}

/** Whether `start` reaches itself through the remaining tables' edges. */
function inCycle(start: string, edges: Edge[], remaining: Set<string>): boolean {
	const seen = new Set<string>();
	const stack = edges.filter((e) => e.from === start && remaining.has(e.to)).map((e) => e.to);
	while (stack.length > 0) {
		const table = stack.pop()!;
		if (table === start) return true;
		if (seen.has(table)) continue;
		seen.add(table);
		for (const e of edges) if (e.from === table && remaining.has(e.to)) stack.push(e.to);
	}
	return false;
}

/**
 * Every table, referenced tables first (by name among those ready, so the order is the same on
 * every run). Where references form a cycle, the nullable references of the first table on it
 * are deferred; a self-reference is deferred when nullable, else the key order has to do.
 */
export function copyPlan(): TablePlan[] {
	const tables = Object.entries(sqlite as Record<string, unknown>).filter(
		(entry): entry is [string, SQLiteTable] => is(entry[1], SQLiteTable)
	);
	const plans = new Map<string, TablePlan>();
	const edges: Edge[] = [];
	for (const [key, table] of tables) {
		const config = getTableConfig(table);
		const twin = (postgres as Record<string, unknown>)[key];
		if (!is(twin, PgTable))
			throw new Error(`schema.pg.ts has no table ${key}: regenerate it (npm run db:generate:pg)`);
		const pgColumns = new Map(pgTableConfig(twin).columns.map((c) => [c.name, c]));
		const columns = config.columns.map((column): ColumnPlan => {
			const pgColumn = pgColumns.get(column.name);
			if (!pgColumn)
				throw new Error(
					`schema.pg.ts has no column ${config.name}.${column.name}: regenerate it (npm run db:generate:pg)`
				);
			const conversion = CONVERSIONS[pgColumn.columnType];
			if (!conversion)
				throw new Error(
					`${config.name}.${column.name}: no conversion to ${pgColumn.columnType} (docs/postgres.md)`
				);
			return { name: column.name, ...conversion };
		});
		const key_ = [
			...config.columns.filter((c) => c.primary).map((c) => c.name),
			...config.primaryKeys.flatMap((pk) => pk.columns.map((c: Column) => c.name))
		];
		if (key_.length === 0) throw new Error(`${config.name} has no primary key to copy it by`);
		plans.set(config.name, { name: config.name, columns, key: key_, deferred: [] });
		for (const fk of config.foreignKeys) {
			const reference = fk.reference();
			const to = getTableConfig(reference.foreignTable as SQLiteTable).name;
			for (const column of reference.columns)
				edges.push({ from: config.name, to, column: column.name, nullable: !column.notNull });
		}
	}

	for (const e of edges)
		if (e.from === e.to && e.nullable) plans.get(e.from)!.deferred.push(e.column);
	const live = edges.filter((e) => e.from !== e.to);
	const remaining = new Set([...plans.keys()].sort());
	const order: TablePlan[] = [];
	const waitsFor = (table: string) =>
		live.filter(
			(e) =>
				e.from === table && remaining.has(e.to) && !plans.get(table)!.deferred.includes(e.column)
		);
	while (remaining.size > 0) {
		const ready = [...remaining].find((table) => waitsFor(table).length === 0);
		if (ready) {
			order.push(plans.get(ready)!);
			remaining.delete(ready);
			continue;
		}
		const breaker = [...remaining].find(
			(table) => inCycle(table, live, remaining) && waitsFor(table).every((e) => e.nullable)
		);
		if (!breaker)
			throw new Error(
				`The foreign keys of ${[...remaining].join(', ')} form a cycle of required columns: no copy order exists`
			);
		plans.get(breaker)!.deferred.push(...waitsFor(breaker).map((e) => e.column));
	}
	return order;
}
