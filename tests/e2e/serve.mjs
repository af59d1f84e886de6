// Starts the production build for the browser tests on a fresh demo database:
// deletes the previous file, copies build/, seeds the demo season with its CLI, then runs build/server.js
// in this process (so stopping this process stops the server).
// With HONORBOARD_E2E_PG_PORT the database is PostgreSQL instead: a throwaway cluster in the
// file's folder (`pg/`, the previous one stopped and deleted first) on that port, started as the
// PostgreSQL tests start theirs (tests/helpers/postgres.ts). Playwright stops the server with
// SIGTERM to this process's group; the cluster is in a group of its own, so that the server's
// shutdown can still write (it releases its import jobs), and is stopped when this process exits.
// Usage (playwright.config.ts does this):
//   HONORBOARD_E2E_DB=/tmp/…/e2e.db [HONORBOARD_E2E_PG_PORT=…] PORT=… ORIGIN=… node tests/e2e/serve.mjs
import { spawnSync } from 'node:child_process';
import {
	cpSync,
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	symlinkSync
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '../..');
// A separate variable from DATABASE_URL, so that this script never deletes a database by accident.
const dbPath = process.env.HONORBOARD_E2E_DB;
if (!dbPath) {
	console.error('HONORBOARD_E2E_DB is not set: refusing to guess which database to delete');
	process.exit(2);
}
const workDir = dirname(dbPath);

for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(dbPath + suffix, { force: true });
mkdirSync(workDir, { recursive: true });

// Serve a private copy of build/: a rebuild during the run (several people share this checkout)
// would otherwise delete the files the running server reads, and sirv crashes on a missing file.
// node_modules is linked beside the copy so that the bundle's package imports still resolve;
// the migrations are found from the working directory (the repository root).
const app = join(workDir, 'app');
// Removes the old node_modules link itself, never what it points to.
rmSync(app, { recursive: true, force: true });
await snapshotBuild(join(root, 'build'), join(app, 'build'));
symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');

const cluster = process.env.HONORBOARD_E2E_PG_PORT
	? await startCluster(Number(process.env.HONORBOARD_E2E_PG_PORT))
	: null;
process.env.DATABASE_URL = cluster?.url ?? dbPath;

// The demo, seeded by the copy's CLI (the bundle a production install runs), before the server.
const seeded = spawnSync(process.execPath, [join(app, 'build/cli.js'), 'seed-demo'], {
	cwd: root,
	env: process.env,
	stdio: 'inherit'
});
if (seeded.status !== 0) {
	console.error(`seed-demo failed (exit ${seeded.status ?? seeded.signal})`);
	await cluster?.stop();
	process.exit(1);
}

await import(pathToFileURL(join(app, 'build/server.js')).href);

/** A fresh PostgreSQL cluster in the work folder, listening on `port`, stopped at this process's exit. */
async function startCluster(port) {
	const dir = join(workDir, 'pg');
	const pidFile = join(dir, 'data/postmaster.pid');
	// A run killed with SIGKILL (Playwright's last resort) left its cluster running.
	if (stopPostmaster(pidFile))
		for (let waited = 0; existsSync(pidFile) && waited < 100; waited += 1) await sleep(100);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir);
	process.on('exit', () => stopPostmaster(pidFile));
	// The helper is TypeScript: tsx loads it (and only it), the server bundle is plain JS.
	const { tsImport } = await import('tsx/esm/api');
	const { startPostgresIn } = await tsImport('../helpers/postgres.ts', import.meta.url);
	return startPostgresIn(dir, port);
}

/**
 * A fast shutdown (SIGINT) of the postmaster whose pid file this is, if it still runs; true if it
 * did. The pid must still be a postgres of that data folder (Linux's /proc): a pid file left by a
 * killed run may name a pid some other process has since.
 */
function stopPostmaster(pidFile) {
	try {
		const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
		const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
		if (!command.includes(dirname(pidFile))) return false;
		process.kill(pid, 'SIGINT');
		return true;
	} catch {
		// No pid file, or the process is gone.
		return false;
	}
}

/**
 * Copies a complete build: `npm run build` deletes build/, writes handler.js and then server.js,
 * so a build is complete when server.js is at least as new as handler.js and nothing changed
 * while copying. Two builds running at once can also leave a mix of both in build/, so the copy
 * must have the same version hash in its server and client halves. Waits (up to a minute) for a
 * build that is running right now.
 */
async function snapshotBuild(from, to) {
	const stamp = () => {
		const [handler, server] = ['handler.js', 'server.js'].map((file) => join(from, file));
		if (!existsSync(handler) || !existsSync(server)) return null;
		const [h, s] = [statSync(handler).mtimeMs, statSync(server).mtimeMs];
		return s >= h ? `${h}:${s}` : null;
	};
	let problem = 'build/server.js is missing';
	for (let attempt = 0; attempt < 60; attempt += 1) {
		const before = stamp();
		if (before) {
			rmSync(to, { recursive: true, force: true });
			try {
				cpSync(from, to, { recursive: true });
				problem = stamp() === before ? mismatch(to) : 'build/ changed while it was copied';
				if (!problem) return;
			} catch (error) {
				problem = `build/ changed while it was copied (${error.code ?? error})`;
			}
		}
		await sleep(1_000);
	}
	console.error(`No usable build: ${problem}. Run \`npm run build\` (one at a time), then retry.`);
	process.exit(2);
}

/** Why the server and client halves of a build do not belong together, or '' when they do. */
function mismatch(build) {
	const found = (dir, pattern) => {
		const names = new Set();
		for (const file of readdirSync(join(build, dir), { recursive: true })) {
			if (!String(file).endsWith('.js')) continue;
			for (const match of readFileSync(join(build, dir, String(file)), 'utf8').matchAll(pattern)) {
				if (match[1] !== 'sw') names.add(match[1]);
			}
		}
		return [...names];
	};
	const server = found('server', /version_hash: ?"([a-z0-9]+)"/g);
	const client = found('client', /__sveltekit_([a-z0-9]+)/g);
	if (server.length === 1 && client.length === 1 && server[0] === client[0]) return '';
	const list = (names) => names.join(', ') || 'none';
	return `build/ mixes builds (server version ${list(server)}, client ${list(client)})`;
}
