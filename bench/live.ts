// Live leaderboard latency: N Socket.IO clients watch the demo season while S sales are posted
// through the API; for every (sale, client) pair, the time from the API's 2xx response to the
// client's first `leaderboard` push whose version includes the sale.
//
//   npm run build && npm run bench:live -- [--clients 500] [--sales 200] [--rate 20|max]
//                                          [--concurrency 8] [--pair-timeout 10] [--deadline 120]
//
// Everything runs on 127.0.0.1 against the production build (node build/server.js) and a fresh
// temp database; results go to bench/results/live-<timestamp>.json. See docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import {
	loadAverage,
	missingBuild,
	snapshotBuild,
	procCpuSeconds,
	procMemory,
	ROOT,
	seedDemoWithToken,
	signIn,
	startBenchServer,
	systemCpuSeconds,
	type BenchServer
} from './lib/server';
import { formatSummary, round, summarize, type Summary } from './lib/stats';
import { startRedis, type TestRedis } from '../tests/helpers/redis';
import { seededPostgres, type BenchPostgres } from './lib/postgres';

const USAGE = `Usage: npm run bench:live -- [options]

  --clients N             watching Socket.IO clients (default 500, at most 20000)
  --sales S               sales posted through POST /api/v1/sales (default 200, at most 100000)
  --rate R|max            sales per second, sent on a steady schedule (default 20);
                          "max" sends them as fast as --concurrency allows
  --concurrency C         requests in flight with --rate max (default 8)
  --connect-concurrency K clients connecting at the same time (default 100)
  --pair-timeout T        seconds a client may take to see a sale before the pair counts as
                          missing (default 10)
  --deadline D            abort the whole run after D seconds (default 120)
  --no-badges             deactivate every badge in the temp database before the server
                          starts, so that badge evaluation after each sale is left out and
                          the realtime path is measured alone
  --profile               run the server with --cpu-prof; the profile is written to
                          bench/results/profiles/ when the server stops
  --nodes N               N app nodes (1 to 4, default 1) on the one database, joined by a
                          throwaway redis-server (REDIS_URL): watchers and sales go to the
                          nodes in turn; server CPU and RSS are the nodes' sums
  --postgres              the nodes on a throwaway PostgreSQL cluster holding a copy of the
                          seeded file (PG_TEST_PORT, else BENCH_PORT + 60); its CPU (all the
                          cluster's processes, /proc) is reported apart from the server's

With --baseline, Honorboard and the bare stack (plain Socket.IO + better-sqlite3) run
interleaved in the same run with watchers over several client processes: see
\`npm run bench:live -- --baseline --help\`.

Needs the production build: run \`npm run build\` first.`;

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
	clients: number;
	sales: number;
	rate: number | 'max';
	concurrency: number;
	connectConcurrency: number;
	pairTimeoutMs: number;
	deadlineMs: number;
	profile: boolean;
	noBadges: boolean;
	nodes: number;
	postgres: boolean;
}

class UsageError extends Error {}

function readOptions(argv: string[]): Options | null {
	const { values } = parseArgs({
		args: argv,
		options: {
			clients: { type: 'string' },
			sales: { type: 'string' },
			rate: { type: 'string' },
			concurrency: { type: 'string' },
			'connect-concurrency': { type: 'string' },
			'pair-timeout': { type: 'string' },
			deadline: { type: 'string' },
			profile: { type: 'boolean' },
			'no-badges': { type: 'boolean' },
			nodes: { type: 'string' },
			postgres: { type: 'boolean' },
			help: { type: 'boolean', short: 'h' }
		}
	});
	if (values.help) return null;
	const int = (name: string, fallback: number, min: number, max: number) => {
		const raw = values[name as keyof typeof values];
		if (raw === undefined) return fallback;
		const n = Number(raw);
		if (!Number.isInteger(n) || n < min || n > max)
			throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
		return n;
	};
	const rateRaw = values.rate ?? '20';
	let rate: number | 'max';
	if (rateRaw === 'max') rate = 'max';
	else {
		rate = Number(rateRaw);
		if (!Number.isFinite(rate) || rate <= 0 || rate > 10_000)
			throw new UsageError('--rate must be a number of sales per second (0 < R ≤ 10000) or "max"');
	}
	return {
		clients: int('clients', 500, 1, 20_000),
		sales: int('sales', 200, 1, 100_000),
		rate,
		concurrency: int('concurrency', 8, 1, 256),
		connectConcurrency: int('connect-concurrency', 100, 1, 1000),
		pairTimeoutMs: int('pair-timeout', 10, 1, 120) * 1000,
		deadlineMs: int('deadline', 120, 10, 3600) * 1000,
		profile: values.profile ?? false,
		noBadges: values['no-badges'] ?? false,
		nodes: int('nodes', 1, 1, 4),
		postgres: values.postgres ?? false
	};
}

// ---------------------------------------------------------------------------------------------
// Run state

/** One watching client: the versions it was pushed and when (performance.now(), ms). */
interface Watcher {
	socket: Socket;
	versions: number[];
	times: number[];
	activity: number;
	outOfOrder: number;
	disconnects: number;
}

interface SaleResult {
	externalId: string;
	version: number;
	/** performance.now() when the 2xx response (headers and JSON body) had arrived. */
	respondedAt: number;
	/** Request round trip, ms. */
	apiMs: number;
}

const now = () => performance.now();
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

class Aborted extends Error {}

/** Sampling interval of the bench's event-loop delay histogram; subtracted from what it records. */
const LOOP_RESOLUTION_MS = 10;

let aborted: string | null = null;
const abortController = new AbortController();
function abort(reason: string) {
	if (aborted) return;
	aborted = reason;
	abortController.abort(new Aborted(reason));
}
function checkAborted() {
	if (aborted) throw new Aborted(aborted);
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function pool<T>(
	items: T[],
	limit: number,
	task: (item: T, index: number) => Promise<void>
): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			checkAborted();
			const i = next++;
			await task(items[i], i);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers (always 127.0.0.1)

async function api<T>(
	server: BenchServer,
	token: string,
	path: string,
	init: RequestInit = {}
): Promise<{ status: number; body: T }> {
	const response = await fetch(server.url + path, {
		...init,
		signal: abortController.signal,
		headers: {
			authorization: `Bearer ${token}`,
			'content-type': 'application/json',
			...(init.headers ?? {})
		}
	});
	const text = await response.text();
	let body: T;
	try {
		body = JSON.parse(text) as T;
	} catch {
		throw new Error(
			`${init.method ?? 'GET'} ${path} answered ${response.status} with non-JSON: ${text.slice(0, 200)}`
		);
	}
	return { status: response.status, body };
}

// ---------------------------------------------------------------------------------------------
// Clients

function connectWatcher(
	url: string,
	cookie: string,
	seasonId: number,
	timeoutMs: number
): Promise<Watcher> {
	return new Promise((done, fail) => {
		const socket = io(url, {
			transports: ['websocket'],
			extraHeaders: { cookie },
			forceNew: true,
			reconnection: false,
			timeout: timeoutMs
		});
		const watcher: Watcher = {
			socket,
			versions: [],
			times: [],
			activity: 0,
			outOfOrder: 0,
			disconnects: 0
		};
		// One frame per push: feed items ride in it (a push with only feed items keeps its version).
		socket.on('leaderboard', (snapshot: { version: number; activity?: unknown[] }) => {
			const at = now();
			watcher.activity += snapshot.activity?.length ?? 0;
			const last = watcher.versions.length
				? watcher.versions[watcher.versions.length - 1]
				: -Infinity;
			if (snapshot.version === last) return;
			if (snapshot.version < last) {
				watcher.outOfOrder++;
				return;
			}
			watcher.versions.push(snapshot.version);
			watcher.times.push(at);
		});
		socket.on('disconnect', () => watcher.disconnects++);
		const timer = setTimeout(() => {
			socket.disconnect();
			fail(new Error(`client did not connect and watch within ${timeoutMs} ms`));
		}, timeoutMs);
		socket.once('connect_error', (error) => {
			clearTimeout(timer);
			socket.disconnect();
			fail(new Error(`connect_error: ${error.message}`));
		});
		socket.once('connect', async () => {
			try {
				const ack = (await socket.timeout(timeoutMs).emitWithAck('watch', { seasonId })) as {
					version?: number;
					error?: { message: string };
				};
				clearTimeout(timer);
				if (typeof ack?.version !== 'number')
					throw new Error(`watch refused: ${ack?.error?.message ?? JSON.stringify(ack)}`);
				// The ack snapshot is where the client starts; a later push must be newer.
				watcher.versions.push(ack.version);
				watcher.times.push(now());
				done(watcher);
			} catch (error) {
				clearTimeout(timer);
				socket.disconnect();
				fail(error as Error);
			}
		});
	});
}

// ---------------------------------------------------------------------------------------------
// Sales

interface Product {
	sku: string;
	price: number;
	active?: boolean;
}

function makeSale(index: number, runId: string, products: Product[]) {
	const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];
	const lineCount = 1 + Math.floor(Math.random() * 3);
	const skus = new Set<string>();
	while (skus.size < Math.min(lineCount, products.length)) skus.add(pick(products).sku);
	return {
		externalId: `bench-${runId}-${index}`,
		seller: { email: `rep${1 + Math.floor(Math.random() * 20)}@demo.test` },
		occurredAt: new Date().toISOString(),
		lines: [...skus].map((sku) => ({
			sku,
			quantity: 1 + Math.floor(Math.random() * 3),
			unitPrice: products.find((p) => p.sku === sku)!.price
		}))
	};
}

/** Turns every badge off in the bench's own temp database (nothing else is touched). */
async function deactivateBadges(dbPath: string): Promise<number> {
	const { default: Database } = await import('better-sqlite3');
	const db = new Database(dbPath);
	try {
		return db.prepare('UPDATE badge SET active = 0 WHERE active = 1').run().changes;
	} catch (error) {
		throw new Error(`--no-badges could not update the badge table: ${(error as Error).message}`);
	} finally {
		db.close();
	}
}

/** The checked-out commit (read-only: git rev-parse) and when build/server.js was built. */
function gitCommit(): { commit: string | null; buildTime: string | null } {
	let commit: string | null = null;
	try {
		commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
			cwd: ROOT,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore']
		}).trim();
	} catch {
		commit = null;
	}
	let buildTime: string | null = null;
	try {
		buildTime = statSync(join(ROOT, 'build/server.js')).mtime.toISOString();
	} catch {
		buildTime = null;
	}
	return { commit, buildTime };
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
	// Honorboard against the bare stack, same run, several client processes: bench/lib/live-baseline.ts.
	if (process.argv.slice(2).includes('--baseline')) {
		const { runBaseline } = await import('./lib/live-baseline');
		return runBaseline(process.argv.slice(2));
	}
	let options: Options | null;
	try {
		options = readOptions(process.argv.slice(2));
	} catch (error) {
		if (
			error instanceof UsageError ||
			(error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
		) {
			console.error(`Error: ${(error as Error).message}\n\n${USAGE}`);
			return 2;
		}
		throw error;
	}
	if (!options) {
		console.log(USAGE);
		return 0;
	}
	return run(options);
}

async function run(options: Options): Promise<number> {
	const missing = missingBuild();
	if (missing) {
		console.error(`bench:live: ${missing}`);
		return 1;
	}

	const startedAt = new Date();
	const appInfo = gitCommit();
	const t0 = now();
	const elapsed = () => `${((now() - t0) / 1000).toFixed(1)} s`;
	const log = (message: string) => console.log(`[${elapsed().padStart(7)}] ${message}`);
	const deadline = setTimeout(
		() => abort(`deadline of ${options.deadlineMs / 1000} s reached`),
		options.deadlineMs
	);
	const onSignal = (signal: string) => abort(`${signal} received`);
	process.once('SIGINT', () => onSignal('SIGINT'));
	process.once('SIGTERM', () => onSignal('SIGTERM'));

	const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-'));
	const dbPath = join(dir, 'bench.db');
	let server: BenchServer | null = null;
	/** Every node; `server` is the first. */
	const servers: BenchServer[] = [];
	let redis: TestRedis | null = null;
	let postgres: BenchPostgres | null = null;
	let build: { entry: string; remove: () => void } | null = null;
	let failure: string | null = null;
	let badgesDeactivated: number | null = null;
	const watchers: Watcher[] = [];
	let memorySampler: ReturnType<typeof setInterval> | null = null;
	let serverExit = '';
	const samples: { t: number; serverRssMiB: number | null; benchRssMiB: number }[] = [];
	const phases: Record<string, Phase> = {};
	const benchCpu = () => {
		const u = process.cpuUsage();
		return (u.user + u.system) / 1e6;
	};
	const markPhase = (name: string) => {
		phases[name] = {
			serverRssMiB: server
				? round(servers.reduce((sum, s) => sum + (procMemory(s.pid)?.rssMiB ?? NaN), 0))
				: null,
			benchRssMiB: round(process.memoryUsage().rss / 2 ** 20),
			serverCpuS: server ? sumCpu(servers.map((s) => procCpuSeconds(s.pid))) : null,
			databaseCpuS: postgres?.cpuSeconds() ?? null,
			benchCpuS: round(benchCpu(), 2),
			system: systemCpuSeconds(),
			load1: loadAverage(),
			at: now()
		};
	};

	const sales: SaleResult[] = [];
	const saleErrors: { status: number | null; message: string }[] = [];
	let saleErrorCount = 0;
	let seasonId = 0;
	const connectErrors: string[] = [];
	let connectMs = 0;
	let salesWindowMs = 0;
	let salesStart = 0;
	let drainMs = 0;
	let serverHwmMiB: number | null = null;
	const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
	let exitCode = 0;

	try {
		// 1. A private copy of build/, then a fresh database: demo season, then an API token
		// (the last stdout line).
		build = snapshotBuild();
		log(`temp database ${dbPath}`);
		const token = await seedDemoWithToken(dbPath);
		log('seeded the demo season and created an API token');
		if (options.noBadges) {
			badgesDeactivated = await deactivateBadges(dbPath);
			log(`--no-badges: deactivated ${badgesDeactivated} badges`);
		}
		if (options.postgres) {
			postgres = await seededPostgres(dbPath, Number(process.env.BENCH_PORT ?? 4512) + 60);
			log(`PostgreSQL at ${postgres.url} holds a copy of the seeded file`);
		}
		checkAborted();

		// 2. The production server on 127.0.0.1.
		const profileDir = join(ROOT, 'bench/results/profiles');
		if (options.profile) mkdirSync(profileDir, { recursive: true });
		// Several nodes: one Redis joins them (docs/scale-out.md); the first node opens the file.
		const basePort = process.env.BENCH_PORT ? Number(process.env.BENCH_PORT) : undefined;
		if (options.nodes > 1) {
			redis = await startRedis({ port: basePort === undefined ? undefined : basePort + 10 });
			log(`redis-server on port ${redis.port}`);
		}
		for (let n = 0; n < options.nodes; n++) {
			const node = await startBenchServer(dbPath, {
				entry: build.entry,
				port: basePort === undefined ? undefined : basePort + n,
				env: {
					...(redis ? { REDIS_URL: redis.url } : {}),
					...(postgres ? { DATABASE_URL: postgres.url } : {})
				},
				nodeArgs: options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []
			});
			servers.push(node);
			node.process.once('exit', (code, signal) => {
				serverExit = code !== null ? `exit code ${code}` : `signal ${signal}`;
				if (!aborted && !stopping) abort(`a server stopped unexpectedly (${serverExit})`);
			});
		}
		server = servers[0];
		const pid = server.pid;
		const sample = () => {
			const mems = servers.map((s) => procMemory(s.pid));
			const mem = mems.every(Boolean)
				? {
						rssMiB: mems.reduce((sum, m) => sum + m!.rssMiB, 0),
						hwmMiB: mems.reduce((sum, m) => sum + m!.hwmMiB, 0)
					}
				: null;
			if (mem) serverHwmMiB = mem.hwmMiB;
			samples.push({
				t: round((now() - t0) / 1000, 2),
				serverRssMiB: mem ? round(mem.rssMiB) : null,
				benchRssMiB: round(process.memoryUsage().rss / 2 ** 20)
			});
		};
		sample();
		memorySampler = setInterval(sample, 250);
		markPhase('serverStarted');
		log(`server pid ${pid} listening on ${servers.map((s) => s.url).join(', ')}`);

		// 3. Season, products, a signed-in executive.
		const current = await api<{ id: number; name: string }>(
			server,
			token,
			'/api/v1/seasons/current'
		);
		if (current.status !== 200)
			throw new Error(
				`GET /api/v1/seasons/current answered ${current.status}: ${JSON.stringify(current.body)}`
			);
		seasonId = current.body.id;
		const productList = await api<{ entries: Product[] }>(
			server,
			token,
			`/api/v1/seasons/${seasonId}/products`
		);
		const products = productList.body.entries.filter((p) => p.active !== false);
		if (products.length === 0) throw new Error(`season ${seasonId} has no active products`);
		const cookie = await signIn(
			server.url,
			'executive@demo.test',
			'demo-password',
			abortController.signal
		);
		log(
			`season ${seasonId} "${current.body.name}", ${products.length} products; signed in as executive@demo.test`
		);

		// 4. N watching clients.
		const connectStart = now();
		const slots = Array.from({ length: options.clients }, (_, i) => i);
		let lastReport = now();
		await pool(slots, options.connectConcurrency, async (slot) => {
			try {
				// The nodes in turn.
				const url = servers[slot % servers.length].url;
				watchers.push(await connectWatcher(url, cookie, seasonId, 20_000));
			} catch (error) {
				connectErrors.push((error as Error).message);
				if (connectErrors.length >= Math.max(10, options.clients * 0.05))
					abort(`too many clients failed to connect: ${connectErrors[0]}`);
			}
			if (now() - lastReport > 2000) {
				lastReport = now();
				log(`  ${watchers.length}/${options.clients} clients watching`);
			}
		});
		checkAborted();
		connectMs = now() - connectStart;
		if (watchers.length === 0) throw new Error(`no client could watch: ${connectErrors[0]}`);
		log(
			`${watchers.length} clients watching (connected in ${(connectMs / 1000).toFixed(1)} s, ${connectErrors.length} failed)`
		);
		await sleep(500); // let connection set-up garbage settle before the measured window
		markPhase('clientsConnected');

		// 5. Sales through the API.
		const runId = startedAt.getTime().toString(36);
		const post = async (index: number) => {
			const body = makeSale(index, runId, products);
			const sentAt = now();
			try {
				const response = await fetch(servers[index % servers.length].url + '/api/v1/sales', {
					method: 'POST',
					body: JSON.stringify(body),
					headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
					signal: abortController.signal
				});
				const json = (await response.json().catch(() => null)) as {
					version?: number;
					error?: { code: string; message: string };
				} | null;
				const respondedAt = now();
				if (response.ok && typeof json?.version === 'number') {
					sales.push({
						externalId: body.externalId,
						version: json.version,
						respondedAt,
						apiMs: respondedAt - sentAt
					});
				} else {
					saleErrorCount++;
					if (saleErrors.length < 10)
						saleErrors.push({
							status: response.status,
							message: JSON.stringify(json).slice(0, 300)
						});
				}
			} catch (error) {
				if (aborted) return;
				saleErrorCount++;
				if (saleErrors.length < 10)
					saleErrors.push({ status: null, message: (error as Error).message });
			}
		};
		loopDelay.enable();
		salesStart = now();
		log(
			options.rate === 'max'
				? `posting ${options.sales} sales as fast as possible (${options.concurrency} in flight)`
				: `posting ${options.sales} sales at ${options.rate}/s`
		);
		if (options.rate === 'max') {
			await pool(
				Array.from({ length: options.sales }, (_, i) => i),
				options.concurrency,
				(i) => post(i)
			);
		} else {
			// Open loop: sale i leaves at start + i / rate whatever the earlier ones are doing
			// (at most 256 in flight, so that a stalled server cannot pile up requests).
			const interval = 1000 / options.rate;
			const inFlight = new Set<Promise<void>>();
			for (let i = 0; i < options.sales; i++) {
				checkAborted();
				const due = salesStart + i * interval;
				if (due > now()) await sleep(due - now());
				while (inFlight.size >= 256) await Promise.race(inFlight);
				const p = post(i).finally(() => inFlight.delete(p));
				inFlight.add(p);
			}
			await Promise.all(inFlight);
		}
		checkAborted();
		salesWindowMs = now() - salesStart;
		log(
			`${sales.length} sales accepted, ${saleErrorCount} failed, in ${(salesWindowMs / 1000).toFixed(1)} s`
		);

		// 6. Wait until every client has seen the last version (or the pair timeout passes).
		const drainStart = now();
		const target = sales.reduce((max, s) => Math.max(max, s.version), 0);
		const lastResponse = sales.reduce((max, s) => Math.max(max, s.respondedAt), 0);
		const behind = () => watchers.filter((w) => w.versions[w.versions.length - 1] < target).length;
		while (behind() > 0 && now() < lastResponse + options.pairTimeoutMs) {
			checkAborted();
			await sleep(50);
		}
		drainMs = now() - drainStart;
		loopDelay.disable();
		markPhase('afterSales');
		log(
			`drained in ${(drainMs / 1000).toFixed(1)} s; ${behind()} clients behind version ${target}`
		);
	} catch (error) {
		if (!(error instanceof Aborted) && !aborted) {
			console.error(`bench:live failed: ${(error as Error).stack ?? error}`);
			failure = (error as Error).message;
			exitCode = 1;
		}
	} finally {
		clearTimeout(deadline);
		// An aborted run still reports its partial window.
		if (salesStart > 0 && salesWindowMs === 0) salesWindowMs = now() - salesStart;
		if (phases.clientsConnected && !phases.afterSales && server) markPhase('afterSales');
		if (loopDelay) loopDelay.disable();
	}

	// 7. Results (also for an aborted run: whatever was measured).
	let results: Record<string, unknown> | null = null;
	if (sales.length > 0 && watchers.length > 0) {
		results = analyse({
			options,
			sales,
			watchers,
			pairTimeoutMs: options.pairTimeoutMs,
			loopDelay
		});
	}

	// 8. Clean-up: clients, server, temp folder.
	if (memorySampler) clearInterval(memorySampler);
	const serverPeakFinal = servers.map((s) => procMemory(s.pid));
	if (servers.length > 0 && serverPeakFinal.every(Boolean))
		serverHwmMiB = serverPeakFinal.reduce((sum, m) => sum + m!.hwmMiB, 0);
	for (const w of watchers) w.socket.disconnect();
	stopping = true;
	for (const node of servers) serverExit = await node.stop();
	await redis?.stop();
	await postgres?.stop();
	rmSync(dir, { recursive: true, force: true });
	build?.remove();

	const benchPeakMiB = process.resourceUsage().maxRSS / 1024;
	const sampledServerPeak = samples.reduce((max, s) => Math.max(max, s.serverRssMiB ?? 0), 0);
	const report = {
		benchmark: 'live-leaderboard',
		startedAt: startedAt.toISOString(),
		aborted,
		error: failure,
		command: `npm run bench:live -- ${process.argv.slice(2).join(' ')}`.trim(),
		app: appInfo,
		machine: {
			node: process.version,
			cpus: cpus().length,
			cpuModel: cpus()[0]?.model,
			memoryGiB: round(totalmem() / 2 ** 30),
			platform: `${process.platform} ${process.arch}`
		},
		options,
		badgesDeactivated,
		seasonId,
		clients: {
			requested: options.clients,
			watching: watchers.length,
			connectErrors: connectErrors.length,
			firstConnectErrors: connectErrors.slice(0, 5),
			connectSeconds: round(connectMs / 1000, 2)
		},
		sales: {
			accepted: sales.length,
			failed: saleErrorCount,
			firstErrors: saleErrors,
			windowSeconds: round(salesWindowMs / 1000, 2),
			achievedRate: salesWindowMs > 0 ? round(sales.length / (salesWindowMs / 1000)) : null,
			apiMs: summarize(sales.map((s) => s.apiMs))
		},
		drainSeconds: round(drainMs / 1000, 2),
		...(results ?? {}),
		memory: {
			serverPeakRssMiB: serverHwmMiB === null ? null : round(serverHwmMiB),
			serverPeakSampledRssMiB: round(sampledServerPeak),
			benchPeakRssMiB: round(benchPeakMiB),
			phases
		},
		cpuSeconds: cpuBreakdown(phases),
		server: { exit: serverExit, logTail: server ? server.output().slice(-4000) : '' },
		rssSamples: samples
	};

	const outDir = join(ROOT, 'bench/results');
	mkdirSync(outDir, { recursive: true });
	const outFile = join(outDir, `live-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
	writeFileSync(outFile, JSON.stringify(report, null, '\t') + '\n');

	if (sales.length > 0) printSummary(report as unknown as ReportForPrint, outFile);
	else console.log(`\nNothing measured; details in ${outFile.slice(ROOT.length + 1)}`);
	if (aborted) {
		console.error(`\nABORTED: ${aborted}`);
		exitCode ||= 1;
	}
	return exitCode;
}

let stopping = false;

interface Phase {
	serverRssMiB: number | null;
	benchRssMiB: number;
	serverCpuS: number | null;
	/** The PostgreSQL cluster's CPU so far (null on SQLite, where it is in the server's). */
	databaseCpuS: number | null;
	benchCpuS: number;
	system: { busy: number; idle: number; steal: number } | null;
	load1: number | null;
	at: number;
}

/**
 * CPU seconds used from "clients connected" to "after sales" (the measured window) by the
 * server, the bench and everything else on the machine: other processes compete for the same
 * cores and show up as latency.
 */
/** CPU seconds of several processes together (null when one of them could not be read). */
function sumCpu(values: (number | null)[]): number | null {
	return values.some((v) => v === null) ? null : values.reduce((sum: number, v) => sum + v!, 0);
}

function cpuBreakdown(phases: Record<string, Phase>) {
	const a = phases.clientsConnected;
	const b = phases.afterSales;
	if (!a || !b || a.serverCpuS === null || b.serverCpuS === null) return null;
	const server = b.serverCpuS - a.serverCpuS;
	const database =
		a.databaseCpuS !== null && b.databaseCpuS !== null ? b.databaseCpuS - a.databaseCpuS : null;
	const bench = b.benchCpuS - a.benchCpuS;
	const machine = a.system && b.system ? b.system.busy - a.system.busy : null;
	return {
		measuredWindow: {
			wallSeconds: round((b.at - a.at) / 1000, 2),
			server: round(server, 2),
			database: database === null ? null : round(database, 2),
			bench: round(bench, 2),
			otherProcesses:
				machine === null ? null : round(Math.max(0, machine - server - (database ?? 0) - bench), 2),
			steal: a.system && b.system ? round(b.system.steal - a.system.steal, 2) : null,
			coresAvailable: cpus().length,
			load1Before: a.load1,
			load1After: b.load1
		}
	};
}

// ---------------------------------------------------------------------------------------------
// Analysis

function analyse(input: {
	options: Options;
	sales: SaleResult[];
	watchers: Watcher[];
	pairTimeoutMs: number;
	loopDelay: ReturnType<typeof monitorEventLoopDelay>;
}) {
	const { sales, watchers, pairTimeoutMs, loopDelay } = input;
	const latencies = new Float64Array(sales.length * watchers.length);
	let n = 0;
	let missing = 0;
	let beforeResponse = 0;
	const firstClient: number[] = [];
	const lastClient: number[] = [];
	for (const sale of sales) {
		let first = Infinity;
		let last = -Infinity;
		for (const w of watchers) {
			// First push whose version includes the sale (versions are strictly increasing).
			let lo = 0;
			let hi = w.versions.length;
			while (lo < hi) {
				const mid = (lo + hi) >> 1;
				if (w.versions[mid] >= sale.version) hi = mid;
				else lo = mid + 1;
			}
			const latency = lo < w.versions.length ? w.times[lo] - sale.respondedAt : Infinity;
			if (latency > pairTimeoutMs) {
				missing++;
				continue;
			}
			if (latency < 0) beforeResponse++;
			const clamped = Math.max(0, latency);
			latencies[n++] = clamped;
			first = Math.min(first, clamped);
			last = Math.max(last, clamped);
		}
		if (first !== Infinity) {
			firstClient.push(first);
			lastClient.push(last);
		}
	}

	// Per push (version): how long from the first client receiving it to the last (fan-out).
	const byVersion = new Map<number, { first: number; last: number; clients: number }>();
	const minVersion = sales.reduce((min, s) => Math.min(min, s.version), Infinity);
	for (const w of watchers) {
		for (let i = 0; i < w.versions.length; i++) {
			if (w.versions[i] < minVersion) continue; // the watch ack, before any bench sale
			const entry = byVersion.get(w.versions[i]);
			if (entry) {
				entry.first = Math.min(entry.first, w.times[i]);
				entry.last = Math.max(entry.last, w.times[i]);
				entry.clients++;
			} else byVersion.set(w.versions[i], { first: w.times[i], last: w.times[i], clients: 1 });
		}
	}
	const pushes = [...byVersion.entries()].sort((a, b) => a[0] - b[0]);
	const gaps: number[] = [];
	for (let i = 1; i < pushes.length; i++) gaps.push(pushes[i][1].first - pushes[i - 1][1].first);
	const pushesPerClient = watchers.map((w) => w.versions.filter((v) => v >= minVersion).length);
	const activityPerClient = watchers.map((w) => w.activity);
	const ms = (v: number) => round(Math.max(0, v / 1e6 - LOOP_RESOLUTION_MS));

	return {
		latencyMs: summarize(latencies.subarray(0, n)),
		pairs: {
			total: sales.length * watchers.length,
			measured: n,
			missing,
			arrivedBeforeApiResponse: beforeResponse
		},
		latencyFirstClientMs: summarize(firstClient),
		latencyLastClientMs: summarize(lastClient),
		pushes: {
			distinctVersionsPushed: pushes.length,
			salesPerPush: pushes.length ? round(sales.length / pushes.length, 2) : null,
			perClient: summarize(pushesPerClient),
			fanOutSpreadMs: summarize(pushes.map(([, p]) => p.last - p.first)),
			intervalBetweenPushesMs: summarize(gaps),
			outOfOrder: watchers.reduce((sum, w) => sum + w.outOfOrder, 0)
		},
		activityEventsPerClient: summarize(activityPerClient),
		disconnects: watchers.reduce((sum, w) => sum + w.disconnects, 0),
		benchEventLoopDelayMs: loopDelay.count
			? {
					p50: ms(loopDelay.percentile(50)),
					p99: ms(loopDelay.percentile(99)),
					max: ms(loopDelay.max)
				}
			: null
	};
}

// ---------------------------------------------------------------------------------------------
// Summary

interface ReportForPrint {
	clients: { watching: number; requested: number; connectErrors: number; connectSeconds: number };
	sales: {
		accepted: number;
		failed: number;
		windowSeconds: number;
		achievedRate: number | null;
		apiMs: Summary | null;
	};
	options: Options;
	latencyMs?: Summary | null;
	latencyFirstClientMs?: Summary | null;
	pairs?: { total: number; measured: number; missing: number; arrivedBeforeApiResponse: number };
	pushes?: {
		distinctVersionsPushed: number;
		salesPerPush: number | null;
		perClient: Summary | null;
		fanOutSpreadMs: Summary | null;
		intervalBetweenPushesMs: Summary | null;
		outOfOrder: number;
	};
	activityEventsPerClient?: Summary | null;
	disconnects?: number;
	benchEventLoopDelayMs?: { p50: number; p99: number; max: number } | null;
	memory: {
		serverPeakRssMiB: number | null;
		serverPeakSampledRssMiB: number;
		benchPeakRssMiB: number;
		phases: Record<string, { serverRssMiB: number | null; benchRssMiB: number }>;
	};
	cpuSeconds: ReturnType<typeof cpuBreakdown>;
	machine: { node: string; cpus: number };
	app: { commit: string | null };
}

function printSummary(r: ReportForPrint, outFile: string) {
	const rate =
		r.options.rate === 'max' ? `max (${r.options.concurrency} in flight)` : `${r.options.rate}/s`;
	const lines = [
		'',
		`Live leaderboard — ${r.clients.watching}/${r.clients.requested} clients, ${r.sales.accepted} sales at ${rate}${r.options.noBadges ? ', badges off' : ''} (Node ${r.machine.node}, ${r.machine.cpus} CPUs, app ${r.app.commit ?? '?'})`,
		`  connect       ${r.clients.connectSeconds} s, ${r.clients.connectErrors} failed`,
		`  sales         ${r.sales.accepted} ok, ${r.sales.failed} failed, ${r.sales.windowSeconds} s (${r.sales.achievedRate}/s); API round trip ${formatSummary(r.sales.apiMs)}`
	];
	if (r.pairs) {
		lines.push(
			`  latency       ${formatSummary(r.latencyMs ?? null)}   (API 2xx → client has the version; ${r.pairs.measured} pairs)`,
			`  first client  ${formatSummary(r.latencyFirstClientMs ?? null)}`,
			`  missing       ${r.pairs.missing} of ${r.pairs.total} pairs (timeout ${r.options.pairTimeoutMs / 1000} s); ${r.pairs.arrivedBeforeApiResponse} pairs saw the push before the API response (counted as 0 ms)`,
			`  pushes        ${r.pushes!.distinctVersionsPushed} (${r.pushes!.salesPerPush} sales each); per client ${r.pushes!.perClient?.p50} (min ${r.pushes!.perClient?.min}, max ${r.pushes!.perClient?.max}); interval ${formatSummary(r.pushes!.intervalBetweenPushesMs)}`,
			`  fan-out       first→last client per push: ${formatSummary(r.pushes!.fanOutSpreadMs)}`,
			`  activity      ${r.activityEventsPerClient?.p50} events per client; disconnects ${r.disconnects}; out-of-order pushes ${r.pushes!.outOfOrder}`,
			`  bench loop    event-loop delay p50 ${r.benchEventLoopDelayMs?.p50} ms, p99 ${r.benchEventLoopDelayMs?.p99} ms, max ${r.benchEventLoopDelayMs?.max} ms (client-side delay, included in the latency)`
		);
	}
	const phase = (name: string) => r.memory.phases[name];
	lines.push(
		`  server RSS    peak ${r.memory.serverPeakRssMiB} MiB (VmHWM; sampled peak ${r.memory.serverPeakSampledRssMiB} MiB); idle ${phase('serverStarted')?.serverRssMiB ?? '?'} → clients ${phase('clientsConnected')?.serverRssMiB ?? '?'} → after sales ${phase('afterSales')?.serverRssMiB ?? '?'} MiB`,
		`  bench RSS     peak ${r.memory.benchPeakRssMiB} MiB`,
		r.cpuSeconds
			? `  CPU           sales + drain (${r.cpuSeconds.measuredWindow.wallSeconds} s wall × ${r.cpuSeconds.measuredWindow.coresAvailable} cores): server ${r.cpuSeconds.measuredWindow.server} s, ${r.cpuSeconds.measuredWindow.database === null ? '' : `PostgreSQL ${r.cpuSeconds.measuredWindow.database} s, `}bench ${r.cpuSeconds.measuredWindow.bench} s, other processes ${r.cpuSeconds.measuredWindow.otherProcesses} s; load ${r.cpuSeconds.measuredWindow.load1Before} → ${r.cpuSeconds.measuredWindow.load1After}`
			: '',
		`  results       ${outFile.slice(ROOT.length + 1)}`
	);
	const w = r.cpuSeconds?.measuredWindow;
	if (w && w.otherProcesses !== null && w.otherProcesses > 0.2 * w.wallSeconds * w.coresAvailable) {
		lines.push(
			`  WARNING       other processes used ${w.otherProcesses} CPU s of the ${round(w.wallSeconds * w.coresAvailable)} available: the figures include CPU contention; rerun on a quiet machine`
		);
	}
	console.log(lines.filter(Boolean).join('\n'));
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	}
);
