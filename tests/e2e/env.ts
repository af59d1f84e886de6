// Where the browser tests' server listens and which database it uses. Shared by
// playwright.config.ts (which starts the server) and the specs (which may read the database).
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const E2E_PORT = Number(process.env.E2E_PORT ?? 4391);
// Note: the URL must equal the server's ORIGIN, or SvelteKit rejects form posts.
export const E2E_URL = `http://localhost:${E2E_PORT}`;
// One folder per port: two runs on one machine collide on the port first, which Playwright reports.
export const E2E_DB = join(tmpdir(), `honorboard-e2e-${E2E_PORT}`, 'e2e.db');
