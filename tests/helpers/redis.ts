// A throwaway Redis for the tests that need one: Debian's `redis-server` (CI installs it) on a
// free port of 127.0.0.1, nothing saved to disk, its own temp folder, stopped afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server';

const HOW_TO_INSTALL =
	'redis-server was not found: the multi-node tests need it ' +
	'(Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`), ' +
	'or set REDIS_SERVER to its path.';

export interface TestRedis {
	url: string;
	port: number;
	/** Stops the server (SIGTERM) and removes its folder. */
	stop(): Promise<void>;
	/** Kills the server (SIGKILL: no goodbye to its clients, the way a crash or OOM kill ends it). */
	kill(): Promise<void>;
	/**
	 * Stops the server in its tracks (SIGSTOP): connections stay open, commands get no answer,
	 * like a Redis that hangs. kill() then ends it with those commands unanswered.
	 */
	freeze(): void;
	/** Lets a frozen server go on (SIGCONT): it answers what waited, in order. */
	thaw(): void;
}

/** Whether Redis answers PING on the port. */
function answers(port: number): Promise<boolean> {
	return new Promise((done) => {
		const socket = connect(port, '127.0.0.1');
		let reply = '';
		socket.setTimeout(1000, () => socket.destroy());
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			reply += chunk;
			if (reply.includes('\r\n')) socket.end();
		});
		socket.once('close', () => done(reply.startsWith('+PONG')));
		socket.once('error', () => done(false));
	});
}

/** Starts a Redis on a free port, or on `port` (to bring one back where its clients expect it). */
export async function startRedis(options: { port?: number } = {}): Promise<TestRedis> {
	const bin = process.env.REDIS_SERVER || 'redis-server';
	if (spawnSync(bin, ['--version']).status !== 0) throw new Error(HOW_TO_INSTALL);
	const dir = mkdtempSync(join(tmpdir(), 'honorboard-redis-'));
	const port = options.port ?? (await freePort());
	const child = spawn(
		bin,
		// No snapshots, no append-only file: the server lives for one test file.
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
		{ cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }
	);
	child.stdout.resume();
	let log = '';
	child.stderr.on('data', (chunk) => (log += chunk));
	const exited = new Promise<void>((done) => child.once('exit', () => done()));
	const end = async (signal: NodeJS.Signals) => {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill(signal);
			// A frozen server takes SIGTERM only once it runs again.
			if (signal !== 'SIGKILL') child.kill('SIGCONT');
		}
		await exited;
		rmSync(dir, { recursive: true, force: true });
	};
	const stop = () => end('SIGTERM');
	const started = Date.now();
	while (!(await answers(port))) {
		if (child.exitCode !== null || Date.now() - started > 10_000) {
			await stop();
			throw new Error(`redis-server did not start on port ${port}:\n${log}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return {
		url: `redis://127.0.0.1:${port}`,
		port,
		stop,
		kill: () => end('SIGKILL'),
		freeze: () => void child.kill('SIGSTOP'),
		thaw: () => void child.kill('SIGCONT')
	};
}
