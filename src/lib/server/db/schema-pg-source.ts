// Writes schema.pg.ts, the PostgreSQL schema, from schema.ts, the SQLite one: the two cannot
// drift, and a change to the data model is made once. `npm run db:generate:pg` writes it (through
// scripts/pg-schema.ts) and then drizzle-kit its migrations (drizzle-pg/); schema-pg-source.spec.ts
// fails when the committed file is out of date. docs/postgres.md explains the type mapping.
import { Column, getTableColumns, is, SQL, StringChunk } from 'drizzle-orm';
import { getTableConfig, SQLiteSyncDialect, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as sqlite from './schema';

export const PG_SCHEMA_PATH = 'src/lib/server/db/schema.pg.ts';

/**
 * SQLite column kinds and their PostgreSQL builders. Every integer is a bigint: SQLite's INTEGER
 * is 64-bit and epoch-ms times, cents and point sums outgrow PostgreSQL's 32-bit integer, so a
 * copy never overflows; Drizzle's number mode keeps them JavaScript numbers (safe to 2^53).
 * Booleans and JSON get PostgreSQL's own types: Drizzle reads both sides as the same JavaScript
 * values, so a copy through the two schemas needs no conversion.
 */
const BUILDERS: Record<string, { builder: string; source: (name: string) => string }> = {
	SQLiteInteger: { builder: 'bigint', source: (name) => `bigint('${name}', { mode: 'number' })` },
	SQLiteBoolean: { builder: 'boolean', source: (name) => `boolean('${name}')` },
	SQLiteReal: { builder: 'doublePrecision', source: (name) => `doublePrecision('${name}')` },
	SQLiteText: { builder: 'text', source: (name) => `text('${name}')` },
	SQLiteTextJson: { builder: 'jsonb', source: (name) => `jsonb('${name}')` }
};

/** The SQL defaults schema.ts uses, as SQLite renders them, and their PostgreSQL constant. */
const SQL_DEFAULTS: Record<string, string> = {
	"(cast(unixepoch('subsec') * 1000 as integer))": 'now'
};

const dialect = new SQLiteSyncDialect();

function tables(): [string, SQLiteTable][] {
	return Object.entries(sqlite as Record<string, unknown>)
		.filter((entry): entry is [string, SQLiteTable] => is(entry[1], SQLiteTable))
		.sort(([a], [b]) => (a < b ? -1 : 1)); // by code unit: the same order on every machine
}

const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * A `sql` fragment of schema.ts (an index expression or condition) as PostgreSQL source: columns
 * stay column references; SQLite's `flag = 1` on a boolean column becomes `flag = true`.
 */
function sqlSource(value: SQL, keys: Map<string, string>, booleans: string[]): string {
	const parts = value.queryChunks.map((chunk) => {
		if (is(chunk, StringChunk)) {
			let text = chunk.value.join('');
			for (const name of booleans)
				text = text.replace(new RegExp(`\\b${name}\\s*=\\s*([01])\\b`, 'g'), (_, bit) =>
					bit === '1' ? `${name} = true` : `${name} = false`
				);
			return text.replace(/[`$\\]/g, (c) => `\\${c}`);
		}
		if (is(chunk, Column)) return `\${t.${keys.get(chunk.name)}}`;
		if (is(chunk, SQL)) return sqlSource(chunk, keys, booleans).slice(4, -1);
		throw new Error(`schema-pg-source: unsupported SQL chunk ${String(chunk)}`);
	});
	return `sql\`${parts.join('')}\``;
}

/** What rendering collects on the way: the tables' export names, the column builders used. */
interface Rendering {
	names: Map<SQLiteTable, string>;
	builders: Set<string>;
}

function columnSource(
	tableKey: string,
	key: string,
	column: Column,
	table: ReturnType<typeof getTableConfig>,
	rendering: Rendering
): string {
	const builder = BUILDERS[column.columnType];
	if (!builder)
		throw new Error(`schema-pg-source: ${tableKey}.${key}: no mapping for ${column.columnType}`);
	rendering.builders.add(builder.builder);
	let source = builder.source(column.name);
	if (column.columnType === 'SQLiteText' || column.columnType === 'SQLiteTextJson')
		source += `.$type<Of<typeof sqlite.${tableKey}, '${key}'>>()`;
	if (column.primary) {
		source += '.primaryKey()';
		if ((column as Column & { autoIncrement?: boolean }).autoIncrement)
			source += '.generatedByDefaultAsIdentity()';
	} else if (column.notNull) source += '.notNull()';
	if (column.default !== undefined) {
		if (is(column.default, SQL)) {
			const rendered = dialect.sqlToQuery(column.default).sql;
			const constant = SQL_DEFAULTS[rendered];
			if (!constant)
				throw new Error(
					`schema-pg-source: ${tableKey}.${key}: no PostgreSQL default for ${rendered}`
				);
			source += `.default(${constant})`;
		} else if (typeof column.default === 'string') source += `.default(${quote(column.default)})`;
		else source += `.default(${JSON.stringify(column.default)})`;
	}
	if (column.isUnique)
		source +=
			column.uniqueName === `${table.name}_${column.name}_unique`
				? '.unique()'
				: `.unique(${quote(column.uniqueName ?? '')})`;
	const fk = table.foreignKeys.find((f) =>
		f.reference().columns.some((c) => c.name === column.name)
	);
	if (fk) {
		const reference = fk.reference();
		if (reference.columns.length !== 1)
			throw new Error(`schema-pg-source: ${tableKey}: foreign keys of several columns`);
		const target = rendering.names.get(reference.foreignTable as SQLiteTable);
		const targetKey = Object.entries(getTableColumns(reference.foreignTable)).find(
			([, c]) => c.name === reference.foreignColumns[0].name
		)?.[0];
		const actions = [
			fk.onDelete && fk.onDelete !== 'no action' ? `onDelete: ${quote(fk.onDelete)}` : '',
			fk.onUpdate && fk.onUpdate !== 'no action' ? `onUpdate: ${quote(fk.onUpdate)}` : ''
		].filter(Boolean);
		source += `.references((): AnyPgColumn => ${target}.${targetKey}${
			actions.length ? `, { ${actions.join(', ')} }` : ''
		})`;
	}
	return `${key}: ${source}`;
}

function tableSource(tableKey: string, table: SQLiteTable, rendering: Rendering) {
	const config = getTableConfig(table);
	if (config.checks.length > 0 || config.uniqueConstraints.length > 0)
		throw new Error(
			`schema-pg-source: ${tableKey}: checks and unique() constraints are not mapped`
		);
	const columns = Object.entries(getTableColumns(table));
	const keys = new Map(columns.map(([key, column]) => [column.name, key]));
	const booleans = columns
		.filter(([, c]) => c.columnType === 'SQLiteBoolean')
		.map(([, c]) => c.name);
	const part = (value: Column | SQL) =>
		is(value, SQL) ? sqlSource(value, keys, booleans) : `t.${keys.get(value.name)}`;
	const extras = [
		...config.primaryKeys.map(
			(pk) => `primaryKey({ columns: [${pk.columns.map((c) => part(c)).join(', ')}] })`
		),
		...config.indexes.map(({ config: index }) => {
			let source = `${index.unique ? 'uniqueIndex' : 'index'}(${quote(index.name)}).on(${index.columns
				.map((c) => part(c as Column | SQL))
				.join(', ')})`;
			if (index.where) source += `.where(${sqlSource(index.where, keys, booleans)})`;
			return source;
		})
	];
	const body = columns.map(([key, column]) =>
		columnSource(tableKey, key, column, config, rendering)
	);
	return `export const ${tableKey} = pgTable(${quote(config.name)}, {\n${body.join(',\n')}\n}${
		extras.length ? `, (t) => [${extras.join(',\n')}]` : ''
	});`;
}

/** The source of schema.pg.ts before formatting. */
export function renderPgSchema(): string {
	const all = tables();
	const rendering: Rendering = {
		names: new Map(all.map(([key, t]) => [t, key])),
		builders: new Set()
	};
	const body = all.map(([key, table]) => tableSource(key, table, rendering) + '\n');
	const imports = [...rendering.builders, 'index', 'pgTable', 'primaryKey', 'uniqueIndex'].sort();
	return [
		'// GENERATED from schema.ts by schema-pg-source.ts: do not edit by hand.',
		'// Regenerate with `npm run db:generate:pg` (this file, then the drizzle-pg/ migrations).',
		"import { sql } from 'drizzle-orm';",
		`import { type AnyPgColumn, ${imports.join(', ')} } from 'drizzle-orm/pg-core';`,
		"import type * as sqlite from './schema';",
		'',
		"/** A column's type in the SQLite schema: both schemas infer the same rows. */",
		"type Of<T extends { $inferSelect: object }, K extends keyof T['$inferSelect']> = NonNullable<",
		"	T['$inferSelect'][K]",
		'>;',
		'',
		"/** Epoch milliseconds, as SQLite's `unixepoch('subsec') * 1000` (statement time). */",
		'const now = sql`(floor(extract(epoch from statement_timestamp()) * 1000)::bigint)`;',
		'',
		...body
	].join('\n');
}

/** schema.pg.ts as it should be on disk: rendered, then Prettier's format. */
export async function pgSchemaFile(path: string): Promise<string> {
	const prettier = await import('prettier');
	const options = (await prettier.resolveConfig(path)) ?? {};
	return prettier.format(renderPgSchema(), { ...options, filepath: path });
}
