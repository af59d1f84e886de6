import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PG_SCHEMA_PATH, pgSchemaFile, renderPgSchema } from './schema-pg-source';

describe('the PostgreSQL schema generated from schema.ts', () => {
	it('schema.pg.ts is up to date (run `npm run db:generate:pg`)', async () => {
		expect(readFileSync(PG_SCHEMA_PATH, 'utf8')).toBe(await pgSchemaFile(PG_SCHEMA_PATH));
	});

	it.each([
		['an integer, as bigint read as a number', "startsAt: bigint('starts_at', { mode: 'number' })"],
		['an autoincrement key, as an identity', '.primaryKey().generatedByDefaultAsIdentity()'],
		['a boolean, as boolean', "active: boolean('active').notNull().default(true)"],
		[
			'JSON, as jsonb typed as in schema.ts',
			"jsonb('theme').$type<Of<typeof sqlite.season, 'theme'>>()"
		],
		['the epoch-ms default', '.default(now)'],
		['a boolean in a condition', '.where(sql`earning = true`)'],
		[
			'a column in an index expression',
			'sql`(${t.confirmedPoints} + ${t.provisionalPoints}) desc`'
		],
		['an on-delete action', ".references((): AnyPgColumn => season.id, { onDelete: 'cascade' })"]
	])('maps %s', (_, source) => {
		expect(renderPgSchema()).toContain(source);
	});
});
