// Contest formats at size: a season of 1,000 participants with 10,000 → 200,000 sales (the
// dashboard bench's seed, bench/lib/seed-sales.ts) and a live week-long sprint that hundreds of
// people have crossed. For each size, on a fresh temp database:
//   - decideSprint as the views run it (one sum of the period, one running sum for the
//     crossings, one sum at the winner's instant) and as the scheduler's 30-second job runs it
//     (`readSprintWinner` through the store: the winner only, one running sum of the period);
//   - every format view of the season (what a push builds, at most once per ten times its cost);
//   - the bare stack: plain better-sqlite3 summing the season's ledger per person once;
//   - the same scheduler decision and views through the format reader's thread (what the built
//     server does, build/read-thread.js: `npm run build` first), with the longest the event
//     loop went unanswered meanwhile, against the same reads inline.
//
//   npm run bench:formats -- [--sizes 10000,50000,200000]
//
// Prints the machine's load and writes bench/results/formats-<time>.json. Not part of npm test.
import { sqliteStore } from '../src/lib/server/db/store';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/lib/server/db';
import { decideSprint, readSprintWinner } from '../src/lib/server/sprints/decide';
import { ReadThread } from '../src/lib/server/reads/thread';
import { periodTotals } from '../src/lib/server/formats/measure';
import { FORMAT_VIEWS } from '../src/lib/server/formats/views';
import { createSprint } from '../src/lib/server/sprints/commands';
import { NOW, seedSales } from './lib/seed-sales';
import { ROOT } from './lib/server';
import { round } from './lib/stats';

const { values } = parseArgs({ options: { sizes: { type: 'string' } } });
const SIZES = (values.sizes ?? '10000,50000,200000').split(',').map(Number);
const DAY = 86_400_000;
const RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(run: () => unknown): Promise<{ first: number; median: number }> {
	const times: number[] = [];
	for (let i = 0; i < RUNS; i += 1) {
		const t = performance.now();
		await run();
		times.push(performance.now() - t);
	}
	return { first: round(times[0]), median: round(median(times)) };
}

/**
 * `run` five times, with the event loop's delay measured meanwhile (1 ms resolution): the median
 * wall time, and the loop's longest and p99 delay over all five.
 */
async function timeLoop(
	run: () => unknown
): Promise<{ wallMs: number; loopMaxMs: number; loopP99Ms: number }> {
	const loop = monitorEventLoopDelay({ resolution: 1 });
	const times: number[] = [];
	// A first run outside the measure (the thread's first read opens its connection).
	await run();
	loop.enable();
	for (let i = 0; i < RUNS; i += 1) {
		const t = performance.now();
		await run();
		times.push(performance.now() - t);
		await new Promise((done) => setTimeout(done, 5));
	}
	loop.disable();
	return {
		wallMs: round(median(times)),
		loopMaxMs: round(loop.max / 1e6),
		loopP99Ms: round(loop.percentile(99) / 1e6)
	};
}

const WORKER = join(ROOT, 'build/read-thread.js');
if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: run \`npm run build\` first`);

const load = () => loadavg().map((l) => round(l, 2));
const loadStart = load();
console.log(`bench:formats sizes ${SIZES.join(', ')} · load ${loadStart.join(' ')}`);
const results: Record<string, unknown>[] = [];
for (const sales of SIZES) {
	const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-formats-'));
	try {
		const path = join(dir, 'bench.db');
		const seeded = await seedSales(path, sales);
		const db = openDatabase(path);
		const from = NOW - 7 * DAY;
		const week = periodTotals(db, {
			seasonId: seeded.seasonId,
			subject: 'user',
			measure: { kind: 'points' },
			from,
			to: NOW
		});
		// A target half the week's best: many people have crossed it, at different times.
		const best = Math.max(...[...week.values()].map((t) => t.confirmed));
		const target = Math.max(1, Math.round(best / 2));
		const { sprint } = await createSprint(
			sqliteStore(db),
			seeded.seasonId,
			{
				name: 'Bench week',
				subject: 'user',
				measure: 'points',
				target,
				startsAt: from,
				endsAt: NOW + DAY,
				prize: null,
				requestId: `bench-${sales}`
			},
			{ userId: null },
			() => NOW
		);
		const s = { rankBy: 'confirmed' as const, graceDays: 0 };
		const store = sqliteStore(db);
		const decide = await time(() => decideSprint(db, sprint, s, NOW));
		const winner = () => readSprintWinner(store.db, store.tables, sprint, s, NOW);
		const scheduler = await time(winner);
		const atTarget = [...week].filter(([, t]) => t.confirmed >= target);
		const views = await time(() =>
			FORMAT_VIEWS.map((view) => view.build(db, seeded.seasonId, NOW))
		);
		const bare = await time(() =>
			db.$client
				.prepare(
					'SELECT user_id, sum(points) FROM ledger_entry WHERE season_id = ? AND status != ? GROUP BY user_id'
				)
				.all(seeded.seasonId, 'void')
		);
		const reader = new ReadThread(WORKER, path);
		const threadDecide = await timeLoop(() => reader.decideSprint(sprint.id, NOW));
		const inlineDecide = await timeLoop(winner);
		const threadViews = await timeLoop(() => reader.views(seeded.seasonId, NOW));
		const inlineViews = await timeLoop(() =>
			FORMAT_VIEWS.map((view) => view.build(db, seeded.seasonId, NOW))
		);
		await reader.close();
		const row = {
			sales,
			offTheLoop: { threadDecide, inlineDecide, threadViews, inlineViews },
			target,
			peopleAtTarget: atTarget.length,
			decideSprintMs: decide,
			schedulerDecideMs: scheduler,
			formatViewsMs: views,
			bareLedgerSumMs: bare,
			ratioDecideToBare: round(decide.median / bare.median),
			load: load()
		};
		results.push(row);
		console.log(
			`${sales.toLocaleString('en')} sales · ${atTarget.length} people at the target ${target}: ` +
				`decideSprint ${decide.median} ms (first ${decide.first}), the scheduler's (winner only) ${scheduler.median} ms; all format views ${views.median} ms; ` +
				`bare ledger sum ${bare.median} ms (decide ÷ bare ${row.ratioDecideToBare}×) · load ${row.load.join(' ')}`
		);
		const loopLine = (name: string, thread: typeof threadDecide, inline: typeof threadDecide) =>
			`  ${name}: in the reader's thread ${thread.wallMs} ms, event loop max ${thread.loopMaxMs} ms (p99 ${thread.loopP99Ms}); ` +
			`inline ${inline.wallMs} ms, loop max ${inline.loopMaxMs} ms (p99 ${inline.loopP99Ms})`;
		console.log(loopLine("the scheduler's decision", threadDecide, inlineDecide));
		console.log(loopLine('all format views', threadViews, inlineViews));
		db.$client.close();
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const out = join(
	ROOT,
	`bench/results/formats-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
);
writeFileSync(out, JSON.stringify({ loadStart, loadEnd: load(), results }, null, 2));
console.log(`load at end ${load().join(' ')}\nwritten ${out}`);
