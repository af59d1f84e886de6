// A season's badge re-evaluation on SQLite: the store's one body for both dialects
// (badges/reevaluate.ts `reevaluateOnStore`, one write per slice) against an older checkout's
// synchronous slices (`--old <worktree>`: `reevaluateSeason(db, …)`), timed in turn
// (bench/lib/interleaved.ts). The season is bench/lib/seed-sales.ts's (1,000 people, `--sales`
// sales), its badge facts built, and the badges added after the sales with no award yet; each
// run re-evaluates them all, weekly ones included, on a fresh copy of that file opened before
// the run is timed. Prints CPU and wall per re-evaluation (the median of the counted rounds),
// the awards each variant gave, and each variant's longest slice (the event loop it held).
//
// Run with `npx tsx bench/reevaluate-store.ts --old <worktree> [--sales 20000] [--rounds 4]`;
// the old worktree needs node_modules linked and `npm run -s i18n` run.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';
import { NOW, seedSales } from './lib/seed-sales';
import type { BadgeCriterion } from '../src/lib/contest/badges';

process.env.LOG_LEVEL ??= 'warn';
const ROUNDS = option('rounds', 4);
const SALES = option('sales', 20_000);
const at = process.argv.indexOf('--old');
if (at === -1) throw new Error('--old <worktree> is required: the code to compare with');
const OLD = resolve(process.argv[at + 1]);
const clock = () => NOW;

const { openDatabase } = await import('../src/lib/server/db');
const { badge } = await import('../src/lib/server/db/schema');
const { sqliteStore } = await import('../src/lib/server/db/store');
const { catchUpFacts } = await import('../src/lib/server/badges/facts');
const { observeReevaluationSlices, reevaluateOnStore } =
	await import('../src/lib/server/badges/reevaluate');

type Changes = { awarded: unknown[] };
const old = {
	db: await import(join(OLD, 'src/lib/server/db/index.ts')),
	reevaluate: await import(join(OLD, 'src/lib/server/badges/reevaluate.ts'))
} as unknown as {
	db: { openDatabase: (file: string) => unknown };
	reevaluate: {
		reevaluateSeason: (db: unknown, seasonId: number, options: object) => Promise<Changes>;
		observeReevaluationSlices: (observer: ((ms: number) => void) | undefined) => void;
	};
};

// bench/badges.ts's badges: every kind a re-evaluation decides per person, team and week.
const BADGES: { criterion: BadgeCriterion; points: number }[] = [
	{ criterion: { kind: 'first_sale' }, points: 0 },
	{ criterion: { kind: 'sales_count', count: 100 }, points: 5 },
	{ criterion: { kind: 'points_at_least', points: 20_000 }, points: 20 },
	{ criterion: { kind: 'revenue_at_least', amount: 10_000_000 }, points: 0 },
	{ criterion: { kind: 'streak', days: 10 }, points: 0 },
	{ criterion: { kind: 'cross_sells', count: 30 }, points: 7 },
	{ criterion: { kind: 'record_sale' }, points: 10 },
	{ criterion: { kind: 'team_target', target: 200_000 }, points: 0 },
	{ criterion: { kind: 'top_k_week', k: 3 }, points: 15 },
	{ criterion: { kind: 'most_improved_week' }, points: 3 }
];

const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-reevaluate-'));
const file = join(dir, 'season.db');
const { seasonId } = await seedSales(file, SALES);
{
	const db = openDatabase(file);
	db.transaction((tx) => catchUpFacts(tx));
	db.insert(badge)
		.values(
			BADGES.map((b, i) => ({
				...b,
				seasonId,
				name: `Badge ${i}`,
				emoji: '🏅',
				description: '',
				active: true
			}))
		)
		.run();
	db.$client.pragma('wal_checkpoint(TRUNCATE)');
	db.$client.close();
}

/** A fresh copy of the season per run, opened by `open` before the runs are timed. */
const copies = (prefix: string, open: (file: string) => unknown) =>
	Array.from({ length: ROUNDS }, (_, i) => {
		const copy = join(dir, `${prefix}${i}.db`);
		copyFileSync(file, copy);
		return open(copy);
	});
const oldCopies = copies('old', (copy) => old.db.openDatabase(copy));
const newCopies = copies('new', (copy) => openDatabase(copy));

/** Per variant: the awards of its last run and the longest slice of each run. */
const seen = {
	old: { awards: 0, longest: [] as number[] },
	store: { awards: 0, longest: [] as number[] }
};
let longest = 0;
const slice = (ms: number) => (longest = Math.max(longest, ms));
old.reevaluate.observeReevaluationSlices(slice);
observeReevaluationSlices(slice);

async function timed(into: typeof seen.old, run: () => Promise<Changes>) {
	longest = 0;
	into.awards = (await run()).awarded.length;
	into.longest.push(longest);
}

const options = { clock, weekly: true };
const variants: Variant[] = [
	{
		name: 'before (synchronous slices)',
		ops: 1,
		run: () =>
			timed(seen.old, () => old.reevaluate.reevaluateSeason(oldCopies.pop(), seasonId, options))
	},
	{
		name: 'store (a write per slice)',
		ops: 1,
		run: () =>
			timed(seen.store, () =>
				reevaluateOnStore(sqliteStore(newCopies.pop() as never), seasonId, options)
			)
	}
];

const load = () =>
	loadavg()
		.map((l) => l.toFixed(2))
		.join(' ');
console.log(`load ${load()}; ${SALES} sales, ${ROUNDS - 1} counted rounds (µs per re-evaluation)`);
await timeInterleaved(variants, ROUNDS);
for (const [name, v] of Object.entries(seen))
	console.log(
		`${name}: ${v.awards} awards per run; longest slice per run ${v.longest.map((ms) => ms.toFixed(1)).join(' / ')} ms`
	);
console.log(`load ${load()}`);
rmSync(dir, { recursive: true, force: true });
