import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** A TCP port of 127.0.0.1 that nothing listens on now (the OS picks it). */
export function freePort(): Promise<number> {
	return new Promise((done, fail) => {
		const probe = createServer();
		probe.once('error', fail);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => done(port));
		});
	});
}

export interface RunningServer {
	url: string;
	port: number;
	dbPath: string;
	process: ChildProcess;
	output: () => string;
	/** SIGTERM, then wait for exit; returns the exit code. */
	stop: () => Promise<number | null>;
	/** Stops the server and removes its temp folder (unless the database was given). */
	dispose: () => Promise<void>;
}

/**
 * Starts the production build (`node build/server.js`) on a free port (or `port`, to restart a
 * server where its clients expect it) with its own database (a fresh temp file unless `dbPath`
 * is given), the way an operator runs it.
 */
export async function startServer(
	options: { dbPath?: string; port?: number; env?: Record<string, string> } = {}
): Promise<RunningServer> {
	const entry = join(ROOT, 'build/server.js');
	if (!existsSync(entry)) throw new Error('build/server.js is missing: run `npm run build` first');
	const dir = options.dbPath ? null : mkdtempSync(join(tmpdir(), 'honorboard-server-'));
	const dbPath = options.dbPath ?? join(dir!, 'server.db');
	const port = options.port ?? (await freePort());
	const url = `http://localhost:${port}`;
	const child = spawn(process.execPath, [entry], {
		cwd: ROOT,
		env: {
			...process.env,
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: url,
			DATABASE_URL: dbPath,
			// Test receivers listen on 127.0.0.1: let webhooks reach them (a test of the refusal
			// passes WEBHOOKS_ALLOW_PRIVATE: '').
			WEBHOOKS_ALLOW_PRIVATE: 'true',
			...options.env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let log = '';
	child.stdout!.on('data', (chunk) => (log += chunk));
	child.stderr!.on('data', (chunk) => (log += chunk));
	const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
	await new Promise<void>((ready, fail) => {
		const timer = setTimeout(
			() => fail(new Error(`server did not start in 60 s:\n${log}`)),
			// Seconds on a quiet machine; a busy CI runner, two test files starting theirs at
			// once, may need many more (a start that fails here skips the file's tests).
			60_000
		);
		const check = () => {
			if (log.includes('Honorboard is running')) {
				clearTimeout(timer);
				ready();
			}
		};
		child.stdout!.on('data', check);
		child.once('exit', (code) => {
			clearTimeout(timer);
			fail(new Error(`server exited with ${code}:\n${log}`));
		});
	});
	const stop = async () => {
		if (child.exitCode === null) child.kill('SIGTERM');
		return exited;
	};
	return {
		url,
		port,
		dbPath,
		process: child,
		output: () => log,
		stop,
		dispose: async () => {
			await stop();
			if (dir) rmSync(dir, { recursive: true, force: true });
		}
	};
}

/**
 * Runs the CLI against a database, as a production install does (`node build/cli.js …`, the
 * bundle `npm run build` writes from scripts/cli.ts); resolves with its output.
 */
export function runCli(
	args: string[],
	dbPath: string
): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((done) => {
		const child = spawn(process.execPath, [join(ROOT, 'build/cli.js'), ...args], {
			cwd: ROOT,
			env: { ...process.env, DATABASE_URL: dbPath },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c) => (stdout += c));
		child.stderr.on('data', (c) => (stderr += c));
		child.on('exit', (code) => done({ code, stdout, stderr }));
	});
}
