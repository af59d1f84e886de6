// The season recalculation on SQLite, one body on both dialects since 2026-12-06 (#20 step 4:
// recalculate-run-store.ts, slices sized by the learnt cost per sale), and with --before DIR the
// code of a worktree of an earlier commit (before: SQLite's synchronous slices of
// recalculate-run.ts), timed in turn (bench/lib/interleaved.ts) on fresh copies of one seeded
// season whose rules changed after its sales (bench/lib/seed-sales.ts). Also prints each
// variant's longest slice and its 99th percentile: the longest the run held the event loop.
//   npx tsx bench/recalc-store.ts [--sales 20000] [--rounds 4] [--before /work/wt-old-x]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../src/lib/server/db';
import { sqliteStore } from '../src/lib/server/db/store';
import { recalculateOn } from '../src/lib/server/scoring/recalculate-run-store';
import { observeRecalculationSlices } from '../src/lib/server/scoring/recalculate-slices';
import { catchUpFacts } from '../src/lib/server/badges/facts';
import { seedRecalculationSeason } from './lib/seed-sales';
import { timeInterleaved, type Variant } from './lib/interleaved';

const arg = (name: string, fallback: string) => {
	const at = process.argv.indexOf(name);
	return at < 0 ? fallback : process.argv[at + 1];
};
const SALES = Number(arg('--sales', '20000'));
const ROUNDS = Number(arg('--rounds', '4'));
const BEFORE = arg('--before', '');
const clock = () => Date.now();
const actor = { userId: null };

const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-recalc-store-'));
const seeded = join(dir, 'seeded.db');
// The rules change after the sales: most sales change.
const { seasonId } = await seedRecalculationSeason(seeded, SALES);
// The seeded ledger taken into the badge facts first, as a running server has: the run's badge
// step then takes in its own adjustments only.
const caughtUp = openDatabase(seeded);
catchUpFacts(caughtUp);
caughtUp.$client.close();

let copies = 0;
/** A fresh copy of the seeded season, opened by `open` (each run changes its copy). */
function freshCopy<D>(open: (path: string) => D): D {
	const path = join(dir, `copy-${++copies}.db`);
	copyFileSync(seeded, path);
	return open(path);
}

/** Each variant's slice walls (ms), the first round's left out as the timings leave it out. */
const slices = new Map<string, number[]>();
let timing: number[] | undefined;
const observe = (wallMs: number) => timing?.push(wallMs);

/** A variant that opens its copies before it is timed, then runs `run` on one per round. */
function variant<D>(name: string, open: (path: string) => D, run: (db: D) => Promise<unknown>) {
	const ready: D[] = Array.from({ length: ROUNDS }, () => freshCopy(open));
	const walls: number[] = [];
	slices.set(name, walls);
	let round = 0;
	return {
		name,
		ops: SALES,
		run: async () => {
			timing = round++ === 0 ? undefined : walls;
			await run(ready.shift()!);
			timing = undefined;
		}
	} satisfies Variant;
}

observeRecalculationSlices(observe);
const variants: Variant[] = [
	variant('store body (one body)', openDatabase, (d: Db) =>
		recalculateOn(sqliteStore(d), seasonId, actor, clock)
	)
];
if (BEFORE) {
	const oldRun = await import(join(BEFORE, 'src/lib/server/scoring/recalculate-run-store.ts'));
	const oldSlices = await import(join(BEFORE, 'src/lib/server/scoring/recalculate-run.ts'));
	const oldDb = await import(join(BEFORE, 'src/lib/server/db/index.ts'));
	const oldStore = await import(join(BEFORE, 'src/lib/server/db/store.ts'));
	oldSlices.observeRecalculationSlices(observe);
	variants.unshift(
		variant('before (its recalculateOn)', oldDb.openDatabase, (d: Db) =>
			oldRun.recalculateOn(oldStore.sqliteStore(d), seasonId, actor, clock)
		)
	);
}

const loads = () =>
	loadavg()
		.map((l) => l.toFixed(2))
		.join(' ');
console.log(`${SALES.toLocaleString('en')} sales; load before ${loads()}`);
await timeInterleaved(variants, ROUNDS);
for (const [name, walls] of slices) {
	const sorted = [...walls].sort((a, b) => a - b);
	const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
	console.log(
		`${name}: ${walls.length} slices, longest ${sorted.at(-1)?.toFixed(1)} ms, p99 ${p99?.toFixed(1)} ms`
	);
}
console.log(`load after ${loads()}`);
rmSync(dir, { recursive: true, force: true });
process.exit(0);
