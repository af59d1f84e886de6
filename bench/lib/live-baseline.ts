// `npm run bench:live -- --baseline`: Honorboard against the bare stack (bench/lib/bare-live.mjs)
// in the same run, interleaved per size (Honorboard, then bare, for every --clients size), with
// the same watchers (spread over --client-procs child processes, bench/lib/live-clients.mjs), the
// same sales at the same rate. Per target: sale → every watcher p50/p90/p99 (API 2xx → the
// watcher holds a push whose version ≥ the sale's answered version, snapshot or delta), API
// round trip, server CPU per sale, event-loop delay inside the server (bench/lib/loop-probe.mjs)
// and the Honorboard/bare ratios. Load (os.loadavg) at start and end; JSON under bench/results/.
// --postgres puts Honorboard on a throwaway PostgreSQL (the database's CPU reported apart, read
// from the cluster's processes in /proc); --nodes N runs N nodes joined by a throwaway Redis, the
// watchers and sales split over them.
import { fork, type ChildProcess } from 'node:child_process';
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
	missingBuild,
	procCpuSeconds,
	procMemory,
	ROOT,
	seedDemoWithToken,
	signIn,
	snapshotBuild,
	startBenchServer,
	type BenchServer
} from './server';
import { startOnFreePort } from './port-retry';
import { seededPostgres } from './postgres';
import { stopOnInterrupt } from './interrupt';
import { startRedis } from '../../tests/helpers/redis';
import { round, summarize, type Summary } from './stats';

const USAGE = `Usage: npm run bench:live -- --baseline [options]

  --clients LIST       watcher counts, comma-separated (default 500,2000,5000)
  --quick              500 clients, 100 sales
  --sales S            sales per target and size (default 200)
  --rate R             sales per second, open loop (default 20)
  --client-procs P     child processes holding the watchers (default 4)
  --connect-concurrency K  connections opening at once per child (default 50)
  --pair-timeout T     seconds before a (sale, watcher) pair counts as missing (default 10)
  --deadline D         stop the whole run after D seconds (default 900)
  --bare-per-sale      the bare stack emits once per sale instead of coalescing like Honorboard
  --port-base N        first of the ports used (default 4591: Honorboard N, with the fan-out
                       process N+4, bare N+8; each tries the next 4 ports if taken)
  --fanout MODE        inline (Socket.IO in the server's process, the default setting),
                       process (HONORBOARD_FANOUT=process: the sockets in a second process),
                       or both (default): each is compared with the same bare run
  --client-kind KIND   wire (default): a minimal Socket.IO v4 client on \`ws\`
                       (bench/lib/live-clients-wire.mjs) that reads a push only as far as its
                       version, so that the watchers' own CPU weighs less on the two cores
                       (the first watcher of each process still parses every frame and checks
                       the version); sio: socket.io-client sockets, as before 2026-12-05
  --watchers AS        session (default): Honorboard's watchers connect as boards and TVs do,
                       with a signed-in session's cookie; token: with the API token, as an
                       integration does (such a socket also gets a \`badge\` frame per award)
  --postgres           Honorboard on a throwaway PostgreSQL cluster holding a copy of the seeded
                       file (PG_TEST_PORT, else port-base + 60); its CPU (all the cluster's
                       processes, /proc) is reported apart from the server's. --fanout defaults
                       to inline there
  --nodes N            N Honorboard nodes (1 to 4, default 1) on the one database, joined by a
                       throwaway redis-server; client process i watches node i mod N and sale i
                       goes to node i mod N; CPU and RSS are the nodes' sums, loop delay the
                       worst node's (the nodes after the first listen on ports the OS picks)
  --build DIR          run another checkout's build/ as Honorboard (a base commit, with this
                       bench's code; its copy goes under this checkout's bench/results/, so
                       packages and drizzle/ resolve from here)

Needs the production build: run \`npm run build\` first.`;

interface Options {
	sizes: number[];
	sales: number;
	rate: number;
	clientProcs: number;
	connectConcurrency: number;
	pairTimeoutMs: number;
	deadlineMs: number;
	portBase: number;
	barePerSale: boolean;
	fanout: FanoutMode[];
	watchers: 'session' | 'token';
	clientKind: 'sio' | 'wire';
	postgres: boolean;
	nodes: number;
	/** Another checkout's build/ (--build); unset: this one's. */
	build: string | undefined;
}

type FanoutMode = 'inline' | 'process';
type Target = 'honorboard' | 'honorboard-process' | 'bare';

const clock = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const load = () => loadavg().map((v) => round(v, 2));

/** The sample whose JSON is closest to the samples' mean size (undefined when none). */
function sampleOfMeanSize(samples: Record<string, unknown>[]): Record<string, unknown> | undefined {
	if (samples.length === 0) return undefined;
	const sizes = samples.map((sample) => JSON.stringify(sample).length);
	const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
	let best = 0;
	for (let i = 1; i < sizes.length; i++)
		if (Math.abs(sizes[i] - mean) < Math.abs(sizes[best] - mean)) best = i;
	return samples[best];
}

function readOptions(argv: string[]): Options | null {
	const { values } = parseArgs({
		args: argv,
		options: {
			baseline: { type: 'boolean' },
			quick: { type: 'boolean' },
			clients: { type: 'string' },
			sales: { type: 'string' },
			rate: { type: 'string' },
			'client-procs': { type: 'string' },
			'connect-concurrency': { type: 'string' },
			'pair-timeout': { type: 'string' },
			deadline: { type: 'string' },
			'port-base': { type: 'string' },
			'bare-per-sale': { type: 'boolean' },
			fanout: { type: 'string' },
			watchers: { type: 'string' },
			'client-kind': { type: 'string' },
			postgres: { type: 'boolean' },
			nodes: { type: 'string' },
			build: { type: 'string' },
			help: { type: 'boolean', short: 'h' }
		}
	});
	if (values.help) return null;
	const int = (
		raw: string | undefined,
		name: string,
		fallback: number,
		min: number,
		max: number
	) => {
		if (raw === undefined) return fallback;
		const n = Number(raw);
		if (!Number.isInteger(n) || n < min || n > max)
			throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
		return n;
	};
	const sizes = (values.clients ?? (values.quick ? '500' : '500,2000,5000'))
		.split(',')
		.map((s) => int(s.trim(), 'clients', 0, 1, 20_000));
	const rate = Number(values.rate ?? '20');
	if (!Number.isFinite(rate) || rate <= 0 || rate > 1000)
		throw new Error('--rate must be a number of sales per second (0 < R ≤ 1000)');
	const postgres = values.postgres ?? false;
	const fanout = values.fanout ?? (postgres ? 'inline' : 'both');
	if (!['inline', 'process', 'both'].includes(fanout))
		throw new Error('--fanout must be inline, process or both');
	const watchers = values.watchers ?? 'session';
	if (watchers !== 'session' && watchers !== 'token')
		throw new Error('--watchers must be session or token');
	const clientKind = values['client-kind'] ?? 'wire';
	if (clientKind !== 'sio' && clientKind !== 'wire')
		throw new Error('--client-kind must be sio or wire');
	return {
		fanout: fanout === 'both' ? ['inline', 'process'] : [fanout as FanoutMode],
		watchers,
		clientKind,
		sizes,
		sales: int(values.sales, 'sales', values.quick ? 100 : 200, 1, 100_000),
		rate,
		clientProcs: int(values['client-procs'], 'client-procs', 4, 1, 32),
		connectConcurrency: int(values['connect-concurrency'], 'connect-concurrency', 50, 1, 1000),
		pairTimeoutMs: int(values['pair-timeout'], 'pair-timeout', 10, 1, 120) * 1000,
		deadlineMs: int(values.deadline, 'deadline', 900, 30, 3600) * 1000,
		portBase: int(values['port-base'], 'port-base', 4591, 1024, 65000),
		barePerSale: values['bare-per-sale'] ?? false,
		postgres,
		nodes: int(values.nodes, 'nodes', 1, 1, 4),
		build: values.build
	};
}

// ---------------------------------------------------------------------------------------------
// Client processes

interface ClientProc {
	child: ChildProcess;
	request: <T>(message: object, reply: string) => Promise<T>;
}

function startClientProc(kind: Options['clientKind']): ClientProc {
	const file = kind === 'wire' ? 'live-clients-wire.mjs' : 'live-clients.mjs';
	const child = fork(join(ROOT, 'bench/lib', file), [], {
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		serialization: 'advanced'
	});
	const request = <T>(message: object, reply: string) =>
		new Promise<T>((done, fail) => {
			const onMessage = (m: { type: string }) => {
				if (m.type !== reply) return;
				child.off('message', onMessage);
				child.off('exit', onExit);
				done(m as T);
			};
			const onExit = (code: number | null) => fail(new Error(`client process exited (${code})`));
			child.on('message', onMessage);
			child.once('exit', onExit);
			child.send(message);
		});
	return { child, request };
}

interface ClientResult {
	latencies: number[];
	missing: number;
	disconnects: number;
	outOfOrder: number;
	pushesPerClient: number[];
	badgeFramesPerClient: number[];
	pushBytes: number[];
	pushSamples?: Record<string, unknown>[];
	decodeMs?: number[];
	versionMismatches?: number;
	incompleteFrames?: number;
}

// ---------------------------------------------------------------------------------------------
// One target at one size

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

interface TargetResult {
	target: Target;
	nodes: number;
	clients: number;
	watching: number;
	connectFailed: number;
	connectErrors: string[];
	connectSeconds: number;
	salesAccepted: number;
	salesFailed: number;
	saleErrors: string[];
	achievedRate: number;
	latencyMs: Summary | null;
	pairs: { total: number; measured: number; missing: number };
	apiMs: Summary | null;
	serverCpuSeconds: number | null;
	cpuMsPerSale: number | null;
	/** PostgreSQL's cluster over the same window (null on SQLite, where it is in the server's). */
	databaseCpuSeconds: number | null;
	databaseCpuMsPerSale: number | null;
	serverLoopDelayMs: { p50: number; p99: number; max: number } | null;
	/** HONORBOARD_FANOUT=process: the fan-out process's own loop (its CPU is in serverCpuSeconds). */
	fanoutLoopDelayMs: { p50: number; p99: number; max: number } | null;
	pushBytesMean: number | null;
	/** A delta Honorboard pushed in this run, of about the mean size (not saved in the JSON). */
	pushSample?: Record<string, unknown>;
	pushesPerClient: Summary | null;
	/** `badge` frames a watcher got besides the pushes (API-token sockets only). */
	badgeFramesPerClient: Summary | null;
	disconnects: number;
	outOfOrder: number;
	serverPeakRssMiB: number | null;
	/** CPU the watcher processes used over the same window: they share the machine's cores. */
	clientProcsCpuSeconds: number | null;
	/** The watcher processes' CPU per accepted sale (ms). */
	clientCpuMsPerSale: number | null;
	/** Arrival → handled, per frame, the first watcher of each process (its full parse), µs. */
	clientDecodeUs: Summary | null;
	/** wire clients: parsed version ≠ the version read without parsing; frames cut short. */
	versionMismatches: number | null;
	incompleteFrames: number | null;
	load: { start: number[]; end: number[] };
	aborted: string | null;
}

/** The server and the processes it forked (the fan-out process), from /proc. */
function processTree(pid: number): number[] {
	try {
		const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
			.trim()
			.split(/\s+/)
			.filter(Boolean)
			.map(Number);
		return [pid, ...children];
	} catch {
		return [pid];
	}
}

/** Asks the loop probe of `pid` for the delay since its last reset (SIGUSR2). */
async function readLoopProbe(pid: number, file: string) {
	try {
		rmSync(file, { force: true });
		process.kill(pid, 'SIGUSR2');
		for (let i = 0; i < 40 && !existsSync(file); i++) await sleep(25);
		const probe = JSON.parse(readFileSync(file, 'utf8'));
		return { p50: probe.p50 as number, p99: probe.p99 as number, max: probe.max as number };
	} catch {
		return null;
	}
}

type LoopDelay = Awaited<ReturnType<typeof readLoopProbe>>;

/** The worst (highest p99) of the nodes' loop delays; null when none was read. */
function worstLoop(loops: LoopDelay[]): LoopDelay {
	return loops.reduce<LoopDelay>(
		(worst, loop) => (loop && (!worst || loop.p99 > worst.p99) ? loop : worst),
		null
	);
}

/** A target's node(s), each with the file its loop probe writes, and the database's CPU. */
interface Stack {
	nodes: { server: BenchServer; probeFile: string }[];
	/** PostgreSQL's CPU seconds so far; null on SQLite (in the server's own CPU). */
	databaseCpu: () => number | null;
}

async function runTarget(input: {
	target: Target;
	clients: number;
	options: Options;
	stack: Stack;
	token: string;
	/** How the watchers authenticate: Socket.IO `auth`, or headers (a session cookie). */
	watchAs: { auth?: Record<string, string>; headers?: Record<string, string> };
	seasonId: number;
	products: Product[];
	deadlineAt: number;
	log: (m: string) => void;
}): Promise<TargetResult> {
	const { target, clients, options, stack, token, watchAs, seasonId, products, log } = input;
	const nodeUrl = (i: number) => stack.nodes[i % stack.nodes.length].server.url;
	const loadStart = load();
	const procCount = Math.min(options.clientProcs, clients);
	const procs = Array.from({ length: procCount }, () => startClientProc(options.clientKind));
	let aborted: string | null = null;
	const overdue = () => {
		if (!aborted && clock() > input.deadlineAt) aborted = 'deadline reached';
		return aborted !== null;
	};
	try {
		// 1. Watchers.
		const t = clock();
		const connected = await Promise.all(
			procs.map((p, i) =>
				p.request<{ watching: number; failed: number; errors: string[] }>(
					{
						type: 'connect',
						url: nodeUrl(i),
						count: Math.floor(clients / procCount) + (i < clients % procCount ? 1 : 0),
						auth: watchAs.auth,
						headers: watchAs.headers,
						seasonId,
						connectConcurrency: options.connectConcurrency,
						timeoutMs: 30_000
					},
					'connected'
				)
			)
		);
		const connectSeconds = round((clock() - t) / 1000, 2);
		const watching = connected.reduce((s, c) => s + c.watching, 0);
		const connectFailed = connected.reduce((s, c) => s + c.failed, 0);
		log(
			`  ${target}: ${watching}/${clients} watching in ${connectSeconds} s (${connectFailed} failed)`
		);
		await sleep(500);

		// 2. Sales at the rate, open loop; server CPU and loop delay over sales + drain.
		const trees = stack.nodes.map(({ server }) => processTree(server.pid));
		const tree = trees.flat();
		for (const pid of tree) process.kill(pid, 'SIGUSR2'); // resets the probes' histograms
		const treeCpu = () => {
			const each = tree.map((pid) => procCpuSeconds(pid));
			return each.some((v) => v === null) ? null : each.reduce((a, b) => a! + b!, 0)!;
		};
		const cpuBefore = treeCpu();
		const databaseBefore = stack.databaseCpu();
		const clientCpu = () => procs.reduce((sum, p) => sum + (procCpuSeconds(p.child.pid!) ?? 0), 0);
		const clientCpuBefore = clientCpu();
		const sales: { version: number; respondedAt: number }[] = [];
		const apiMs: number[] = [];
		const saleErrors: string[] = [];
		let failed = 0;
		const runId = `${target}-${clients}-${Date.now().toString(36)}`;
		const post = async (i: number) => {
			const body = makeSale(i, runId, products);
			const sentAt = clock();
			try {
				const response = await fetch(nodeUrl(i) + '/api/v1/sales', {
					method: 'POST',
					body: JSON.stringify(body),
					headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
					signal: AbortSignal.timeout(30_000)
				});
				const json = (await response.json().catch(() => null)) as { version?: number } | null;
				const respondedAt = clock();
				if (response.ok && typeof json?.version === 'number') {
					sales.push({ version: json.version, respondedAt });
					apiMs.push(respondedAt - sentAt);
				} else {
					failed++;
					if (saleErrors.length < 5)
						saleErrors.push(`${response.status} ${JSON.stringify(json).slice(0, 200)}`);
				}
			} catch (error) {
				failed++;
				if (saleErrors.length < 5) saleErrors.push((error as Error).message);
			}
		};
		const interval = 1000 / options.rate;
		const start = clock();
		const inFlight = new Set<Promise<void>>();
		for (let i = 0; i < options.sales && !overdue(); i++) {
			const due = start + i * interval;
			if (due > clock()) await sleep(due - clock());
			while (inFlight.size >= 256) await Promise.race(inFlight);
			const p = post(i).finally(() => inFlight.delete(p));
			inFlight.add(p);
		}
		await Promise.all(inFlight);
		const window = (clock() - start) / 1000;

		// 3. Drain: until every watcher holds the last answered version (or the pair timeout).
		const last = sales.reduce((m, s) => Math.max(m, s.version), 0);
		const lastAt = sales.reduce((m, s) => Math.max(m, s.respondedAt), 0);
		while (clock() < lastAt + options.pairTimeoutMs && !overdue()) {
			const behind = await Promise.all(
				procs.map((p) => p.request<{ behind: number }>({ type: 'status', target: last }, 'status'))
			);
			if (behind.every((b) => b.behind === 0)) break;
			await sleep(50);
		}
		const cpuAfter = treeCpu();
		const databaseAfter = stack.databaseCpu();
		const clientCpuUsed = clientCpu() - clientCpuBefore;
		const loop = worstLoop(
			await Promise.all(
				stack.nodes.map(({ server, probeFile }) => readLoopProbe(server.pid, probeFile))
			)
		);
		// The fan-out process's probe writes beside the server's (loop-probe.mjs).
		const fanoutLoop = worstLoop(
			await Promise.all(
				stack.nodes.map(({ probeFile }, n) =>
					trees[n][1] ? readLoopProbe(trees[n][1], `${probeFile}.fanout`) : null
				)
			)
		);

		// 4. Per-pair latencies from every child.
		const results = await Promise.all(
			procs.map((p) =>
				p.request<ClientResult>(
					{ type: 'finish', sales, pairTimeoutMs: options.pairTimeoutMs },
					'result'
				)
			)
		);
		const latencies = new Float64Array(results.reduce((s, r) => s + r.latencies.length, 0));
		let k = 0;
		for (const r of results) for (const v of r.latencies) latencies[k++] = v;
		const bytes = results.flatMap((r) => r.pushBytes);
		const serverCpu = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
		const databaseCpu =
			databaseBefore !== null && databaseAfter !== null ? databaseAfter - databaseBefore : null;
		const result: TargetResult = {
			target,
			nodes: stack.nodes.length,
			clients,
			watching,
			connectFailed,
			connectErrors: connected.flatMap((c) => c.errors).slice(0, 5),
			connectSeconds,
			salesAccepted: sales.length,
			salesFailed: failed,
			saleErrors,
			achievedRate: round(sales.length / window),
			latencyMs: summarize(latencies),
			pairs: {
				total: sales.length * watching,
				measured: latencies.length,
				missing: results.reduce((s, r) => s + r.missing, 0)
			},
			apiMs: summarize(apiMs),
			serverCpuSeconds: serverCpu === null ? null : round(serverCpu, 2),
			cpuMsPerSale:
				serverCpu === null || sales.length === 0
					? null
					: round((serverCpu * 1000) / sales.length, 2),
			databaseCpuSeconds: databaseCpu === null ? null : round(databaseCpu, 2),
			databaseCpuMsPerSale:
				databaseCpu === null || sales.length === 0
					? null
					: round((databaseCpu * 1000) / sales.length, 2),
			serverLoopDelayMs: loop,
			fanoutLoopDelayMs: fanoutLoop,
			pushBytesMean: bytes.length
				? Math.round(bytes.reduce((a, b) => a + b, 0) / bytes.length)
				: null,
			pushSample: sampleOfMeanSize(results.flatMap((r) => r.pushSamples ?? [])),
			pushesPerClient: summarize(results.flatMap((r) => r.pushesPerClient)),
			badgeFramesPerClient: summarize(results.flatMap((r) => r.badgeFramesPerClient ?? [])),
			disconnects: results.reduce((s, r) => s + r.disconnects, 0),
			outOfOrder: results.reduce((s, r) => s + r.outOfOrder, 0),
			serverPeakRssMiB: round(tree.reduce((sum, pid) => sum + (procMemory(pid)?.hwmMiB ?? NaN), 0)),
			clientProcsCpuSeconds: round(clientCpuUsed, 2),
			clientCpuMsPerSale: sales.length ? round((clientCpuUsed * 1000) / sales.length, 2) : null,
			clientDecodeUs: summarize(results.flatMap((r) => (r.decodeMs ?? []).map((ms) => ms * 1000))),
			versionMismatches:
				options.clientKind === 'wire'
					? results.reduce((s, r) => s + (r.versionMismatches ?? 0), 0)
					: null,
			incompleteFrames:
				options.clientKind === 'wire'
					? results.reduce((s, r) => s + (r.incompleteFrames ?? 0), 0)
					: null,
			load: { start: loadStart, end: load() },
			aborted
		};
		const l = result.latencyMs;
		log(
			`  ${target}: ${sales.length} sales (${failed} failed) at ${result.achievedRate}/s; latency p50 ${l?.p50} p90 ${l?.p90} p99 ${l?.p99} ms; API p50 ${result.apiMs?.p50} p99 ${result.apiMs?.p99} ms; ${result.cpuMsPerSale} ms CPU/sale${databaseCpu === null ? '' : ` + PostgreSQL ${result.databaseCpuMsPerSale}`}; loop p99 ${loop?.p99 ?? '?'} ms${fanoutLoop ? ` (fan-out ${fanoutLoop.p99})` : ''}; ${result.pairs.missing} missing pairs`
		);
		return result;
	} finally {
		for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
	}
}

// ---------------------------------------------------------------------------------------------
// The run

/**
 * Honorboard for one target: its node(s) on a fresh copy of the seeded file, or on a throwaway
 * PostgreSQL holding that copy, joined by a throwaway Redis when there are several. stop() ends
 * them all, the nodes first; so does an interrupt.
 */
async function startHonorboard(input: {
	options: Options;
	mode: FanoutMode;
	dbPath: string;
	entry: string;
	probe: string;
	probeFile: string;
}): Promise<Stack & { stop: () => Promise<void> }> {
	const { options, mode } = input;
	const stops: (() => Promise<unknown>)[] = [];
	const stop = async () => {
		for (const one of stops.reverse()) await one();
	};
	const stopLater = (one: () => Promise<unknown>) => {
		const forget = stopOnInterrupt(one);
		stops.push(async () => {
			await one();
			forget();
		});
	};
	try {
		const postgres = options.postgres
			? await seededPostgres(input.dbPath, options.portBase + 60)
			: null;
		if (postgres) stops.push(() => postgres.stop());
		const redis = options.nodes > 1 ? await startRedis() : null;
		if (redis) stopLater(() => redis.stop());
		const nodes: Stack['nodes'] = [];
		for (let n = 0; n < options.nodes; n++) {
			const probeFile = n === 0 ? input.probeFile : `${input.probeFile}.${n}`;
			const start = (port?: number) =>
				startBenchServer(input.dbPath, {
					entry: input.entry,
					port,
					nodeArgs: ['--import', input.probe],
					env: {
						LOOP_PROBE_FILE: probeFile,
						HONORBOARD_FANOUT: mode,
						...(postgres ? { DATABASE_URL: postgres.url } : {}),
						...(redis ? { REDIS_URL: redis.url } : {})
					}
				});
			// The watchers' own outgoing connections may hold a port of the range for a moment
			// (thousands of them, from the same ephemeral range): the next ports are tried.
			const server =
				n === 0
					? await startOnFreePort(start, options.portBase + (mode === 'process' ? 4 : 0))
					: await start();
			stopLater(() => server.stop());
			nodes.push({ server, probeFile });
		}
		return { nodes, databaseCpu: () => postgres?.cpuSeconds() ?? null, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

export async function runBaseline(argv: string[]): Promise<number> {
	let options: Options | null;
	try {
		options = readOptions(argv);
	} catch (error) {
		console.error(`Error: ${(error as Error).message}\n\n${USAGE}`);
		return 2;
	}
	if (!options) {
		console.log(USAGE);
		return 0;
	}
	const missing = options.build ? null : missingBuild();
	if (missing) {
		console.error(`bench:live: ${missing}`);
		return 1;
	}
	const startedAt = new Date();
	const t0 = clock();
	const deadlineAt = t0 + options.deadlineMs;
	const log = (m: string) =>
		console.log(`[${((clock() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}`);
	const loadStart = load();
	let fdLimit: string | null = null;
	try {
		fdLimit = readFileSync('/proc/self/limits', 'utf8')
			.split('\n')
			.find((l) => l.startsWith('Max open files'))!
			.replace(/\s+/g, ' ');
	} catch {
		fdLimit = null;
	}
	log(
		`load ${loadStart.join(' ')}; ${fdLimit ?? ''}; sizes ${options.sizes.join(', ')}; ${options.sales} sales at ${options.rate}/s; ${options.clientProcs} client processes (${options.clientKind}); watchers by ${options.watchers}`
	);

	const dir = mkdtempSync(join(tmpdir(), 'honorboard-livebase-'));
	const template = join(dir, 'template.db');
	const probeFile = join(dir, 'loop.json');
	const probe = join(ROOT, 'bench/lib/loop-probe.mjs');
	const build = snapshotBuild(options.build);
	// Its copy of build/ goes too when the bench is interrupted.
	const forgetBuild = stopOnInterrupt(async () => build.remove());
	const results: TargetResult[] = [];
	let error: string | null = null;
	try {
		const token = await seedDemoWithToken(template);
		log('seeded the demo season and created an API token');

		for (const clients of options.sizes) {
			if (clock() > deadlineAt) break;
			log(`${clients} watchers`);
			// Honorboard on a fresh copy of the seeded database, in each fan-out mode asked for.
			let products: Product[] = [];
			let pushBytes: number | null = null;
			let pushSample: Record<string, unknown> | undefined;
			for (const mode of options.fanout) {
				if (clock() > deadlineAt) break;
				const target: Target = mode === 'process' ? 'honorboard-process' : 'honorboard';
				const dbPath = join(dir, `${target}-${clients}.db`);
				copyFileSync(template, dbPath);
				const stack = await startHonorboard({
					options,
					mode,
					dbPath,
					entry: build.entry,
					probe,
					probeFile
				});
				const hb = stack.nodes[0].server;
				try {
					const auth = { authorization: `Bearer ${token}` };
					const season = (await (
						await fetch(`${hb.url}/api/v1/seasons/current`, { headers: auth })
					).json()) as { id: number };
					const list = (await (
						await fetch(`${hb.url}/api/v1/seasons/${season.id}/products`, { headers: auth })
					).json()) as { entries: Product[] };
					products = list.entries.filter((p) => p.active !== false);
					// One sign-in shared by every watcher, as a wall of tabs on one account.
					const watchAs =
						options.watchers === 'token'
							? { auth: { token } }
							: {
									headers: {
										cookie: await signIn(hb.url, 'executive@demo.test', 'demo-password')
									}
								};
					const result = await runTarget({
						target,
						clients,
						options,
						stack,
						token,
						watchAs,
						seasonId: season.id,
						products,
						deadlineAt,
						log
					});
					results.push(result);
					pushBytes ??= result.pushBytesMean;
					pushSample ??= result.pushSample;
					delete result.pushSample;
				} finally {
					await stack.stop();
				}
			}
			if (clock() > deadlineAt) break;
			// The bare stack, pushing the same payload as Honorboard (one of its deltas, the version
			// changed), so that the clients parse the same frames for both; else frames of its size.
			const barePath = join(dir, `bare-${clients}.db`);
			const payloadFile = join(dir, `payload-${clients}.json`);
			if (pushSample) writeFileSync(payloadFile, JSON.stringify(pushSample));
			const bare = await startOnFreePort(
				(port) =>
					startBenchServer(barePath, {
						entry: join(ROOT, 'bench/lib/bare-live.mjs'),
						port,
						nodeArgs: ['--import', probe],
						env: {
							LOOP_PROBE_FILE: probeFile,
							BENCH_TOKEN: token,
							PAYLOAD_BYTES: String(pushBytes ?? 1000),
							...(pushSample ? { PAYLOAD_FILE: payloadFile } : {}),
							BARE_POLICY: options.barePerSale ? 'per-sale' : 'coalesce'
						}
					}),
				options.portBase + 8
			);
			try {
				results.push(
					await runTarget({
						target: 'bare',
						clients,
						options,
						stack: { nodes: [{ server: bare, probeFile }], databaseCpu: () => null },
						token,
						// The bare stack checks the token in its handshake, whichever way Honorboard's
						// watchers signed in.
						watchAs: { auth: { token } },
						seasonId: 1,
						products,
						deadlineAt,
						log
					})
				);
			} finally {
				await bare.stop();
			}
		}
	} catch (e) {
		error = (e as Error).stack ?? String(e);
		console.error(`bench:live --baseline failed: ${error}`);
	} finally {
		build.remove();
		forgetBuild();
		rmSync(dir, { recursive: true, force: true });
	}
	const loadEnd = load();

	// Ratios per size.
	const ratio = (a: number | null | undefined, b: number | null | undefined) =>
		a == null || b == null || b === 0 ? null : round(a / b, 2);
	const hbTargets: Target[] = options.fanout.map((mode) =>
		mode === 'process' ? 'honorboard-process' : 'honorboard'
	);
	const comparisons = options.sizes
		.flatMap((clients) => hbTargets.map((target) => ({ clients, target })))
		.map(({ clients, target }) => {
			const h = results.find((r) => r.target === target && r.clients === clients);
			const b = results.find((r) => r.target === 'bare' && r.clients === clients);
			if (!h || !b) return null;
			return {
				clients,
				target,
				latencyP50: ratio(h.latencyMs?.p50, b.latencyMs?.p50),
				latencyP90: ratio(h.latencyMs?.p90, b.latencyMs?.p90),
				latencyP99: ratio(h.latencyMs?.p99, b.latencyMs?.p99),
				apiP50: ratio(h.apiMs?.p50, b.apiMs?.p50),
				apiP99: ratio(h.apiMs?.p99, b.apiMs?.p99),
				cpuPerSale: ratio(h.cpuMsPerSale, b.cpuMsPerSale),
				/** Honorboard's nodes and its PostgreSQL against the bare stack (SQLite inside it). */
				cpuPerSaleWithDatabase: ratio(
					h.cpuMsPerSale == null ? null : h.cpuMsPerSale + (h.databaseCpuMsPerSale ?? 0),
					b.cpuMsPerSale
				),
				loopP99: ratio(h.serverLoopDelayMs?.p99, b.serverLoopDelayMs?.p99)
			};
		})
		.filter((c) => c !== null);

	const report = {
		benchmark: 'live-baseline',
		startedAt: startedAt.toISOString(),
		command: `npm run bench:live -- ${process.argv.slice(2).join(' ')}`.trim(),
		machine: { node: process.version, cpus: cpus().length, fdLimit },
		options,
		load: { start: loadStart, end: loadEnd },
		error,
		results,
		comparisons
	};
	const outDir = join(ROOT, 'bench/results');
	mkdirSync(outDir, { recursive: true });
	const outFile = join(
		outDir,
		`live-baseline-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`
	);
	writeFileSync(outFile, JSON.stringify(report, null, '\t') + '\n');

	// Summary table.
	const f = (v: number | null | undefined) => (v == null ? '?' : String(v));
	console.log(
		`\nLive — Honorboard (${options.postgres ? 'PostgreSQL' : 'SQLite'}, ${options.nodes} node${options.nodes > 1 ? 's with Redis' : ''}) vs bare stack (${options.sales} sales at ${options.rate}/s; ${options.clientKind} clients; load ${loadStart.join(' ')} → ${loadEnd.join(' ')})`
	);
	const columns: Target[] = [...hbTargets, 'bare'];
	const names: Record<Target, string> = {
		honorboard: 'inline',
		'honorboard-process': 'fan-out proc',
		bare: 'bare'
	};
	for (const clients of options.sizes) {
		const of = (target: Target) =>
			results.find((r) => r.target === target && r.clients === clients);
		const ratios = hbTargets.map((target) =>
			comparisons.find((x) => x.clients === clients && x.target === target)
		);
		if (!hbTargets.some(of)) continue;
		console.log(
			`\n  ${clients} watchers (${columns.map((t) => `${names[t]} ${of(t)?.watching ?? '-'}`).join(', ')} connected)`
		);
		const row = (name: string, values: unknown[], ratioValues: unknown[] = []) =>
			console.log(
				`  ${name.padEnd(26)} ${values.map((v) => String(v).padStart(13)).join('')}${ratioValues.map((v) => String(v).padStart(9)).join('')}`
			);
		const each = (read: (r: TargetResult) => unknown) =>
			columns.map((t) => f(of(t) && (read(of(t)!) as number)));
		row(
			'measure',
			columns.map((t) => names[t]),
			hbTargets.map((t) => (t === 'honorboard' ? 'ratio' : 'ratio p'))
		);
		row(
			'sale→watcher p50 ms',
			each((r) => r.latencyMs?.p50),
			ratios.map((c) => f(c?.latencyP50))
		);
		row(
			'sale→watcher p90 ms',
			each((r) => r.latencyMs?.p90),
			ratios.map((c) => f(c?.latencyP90))
		);
		row(
			'sale→watcher p99 ms',
			each((r) => r.latencyMs?.p99),
			ratios.map((c) => f(c?.latencyP99))
		);
		row(
			'API p50 ms',
			each((r) => r.apiMs?.p50),
			ratios.map((c) => f(c?.apiP50))
		);
		row(
			'API p99 ms',
			each((r) => r.apiMs?.p99),
			ratios.map((c) => f(c?.apiP99))
		);
		row(
			'server CPU ms / sale',
			each((r) => r.cpuMsPerSale),
			ratios.map((c) => f(c?.cpuPerSale))
		);
		if (options.postgres) {
			row(
				'PostgreSQL CPU ms / sale',
				each((r) => r.databaseCpuMsPerSale)
			);
			row(
				'server + PostgreSQL ms/sale',
				each((r) =>
					r.cpuMsPerSale == null ? null : round(r.cpuMsPerSale + (r.databaseCpuMsPerSale ?? 0), 2)
				),
				ratios.map((c) => f(c?.cpuPerSaleWithDatabase))
			);
		}
		row(
			'server loop delay p99 ms',
			each((r) => r.serverLoopDelayMs?.p99),
			ratios.map((c) => f(c?.loopP99))
		);
		row(
			'fan-out loop delay p99 ms',
			each((r) => r.fanoutLoopDelayMs?.p99)
		);
		row(
			'server CPU s (window)',
			each((r) => r.serverCpuSeconds)
		);
		row(
			'client procs CPU s',
			each((r) => r.clientProcsCpuSeconds)
		);
		row(
			'client procs CPU ms / sale',
			each((r) => r.clientCpuMsPerSale)
		);
		row(
			'client decode p50/p99 µs',
			each((r) => (r.clientDecodeUs ? `${r.clientDecodeUs.p50}/${r.clientDecodeUs.p99}` : null))
		);
		if (options.clientKind === 'wire')
			row(
				'version mismatch/cut',
				each((r) => `${r.versionMismatches}/${r.incompleteFrames}`)
			);
		row(
			'sales/s achieved',
			each((r) => r.achievedRate)
		);
		row(
			'missing pairs',
			each((r) => r.pairs.missing)
		);
		row(
			'push bytes (mean)',
			each((r) => r.pushBytesMean)
		);
		row(
			'pushes per client p50',
			each((r) => r.pushesPerClient?.p50)
		);
		row(
			'badge frames per client p50',
			each((r) => r.badgeFramesPerClient?.p50)
		);
		row(
			'server peak RSS MiB',
			each((r) => r.serverPeakRssMiB)
		);
	}
	console.log(`\n  results ${outFile.slice(ROOT.length + 1)}`);
	const incomplete =
		results.some((r) => r.aborted) || results.length < options.sizes.length * columns.length;
	if (incomplete)
		console.error(
			'\nINCOMPLETE: the deadline or an error stopped the run before every size was measured.'
		);
	return error || incomplete ? 1 : 0;
}
