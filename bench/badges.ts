// Badge evaluation as a season grows: per-sale badge cost at 1k / 10k / 50k sales next to a bare
// better-sqlite3 insert in the same run, the periodic badge job's longest event-loop block
// (monitorEventLoopDelay), a full re-evaluation and a reversal, and the time until a server on a
// big season answers (with the facts in place, and after an upgrade that must build them).
//
//   npm run bench:badges               50,000 sales (a few minutes)
//   npm run bench:badges -- --quick    10,000 sales
//   npm run bench:badges -- --no-server  leave out the start-up part (needs `npm run build`)
//   npm run bench:badges -- --seeded 200000  only the season-wide work (full re-evaluation,
//     reconciliation after a reversal, recalculation) on a season written directly by
//     bench/lib/seed-sales.ts (1,000 people): minutes instead of an hour at 200,000 sales
//   npm run bench:badges -- --seeded 200000 --season-end  and then the season's end: the
//     scheduler's live → ended step (results frozen, end-of-season badges) and, after the grace
//     period, ended → archived (results final, the badges again); with a build, the board each
//     step freezes is read on the read thread as the server does, and the bench prints the
//     longest synchronous block (HONORBOARD_READ_THREAD=inline: all in one block, as before)
//   npm run bench:badges -- --seeded 50000 --recalc-only  only the season recalculation after a
//     rule change (issue #13), its preview and its apply, on such a seeded season; with
//     --checkpoint-thread the WAL is checkpointed in its thread as the server does (needs a build)
//     --seeded-cache DIR  the seeded database copied from DIR (seeded there by the first run)
import { spawn } from 'node:child_process';
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	readFileSync,
	mkdtempSync,
	rmSync,
	writeFileSync
} from 'node:fs';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openDatabase, type Db } from '../src/lib/server/db';
import { product, rule, season, seasonMember, team, user } from '../src/lib/server/db/schema';
import type { RecordSaleInput } from '../src/lib/server/scoring/sales';
import { badgeStepOn, recordOn } from '../tests/helpers/record-sale';
import { reviewSales } from '../src/lib/server/scoring/review';
import { runPeriodicAwards } from '../src/lib/server/badges/periodic';
import {
	observeReevaluationSlices,
	reevaluateOnStore,
	reevaluationsSettled
} from '../src/lib/server/badges/reevaluate';
import { createBadge } from '../src/lib/server/badges/commands';
import { sqliteStore, write } from '../src/lib/server/db/store';
import type { BadgeCriterion } from '../src/lib/contest/badges';
import { ROOT, missingBuild } from './lib/server';
import { seedSales } from './lib/seed-sales';
import { catchUpFacts, clearFactsInWrite } from '../src/lib/server/badges/facts';
import { runScheduler, runSchedulerOffThread } from '../src/lib/server/seasons/scheduler';
import { startReadThread, stopReadThread } from '../src/lib/server/reads/thread';
import { eq } from 'drizzle-orm';
import { startCheckpointer } from '../src/lib/server/db/checkpointer';
import {
	observeRecalculationSlices,
	setRecalculationSliceMs
} from '../src/lib/server/scoring/recalculate-slices';
import {
	previewRecalculationOn,
	recalculateOn
} from '../src/lib/server/scoring/recalculate-run-store';
import { round, summarize, formatSummary, type Summary } from './lib/stats';
import { mulberry32 } from '../src/lib/seeded-random';

const QUICK = process.argv.includes('--quick');
const seededAt = process.argv.indexOf('--seeded');
const SEEDED = seededAt > 0 ? Number(process.argv[seededAt + 1]) : 0;
const SERVER = !process.argv.includes('--no-server');
const SEASON_END = process.argv.includes('--season-end');
const RECALC_ONLY = process.argv.includes('--recalc-only');
const CHECKPOINT_THREAD = process.argv.includes('--checkpoint-thread');
// --slice-ms N: the recalculation's slice budget instead of its 8 ms (to weigh commits against
// slice length).
const sliceMsAt = process.argv.indexOf('--slice-ms');
if (sliceMsAt > 0) setRecalculationSliceMs(Number(process.argv[sliceMsAt + 1]));
const custom = process.argv.find((a) => a.startsWith('--checkpoints='));
const CHECKPOINTS = custom
	? custom.slice('--checkpoints='.length).split(',').map(Number)
	: QUICK
		? [1_000, 10_000]
		: [1_000, 10_000, 50_000];
const PROBE = 300;
const PEOPLE = 200;
const TEAMS = 10;
const PORT = Number(process.env.BENCH_PORT ?? 4522);
const DAY = 86_400_000;

const random = mulberry32(13);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

const BADGES: { name: string; criterion: BadgeCriterion; points?: number }[] = [
	{ name: 'First sale', criterion: { kind: 'first_sale' } },
	{ name: '100 sales', criterion: { kind: 'sales_count', count: 100 }, points: 5 },
	{ name: '50 audio', criterion: { kind: 'sales_count', count: 50, category: 'audio' } },
	{ name: '20,000 points', criterion: { kind: 'points_at_least', points: 20_000 }, points: 20 },
	{ name: '€100k', criterion: { kind: 'revenue_at_least', amount: 10_000_000 } },
	{ name: 'Ten days', criterion: { kind: 'streak', days: 10 } },
	{ name: 'Cross-seller', criterion: { kind: 'cross_sells', count: 30 }, points: 7 },
	{ name: 'Record breaker', criterion: { kind: 'record_sale' }, points: 10 },
	{ name: 'Team 200k', criterion: { kind: 'team_target', target: 200_000 } },
	{ name: 'Top 3 of the week', criterion: { kind: 'top_k_week', k: 3 }, points: 15 },
	{ name: 'Most improved', criterion: { kind: 'most_improved_week' }, points: 3 }
];
const CATEGORIES = ['phone', 'laptop', 'audio', 'accessory', 'service'];

const load = () => loadavg().map((l) => round(l, 2));
const loadStart = load();
const now = Date.now();
const clock = () => now;
const SPAN = 55 * DAY;

const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-badges-'));
const dbPath = join(dir, 'bench.db');
const db: Db = openDatabase(dbPath);
db.$client.pragma('synchronous = NORMAL');

// The bare stack: plain better-sqlite3, one insert per sale, same file settings.
const bare = new Database(join(dir, 'bare.db'));
bare.pragma('journal_mode = WAL');
bare.pragma('synchronous = NORMAL');
bare.exec(`CREATE TABLE sale (id INTEGER PRIMARY KEY, season_id INT, seller_id INT,
	occurred_at INT, amount INT, points INT)`);
const bareInsert = bare.prepare(
	'INSERT INTO sale (season_id, seller_id, occurred_at, amount, points) VALUES (1, ?, ?, ?, ?)'
);
const bareOne = bare.transaction((seller: number, at: number, amount: number, points: number) =>
	bareInsert.run(seller, at, amount, points)
);

// A live season that started 55 days ago: eight weeks, most of them ended.
const s = db
	.insert(season)
	.values({
		name: 'Bench',
		theme: { primary: '#2563eb', accent: '#f59e0b', emoji: '🏆', tagline: '' },
		timeZone: 'Europe/Warsaw',
		startsAt: now - SPAN - DAY,
		endsAt: now + 7 * DAY,
		status: 'live'
	})
	.returning()
	.get();
const teams = Array.from({ length: TEAMS }, (_, i) =>
	db
		.insert(team)
		.values({ seasonId: s.id, name: `Team ${i + 1}` })
		.returning()
		.get()
);
const people = Array.from({ length: PEOPLE }, (_, i) => {
	const u = db
		.insert(user)
		.values({
			email: `p${i}@bench.test`,
			displayName: `Person ${i}`,
			role: 'participant',
			passwordHash: 'x'
		})
		.returning()
		.get();
	db.insert(seasonMember)
		.values({ seasonId: s.id, userId: u.id, teamId: teams[i % TEAMS].id })
		.run();
	return u;
});
for (const category of CATEGORIES)
	for (let i = 0; i < 3; i++)
		db.insert(product)
			.values({
				seasonId: s.id,
				sku: `${category}-${i}`,
				name: `${category} ${i}`,
				category,
				points: int(5, 80),
				price: int(1_000, 150_000)
			})
			.run();
for (const b of BADGES)
	await createBadge(
		sqliteStore(db),
		s.id,
		{ ...b, emoji: '🏅', description: '', points: b.points ?? 0, active: true },
		{ userId: null },
		clock
	);

let made = 0;
function nextSale(): RecordSaleInput & { sellerIndex: number } {
	made += 1;
	const sellerIndex = int(0, PEOPLE - 1);
	// Mostly in order over the season's 55 days; one in twenty back-dated.
	const target = CHECKPOINTS.at(-1)!;
	const progress = Math.min(1, made / target);
	const at =
		random() < 0.05
			? now - SPAN + int(0, Math.floor(progress * SPAN))
			: now - SPAN + Math.floor(progress * SPAN) - int(0, 3_600_000);
	const lines = [{ sku: `${CATEGORIES[int(0, 4)]}-${int(0, 2)}`, quantity: int(1, 2) }];
	if (random() < 0.3) lines.push({ sku: `${CATEGORIES[int(0, 4)]}-${int(0, 2)}`, quantity: 1 });
	return {
		sellerIndex,
		source: 'api',
		externalId: `bench-${made}`,
		seller: { userId: people[sellerIndex].id },
		occurredAt: Math.max(at, now - SPAN),
		lines
	};
}

const ms = (t0: number) => performance.now() - t0;

interface Checkpoint {
	sales: number;
	recordSaleMs: Summary | null;
	badgesPerSaleMs: Summary | null;
	bareInsertMs: Summary | null;
	ratioMean: number;
	fullEvaluationMs: number;
	fullEvaluationLoop: LoopDelay;
	reversalMs: number;
	/** The review's own transaction (what the request waits for). */
	reversalRequestMs: number;
	reversalLoop: LoopDelay;
}

interface LoopDelay {
	p99Ms: number;
	maxMs: number;
	/** The same monitor over an idle loop just before, as long (at most 5 s): the machine's share. */
	idleP99Ms: number;
	idleMaxMs: number;
	slices: number;
	/** The longest slice, wall time (what the code bounds; the rest is the machine). */
	longestSliceMs: number;
	/** The process's CPU time (user + system, every thread) during the work. */
	cpuMs: number;
	/** The slices' wall time added up (the rest of the wall time is between slices). */
	inSlicesMs: number;
	/** The 99th percentile and the median of the slices' wall times. */
	sliceP99Ms: number;
	sliceP50Ms: number;
}

let sliceTimes: number[] = [];

/** The value below which `share` of `values` fall (0 when there are none). */
function percentileOf(values: number[], share: number): number {
	if (values.length === 0) return 0;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
}

/** Runs `work` while measuring the event loop's delay (what a request arriving meanwhile waits). */
async function underLoopMonitor(work: () => Promise<unknown>): Promise<[number, LoopDelay]> {
	const h = monitorEventLoopDelay({ resolution: 1 });
	sliceTimes = [];
	h.enable();
	// The histogram records the gap between two of its timer's turns: it needs a first turn
	// before the work, or a block that starts at once is never seen.
	await new Promise((r) => setTimeout(r, 5));
	const t0 = performance.now();
	const cpu0 = process.cpuUsage();
	await work();
	const wall = round(ms(t0));
	const cpu = process.cpuUsage(cpu0);
	// One more timer turn: a synchronous block is only seen by the histogram once the loop turns.
	await new Promise((r) => setTimeout(r, 5));
	h.disable();
	const idle = monitorEventLoopDelay({ resolution: 1 });
	idle.enable();
	await new Promise((r) => setTimeout(r, Math.min(5_000, Math.max(500, wall))));
	idle.disable();
	return [
		wall,
		{
			p99Ms: round(h.percentile(99) / 1e6),
			maxMs: round(h.max / 1e6),
			idleP99Ms: round(idle.percentile(99) / 1e6),
			idleMaxMs: round(idle.max / 1e6),
			slices: sliceTimes.length,
			longestSliceMs: round(Math.max(0, ...sliceTimes)),
			cpuMs: round((cpu.user + cpu.system) / 1000),
			inSlicesMs: round(sliceTimes.reduce((sum, t) => sum + t, 0)),
			sliceP99Ms: round(percentileOf(sliceTimes, 0.99)),
			sliceP50Ms: round(percentileOf(sliceTimes, 0.5))
		}
	];
}
observeReevaluationSlices((wallMs) => sliceTimes.push(wallMs));
observeRecalculationSlices((wallMs) => sliceTimes.push(wallMs));
const loopText = (l: LoopDelay) =>
	`loop p99 ${l.p99Ms} / max ${l.maxMs} ms (idle loop ${l.idleP99Ms} / ${l.idleMaxMs} ms), ${l.slices} slices, longest ${l.longestSliceMs} ms, p99 ${l.sliceP99Ms}, p50 ${l.sliceP50Ms} (${l.inSlicesMs} ms in slices), CPU ${l.cpuMs} ms`;

if (SEEDED > 0) {
	await (RECALC_ONLY ? recalculationOnly(SEEDED) : seasonWideOnly(SEEDED));
	process.exit(0);
} else if (RECALC_ONLY) {
	console.error('--recalc-only needs --seeded N');
	process.exit(2);
}

/**
 * The season recalculation after a rule change (issue #13) on a seeded season: a first-sale
 * bonus and a capped double for one category are added first, so that most sales change.
 */
async function recalculationOnly(sales: number) {
	const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-recalc-'));
	const path = join(dir, 'seeded.db');
	const seeded = await seededCopy(path, sales);
	const db = openDatabase(path);
	const clock = () => Date.now();
	console.log(`${sales.toLocaleString('en')} sales seeded in ${seeded.seconds.toFixed(1)} s`);
	// As the server does (server.ts): WAL checkpoints in their thread, not in the commit that
	// crosses SQLite's threshold (which is then one of the recalculation's slices).
	const checkpointer = CHECKPOINT_THREAD
		? startCheckpointer(join(ROOT, 'build/checkpoint-thread.js'), path, db.$client)
		: undefined;
	if (CHECKPOINT_THREAD && !checkpointer)
		throw new Error('--checkpoint-thread needs npm run build');
	db.insert(rule)
		.values([
			{
				seasonId: seeded.seasonId,
				name: 'First sale of the day',
				target: { kind: 'any' },
				effect: { kind: 'first_sale_bonus', points: 25 }
			},
			{
				seasonId: seeded.seasonId,
				name: 'Cat 2 double, 400 a day at most',
				target: { kind: 'category', category: 'Cat 2' },
				effect: { kind: 'multiplier', factor: 2 },
				dailyCap: 400
			}
		])
		.run();
	let changed = 0;
	const [previewMs, previewLoop] = await underLoopMonitor(async () => {
		changed = (await previewRecalculationOn(sqliteStore(db), seeded.seasonId)).changes.length;
	});
	console.log(`preview: ${previewMs} ms, ${changed} sales to change, ${loopText(previewLoop)}`);
	const [applyMs, applyLoop] = await underLoopMonitor(() =>
		recalculateOn(sqliteStore(db), seeded.seasonId, { userId: null }, clock)
	);
	console.log(`apply: ${applyMs} ms, ${loopText(applyLoop)}`);
	const loadEnd = load();
	console.log(`load average at start ${loadStart.join(' ')}, at end ${loadEnd.join(' ')}`);
	mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
	writeFileSync(
		join(ROOT, `bench/results/badges-recalc-${Date.now()}.json`),
		JSON.stringify(
			{
				sales,
				changed,
				preview: { ms: previewMs, loop: previewLoop },
				apply: { ms: applyMs, loop: applyLoop },
				load: { start: loadStart, end: loadEnd }
			},
			null,
			2
		)
	);
	await checkpointer?.close();
	db.$client.close();
	rmSync(dir, { recursive: true, force: true });
}

/**
 * The seeded season at `path`: seeded there, or with --seeded-cache DIR copied from DIR when an
 * earlier run seeded it (the seed is deterministic; at 200,000 sales it takes 40–100 s, longer
 * than the recalculation it prepares, which made runs of the code before and after in turn slow).
 */
async function seededCopy(path: string, sales: number) {
	const cacheAt = process.argv.indexOf('--seeded-cache');
	if (cacheAt < 0) return seedSales(path, sales);
	const cache = process.argv[cacheAt + 1];
	const file = join(cache, `seeded-${sales}.db`);
	const meta = join(cache, `seeded-${sales}.json`);
	if (existsSync(file) && existsSync(meta)) {
		copyFileSync(file, path);
		return { ...JSON.parse(readFileSync(meta, 'utf8')), seconds: 0 } as Awaited<
			ReturnType<typeof seedSales>
		>;
	}
	const seeded = await seedSales(path, sales);
	mkdirSync(cache, { recursive: true });
	copyFileSync(path, file);
	writeFileSync(meta, JSON.stringify(seeded));
	return seeded;
}

/**
 * The season's end on the seeded season, with an end-of-season badge for the top ten beside
 * the starter ones the first end creates. Without the read thread each scheduler step runs in
 * one transaction, so its wall time is the longest block the event loop sees; with it, the
 * blocks are the stretches between the thread's answers (the lease and the step's write).
 */
async function seasonEnd(db: Db, seasonId: number, path: string) {
	const thread = startReadThread(join(ROOT, 'build/read-thread.js'), path);
	console.log(`season end: the board read ${thread ? 'on the read thread' : 'inline'}`);
	await createBadge(
		sqliteStore(db),
		seasonId,
		{
			name: 'Top ten',
			criterion: { kind: 'season_place', maxRank: 10 },
			emoji: '🏅',
			description: '',
			points: 0,
			active: true
		},
		{ userId: null },
		() => Date.now()
	);
	await reevaluationsSettled(sqliteStore(db));
	const { endsAt } = db.select().from(season).where(eq(season.id, seasonId)).get()!;
	const out: Record<string, unknown> = {};
	// Ended at its end; archived (results final) once every grace period is over.
	for (const [name, at] of [
		['live → ended', endsAt + 1],
		['ended → archived', endsAt + 400 * DAY]
	] as const) {
		const count = db.$client.prepare(`SELECT count(*) AS n FROM award WHERE season_id = ?`);
		const before = (count.get(seasonId) as { n: number }).n;
		let blockMs = 0;
		const blocks: number[] = [];
		const reads: number[] = [];
		const [wall, loop] = await underLoopMonitor(async () => {
			// A turn of the loop on each side, so that the monitor sees the block as a delay.
			await new Promise((r) => setTimeout(r, 20));
			let mark = performance.now();
			if (thread) {
				// The synchronous stretches: from the start (or a thread's answer) to the next
				// question to the thread (or the end).
				await runSchedulerOffThread(
					sqliteStore(db),
					{
						async finalBoard(id) {
							blocks.push(round(ms(mark)));
							const asked = performance.now();
							const read = await thread.finalBoard(id);
							reads.push(round(ms(asked)));
							mark = performance.now();
							return read;
						}
					},
					{ clock: () => at }
				);
			} else await runScheduler(sqliteStore(db), { clock: () => at });
			blocks.push(round(ms(mark)));
			blockMs = Math.max(...blocks);
			await new Promise((r) => setTimeout(r, 20));
		});
		const awards = (count.get(seasonId) as { n: number }).n - before;
		console.log(
			`season end (${name}): longest block ${blockMs} ms (blocks ${blocks.join(' / ')} ms; board read on the thread ${reads.join(' / ') || '–'} ms; wall ${wall} ms), ${awards} awards given, ${loopText(loop)}`
		);
		out[name] = { blockMs, blocks, reads, ms: wall, loop, awards };
	}
	if (thread) stopReadThread();
	return out;
}

/** The season-wide work on a big season written directly (bench/lib/seed-sales.ts). */
async function seasonWideOnly(sales: number) {
	const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-badges-'));
	const path = join(dir, 'seeded.db');
	const seeded = await seedSales(path, sales);
	const db = openDatabase(path);
	const clock = () => Date.now();
	let t0 = performance.now();
	db.transaction((tx) => catchUpFacts(tx));
	console.log(
		`${sales.toLocaleString('en')} sales seeded in ${seeded.seconds.toFixed(1)} s, facts built in ${round(ms(t0))} ms`
	);
	const out: Record<string, unknown> = { sales };
	for (const b of BADGES.filter(
		(b) => !['top_k_week', 'most_improved_week'].includes(b.criterion.kind)
	)) {
		const [wall, loop] = await underLoopMonitor(() =>
			createBadge(
				sqliteStore(db),
				seeded.seasonId,
				{ ...b, emoji: '🏅', description: '', points: b.points ?? 0, active: true },
				{ userId: null },
				clock
			).then(() => undefined)
		);
		void loop;
		void wall;
	}
	const [fullMs, fullLoop] = await underLoopMonitor(() =>
		reevaluateOnStore(sqliteStore(db), seeded.seasonId, { clock })
	);
	console.log(`full re-evaluation: ${fullMs} ms, ${loopText(fullLoop)}`);
	const victim = db.$client
		.prepare(
			`SELECT id FROM sale WHERE season_id = ? AND status = 'approved' ORDER BY occurred_at LIMIT 1 OFFSET ?`
		)
		.get(seeded.seasonId, Math.floor(sales / 3)) as { id: number };
	let requestMs = 0;
	const [reversalMs, reversalLoop] = await underLoopMonitor(async () => {
		t0 = performance.now();
		await reviewSales(
			sqliteStore(db),
			[victim.id],
			{ decision: 'reverse', actor: { userId: null }, reason: 'bench' },
			clock
		);
		requestMs = round(ms(t0));
		await reevaluationsSettled(sqliteStore(db));
	});
	console.log(
		`reversal: request ${requestMs} ms, reconciliation ${reversalMs} ms, ${loopText(reversalLoop)}`
	);
	const [recalcMs, recalcLoop] = await underLoopMonitor(() =>
		recalculateOn(sqliteStore(db), seeded.seasonId, { userId: null }, clock)
	);
	console.log(`recalculation (slices): ${recalcMs} ms, ${loopText(recalcLoop)}`);
	if (SEASON_END) out.seasonEnd = await seasonEnd(db, seeded.seasonId, path);
	Object.assign(out, {
		full: { ms: fullMs, loop: fullLoop },
		reversal: { requestMs, ms: reversalMs, loop: reversalLoop },
		recalculation: { ms: recalcMs, loop: recalcLoop },
		load: { start: loadStart, end: load() }
	});
	console.log(`load average at start ${loadStart.join(' ')}, at end ${load().join(' ')}`);
	mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
	writeFileSync(
		join(ROOT, `bench/results/badges-seeded-${Date.now()}.json`),
		JSON.stringify(out, null, 2)
	);
	db.$client.close();
	rmSync(dir, { recursive: true, force: true });
}
const checkpoints: Checkpoint[] = [];

async function grow(to: number) {
	while (made < to) {
		const input = nextSale();
		await recordOn(db, input, clock, { awards: false });
		bareOne(input.sellerIndex, input.occurredAt, 10_000, 10);
		// Facts and awards follow as the server's per-sale step would (in batches here).
		if (made % 500 === 0) await runPeriodicAwards(sqliteStore(db), { clock, seasonIds: [] });
	}
	await runPeriodicAwards(sqliteStore(db), { clock, seasonIds: [] });
}

for (const at of CHECKPOINTS) {
	await grow(at - PROBE);
	const sale: number[] = [];
	const badges: number[] = [];
	const bareMs: number[] = [];
	for (let i = 0; i < PROBE; i++) {
		const input = nextSale();
		let t0 = performance.now();
		// On the store, as the server records (each a write: its one setImmediate hop included).
		const recorded = await recordOn(db, input, clock, { awards: false });
		sale.push(ms(t0));
		t0 = performance.now();
		await badgeStepOn(db, recorded.seasonId, 1, clock);
		badges.push(ms(t0));
		t0 = performance.now();
		bareOne(input.sellerIndex, input.occurredAt, 10_000, 10);
		bareMs.push(ms(t0));
	}
	// What reads the season, in slices (reevaluate.ts): a new badge or holidays (full
	// evaluation), a reversal (the season's reconciliation after the review's own transaction).
	const [fullEvaluationMs, fullEvaluationLoop] = await underLoopMonitor(() =>
		reevaluateOnStore(sqliteStore(db), s.id, { clock })
	);
	// A sale from the middle of the season: awards earned since then are checked again.
	const victim = db.$client
		.prepare(
			`SELECT id FROM sale WHERE season_id = ? AND status = 'approved' ORDER BY id LIMIT 1 OFFSET ?`
		)
		.get(s.id, Math.floor(made / 2)) as { id: number };
	let reversalRequestMs = 0;
	const [reversalMs, reversalLoop] = await underLoopMonitor(async () => {
		const t0 = performance.now();
		await reviewSales(
			sqliteStore(db),
			[victim.id],
			{ decision: 'reverse', actor: { userId: null }, reason: 'bench' },
			clock
		);
		reversalRequestMs = round(ms(t0));
		await reevaluationsSettled(sqliteStore(db));
	});
	const b = summarize(badges);
	const bareSummary = summarize(bareMs);
	checkpoints.push({
		sales: at,
		recordSaleMs: summarize(sale),
		badgesPerSaleMs: b,
		bareInsertMs: bareSummary,
		ratioMean: b && bareSummary ? round(b.mean / bareSummary.mean, 1) : NaN,
		fullEvaluationMs,
		fullEvaluationLoop,
		reversalMs,
		reversalRequestMs,
		reversalLoop
	});
	console.log(
		`${at.toLocaleString('en')} sales: badges per sale ${formatSummary(b)} | bare insert ${formatSummary(bareSummary)} | sale ${formatSummary(summarize(sale))} | full evaluation ${fullEvaluationMs} ms (loop p99 ${fullEvaluationLoop.p99Ms}, max ${fullEvaluationLoop.maxMs} ms) | reversal ${reversalMs} ms, request ${reversalRequestMs} ms (loop p99 ${reversalLoop.p99Ms}, max ${reversalLoop.maxMs} ms)`
	);
}

/** Runs the periodic job while measuring the event loop's delay. */
async function measurePeriodic(label: string) {
	const h = monitorEventLoopDelay({ resolution: 1 });
	h.enable();
	const t0 = performance.now();
	const result = await runPeriodicAwards(sqliteStore(db), { clock });
	const wall = round(ms(t0));
	h.disable();
	const out = {
		label,
		wallMs: wall,
		slices: result.slices,
		awarded: result.awarded,
		loopDelayP99Ms: round(h.percentile(99) / 1e6),
		loopDelayMaxMs: round(h.max / 1e6)
	};
	console.log(
		`periodic job (${label}): ${wall} ms in ${result.slices} slices; event-loop delay p99 ${out.loopDelayP99Ms} ms, max ${out.loopDelayMaxMs} ms`
	);
	return out;
}

// Every week decided again (as after a change of weekly badges), then the facts rebuilt from
// the whole ledger (as after the upgrade that adds them).
db.$client.prepare('UPDATE badge_period SET dirty = 1').run();
const periodicWeeks = await measurePeriodic('all weeks decided again');
const periodicSteady = await measurePeriodic('steady, nothing new');
const factsStore = sqliteStore(db);
await write(factsStore, (tx) => clearFactsInWrite(tx, factsStore));
const periodicRebuild = await measurePeriodic('facts rebuilt from the whole ledger');

function get(path: string): Promise<number> {
	return new Promise((done, fail) => {
		const req = request({ host: '127.0.0.1', port: PORT, path, method: 'GET' }, (res) => {
			res.resume();
			res.on('end', () => done(res.statusCode ?? 0));
		});
		req.on('error', fail);
		req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
		req.end();
	});
}

/** Spawns a server, times it to its first answer, then probes it every 25 ms for `probeMs`. */
async function startUp(entry: string[], env: Record<string, string>, probeMs: number) {
	const t0 = performance.now();
	const child = spawn(process.execPath, entry, {
		cwd: ROOT,
		env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', ...env },
		stdio: ['ignore', 'ignore', 'pipe']
	});
	let err = '';
	child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
	let firstAnswerMs = NaN;
	for (;;) {
		try {
			await get('/healthz');
			firstAnswerMs = round(ms(t0));
			break;
		} catch {
			if (child.exitCode !== null) throw new Error(`server exited: ${err}`);
			if (ms(t0) > 120_000) break;
			await new Promise((r) => setTimeout(r, 5));
		}
	}
	const latencies: number[] = [];
	const until = performance.now() + probeMs;
	while (performance.now() < until) {
		const t = performance.now();
		await get('/healthz').catch(() => 0);
		latencies.push(ms(t));
		await new Promise((r) => setTimeout(r, 25));
	}
	child.kill('SIGTERM');
	await new Promise((r) => child.once('exit', r));
	return { firstAnswerMs, probe: summarize(latencies) };
}

let startup: Record<string, unknown> | null = null;
if (SERVER) {
	const missing = missingBuild();
	if (missing) {
		console.log(`start-up part left out: ${missing}`);
	} else {
		db.$client.pragma('wal_checkpoint(TRUNCATE)');
		const warm = join(dir, 'warm.db');
		copyFileSync(dbPath, warm);
		const upgraded = join(dir, 'upgraded.db');
		const copy = new Database(warm, { readonly: true });
		await copy.backup(upgraded);
		copy.close();
		const u = new Database(upgraded);
		u.exec(
			'DELETE FROM badge_tally; DELETE FROM badge_day; DELETE FROM badge_week; DELETE FROM badge_period; DELETE FROM badge_cursor;'
		);
		u.close();
		const bareServer = join(dir, 'bare-server.mjs');
		writeFileSync(
			bareServer,
			`import Database from '${join(ROOT, 'node_modules/better-sqlite3/lib/index.js')}';
import { createServer } from 'node:http';
const db = new Database(process.env.DATABASE_URL);
const count = db.prepare('SELECT count(*) AS n FROM sale');
createServer((req, res) => res.end(JSON.stringify(count.get()))).listen(Number(process.env.PORT), '127.0.0.1');
`
		);
		const probeMs = QUICK ? 3_000 : 8_000;
		const serverEntry = [join(ROOT, 'build/server.js')];
		const warmRun = await startUp(
			serverEntry,
			{ DATABASE_URL: warm, ORIGIN: `http://127.0.0.1:${PORT}` },
			probeMs
		);
		const upgradeRun = await startUp(
			serverEntry,
			{ DATABASE_URL: upgraded, ORIGIN: `http://127.0.0.1:${PORT}` },
			probeMs
		);
		const bareRun = await startUp([bareServer], { DATABASE_URL: warm }, 500);
		startup = { warm: warmRun, upgrade: upgradeRun, bare: bareRun };
		console.log(
			`start-up to first answer: ${warmRun.firstAnswerMs} ms (facts in place), ${upgradeRun.firstAnswerMs} ms (facts to build), bare ${bareRun.firstAnswerMs} ms (ratio ${round(warmRun.firstAnswerMs / bareRun.firstAnswerMs, 1)}×)`
		);
		console.log(
			`answers in the first ${probeMs / 1000} s: ${formatSummary(warmRun.probe)} (facts in place) | ${formatSummary(upgradeRun.probe)} (facts being built)`
		);
	}
}

const loadEnd = load();
console.log(`load average at start ${loadStart.join(' ')}, at end ${loadEnd.join(' ')}`);
const result = {
	bench: 'badges',
	at: new Date().toISOString(),
	quick: QUICK,
	load: { start: loadStart, end: loadEnd },
	checkpoints,
	periodic: [periodicWeeks, periodicSteady, periodicRebuild],
	startup
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const file = join(ROOT, `bench/results/badges-${Date.now()}.json`);
writeFileSync(file, JSON.stringify(result, null, 2));
console.log(`written to ${file.slice(ROOT.length + 1)}`);
db.$client.close();
bare.close();
rmSync(dir, { recursive: true, force: true });
