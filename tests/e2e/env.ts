// Where the browser tests' server listens and which database it uses. Shared by
// playwright.config.ts (which starts the server) and the specs (which may read the database).
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const E2E_PORT = Number(process.env.E2E_PORT ?? 4391);
// Note: the URL must equal the server's ORIGIN, or SvelteKit rejects form posts.
export const E2E_URL = `http://localhost:${E2E_PORT}`;
// One folder per port: two runs on one machine collide on the port first, which Playwright reports.
export const E2E_DB = join(tmpdir(), `honorboard-e2e-${E2E_PORT}`, 'e2e.db');

/** The dialect the run uses: SQLite (the default) or a throwaway PostgreSQL (`E2E_DATABASE=postgres`). */
export const E2E_DATABASE = dialect(process.env.E2E_DATABASE);
// serve.mjs starts that PostgreSQL on this port, which the specs must know before it runs.
export const E2E_PG_PORT = Number(process.env.E2E_PG_PORT ?? E2E_PORT + 1000);
/** The server's DATABASE_URL: the SQLite file, or the database of serve.mjs's cluster. */
export const E2E_DATABASE_URL =
	E2E_DATABASE === 'postgres' ? `postgres://honorboard@127.0.0.1:${E2E_PG_PORT}/postgres` : E2E_DB;

function dialect(name: string | undefined): 'sqlite' | 'postgres' {
	if (!name || name === 'sqlite') return 'sqlite';
	if (name === 'postgres') return name;
	throw new Error(`E2E_DATABASE=${name}: expected sqlite or postgres`);
}
