// The shape of a live database, read from the database itself (SQLite's catalogue and PRAGMAs,
// PostgreSQL's pg_catalog), in one vocabulary for both, so that tests/integration/pg-parity.test.ts
// compares what the two dialects' migrations really built.
import type Database from 'better-sqlite3';
import { getTableColumns, is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type pg from 'pg';
import * as sqliteSchema from '../../src/lib/server/db/schema';

export interface ColumnShape {
	/** integer, text, boolean or json (SQLite stores the last two as integer and text). */
	type: string;
	notNull: boolean;
	/** The default, normalised (casts, quotes and parentheses dropped; epoch-ms "now" as `now`). */
	default: string | null;
	/** Numbered by the database (SQLite AUTOINCREMENT, PostgreSQL identity). */
	generated: boolean;
}

export interface IndexShape {
	unique: boolean;
	/** The key parts, normalised: `season_id,subject_type,confirmed_points desc,reached_at`. */
	on: string;
	/** A partial index's condition, normalised; null for a whole-table index. */
	where: string | null;
}

export interface TableShape {
	columns: Record<string, ColumnShape>;
	primaryKey: string[];
	/** `columns -> table(columns) on delete X on update Y`, sorted. */
	foreignKeys: string[];
	indexes: Record<string, IndexShape>;
}

export type SchemaShape = Record<string, TableShape>;

/** Both dialects' SQL text, minus what only spells it differently. */
export function normaliseSql(text: string): string {
	return text
		.toLowerCase()
		.replace(/.*\b(unixepoch|statement_timestamp)\b.*/, 'now')
		.replace(/::[a-z ]+?(?=[\s,)]|$)/g, '') // PostgreSQL's casts: 'void'::text
		.replace(/["`()]/g, '')
		.replace(/!=/g, '<>')
		.replace(/\btrue\b/g, '1')
		.replace(/\bfalse\b/g, '0')
		.replace(/\s+asc\b/g, '')
		.replace(/\s+/g, ' ')
		.replace(/ ?([,=<>+*/-]) ?/g, '$1')
		.trim();
}

/** A foreign key in one line: `columns -> table(columns) on delete X on update Y`. */
function foreignKey(
	columns: string[],
	table: string,
	targets: string[],
	onDelete: string,
	onUpdate: string
): string {
	return `${columns.join(',')} -> ${table}(${targets.join(',')}) on delete ${onDelete.toLowerCase()} on update ${onUpdate.toLowerCase()}`;
}

/** The text inside the parentheses that open at `from` (which must be a `(`). */
function parenthesised(text: string, from: number): string {
	let depth = 0;
	for (let i = from; i < text.length; i++) {
		if (text[i] === '(') depth++;
		else if (text[i] === ')' && --depth === 0) return text.slice(from + 1, i);
	}
	throw new Error(`Unbalanced parentheses in ${text}`);
}

/** What schema.ts says a SQLite column holds beyond its storage type (boolean, json). */
function declaredKinds(): Map<string, string> {
	const kinds = new Map<string, string>();
	for (const table of Object.values(sqliteSchema)) {
		if (!is(table, SQLiteTable)) continue;
		const { name } = getTableConfig(table);
		for (const column of Object.values(getTableColumns(table))) {
			const kind = ({ SQLiteBoolean: 'boolean', SQLiteTextJson: 'json' } as Record<string, string>)[
				column.columnType
			];
			if (kind) kinds.set(`${name}.${column.name}`, kind);
		}
	}
	return kinds;
}

export function sqliteShape(client: Database.Database): SchemaShape {
	const kinds = declaredKinds();
	const shape: SchemaShape = {};
	const tables = client
		.prepare(
			`SELECT name, sql FROM sqlite_master WHERE type = 'table'
			 AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations'`
		)
		.all() as { name: string; sql: string }[];
	for (const { name: table, sql } of tables) {
		const info = client.pragma(`table_info("${table}")`) as {
			name: string;
			type: string;
			notnull: number;
			dflt_value: string | null;
			pk: number;
		}[];
		const columns: Record<string, ColumnShape> = {};
		for (const c of info) {
			const stored = c.type.toLowerCase();
			const kind = kinds.get(`${table}.${c.name}`);
			const type =
				(kind === 'boolean' && stored === 'integer') || (kind === 'json' && stored === 'text')
					? kind
					: stored;
			const autoincrement = new RegExp(
				`[\`"]${c.name}[\`"] integer primary key autoincrement`,
				'i'
			);
			columns[c.name] = {
				type,
				notNull: c.notnull === 1,
				default: c.dflt_value === null ? null : normaliseSql(c.dflt_value),
				generated: autoincrement.test(sql)
			};
		}
		const primaryKey = info
			.filter((c) => c.pk > 0)
			.sort((a, b) => a.pk - b.pk)
			.map((c) => c.name);
		const fkRows = client.pragma(`foreign_key_list("${table}")`) as {
			id: number;
			table: string;
			from: string;
			to: string;
			on_update: string;
			on_delete: string;
		}[];
		const byId = new Map<number, typeof fkRows>();
		for (const row of fkRows) byId.set(row.id, [...(byId.get(row.id) ?? []), row]);
		const foreignKeys = [...byId.values()]
			.map((rows) =>
				foreignKey(
					rows.map((r) => r.from),
					rows[0].table,
					rows.map((r) => r.to),
					rows[0].on_delete,
					rows[0].on_update
				)
			)
			.sort();
		const indexes: Record<string, IndexShape> = {};
		const list = client.pragma(`index_list("${table}")`) as {
			name: string;
			unique: number;
			origin: string;
		}[];
		for (const index of list.filter((i) => i.origin !== 'pk')) {
			const row = client
				.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`)
				.get(index.name) as { sql: string | null };
			// An index SQLite made for a UNIQUE in CREATE TABLE has no SQL of its own.
			const keyColumns = () =>
				(client.pragma(`index_info("${index.name}")`) as { name: string }[]).map((c) => c.name);
			const text = row.sql ?? `ON t (${keyColumns().join(',')})`;
			const open = text.indexOf('(', text.search(/\bON\b/i));
			const on = parenthesised(text, open);
			const rest = text.slice(open + on.length + 2);
			const where = /\bWHERE\b([\s\S]*)$/i.exec(rest)?.[1] ?? null;
			indexes[index.name] = {
				unique: index.unique === 1,
				on: normaliseSql(on),
				where: where === null ? null : normaliseSql(where)
			};
		}
		shape[table] = { columns, primaryKey, foreignKeys, indexes };
	}
	return shape;
}

const PG_TYPES: Record<string, string> = {
	bigint: 'integer',
	boolean: 'boolean',
	jsonb: 'json',
	text: 'text'
};
const PG_ACTIONS: Record<string, string> = {
	a: 'no action',
	r: 'restrict',
	c: 'cascade',
	n: 'set null',
	d: 'set default'
};

export async function pgShape(client: pg.Client): Promise<SchemaShape> {
	const shape: SchemaShape = {};
	const columns = await client.query<{
		table_name: string;
		column_name: string;
		data_type: string;
		is_nullable: string;
		column_default: string | null;
		is_identity: string;
	}>(
		`SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity
		 FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`
	);
	for (const c of columns.rows) {
		shape[c.table_name] ??= { columns: {}, primaryKey: [], foreignKeys: [], indexes: {} };
		shape[c.table_name].columns[c.column_name] = {
			type: PG_TYPES[c.data_type] ?? c.data_type,
			notNull: c.is_nullable === 'NO',
			default: c.column_default === null ? null : normaliseSql(c.column_default),
			generated: c.is_identity === 'YES'
		};
	}
	const constraints = await client.query<{
		contype: string;
		table_name: string;
		columns: string[];
		target: string | null;
		target_columns: string[] | null;
		confdeltype: string;
		confupdtype: string;
	}>(
		`SELECT c.contype, t.relname AS table_name,
			array(SELECT attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
				JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS columns,
			f.relname AS target,
			array(SELECT attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
				JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS target_columns,
			c.confdeltype, c.confupdtype
		 FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
		 JOIN pg_namespace n ON n.oid = t.relnamespace LEFT JOIN pg_class f ON f.oid = c.confrelid
		 WHERE n.nspname = 'public' AND c.contype IN ('p', 'f')`
	);
	for (const c of constraints.rows) {
		const table = shape[c.table_name];
		if (c.contype === 'p') table.primaryKey = c.columns;
		else
			table.foreignKeys.push(
				foreignKey(
					c.columns,
					c.target ?? '',
					c.target_columns ?? [],
					PG_ACTIONS[c.confdeltype],
					PG_ACTIONS[c.confupdtype]
				)
			);
	}
	for (const table of Object.values(shape)) table.foreignKeys.sort();
	const indexes = await client.query<{
		table_name: string;
		name: string;
		unique: boolean;
		definition: string;
		predicate: string | null;
	}>(
		`SELECT t.relname AS table_name, i.relname AS name, x.indisunique AS unique,
			pg_get_indexdef(x.indexrelid) AS definition, pg_get_expr(x.indpred, x.indrelid) AS predicate
		 FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
		 JOIN pg_namespace n ON n.oid = t.relnamespace
		 WHERE n.nspname = 'public' AND NOT x.indisprimary`
	);
	for (const index of indexes.rows) {
		const open = index.definition.indexOf('(', index.definition.indexOf(' USING '));
		shape[index.table_name].indexes[index.name] = {
			unique: index.unique,
			on: normaliseSql(parenthesised(index.definition, open)),
			where: index.predicate === null ? null : normaliseSql(index.predicate)
		};
	}
	return shape;
}
