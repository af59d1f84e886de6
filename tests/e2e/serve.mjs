// Starts the production build for the browser tests on a fresh demo database:
// deletes the previous file, seeds the demo season with the CLI, then runs build/server.js
// in this process (so stopping this process stops the server).
// Usage (from playwright.config.ts): HONORBOARD_E2E_DB=/tmp/…/e2e.db PORT=… ORIGIN=… node tests/e2e/serve.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '../..');
// A separate variable from DATABASE_URL, so that this script never deletes a database by accident.
const dbPath = process.env.HONORBOARD_E2E_DB;
if (!dbPath) {
	console.error('HONORBOARD_E2E_DB is not set: refusing to guess which database to delete');
	process.exit(2);
}
const entry = join(root, 'build/server.js');
if (!existsSync(entry)) {
	console.error('build/server.js is missing: run `npm run build` first');
	process.exit(2);
}

for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(dbPath + suffix, { force: true });
mkdirSync(dirname(dbPath), { recursive: true });
process.env.DATABASE_URL = dbPath;

const seeded = spawnSync(
	process.execPath,
	[join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'scripts/cli.ts'), 'seed-demo'],
	{ cwd: root, env: process.env, stdio: 'inherit' }
);
if (seeded.status !== 0) {
	console.error(`seed-demo failed (exit ${seeded.status ?? seeded.signal})`);
	process.exit(1);
}

await import(pathToFileURL(entry).href);
