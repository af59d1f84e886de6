// API ingest: POST /api/v1/sales on the production build against the bare stack (plain node:http
// + one better-sqlite3 insert per sale, bench/lib/bare-ingest.mjs), same payloads, same client
// (autocannon), in the same run, window by window interleaved. The season grows toward
// 200,000 sales; every window reports sales/s, latency p50/p99 and the event loop's delay inside
// the server (bench/lib/loop-probe.mjs), with badge evaluation on, then off, then on again at
// size; then replays of known externalIds. Writes bench/results/ingest-<timestamp>.json.
//
//   npm run bench:ingest                 full run (10 s windows, up to 200,000 sales)
//   npm run bench:ingest -- --quick      a short run (5 s windows, a few of each)
//   options: --badges-at-size (badges on again at the end), --connections 32  --target 200000  --window 10  --profile (node --cpu-prof on the
//   Honorboard server; the hottest functions are printed and the profile kept)
//   Ports: BENCH_PORT (Honorboard, default 4512) and BENCH_PORT + 1 (bare).
//   --postgres: the Honorboard server on PostgreSQL (a throwaway cluster, tests/helpers/postgres.ts,
//   on PG_TEST_PORT or BENCH_PORT + 60; the seeded file copied into it by `migrate-to`), the bare
//   stack on SQLite as always. No sale gives a badge on PostgreSQL yet: no badges-on phases there.
//   The cluster's CPU (all its processes, /proc) is reported per request apart from the server's.
//   --nodes N: N Honorboard nodes (1 to 4) on the one database, joined by a throwaway Redis
//   (REDIS_URL); the load generator's connections go to the nodes in turn, CPU per request is the
//   nodes' sum and the loop delay the worst node's. Ports BENCH_PORT, then BENCH_PORT + 2, + 3, …
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
	missingBuild,
	ROOT,
	seedDemoWithToken,
	snapshotBuild,
	startBenchServer,
	type BenchServer
} from './lib/server';
import { isMainThreadProfile, round } from './lib/stats';
import { demoWorld, hash, saleBody } from './lib/sale-bodies';
import { flag, option } from './lib/args';
import { seededPostgres } from './lib/postgres';
import { stopEverything, stopOnInterrupt } from './lib/interrupt';
import { startRedis } from '../tests/helpers/redis';

const QUICK = flag('quick');
const PROFILE = flag('profile');
const CONNECTIONS = option('connections', 32);
const TARGET = option('target', QUICK ? 20_000 : 200_000);
const WINDOW = option('window', QUICK ? 5 : 10);
/** Most windows of the growing phase (badges off), so that a slow build still ends. */
const MAX_GROW_WINDOWS = QUICK ? 3 : 16;
const BADGE_WINDOWS = QUICK ? 1 : 2;
/** Badges on again once the season is large (slow while badges re-read the season per sale). */
const BADGES_AT_SIZE = flag('badges-at-size');
const PORT = Number(process.env.BENCH_PORT ?? 4512);
const POSTGRES = flag('postgres');
const NODES = option('nodes', 1);

const log = (line: string) => console.log(line);
const hbProcesses: import('node:child_process').ChildProcess[] = [];
const load = () => loadavg().map((l) => round(l, 2));

// ---------------------------------------------------------------------------------------------
// One window of load against one server.

interface Window {
	stack: 'honorboard' | 'bare';
	phase: string;
	seconds: number;
	created: number;
	replayed: number;
	other: number;
	/** The first non-2xx answer's status and body (cut), to tell a refusal from a failure. */
	firstOther?: string;
	errors: number;
	perSecond: number;
	p50: number;
	p99: number;
	loop: { p50: number; p99: number; max: number } | null;
	/** The server process's CPU (all its threads) per answered request, µs. */
	cpuPerRequestUs: number | null;
	/** The PostgreSQL cluster's CPU (all its processes) per answered request, µs. */
	databaseCpuPerRequestUs?: number | null;
	seasonSales?: number;
	load: number[];
}

/** One stack: its node(s), each with its loop probe's file. */
interface Target {
	stack: Window['stack'];
	nodes: { url: string; pid: number; probeFile: string }[];
	token: string;
	next: number;
	/** The database's CPU seconds so far, where it runs apart from the nodes (PostgreSQL). */
	databaseCpu?: () => number | null;
}

/** The event loop's delay since the last call: the worst node's. */
async function loopProbe(target: Target): Promise<Window['loop']> {
	for (const node of target.nodes) process.kill(node.pid, 'SIGUSR2');
	await new Promise((r) => setTimeout(r, 150));
	const each = target.nodes.map((node) => {
		try {
			return JSON.parse(readFileSync(node.probeFile, 'utf8')) as NonNullable<Window['loop']>;
		} catch {
			return null;
		}
	});
	if (each.some((loop) => loop === null)) return null;
	return each.reduce((worst, loop) => (loop!.p99 > worst!.p99 ? loop : worst))!;
}

/**
 * A process's CPU time so far in µs (user + system, all its threads; /proc, Linux), null where
 * there is no /proc. CPU per request is what noise on a shared machine disturbs least: a rate
 * falls when another process takes the cores, the work per request does not.
 */
function cpuOfProcess(pid: number): number | null {
	try {
		// The fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS;
	} catch {
		return null;
	}
}
/** Linux's USER_HZ: /proc's times are in these. */
const CLOCK_TICKS = 100;

function sumOrNull(values: (number | null)[]): number | null {
	return values.some((v) => v === null) ? null : values.reduce((sum: number, v) => sum + v!, 0);
}

async function runWindow(
	target: Target,
	phase: string,
	body: (i: number) => string,
	pickId: () => number
): Promise<Window> {
	await loopProbe(target); // start the event-loop window
	const nodesCpu = () => sumOrNull(target.nodes.map((node) => cpuOfProcess(node.pid)));
	const databaseCpu = () => (target.databaseCpu?.() ?? null) as number | null;
	const cpuBefore = nodesCpu();
	const databaseBefore = databaseCpu();
	let created = 0;
	let replayed = 0;
	let other = 0;
	let firstOther: string | undefined;
	const result = await autocannon({
		// autocannon takes several URLs (its typings say one) and gives connection i the URL
		// i mod n: the connections are split over the nodes.
		url: target.nodes.map((node) => node.url) as unknown as string,
		connections: CONNECTIONS,
		duration: WINDOW,
		requests: [
			{
				method: 'POST',
				path: '/api/v1/sales',
				headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
				setupRequest: (request) => ({ ...request, body: body(pickId()) }),
				onResponse: (status, answer) => {
					if (status === 201) created += 1;
					else if (status === 200) replayed += 1;
					else {
						other += 1;
						firstOther ??= `${status} ${String(answer).slice(0, 200)}`;
					}
				}
			}
		]
	});
	const cpuAfter = nodesCpu();
	const databaseAfter = databaseCpu();
	const loop = await loopProbe(target);
	const answered = created + replayed;
	return {
		stack: target.stack,
		phase,
		seconds: WINDOW,
		created,
		replayed,
		other,
		firstOther,
		errors: result.errors + result.timeouts,
		perSecond: round(answered / WINDOW, 0),
		p50: result.latency.p50,
		p99: result.latency.p99,
		loop,
		cpuPerRequestUs:
			cpuBefore != null && cpuAfter != null && answered > 0
				? round((cpuAfter - cpuBefore) / answered, 0)
				: null,
		...(target.databaseCpu
			? {
					databaseCpuPerRequestUs:
						databaseBefore != null && databaseAfter != null && answered > 0
							? round((1_000_000 * (databaseAfter - databaseBefore)) / answered, 0)
							: null
				}
			: {}),
		load: load()
	};
}

function show(w: Window, bare?: Window) {
	const ratio =
		bare && bare.perSecond > 0
			? ` · ${round((100 * w.perSecond) / bare.perSecond, 0)} % of bare`
			: '';
	const size = w.seasonSales != null ? ` · season ${w.seasonSales.toLocaleString('en')} sales` : '';
	const loop = w.loop ? ` · loop p99 ${w.loop.p99} ms (max ${w.loop.max})` : '';
	const cpu = w.cpuPerRequestUs != null ? ` · cpu ${w.cpuPerRequestUs} µs/req` : '';
	const database =
		w.databaseCpuPerRequestUs != null
			? ` · PostgreSQL cpu ${w.databaseCpuPerRequestUs} µs/req`
			: '';
	const bad =
		w.other + w.errors > 0
			? ` · ${w.other} non-2xx (first: ${w.firstOther ?? '-'}), ${w.errors} errors`
			: '';
	log(
		`  ${w.stack.padEnd(10)} ${w.phase.padEnd(14)} ${String(w.perSecond).padStart(6)}/s · p50 ${w.p50} ms · p99 ${w.p99} ms${loop}${cpu}${database}${size}${ratio}${bad}`
	);
}

// ---------------------------------------------------------------------------------------------
// CPU profile: the functions with the most self time.

function hottest(dir: string) {
	const file = readdirSync(dir).find(isMainThreadProfile);
	if (!file) return [];
	const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
		nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
		samples: number[];
	};
	const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
	const self = new Map<string, number>();
	for (const id of profile.samples) {
		const frame = byNode.get(id)!.callFrame;
		const where = frame.url.replace(/^.*\/(node_modules|build|src)\//, '$1/');
		const key = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
		self.set(key, (self.get(key) ?? 0) + 1);
	}
	const total = profile.samples.length;
	return [...self]
		.sort((a, b) => b[1] - a[1])
		.slice(0, 20)
		.map(([name, n]) => ({ name, percent: round((100 * n) / total, 1) }));
}

// ---------------------------------------------------------------------------------------------

async function main() {
	const missing = missingBuild();
	if (missing) {
		console.error(missing);
		process.exit(1);
	}
	const startLoad = load();
	log(
		`bench:ingest ${QUICK ? '(quick) ' : ''}· ${CONNECTIONS} connections · ${WINDOW} s windows · load ${startLoad.join(' ')}`
	);
	const stamp = new Date().toISOString().replace(/[:.]/g, '-');
	const dir = join(ROOT, 'bench/results', `ingest-${stamp}`);
	mkdirSync(dir, { recursive: true });
	const dbPath = join(dir, 'honorboard.db');
	const build = snapshotBuild();
	// Its copy of build/ goes too when the bench is interrupted.
	const forgetBuild = stopOnInterrupt(async () => build.remove());
	const probe = pathToFileURL(join(ROOT, 'bench/lib/loop-probe.mjs')).href;
	const profileDir = join(dir, 'profile');

	const token = await seedDemoWithToken(dbPath);

	const direct = new Database(dbPath);
	const { seasonId: liveId, world } = demoWorld(direct);
	const postgres = POSTGRES ? await seededPostgres(dbPath, PORT + 60) : null;
	const redis = NODES > 1 ? await startRedis() : null;
	const forgetRedis = redis ? stopOnInterrupt(() => redis.stop()) : null;
	const salesNow = async () =>
		postgres
			? Number(
					(
						await postgres.pool.query('select count(*) as n from sale where season_id = $1', [
							liveId
						])
					).rows[0].n
				)
			: (
					direct.prepare('select count(*) as n from sale where season_id = ?').get(liveId) as {
						n: number;
					}
				).n;
	const badgeCount = (
		direct.prepare('select count(*) as n from badge where active = 1').get() as { n: number }
	).n;
	log(
		`seeded: ${world.emails.length} sellers, ${world.skus.length} products, ${await salesNow()} sales, ${badgeCount} active badges${postgres ? ' · Honorboard on PostgreSQL' : ''}${redis ? ` · ${NODES} nodes joined by Redis on port ${redis.port}` : ''}`
	);

	// The Honorboard node(s) anew per phase: badge evaluation per sale on, or off
	// (HONORBOARD_BENCH_SALE_BADGES=0, read by scoring/sales.ts). One after the other: each runs
	// the start-up jobs on the one database.
	const nodePort = (n: number) => (n === 0 ? PORT : PORT + 1 + n);
	const probeFileOf = (n: number) => join(dir, `loop-honorboard-${n}.json`);
	async function startHonorboard(badges: boolean, profile: boolean) {
		const nodes: BenchServer[] = [];
		for (let n = 0; n < NODES; n++) {
			const node = await startNode(n, badges, profile);
			nodes.push(node);
			hbProcesses.push(node.process);
		}
		return nodes;
	}
	const startNode = (n: number, badges: boolean, profile: boolean) =>
		startBenchServer(dbPath, {
			entry: build.entry,
			port: nodePort(n),
			logFile: join(dir, `honorboard-${n}-${Date.now()}.log`),
			// Start-up runs the periodic badge job before listening: slow on a busy machine.
			readyTimeoutMs: 180_000,
			nodeArgs: [
				'--import',
				probe,
				...(profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])
			],
			env: {
				LOOP_PROBE_FILE: probeFileOf(n),
				...(postgres ? { DATABASE_URL: postgres.url } : {}),
				...(redis ? { REDIS_URL: redis.url } : {}),
				...(badges ? {} : { HONORBOARD_BENCH_SALE_BADGES: '0' })
			}
		});
	const bareToken = 'bare-token';
	const bare = spawn(
		process.execPath,
		['--import', probe, join(ROOT, 'bench/lib/bare-ingest.mjs')],
		{
			cwd: ROOT,
			env: {
				...process.env,
				PORT: String(PORT + 1),
				HOST: '127.0.0.1',
				DATABASE_URL: join(dir, 'bare.db'),
				TOKEN: bareToken,
				LOOP_PROBE_FILE: join(dir, 'loop-bare.json')
			},
			stdio: ['ignore', 'pipe', 'inherit']
		}
	);
	// Whatever happens, no server of this run outlives it.
	process.on('exit', () => {
		bare.kill('SIGKILL');
		for (const node of hbProcesses) node.kill('SIGKILL');
	});
	const forgetServers = stopOnInterrupt(async () => {
		bare.kill('SIGTERM');
		await Promise.all(hb.map((node) => node.stop()));
	});
	await new Promise<void>((ready, fail) => {
		bare.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && ready());
		bare.once('exit', (code) => fail(new Error(`bare server exited (${code})`)));
	});

	let hb: BenchServer[] = [];
	hb = await startHonorboard(!postgres, false);
	const nodesOf = (servers: BenchServer[]) =>
		servers.map((node, n) => ({ url: node.url, pid: node.pid, probeFile: probeFileOf(n) }));
	const honorboard: Target = {
		stack: 'honorboard',
		nodes: nodesOf(hb),
		token,
		next: 0,
		databaseCpu: postgres?.cpuSeconds
	};
	const plain: Target = {
		stack: 'bare',
		nodes: [
			{
				url: `http://127.0.0.1:${PORT + 1}`,
				pid: bare.pid!,
				probeFile: join(dir, 'loop-bare.json')
			}
		],
		token: bareToken,
		next: 0
	};
	const windows: Window[] = [];
	const fresh = (t: Target) => () => t.next++;
	const hbBody = (i: number) => saleBody(world, 'hb', i);
	const bareBody = (i: number) => saleBody(world, 'bare', i);

	async function pair(phase: string) {
		const w = await runWindow(honorboard, phase, hbBody, fresh(honorboard));
		w.seasonSales = await salesNow();
		const b = await runWindow(plain, phase, bareBody, fresh(plain));
		show(w, b);
		show(b);
		windows.push(w, b);
		return w;
	}

	// Start-up runs the periodic badge job on the event loop (shared/jobs.ts): its block is
	// reported apart, not charged to the first window.
	const startups: { badges: boolean; loop: Window['loop'] }[] = [];
	const settle = async (badges: boolean) => {
		await new Promise((r) => setTimeout(r, 1000));
		const loop = await loopProbe(honorboard);
		startups.push({ badges, loop });
		log(`  (server started: event loop max ${loop?.max ?? '?'} ms during start-up)`);
	};
	// The checkpoint thread's totals, from the line it logs when the server stops: its longest
	// RESTART is the longest a commit can have waited for it.
	const checkpoints: {
		checkpoints: number;
		frames: number;
		restartFrames?: number;
		mostBehindAtRestart?: number;
		restartsLeft?: number;
		restarts?: number;
		restartMs?: number;
		longestRestartMs?: number;
	}[] = [];
	const stopHonorboard = async () => {
		for (const node of hb) {
			await node.stop();
			reportCheckpoints(node);
			reportErrors(node);
		}
	};
	// A 500 says only "internal": the node's log says what failed.
	const reportErrors = (node: BenchServer) => {
		const lines = node
			.output()
			.split('\n')
			.filter((l) => /error|failed/i.test(l));
		if (lines.length === 0) return;
		log(`  (${node.url} logged ${lines.length} error lines; the first:`);
		for (const line of lines.slice(0, 3)) log(`    ${line.slice(0, 400)}`);
		log('  )');
	};
	const reportCheckpoints = (node: BenchServer) => {
		const line = node
			.output()
			.split('\n')
			.find((l) => l.includes('the checkpoint thread stopped'));
		if (!line) return;
		const done = JSON.parse(line) as (typeof checkpoints)[number];
		checkpoints.push(done);
		log(
			`  (checkpoint thread: ${done.checkpoints} checkpoints, ${done.frames} frames; under the ` +
				`write lock (RESTART) ${done.restartFrames ?? '?'} frames, ${done.restartMs ?? '?'} ms ` +
				`in all, longest ${done.longestRestartMs ?? '?'} ms; most frames behind ` +
				`at a RESTART ${done.mostBehindAtRestart ?? '?'}; ${done.restarts ?? '?'} restarts, ` +
				`${done.restartsLeft ?? '?'} left for a later poll)`
		);
	};
	const restart = async (badges: boolean, profile: boolean) => {
		await stopHonorboard();
		hb = await startHonorboard(badges, profile);
		honorboard.nodes = nodesOf(hb);
		await settle(badges);
	};
	let finalSeasonSales = 0;
	try {
		if (!postgres) {
			log('\nnew sales, badges on (season at demo size):');
			await settle(true);
			for (let i = 0; i < BADGE_WINDOWS; i++) await pair('new, badges on');
		}

		log(`\nnew sales, badges off, growing the season toward ${TARGET.toLocaleString('en')} sales:`);
		await restart(false, PROFILE);
		// At least one window, even when the badges-on windows already passed the target (a
		// --quick run at 2,000+ sales/s did: the run had no badges-off figure at all).
		for (let i = 0; i < MAX_GROW_WINDOWS && (i === 0 || (await salesNow()) < TARGET); i++)
			await pair('new, badges off');

		log('\nreplays of known externalIds (the same body again), badges off:');
		const hbKnown = honorboard.next;
		const bareKnown = plain.next;
		let r = 0;
		const w = await runWindow(honorboard, 'replay', hbBody, () => hash(r++, 9) % hbKnown);
		const b = await runWindow(plain, 'replay', bareBody, () => hash(r++, 9) % bareKnown);
		show(w, b);
		show(b);
		windows.push(w, b);

		if (BADGES_AT_SIZE && !postgres) {
			log('\nnew sales, badges on again (season at its largest):');
			await restart(true, false);
			for (let i = 0; i < BADGE_WINDOWS; i++) await pair('new, badges on');
		}
		finalSeasonSales = await salesNow();
	} finally {
		await stopHonorboard();
		bare.kill('SIGTERM');
		forgetServers();
		build.remove();
		forgetBuild();
		await postgres?.stop();
		await redis?.stop();
		forgetRedis?.();
	}

	const endLoad = load();
	const hbNew = windows.filter((w) => w.stack === 'honorboard' && w.phase.startsWith('new'));
	const ratios = windows
		.map((w, i) => (w.stack === 'honorboard' ? { w, b: windows[i + 1] } : null))
		.filter((x) => x != null)
		.map(({ w, b }) => ({ phase: w.phase, ratio: round(w.perSecond / b.perSecond, 3) }));
	const summary = {
		badgesOn: hbNew.filter((w) => w.phase === 'new, badges on').map((w) => w.perSecond),
		badgesOff: hbNew.filter((w) => w.phase === 'new, badges off').map((w) => w.perSecond),
		/** Server CPU per request, µs, the badges-off windows; the cluster's apart (PostgreSQL). */
		cpuPerRequestUs: hbNew
			.filter((w) => w.phase === 'new, badges off')
			.map((w) => w.cpuPerRequestUs),
		databaseCpuPerRequestUs: postgres
			? hbNew
					.filter((w) => w.phase === 'new, badges off')
					.map((w) => w.databaseCpuPerRequestUs ?? null)
			: null,
		worstP99: Math.max(...hbNew.map((w) => w.p99)),
		worstLoopP99: Math.max(...hbNew.map((w) => w.loop?.p99 ?? 0)),
		finalSeasonSales,
		replayPerSecond: windows.find((w) => w.stack === 'honorboard' && w.phase === 'replay')
			?.perSecond,
		bareReplayPerSecond: windows.find((w) => w.stack === 'bare' && w.phase === 'replay')?.perSecond,
		ratios,
		checkpoints
	};
	direct.close();
	const profile = PROFILE && existsSync(profileDir) ? hottest(profileDir) : [];
	if (profile.length > 0) {
		log('\nhottest functions (self time, Honorboard server):');
		for (const p of profile) log(`  ${String(p.percent).padStart(5)} %  ${p.name}`);
	}
	log(`\nload at start ${startLoad.join(' ')} · at end ${endLoad.join(' ')}`);
	log(JSON.stringify(summary));
	const out = join(ROOT, 'bench/results', `ingest-${stamp}.json`);
	writeFileSync(
		out,
		JSON.stringify(
			{
				startups,
				quick: QUICK,
				database: postgres ? 'postgres' : 'sqlite',
				nodes: NODES,
				connections: CONNECTIONS,
				window: WINDOW,
				target: TARGET,
				startLoad,
				endLoad,
				summary,
				windows,
				profile
			},
			null,
			1
		)
	);
	// A run with failed requests keeps its folder: the nodes' whole logs say why.
	const failed = windows.some((w) => w.other + w.errors > 0);
	if (failed) log(`requests failed: the nodes' logs are kept in ${dir.slice(ROOT.length + 1)}`);
	if (!PROFILE && !failed) rmSync(dir, { recursive: true, force: true });
	log(`results ${out.slice(ROOT.length + 1)}`);
}

main().catch(async (error) => {
	console.error(error);
	await stopEverything();
	process.exit(1);
});
