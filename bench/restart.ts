// A restart on a large season with badges on, the way `bench:ingest -- --badges-at-size` ends:
// the demo season grown through the API with the badge step off (HONORBOARD_BENCH_SALE_BADGES=0),
// so that the badge facts have a backlog of every sale since, then the production build started
// on a copy with badges on and sales posted from one second after it listens. Records the event
// loop's delay inside the server every 100 ms and each wait over 50 ms with its time
// (bench/lib/loop-timeline.mjs), a CPU profile of the server (node --cpu-prof), and reads the
// profile's samples inside each wait: which functions held the loop, and how much was GC.
//
//   npm run bench:restart                  200,000 sales, 20 s of sales at 1,000/s after the start
//   options: --sales 200000  --seconds 20  --rate 1000 (0: as fast as 32 connections go)
//            --connections 32  --no-profile  --trace-gc (the server's GC lines, with times)
//   The grown season is kept in bench/results/restart-template-<sales>/ and reused by later runs
//   (delete it after a schema change). Port: BENCH_PORT (default 4530).
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
	missingBuild,
	procCpuSeconds,
	ROOT,
	seedDemoWithToken,
	snapshotBuild,
	startBenchServer
} from './lib/server';
import { demoWorld, saleBody, type World } from './lib/sale-bodies';
import { isMainThreadProfile, round } from './lib/stats';
import { flag, option } from './lib/args';

const SALES = option('sales', 200_000);
const SECONDS = option('seconds', 20);
const RATE = option('rate', 1_000);
const CONNECTIONS = option('connections', 32);
const PROFILE = !flag('no-profile');
const TRACE_GC = flag('trace-gc');
const PORT = Number(process.env.BENCH_PORT ?? 4530);
/** The bench posts from this long after the server listens (bench:ingest's settle). */
const SETTLE_MS = 1_000;

const log = (line: string) => console.log(line);
const load = () => loadavg().map((l) => round(l, 2));
const micros = () => Number(process.hrtime.bigint() / 1000n);

interface Template {
	dir: string;
	token: string;
	world: World;
	seasonId: number;
	next: number;
}

function copyDatabase(from: string, to: string) {
	for (const suffix of ['', '-wal', '-shm'])
		if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
}

/** Posts `amount` new sales as fast as the connections go (the growing phase). */
async function postSales(url: string, token: string, body: (i: number) => string, amount: number) {
	let created = 0;
	await autocannon({
		url,
		connections: CONNECTIONS,
		amount,
		requests: [
			{
				method: 'POST',
				path: '/api/v1/sales',
				headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
				setupRequest: (request) => ({ ...request, body: body(0) }),
				onResponse: (status) => {
					if (status === 201) created += 1;
				}
			}
		]
	});
	return created;
}

/**
 * The demo season grown to SALES sales with the badge step off, as bench:ingest's badges-off
 * phase leaves it: built once, then reused.
 */
async function template(entry: string): Promise<Template> {
	const dir = join(ROOT, 'bench/results', `restart-template-${SALES}`);
	const metaFile = join(dir, 'meta.json');
	if (existsSync(metaFile)) return JSON.parse(readFileSync(metaFile, 'utf8')) as Template;
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	const dbPath = join(dir, 'honorboard.db');
	const token = await seedDemoWithToken(dbPath);
	const direct = new Database(dbPath, { readonly: true });
	const { seasonId, world } = demoWorld(direct);
	const count = () =>
		(
			direct.prepare('select count(*) as n from sale where season_id = ?').get(seasonId) as {
				n: number;
			}
		).n;
	log(`growing the demo season to ${SALES.toLocaleString('en')} sales, badges off (once)…`);
	const t0 = performance.now();
	const server = await startBenchServer(dbPath, {
		entry,
		port: PORT,
		readyTimeoutMs: 180_000,
		env: { HONORBOARD_BENCH_SALE_BADGES: '0' }
	});
	let next = 0;
	try {
		while (count() < SALES) {
			const amount = Math.min(50_000, SALES - count());
			await postSales(server.url, token, () => saleBody(world, 'hb', next++), amount);
			log(`  ${count().toLocaleString('en')} sales`);
		}
	} finally {
		await server.stop();
		direct.close();
	}
	const meta: Template = { dir, token, world, seasonId, next };
	writeFileSync(metaFile, JSON.stringify(meta));
	log(`  grown in ${round((performance.now() - t0) / 1000, 0)} s`);
	return meta;
}

// ---------------------------------------------------------------------------------------------
// The profile read against the waits.

interface Profile {
	nodes: {
		id: number;
		callFrame: { functionName: string; url: string; lineNumber: number };
		children?: number[];
	}[];
	startTime: number;
	samples: number[];
	timeDeltas: number[];
}

function frameName(frame: Profile['nodes'][number]['callFrame']) {
	const where = frame.url.replace(/^.*\/(node_modules|build|src|\.build-[^/]+)\//, '$1/');
	return `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
}

/** Self time and time inside (inclusive) of each function over the samples in [from, to]. */
function samplesBetween(profile: Profile, from: number, to: number) {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const self = new Map<string, number>();
	const inside = new Map<string, number>();
	let t = profile.startTime;
	let total = 0;
	for (let i = 0; i < profile.samples.length; i++) {
		t += profile.timeDeltas[i];
		if (t < from || t > to) continue;
		total += 1;
		const id = profile.samples[i];
		const key = frameName(byId.get(id)!.callFrame);
		self.set(key, (self.get(key) ?? 0) + 1);
		const seen = new Set<string>();
		for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
			const name = frameName(byId.get(at)!.callFrame);
			if (seen.has(name)) continue;
			seen.add(name);
			inside.set(name, (inside.get(name) ?? 0) + 1);
		}
	}
	const top = (m: Map<string, number>, n: number) =>
		[...m]
			.sort((a, b) => b[1] - a[1])
			.slice(0, n)
			.map(([name, count]) => ({ name, percent: total ? round((100 * count) / total, 0) : 0 }));
	return { total, self: top(self, 6), inside: top(inside, 25) };
}

// ---------------------------------------------------------------------------------------------

async function main() {
	const missing = missingBuild();
	if (missing) {
		console.error(missing);
		process.exit(1);
	}
	const build = snapshotBuild();
	const stamp = new Date().toISOString().replace(/[:.]/g, '-');
	const dir = join(ROOT, 'bench/results', `restart-${stamp}`);
	mkdirSync(dir, { recursive: true });
	try {
		const t = await template(build.entry);
		const startLoad = load();
		log(
			`bench:restart · ${SALES.toLocaleString('en')} sales · ${RATE || 'max'}/s for ${SECONDS} s · load ${startLoad.join(' ')}`
		);
		const dbPath = join(dir, 'honorboard.db');
		copyDatabase(join(t.dir, 'honorboard.db'), dbPath);
		const timelineFile = join(dir, 'loop-timeline.json');
		const spawned = micros();
		const server = await startBenchServer(dbPath, {
			entry: build.entry,
			port: PORT,
			readyTimeoutMs: 180_000,
			nodeArgs: [
				'--import',
				pathToFileURL(join(ROOT, 'bench/lib/loop-timeline.mjs')).href,
				...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', dir] : []),
				...(TRACE_GC ? ['--trace-gc'] : [])
			],
			env: { LOOP_TIMELINE_FILE: timelineFile }
		});
		const listening = micros();
		const cpuAtListen = procCpuSeconds(server.pid);
		// When the badge backlog's slices end (their log line), in seconds after listening: how
		// long users waited for badges under this traffic.
		let caughtUp: { at: number; line: string } | undefined;
		server.process.stdout?.on('data', (chunk: Buffer) => {
			const line = chunk
				.toString()
				.split('\n')
				.find((l) => l.includes('badge facts caught up'));
			if (line && !caughtUp) caughtUp = { at: round((micros() - listening) / 1e6, 1), line };
		});
		log(`listening ${round((listening - spawned) / 1000, 0)} ms after the spawn`);
		await new Promise((r) => setTimeout(r, SETTLE_MS));
		// Answers per second since listening, by the time each answer arrived.
		const answered: number[] = [];
		const latencies: number[][] = [];
		let other = 0;
		let next = t.next;
		const sent = new Map<unknown, number>();
		const result = await autocannon({
			url: server.url,
			connections: CONNECTIONS,
			duration: SECONDS,
			...(RATE > 0 ? { overallRate: RATE } : {}),
			requests: [
				{
					method: 'POST',
					path: '/api/v1/sales',
					headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
					setupRequest: (request, context) => {
						sent.set(context, micros());
						return { ...request, body: saleBody(t.world, 'hb', next++) };
					},
					onResponse: (status, _body, context) => {
						const now = micros();
						const second = Math.floor((now - listening) / 1e6);
						if (status === 201 || status === 200) answered[second] = (answered[second] ?? 0) + 1;
						else other += 1;
						const from = sent.get(context);
						if (from !== undefined) (latencies[second] ??= []).push((now - from) / 1000);
					}
				}
			]
		});
		const cpu = procCpuSeconds(server.pid);
		await server.stop();
		const endLoad = load();
		const backlog = backlogLeft(dbPath);

		const timeline = JSON.parse(readFileSync(timelineFile, 'utf8')) as {
			windows: { at: number; p99: number; max: number }[];
			gaps: { start: number; end: number; ms: number }[];
		};
		const sinceListen = (us: number) => round((us - listening) / 1e6, 2);
		log(`\nper second after listening (sales posted from ${SETTLE_MS / 1000} s):`);
		// The histogram's max per 100 ms can miss a long block (its sample may land after the
		// reset); the 5 ms timer's longest wait ending in that second does not.
		log('  second  sales/s  latency p99  loop p99 / max (histogram)  longest wait (timer)');
		const seconds = Math.ceil((SETTLE_MS + SECONDS * 1000) / 1000) + 1;
		for (let s = 0; s < seconds; s++) {
			const inSecond = timeline.windows.filter((w) => Math.floor(sinceListen(w.at)) === s);
			const loopMax = Math.max(0, ...inSecond.map((w) => w.max));
			const loopP99 = Math.max(0, ...inSecond.map((w) => w.p99));
			const waits = timeline.gaps.filter((g) => Math.floor(sinceListen(g.end)) === s);
			const longest = Math.max(0, ...waits.map((g) => g.ms));
			const lat = (latencies[s] ?? []).sort((a, b) => a - b);
			const p99 = lat.length ? round(lat[Math.floor(lat.length * 0.99)], 0) : 0;
			log(
				`  ${String(s).padStart(6)}  ${String(answered[s] ?? 0).padStart(7)}  ${String(p99).padStart(8)} ms  ${String(loopP99).padStart(8)} / ${loopMax} ms  ${longest ? `${longest} ms` : '-'}`
			);
		}
		const gaps = timeline.gaps.filter((g) => g.end >= listening);
		log(`\nwaits over 50 ms after listening: ${gaps.length}`);
		const profileFile = PROFILE ? readdirSync(dir).find(isMainThreadProfile) : null;
		const profile = profileFile
			? (JSON.parse(readFileSync(join(dir, profileFile), 'utf8')) as Profile)
			: null;
		const analysed = [];
		for (const g of gaps) {
			const at = sinceListen(g.start);
			if (!profile) {
				log(`  at ${at} s: ${g.ms} ms`);
				continue;
			}
			const s = samplesBetween(profile, g.start, g.end);
			analysed.push({ ...g, at, ...s });
			const self = s.self.slice(0, 3).map((x) => `${x.name.split(' ')[0]} ${x.percent} %`);
			log(`  at ${at} s: ${g.ms} ms, ${s.total} samples · self: ${self.join(' · ')}`);
		}
		// The waits in which the server ran most (samples of its CPU), not those in which the
		// machine ran something else (on a loaded machine most waits are the process preempted).
		const worked = [...analysed].sort((x, y) => y.total - x.total).slice(0, 10);
		if (worked.length)
			log('\nthe waits with the most CPU samples (the server working, not preempted):');
		for (const w of worked) {
			// The app's own frames (not the runtime's, not a driver's) that most samples are inside.
			const ours = w.inside.filter((x) => /server(-chunks\/[^ ]*)?\.js/.test(x.name)).slice(0, 6);
			log(
				`  at ${w.at} s: ${w.ms} ms, ${w.total} samples · ` +
					ours.map((x) => `${x.name.split(' ')[0]} ${x.percent} %`).join(' · ')
			);
		}
		log(
			caughtUp
				? `\nbadge backlog taken in ${caughtUp.at} s after listening: ${caughtUp.line.match(/"slices":\d+/)?.[0] ?? ''}`
				: `\nbadge backlog not taken in during the run: ${backlog.toLocaleString('en')} ledger entries left`
		);
		const summary = {
			sales: SALES,
			caughtUpAt: caughtUp?.at ?? null,
			backlogLeft: backlog,
			rate: RATE,
			seconds: SECONDS,
			startLoad,
			endLoad,
			serverCpuSeconds: cpu,
			serverCpuAtListen: cpuAtListen,
			answered,
			other,
			requests: result.requests.total,
			latencyP99: result.latency.p99,
			waits: analysed.length ? analysed : gaps.map((g) => ({ ...g, at: sinceListen(g.start) }))
		};
		writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 1));
		log(
			`\nserver CPU ${cpu} s (${cpuAtListen} s of it before listening) · non-2xx ${other} · load at start ${startLoad.join(' ')} · at end ${endLoad.join(' ')}`
		);
		log(`results in ${dir.slice(ROOT.length + 1)}/ (summary.json, the profile, the server log)`);
		writeFileSync(join(dir, 'server.log'), server.output());
		// The copy of the season (~200 MB) is not worth keeping; the template is.
		for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
	} finally {
		build.remove();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});

/** Ledger entries the badge facts have not taken in yet (after the server stopped). */
function backlogLeft(dbPath: string): number {
	const db = new Database(dbPath, { readonly: true });
	try {
		const row = db
			.prepare(
				`SELECT count(*) AS n FROM ledger_entry
				WHERE id > coalesce((SELECT ledger_id FROM badge_cursor WHERE id = 1), 0)`
			)
			.get() as { n: number };
		return row.n;
	} finally {
		db.close();
	}
}
