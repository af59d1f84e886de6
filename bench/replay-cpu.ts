// Replays alone, measured by the server's CPU rather than by wall-clock rate: on a machine
// shared with other work the rate follows the load, the CPU a replay costs much less so. Records
// 4,000 sales on a copy of the demo database (seeded once, kept in /tmp), then replays them for
// --seconds with 32 connections and prints replays/s and the server's user+system CPU per replay
// (from /proc). Compare two builds in turn: --entry a copy of an older build/ under bench/results.
// --known N records N sales instead (a season's size: 229,000 is bench:ingest's at its end);
// --cold then restarts the server and measures again, replaying each sale once in a shuffled
// order: every replay takes the full path (nothing answered since the start), as after a
// restart under a CRM sending a week again. The server's RSS is printed with each pass.
// --bare measures the bare stack of bench:ingest (bench/lib/bare-ingest.mjs) the same way, same
// bodies and client: what a replay costs a server that does the least an ingest endpoint must.
//
//   npm run bench:replay-cpu -- [--entry bench/results/.build-old/server.js] [--seconds 8]
//     [--known 4000] [--cold] [--first] [--bare] [--profile <dir>] (node --cpu-prof on the server)
//     [--port 53010] [--log <file>] (the server's whole output)
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, seedDemoWithToken, startBenchServer } from './lib/server';

const args = process.argv.slice(2);
const opt = (n: string, f: string) =>
	args.indexOf(`--${n}`) === -1 ? f : args[args.indexOf(`--${n}`) + 1];
const ENTRY = opt('entry', join(ROOT, 'build/server.js'));
const SECONDS = Number(opt('seconds', '8'));
const PROFILE = opt('profile', '');
/** The server's whole output, to this file (a 500 says only "internal"). */
const LOG = opt('log', '');
const PORT = Number(opt('port', '53010'));
const KNOWN = Number(opt('known', '4000'));
const COLD = args.includes('--cold');
const FIRST = args.includes('--first');
const BARE = args.includes('--bare');
const TEMPLATE = '/tmp/replay-cpu-template.db';

function cpuTicks(pid: number): number {
	const { user, system } = cpuSplit(pid);
	return user + system;
}

/** The process's CPU in user space and in the kernel (the loopback writes), clock ticks (100/s). */
function cpuSplit(pid: number): { user: number; system: number } {
	const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return { user: Number(f[11]), system: Number(f[12]) };
}

/**
 * Waits until the server's own work after a start (the badge facts' catch-up over the season,
 * jobs) is over: 10 s at least (that work may start a moment after the port listens), then
 * until under 3 % of a core for a second, at most 3 minutes. A cold pass measured right after
 * a start counted that work: 1,119 µs per replay at 229,000 sales.
 */
async function settle(pid: number) {
	const t0 = performance.now();
	await new Promise((r) => setTimeout(r, 10_000));
	for (let i = 0; i < 170; i++) {
		const c0 = cpuTicks(pid);
		await new Promise((r) => setTimeout(r, 1000));
		if (cpuTicks(pid) - c0 <= 3) break;
	}
	console.log(`(server settled after ${Math.round((performance.now() - t0) / 1000)} s)`);
}

async function main() {
	if (!existsSync(TEMPLATE + '.token')) {
		writeFileSync(TEMPLATE + '.token', await seedDemoWithToken(TEMPLATE));
	}
	const token = readFileSync(TEMPLATE + '.token', 'utf8');
	const db = `/tmp/replay-cpu-${PORT}.db`;
	// A -wal or -shm of an earlier run, left beside a fresh copy, would be read as its own.
	for (const ext of ['', '-wal', '-shm']) {
		rmSync(db + ext, { force: true });
		if (existsSync(TEMPLATE + ext)) copyFileSync(TEMPLATE + ext, db + ext);
	}
	const direct = new Database(db, { readonly: true });
	const live = direct
		.prepare(`select id from season where status='live' order by starts_at desc limit 1`)
		.get() as { id: number };
	const emails = (
		direct
			.prepare(
				`select u.email from season_member m join user u on u.id=m.user_id where m.season_id=?`
			)
			.all(live.id) as { email: string }[]
	).map((r) => r.email);
	const skus = direct
		.prepare(`select sku, price from product where season_id=? and active=1`)
		.all(live.id) as { sku: string; price: number }[];
	direct.close();
	const now = Date.now();
	const body = (i: number) =>
		JSON.stringify({
			externalId: `rc-${i}`,
			seller: { email: emails[i % emails.length] },
			occurredAt: new Date(now - 3_600_000 - (i % 1000) * 60_000).toISOString(),
			lines: [
				{
					sku: skus[i % skus.length].sku,
					quantity: 1 + (i % 3),
					unitPrice: skus[i % skus.length].price / 100
				}
			]
		});
	const start = (profile: boolean) => (BARE ? startBare(profile) : startHonorboard(profile));
	const startHonorboard = (profile: boolean) =>
		startBenchServer(db, {
			entry: ENTRY,
			port: PORT,
			readyTimeoutMs: 180_000,
			nodeArgs: profile ? ['--cpu-prof', '--cpu-prof-dir', PROFILE] : [],
			env: { HONORBOARD_BENCH_SALE_BADGES: '0' },
			...(LOG ? { logFile: LOG } : {})
		});
	// The bare stack keeps its sales in a file of its own, new for each run (kept for --cold).
	const bareFile = `/tmp/replay-cpu-bare-${PORT}.db`;
	if (BARE) for (const ext of ['', '-wal', '-shm']) rmSync(bareFile + ext, { force: true });
	const startBare = async (profile: boolean) => {
		const file = bareFile;
		const child = spawn(
			process.execPath,
			[
				...(profile ? ['--cpu-prof', '--cpu-prof-dir', PROFILE] : []),
				join(ROOT, 'bench/lib/bare-ingest.mjs')
			],
			{
				env: { ...process.env, PORT: String(PORT), DATABASE_URL: file, TOKEN: token },
				stdio: ['ignore', 'pipe', 'inherit']
			}
		);
		await new Promise<void>((ready, fail) => {
			child.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && ready());
			child.once('exit', (code) => fail(new Error(`bare server exited (${code})`)));
		});
		const exited = new Promise((done) => child.once('exit', done));
		return {
			url: `http://127.0.0.1:${PORT}`,
			pid: child.pid!,
			stop: async () => {
				child.kill('SIGTERM');
				await exited;
			}
		};
	};
	// Cold: the pass after the hot one, on a new server (the one profiled, if asked).
	let server = await start(PROFILE !== '' && !COLD);
	const first = server;
	const run = async (seconds: number, pick: () => number) => {
		const counts: Record<number, number> = {};
		const r = await autocannon({
			url: server.url,
			connections: 32,
			duration: seconds,
			requests: [
				{
					method: 'POST',
					path: '/api/v1/sales',
					headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
					setupRequest: (req) => ({ ...req, body: body(pick()) }),
					onResponse: (status) => (counts[status] = (counts[status] ?? 0) + 1)
				}
			]
		});
		return { counts, p99: r.latency.p99 };
	};
	let n = 0;
	// Record KNOWN sales first (each once), then replay them.
	const r0 = performance.now();
	while (n < KNOWN) {
		await autocannon({
			url: server.url,
			connections: 16,
			amount: KNOWN - n,
			requests: [
				{
					method: 'POST',
					path: '/api/v1/sales',
					headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
					setupRequest: (req) => ({ ...req, body: body(n++) })
				}
			]
		});
	}
	const recordSeconds = Math.round((performance.now() - r0) / 100) / 10;
	// Hot: at random among the known (each many times). Cold: each once, in a shuffled order
	// (a step prime to KNOWN), the warm-up's included: none was answered by this server before.
	const STEP = 7_919;
	if (COLD && KNOWN % STEP === 0) throw new Error(`--known must not be a multiple of ${STEP}`);
	const measure = async (cold: boolean) => {
		let r = 0;
		const pick = cold
			? () => (r++ * STEP) % KNOWN
			: // Math.imul: r * 1103515245 in doubles lost its low bits past 2^53, and the sequence
				// fell into a cycle of ~2,900 sales: at --known 200000, 94 % of the hot pass's
				// replays repeated (held answers), where bench:ingest's are nearly all first ones.
				// In 32-bit arithmetic, ~11 % repeat at 200,000 (~90 % at 4,000).
				() => (r = (Math.imul(r, 1103515245) + 12345) >>> 0) % KNOWN;
		await run(2, pick); // warm-up
		const l0 = loadavg()[0];
		const c0 = cpuSplit(server.pid);
		const t0 = performance.now();
		const res = await run(SECONDS, pick);
		const wall = (performance.now() - t0) / 1000;
		const c1 = cpuSplit(server.pid);
		const cpu = (c1.user + c1.system - c0.user - c0.system) / 100;
		const kernel = (c1.system - c0.system) / 100;
		const replays = res.counts[200] ?? 0;
		const rss = readFileSync(`/proc/${server.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1];
		console.log(
			JSON.stringify({
				entry: BARE ? 'bare' : ENTRY,
				known: KNOWN,
				// Cold, and more replays than known sales: the later ones were answered before.
				pass: cold
					? `${server === first ? 'first' : 'cold'}${r <= KNOWN ? '' : ', then some again'}`
					: 'hot',
				recordSeconds,
				load: Math.round(l0 * 10) / 10,
				rssMB: Math.round(Number(rss) / 1024),
				replaysPerSecond: Math.round(replays / wall),
				cpuUsPerReplay: Math.round((cpu / replays) * 1e6),
				// Of which in the kernel (system time): mostly the answer's loopback write.
				kernelUsPerReplay: Math.round((kernel / replays) * 1e6),
				serverCpuShare: Math.round((cpu / wall) * 100) / 100,
				p99: res.p99,
				statuses: res.counts
			})
		);
	};
	await measure(FIRST);
	if (COLD) {
		await server.stop();
		server = await start(PROFILE !== '');
		await settle(server.pid);
		await measure(true);
	}
	await server.stop();
}
main().catch((e) => {
	console.error(e);
	process.exit(1);
});
