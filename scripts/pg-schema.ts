// Writes src/lib/server/db/schema.pg.ts from schema.ts (`npm run db:generate:pg` runs it before
// drizzle-kit); schema-pg-source.spec.ts fails when the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PG_SCHEMA_PATH, pgSchemaFile } from '../src/lib/server/db/schema-pg-source';

const path = resolve(import.meta.dirname, '..', PG_SCHEMA_PATH);
writeFileSync(path, await pgSchemaFile(path));
console.log(`Wrote ${PG_SCHEMA_PATH}`);
