// A throwaway PostgreSQL for the tests that need one: its own cluster in a temp folder, started
// from the server binaries (Debian's `postgresql` package; CI installs it) and removed afterwards.
// PostgreSQL refuses to run as root: as root (CI), the cluster belongs to the `postgres` user the
// package creates (else `nobody`) and its programs run through `runuser`. With PG_TEST_URL set,
// a server of your own is used instead (a fresh database in it, dropped afterwards).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	chownSync,
	existsSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	realpathSync,
	renameSync,
	rmSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

/** The port the tests' cluster listens on (127.0.0.1 only); PG_TEST_PORT moves it. */
export const PG_TEST_PORT = Number(process.env.PG_TEST_PORT) || 48660;

const HOW_TO_INSTALL = [
	'PostgreSQL server programs (initdb, postgres) were not found: the PostgreSQL tests need them.',
	'Install them (Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql@15`)',
	'and put their folder on PATH or in PG_BIN (e.g. PG_BIN=/usr/lib/postgresql/15/bin),',
	'or set PG_TEST_URL=postgres://user@host:port/db to a server where that user may create databases.'
].join('\n');

export interface TestPostgres {
	/** A connection string to an empty database. */
	url: string;
	stop(): Promise<void>;
}

/** The folder holding initdb and postgres: PG_BIN, Debian's newest version, else PATH. */
function serverBin(): string {
	const candidates = [process.env.PG_BIN ?? ''];
	const debian = '/usr/lib/postgresql';
	if (existsSync(debian))
		candidates.push(
			...readdirSync(debian)
				.sort((a, b) => Number(b) - Number(a))
				.map((version) => join(debian, version, 'bin'))
		);
	candidates.push(...(process.env.PATH ?? '').split(delimiter));
	const found = candidates.find(
		(dir) => dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))
	);
	if (!found) throw new Error(HOW_TO_INSTALL);
	return found;
}

/** Who runs the cluster when this process is root; null when it is not root. */
function clusterUser(): { name: string; uid: number; gid: number } | null {
	if (process.getuid?.() !== 0) return null;
	for (const name of ['postgres', 'nobody']) {
		const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
		const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
		if (uid.status === 0 && gid.status === 0)
			return { name, uid: Number(uid.stdout), gid: Number(gid.stdout) };
	}
	throw new Error(
		'Running as root, but neither a `postgres` nor a `nobody` user exists to run PostgreSQL'
	);
}

/** A command line, run as the cluster's user when this process is root. */
function asUser(user: ReturnType<typeof clusterUser>, command: string, args: string[]) {
	return user
		? { command: 'runuser', args: ['-u', user.name, '--', command, ...args] }
		: { command, args };
}

/**
 * A short-lived client: a cluster another test file stops under it ends its connection with
 * FATAL 57P01, which pg emits as 'error' when no query waits for it; with no listener that was an
 * uncaught exception, charged to whichever test file ran then. The call that used it fails instead.
 */
function shortClient(url: string, timeout?: number): pg.Client {
	const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeout });
	client.on('error', () => {});
	return client;
}

async function connects(url: string): Promise<boolean> {
	const client = shortClient(url, 1000);
	try {
		await client.connect();
		return true;
	} catch {
		return false;
	} finally {
		await client.end().catch(() => {});
	}
}

/** The data directory of the server that answers at `url`, or null when none answers. */
async function dataDirectoryAt(url: string): Promise<string | null> {
	const client = shortClient(url, 1000);
	try {
		await client.connect();
		const { rows } = await client.query<{ data_directory: string }>('show data_directory');
		return rows[0].data_directory;
	} catch {
		return null;
	} finally {
		await client.end().catch(() => {});
	}
}

/** A fresh database on the server PG_TEST_URL names. */
async function databaseOn(serverUrl: string): Promise<TestPostgres> {
	const name = `honorboard_test_${process.pid}_${Date.now()}`;
	const admin = shortClient(serverUrl);
	await admin.connect();
	await admin.query(`CREATE DATABASE ${name}`);
	await admin.end();
	const url = new URL(serverUrl);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		async stop() {
			const client = shortClient(serverUrl);
			await client.connect();
			await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
			await client.end();
		}
	};
}

/**
 * The postgres command line, in a shell that removes `dir` once postgres has stopped cleanly: a
 * signal to the owner's process group stops the cluster too, but may end the owner (or tsx may
 * SIGKILL it when it answers the relayed signal late) before it removes the folder; this left
 * /tmp/honorboard-pg-* folders behind. The shell ignores those signals (postgres sets its own) so
 * that it lives to remove the folder; a postgres that failed to start (exit code ≠ 0, a port
 * taken) leaves it for the next port.
 */
function removingDirAfter(command: string, args: string[], dir: string) {
	return {
		command: 'sh',
		args: [
			'-c',
			'trap "" INT TERM HUP; dir=$1; shift; "$@" && rm -rf "$dir"',
			'sh',
			dir,
			command,
			...args
		]
	};
}

/**
 * A postgres process on `port`, once it answers; null when the port was taken. `detached` puts it
 * in a process group of its own: a signal to the caller's group does not reach it. `ownsDir`:
 * `dir` goes with the cluster once it stops.
 */
async function serve(
	user: ReturnType<typeof clusterUser>,
	bin: string,
	dir: string,
	port: number,
	options: { detached?: boolean; ownsDir?: boolean } = {}
): Promise<TestPostgres | null> {
	const { detached = false, ownsDir = false } = options;
	const data = join(dir, 'data');
	const url = `postgres://honorboard@127.0.0.1:${port}/postgres`;
	if (await connects(url)) return null;
	// Durability off: the cluster lives for one test file.
	const settings = {
		port,
		listen_addresses: '127.0.0.1',
		unix_socket_directories: dir,
		fsync: 'off',
		synchronous_commit: 'off',
		full_page_writes: 'off'
	};
	const postgres = [
		join(bin, 'postgres'),
		'-D',
		data,
		...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])
	];
	const wrapped = ownsDir
		? removingDirAfter(postgres[0], postgres.slice(1), dir)
		: { command: postgres[0], args: postgres.slice(1) };
	const server = asUser(user, wrapped.command, wrapped.args);
	const child: ChildProcess = spawn(server.command, server.args, {
		cwd: dir,
		detached,
		stdio: ['ignore', 'ignore', 'pipe']
	});
	let log = '';
	child.stderr?.on('data', (chunk) => (log += chunk));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const stop = async () => {
		// The postmaster itself, not runuser in front of it: SIGINT is a fast shutdown.
		const pidFile = join(data, 'postmaster.pid');
		const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
		try {
			if (pid > 0 && child.exitCode === null) process.kill(pid, 'SIGINT');
			else child.kill('SIGINT');
		} catch {
			// The postmaster ended between reading its pid and the signal (a signal to the whole
			// process group stops it too): it is stopped, which is what was asked.
		}
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
		clearTimeout(timer);
	};
	const started = Date.now();
	for (;;) {
		const answering = await dataDirectoryAt(url);
		// Two test files starting at once both find the port free; the one whose server lost it
		// would otherwise take the other's server for its own (and stop it under the other file).
		if (answering !== null && realpathSync(answering) === realpathSync(data)) break;
		if (answering !== null) {
			await stop();
			return null;
		}
		if (child.exitCode !== null && /Address already in use/.test(log)) return null;
		if (child.exitCode !== null || Date.now() - started > 30_000) {
			await stop();
			throw new Error(`PostgreSQL did not start on port ${port}:\n${log}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return { url, stop };
}

/**
 * An empty cluster in `dir`/data, owned by the user that will run it: a copy of the one `initdb`
 * made for this server and user (`pristineCluster`). initdb took ~1 s of CPU and, beside a busy
 * test run, several seconds; the copy a tenth of that, for each of the ~100 clusters a run starts.
 */
function initCluster(user: ReturnType<typeof clusterUser>, bin: string, dir: string) {
	if (user) chownSync(dir, user.uid, user.gid);
	// `cp -a` keeps the files' owner (the cluster's user when this process is root) and modes.
	const copied = spawnSync('cp', ['-a', pristineCluster(user, bin), join(dir, 'data')], {
		encoding: 'utf8'
	});
	if (copied.status !== 0)
		throw new Error(`Copying the initialised cluster failed:\n${copied.stderr}`);
}

/**
 * The folder of a cluster fresh from `initdb`, made once for these server programs and this
 * user and kept in the temp folder (~40 MB) for the next clusters and test runs. Made in a
 * folder of its own and renamed into place, so that a test file never copies a half-made one;
 * when two files make it at once, the first rename wins and the other's copy is removed.
 */
function pristineCluster(user: ReturnType<typeof clusterUser>, bin: string): string {
	const options = ['--username=honorboard', '--auth=trust', '--encoding=UTF8', '--locale=C'];
	const owner = user ? user.name : String(process.getuid?.() ?? 'user');
	// Other programs, another user or other options make another cluster.
	const key = createHash('sha256')
		.update(JSON.stringify([realpathSync(join(bin, 'initdb')), owner, options]))
		.digest('hex')
		.slice(0, 12);
	const pristine = join(tmpdir(), `honorboard-pg-initdb-${key}`);
	if (existsSync(pristine)) return pristine;
	const scratch = mkdtempSync(join(tmpdir(), 'honorboard-pg-initdb-new-'));
	try {
		if (user) chownSync(scratch, user.uid, user.gid);
		const init = asUser(user, join(bin, 'initdb'), [
			`--pgdata=${join(scratch, 'data')}`,
			...options,
			'--no-sync'
		]);
		const initialised = spawnSync(init.command, init.args, { cwd: scratch, encoding: 'utf8' });
		if (initialised.status !== 0)
			throw new Error(`initdb failed:\n${initialised.stderr || initialised.error?.message}`);
		try {
			renameSync(join(scratch, 'data'), pristine);
		} catch (error) {
			if (!existsSync(pristine)) throw error;
		}
		return pristine;
	} finally {
		rmSync(scratch, { recursive: true, force: true });
	}
}

/**
 * Starts a PostgreSQL of its own (or uses PG_TEST_URL's server) and gives an empty database.
 * The port is PG_TEST_PORT or, when something holds it (a client's ephemeral port can), one of
 * the next nine.
 */
export async function startPostgres(): Promise<TestPostgres> {
	if (process.env.PG_TEST_URL) return databaseOn(process.env.PG_TEST_URL);
	const bin = serverBin();
	const user = clusterUser();
	const dir = mkdtempSync(join(tmpdir(), 'honorboard-pg-'));
	try {
		initCluster(user, bin, dir);
		for (let port = PG_TEST_PORT; port < PG_TEST_PORT + 10; port++) {
			const server = await serve(user, bin, dir, port, { ownsDir: true });
			if (server)
				return {
					url: server.url,
					async stop() {
						try {
							await server.stop();
						} finally {
							rmSync(dir, { recursive: true, force: true });
						}
					}
				};
		}
		throw new Error(`Ports ${PG_TEST_PORT}-${PG_TEST_PORT + 9} are all taken: set PG_TEST_PORT`);
	} catch (error) {
		rmSync(dir, { recursive: true, force: true });
		throw error;
	}
}

/**
 * A cluster in the empty folder `dir` on exactly `port`, for a server whose clients know the
 * port in advance (the browser tests' server, tests/e2e/serve.mjs). It runs in a process group of
 * its own, so that it outlives a signal to its owner's group; its postmaster's pid is the first
 * line of `dir`/data/postmaster.pid. Its `stop` leaves `dir` to its owner. Fails when the port is
 * taken.
 */
export async function startPostgresIn(dir: string, port: number): Promise<TestPostgres> {
	const bin = serverBin();
	const user = clusterUser();
	initCluster(user, bin, dir);
	const server = await serve(user, bin, dir, port, { detached: true });
	if (!server) throw new Error(`Port ${port} is taken: PostgreSQL cannot listen there`);
	return server;
}
