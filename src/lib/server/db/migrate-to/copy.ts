// The copy itself, inside the caller's PostgreSQL transaction: each table streamed from SQLite in
// key order and written in multi-row INSERTs, the rollup triggers off meanwhile (the rollup rows
// come with the copy), deferred references set afterwards, identity sequences moved past the
// copied ids. A row PostgreSQL refuses is found and named (table, row number, key).
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { TablePlan } from './plan';

/** Rows per INSERT: large enough to amortise the round trip, small enough to keep memory flat. */
export const BATCH_ROWS = 500;
/** PostgreSQL's limit on one statement's parameters. */
const MAX_PARAMETERS = 65_535;

export class CopyError extends Error {
	constructor(
		readonly table: string,
		/** The row's position in the table's key order; null when a batch of rows failed. */
		readonly row: number | null,
		readonly key: string,
		reason: string
	) {
		super(`Copying ${table} failed at ${row === null ? '' : `row ${row} `}(${key}): ${reason}`);
		this.name = 'CopyError';
	}
}

const name = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

interface SourceRow {
	/** 1-based position in the table's key order. */
	number: number;
	values: Record<string, unknown>;
}

function keyText(plan: TablePlan, values: Record<string, unknown>): string {
	return plan.key.map((column) => `${column}=${String(values[column])}`).join(', ');
}

function parameters(plan: TablePlan, row: SourceRow): unknown[] {
	return plan.columns.map((column) => {
		const value = row.values[column.name];
		if (value === null || plan.deferred.includes(column.name)) return null;
		try {
			return column.convert(value);
		} catch (error) {
			throw new CopyError(
				plan.name,
				row.number,
				keyText(plan, row.values),
				`column ${column.name}: ${(error as Error).message}`
			);
		}
	});
}

function insertSql(plan: TablePlan, rows: number): string {
	const width = plan.columns.length;
	const tuples = Array.from(
		{ length: rows },
		(_, r) => `(${plan.columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`
	);
	return `INSERT INTO ${name(plan.name)} (${plan.columns.map((c) => name(c.name)).join(', ')}) VALUES ${tuples.join(', ')}`;
}

/**
 * Writes one batch; when PostgreSQL refuses it, writes its rows one by one after undoing the
 * batch (a savepoint) so that the error names the row it is about.
 */
async function writeBatch(target: pg.ClientBase, plan: TablePlan, batch: SourceRow[]) {
	const values = batch.flatMap((row) => parameters(plan, row));
	await target.query('SAVEPOINT copy_batch');
	try {
		await target.query(insertSql(plan, batch.length), values);
		await target.query('RELEASE SAVEPOINT copy_batch');
		return;
	} catch {
		await target.query('ROLLBACK TO SAVEPOINT copy_batch');
	}
	for (const row of batch) {
		try {
			await target.query(insertSql(plan, 1), parameters(plan, row));
		} catch (error) {
			const detail = (error as { detail?: string }).detail;
			throw new CopyError(
				plan.name,
				row.number,
				keyText(plan, row.values),
				`${(error as Error).message}${detail ? ` (${detail})` : ''}`
			);
		}
	}
}

/** A table's rows in key order, one at a time: SQLite holds the cursor, memory stays flat. */
function* read(source: Database.Database, plan: TablePlan, columns: string[]) {
	const statement = source
		.prepare(
			`SELECT ${columns.map(name).join(', ')} FROM ${name(plan.name)} ORDER BY ${plan.key.map(name).join(', ')}`
		)
		.safeIntegers(true);
	let number = 0;
	for (const values of statement.iterate() as Iterable<Record<string, unknown>>)
		yield { number: ++number, values };
}

async function copyTable(
	source: Database.Database,
	target: pg.ClientBase,
	plan: TablePlan,
	batchRows: number
): Promise<number> {
	const size = Math.max(1, Math.min(batchRows, Math.floor(MAX_PARAMETERS / plan.columns.length)));
	let batch: SourceRow[] = [];
	let copied = 0;
	for (const row of read(
		source,
		plan,
		plan.columns.map((c) => c.name)
	)) {
		batch.push(row);
		if (batch.length === size) {
			await writeBatch(target, plan, batch);
			copied += batch.length;
			batch = [];
		}
	}
	if (batch.length > 0) await writeBatch(target, plan, batch);
	return copied + batch.length;
}

/** Sets the deferred references of one table, a batch of rows per UPDATE. */
async function setDeferred(
	source: Database.Database,
	target: pg.ClientBase,
	plan: TablePlan,
	batchRows: number
) {
	const columns = plan.columns.filter(
		(c) => plan.key.includes(c.name) || plan.deferred.includes(c.name)
	);
	const where = plan.deferred.map((c) => `${name(c)} IS NOT NULL`).join(' OR ');
	const statement = source
		.prepare(
			`SELECT ${columns.map((c) => name(c.name)).join(', ')} FROM ${name(plan.name)} WHERE ${where} ORDER BY ${plan.key.map(name).join(', ')}`
		)
		.safeIntegers(true);
	const width = columns.length;
	const update = (rows: number) =>
		`UPDATE ${name(plan.name)} AS t SET ${plan.deferred.map((c) => `${name(c)} = v.${name(c)}`).join(', ')} ` +
		`FROM (VALUES ${Array.from(
			{ length: rows },
			(_, r) => `(${columns.map((c, i) => `$${r * width + i + 1}::${c.type}`).join(', ')})`
		).join(', ')}) AS v (${columns.map((c) => name(c.name)).join(', ')}) ` +
		`WHERE ${plan.key.map((k) => `t.${name(k)} = v.${name(k)}`).join(' AND ')}`;
	const flush = async (batch: Record<string, unknown>[]) => {
		const values = batch.flatMap((row) =>
			columns.map((c) => (row[c.name] === null ? null : c.convert(row[c.name])))
		);
		try {
			await target.query(update(batch.length), values);
		} catch (error) {
			throw new CopyError(
				plan.name,
				null,
				`setting ${plan.deferred.join(', ')} of ${batch.length} rows from ${keyText(plan, batch[0])}`,
				(error as Error).message
			);
		}
	};
	let batch: Record<string, unknown>[] = [];
	for (const row of statement.iterate() as Iterable<Record<string, unknown>>) {
		batch.push(row);
		if (batch.length === batchRows) {
			await flush(batch);
			batch = [];
		}
	}
	if (batch.length > 0) await flush(batch);
}

/** Tables with triggers of their own (the dashboard rollups'), not the foreign keys' ones. */
async function triggeredTables(target: pg.ClientBase): Promise<string[]> {
	const { rows } = await target.query<{ table: string }>(
		`SELECT DISTINCT c.relname AS "table" FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		 WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace ORDER BY 1`
	);
	return rows.map((row) => row.table);
}

/** Moves every identity sequence to one past the table's highest id (1 for an empty table). */
async function moveSequences(target: pg.ClientBase) {
	const { rows } = await target.query<{ table: string; column: string }>(
		`SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
		 WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY 1`
	);
	for (const { table, column } of rows)
		await target.query(
			`SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(${name(column)}), 0) + 1, false) FROM ${name(table)}`,
			[name(table), column]
		);
}

/**
 * Copies every planned table from `source` into `target`, which must be inside a transaction
 * (the caller's): returns the rows copied per table. Triggers are disabled with ALTER TABLE,
 * which the tables' owner (who ran the migrations) may do, where `session_replication_role`
 * needs a superuser; both ALTERs are part of the transaction.
 */
export async function copyTables(
	source: Database.Database,
	target: pg.ClientBase,
	plans: TablePlan[],
	options: { batchRows?: number; onTable?: (table: string, rows: number) => void } = {}
): Promise<Map<string, number>> {
	const batchRows = options.batchRows ?? BATCH_ROWS;
	const triggered = await triggeredTables(target);
	for (const table of triggered)
		await target.query(`ALTER TABLE ${name(table)} DISABLE TRIGGER USER`);
	const copied = new Map<string, number>();
	for (const plan of plans) {
		const rows = await copyTable(source, target, plan, batchRows);
		copied.set(plan.name, rows);
		options.onTable?.(plan.name, rows);
	}
	for (const plan of plans)
		if (plan.deferred.length > 0) await setDeferred(source, target, plan, batchRows);
	for (const table of triggered)
		await target.query(`ALTER TABLE ${name(table)} ENABLE TRIGGER USER`);
	await moveSequences(target);
	return copied;
}
