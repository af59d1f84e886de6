// The season recalculation on SQLite after the store port (#20 step 4): the run SQLite keeps
// (recalculate-run.ts's synchronous slices, through recalculateOn), the store's async body on
// SQLite (recalculateWithStoreBody, PostgreSQL's body) and, with --before DIR, the code before
// from a worktree of the base commit, timed in turn (bench/lib/interleaved.ts) on fresh copies
// of one seeded season whose rules changed after its sales (bench/lib/seed-sales.ts).
//   npx tsx bench/recalc-store.ts [--sales 20000] [--rounds 4] [--before /work/wt-old-x]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../src/lib/server/db';
import { sqliteStore } from '../src/lib/server/db/store';
import {
	recalculateOn,
	recalculateWithStoreBody
} from '../src/lib/server/scoring/recalculate-run-store';
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

let copies = 0;
/** A fresh copy of the seeded season, opened by `open` (each run changes its copy). */
function freshCopy<D>(open: (path: string) => D): D {
	const path = join(dir, `copy-${++copies}.db`);
	copyFileSync(seeded, path);
	return open(path);
}

/** A variant that opens its copy before it is timed: `prepare` then `run` on what it gave. */
function variant<D>(name: string, open: (path: string) => D, run: (db: D) => Promise<unknown>) {
	const ready: D[] = Array.from({ length: ROUNDS }, () => freshCopy(open));
	return { name, ops: SALES, run: () => run(ready.shift()!) } satisfies Variant;
}

const variants: Variant[] = [
	variant('sync body (kept)', openDatabase, (d: Db) =>
		recalculateOn(sqliteStore(d), seasonId, actor, clock)
	),
	variant('store body on SQLite', openDatabase, (d: Db) =>
		recalculateWithStoreBody(sqliteStore(d), seasonId, actor, clock)
	)
];
if (BEFORE) {
	const old = await import(join(BEFORE, 'src/lib/server/scoring/recalculate-run.ts'));
	const oldDb = await import(join(BEFORE, 'src/lib/server/db/index.ts'));
	variants.unshift(
		variant('before (base commit)', oldDb.openDatabase, (d: Db) =>
			old.recalculateInSlices(d, seasonId, actor, clock)
		)
	);
}

console.log(
	`${SALES.toLocaleString('en')} sales; load before ${loadavg()
		.map((l) => l.toFixed(2))
		.join(' ')}`
);
await timeInterleaved(variants, ROUNDS);
console.log(
	`load after ${loadavg()
		.map((l) => l.toFixed(2))
		.join(' ')}`
);
rmSync(dir, { recursive: true, force: true });
process.exit(0);
