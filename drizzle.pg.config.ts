// The PostgreSQL migrations (drizzle-pg/), from the schema generated from schema.ts:
// `npm run db:generate:pg`. drizzle.config.ts keeps SQLite's (drizzle/). See docs/postgres.md.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
	schema: './src/lib/server/db/schema.pg.ts',
	out: './drizzle-pg',
	dialect: 'postgresql',
	strict: true,
	verbose: true
});
