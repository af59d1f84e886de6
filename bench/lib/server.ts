// Starts the production build for a benchmark, the way tests/helpers/server.ts does, but bound
// to 127.0.0.1 (ORIGIN included, so that form posts pass SvelteKit's origin check) and with a
// bounded log. Also runs the CLI and reads a process's memory and CPU from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import {
	cpSync,
	createWriteStream,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync
} from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
const SERVER_ENTRY = join(ROOT, 'build/server.js');

/** Says what to do when the production build is missing; null when it is there. */
export function missingBuild(): string | null {
	const needed = [SERVER_ENTRY, join(ROOT, 'build/handler.js')];
	const missing = needed.filter((file) => !existsSync(file));
	if (missing.length === 0) return null;
	return `${missing.map((f) => f.slice(ROOT.length + 1)).join(' and ')} missing: run \`npm run build\` first (the benchmark measures the production build and does not build it).`;
}

/**
 * Copies build/ to a private folder under bench/results/ (so that packages and drizzle/ still
 * resolve from the project) and returns its server.js: a rebuild in the same checkout while the
 * benchmark runs cannot swap the files of the running server (SvelteKit loads route chunks
 * lazily). Call the returned remove() when done.
 */
export function snapshotBuild(from = join(ROOT, 'build')): { entry: string; remove: () => void } {
	const parent = join(ROOT, 'bench/results');
	mkdirSync(parent, { recursive: true });
	const dir = mkdtempSync(join(parent, '.build-'));
	cpSync(from, dir, { recursive: true });
	if (!existsSync(join(dir, 'server.js')) || !existsSync(join(dir, 'handler.js'))) {
		rmSync(dir, { recursive: true, force: true });
		throw new Error(
			'build/ changed while it was being copied (a build is running?): try again once `npm run build` has finished'
		);
	}
	return {
		entry: join(dir, 'server.js'),
		remove: () => rmSync(dir, { recursive: true, force: true })
	};
}

function freePort(): Promise<number> {
	return new Promise((done, fail) => {
		const probe = createServer();
		probe.once('error', fail);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => done(port));
		});
	});
}

export interface BenchServer {
	url: string;
	pid: number;
	process: ChildProcess;
	/** The last 64 KiB of the server's stdout and stderr. */
	output: () => string;
	/** SIGTERM, wait up to 15 s (then SIGKILL); resolves with the exit code or signal. */
	stop: () => Promise<string>;
}

const LOG_LIMIT = 64 * 1024;

export async function startBenchServer(
	dbPath: string,
	options: {
		env?: Record<string, string>;
		entry?: string;
		nodeArgs?: string[];
		port?: number;
		startTimeoutMs?: number;
		/** An alias of startTimeoutMs. */
		readyTimeoutMs?: number;
		/** Also writes the server's whole stdout and stderr to this file (output() keeps 64 KiB). */
		logFile?: string;
	} = {}
): Promise<BenchServer> {
	const env = options.env ?? {};
	const port = options.port ?? (await freePort());
	const startTimeout = options.startTimeoutMs ?? options.readyTimeoutMs ?? 20_000;
	const url = `http://127.0.0.1:${port}`;
	const child = spawn(
		process.execPath,
		[...(options.nodeArgs ?? []), options.entry ?? SERVER_ENTRY],
		{
			cwd: ROOT,
			env: {
				...process.env,
				NODE_ENV: 'production',
				PORT: String(port),
				HOST: '127.0.0.1',
				ORIGIN: url,
				DATABASE_URL: dbPath,
				...env
			},
			stdio: ['ignore', 'pipe', 'pipe']
		}
	);
	let log = '';
	const whole = options.logFile ? createWriteStream(options.logFile) : null;
	if (whole) child.once('exit', () => whole.end());
	const append = (chunk: Buffer) => {
		whole?.write(chunk);
		log += chunk.toString();
		if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT);
	};
	child.stdout!.on('data', append);
	child.stderr!.on('data', append);
	const exited = new Promise<string>((done) =>
		child.once('exit', (code, signal) =>
			done(code !== null ? `exit code ${code}` : `signal ${signal}`)
		)
	);
	await new Promise<void>((ready, fail) => {
		const timer = setTimeout(() => {
			// Not left listening on its port after the benchmark gives up on it.
			child.kill('SIGKILL');
			fail(new Error(`server did not start in ${startTimeout / 1000} s:\n${log}`));
		}, startTimeout);
		const check = () => {
			if (log.includes('Honorboard is running')) {
				clearTimeout(timer);
				child.stdout!.off('data', check);
				child.off('exit', early);
				ready();
			}
		};
		const early = (code: number | null) => {
			clearTimeout(timer);
			fail(new Error(`server exited with ${code} before it was ready:\n${log}`));
		};
		child.stdout!.on('data', check);
		child.once('exit', early);
	});
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
			const result = await exited;
			clearTimeout(killer);
			return result;
		}
		return exited;
	};
	return { url, pid: child.pid!, process: child, output: () => log, stop };
}

/**
 * Signs in through the login form and returns the session cookie (`session=…`), as a browser
 * or a TV's kiosk gets it; throws with the answer when there is none.
 */
export async function signIn(
	url: string,
	email: string,
	password: string,
	signal?: AbortSignal
): Promise<string> {
	const response = await fetch(url + '/login', {
		method: 'POST',
		body: new URLSearchParams({ email, password }),
		headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' },
		redirect: 'manual',
		signal
	});
	const cookie = response.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.find((c) => c.startsWith('session='));
	if (!cookie) {
		const text = await response.text();
		throw new Error(
			`sign-in as ${email} failed (${response.status}): no session cookie. ${text.slice(0, 300)}`
		);
	}
	await response.arrayBuffer().catch(() => undefined);
	return cookie;
}

/** Runs `tsx scripts/cli.ts …` against a database. */
export function runCli(
	args: string[],
	dbPath: string
): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((done) => {
		const child = spawn(
			process.execPath,
			[join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/cli.ts'), ...args],
			{
				cwd: ROOT,
				env: { ...process.env, DATABASE_URL: dbPath },
				stdio: ['ignore', 'pipe', 'pipe']
			}
		);
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c) => (stdout += c));
		child.stderr.on('data', (c) => (stderr += c));
		child.on('exit', (code) => done({ code, stdout, stderr }));
	});
}

/** Seeds the demo season into a new database and creates an API token for it; returns the token. */
export async function seedDemoWithToken(dbPath: string): Promise<string> {
	const seeded = await runCli(['seed-demo'], dbPath);
	if (seeded.code !== 0)
		throw new Error(`seed-demo failed (${seeded.code}):\n${seeded.stdout}${seeded.stderr}`);
	const created = await runCli(['token', 'create', '--name', 'bench'], dbPath);
	// The token is the last line the command prints.
	const token = created.stdout.trim().split('\n').pop()?.trim() ?? '';
	if (created.code !== 0 || !token)
		throw new Error(`token create failed (${created.code}):\n${created.stdout}${created.stderr}`);
	return token;
}

/** VmRSS and VmHWM (peak RSS) of a process in MiB, from /proc/<pid>/status; null if gone. */
export function procMemory(pid: number | 'self'): { rssMiB: number; hwmMiB: number } | null {
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const kib = (field: string) =>
			Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
		return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
	} catch {
		return null;
	}
}

// USER_HZ is 100 on every Linux this runs on (getconf CLK_TCK).
const CLOCK_TICKS = 100;

/**
 * User + system CPU seconds a process has used so far, from /proc/<pid>/stat (with `thread`, one
 * of its threads' alone: /proc/<pid>/task/<thread>/stat; its main thread's id is its pid); null
 * if gone.
 */
export function procCpuSeconds(pid: number, thread?: number): number | null {
	try {
		const stat = readFileSync(
			thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`,
			'utf8'
		);
		// Fields after the command name, which is in parentheses and may contain spaces.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
		return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
	} catch {
		return null;
	}
}

/** Machine-wide CPU seconds so far (all cores), from /proc/stat: busy, idle, and steal. */
export function systemCpuSeconds(): { busy: number; idle: number; steal: number } | null {
	try {
		const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
		// cpu user nice system idle iowait irq softirq steal guest guest_nice
		const [user, nice, system, idle, iowait, irq, softirq, steal] = line
			.trim()
			.split(/\s+/)
			.slice(1)
			.map(Number);
		return {
			busy: (user + nice + system + irq + softirq) / CLOCK_TICKS,
			idle: (idle + iowait) / CLOCK_TICKS,
			steal: (steal ?? 0) / CLOCK_TICKS
		};
	} catch {
		return null;
	}
}

/** The 1-minute load average. */
export function loadAverage(): number | null {
	try {
		return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
	} catch {
		return null;
	}
}
