// The periodic badge job's weeks on SQLite (badges/periodic.ts, #20 step 2): every ended week of
// a seeded season decided again (as after a change of its weekly badges), by this checkout and,
// with `--old <worktree>`, by a checkout before the job moved onto the store (its
// `runPeriodicAwards(db)` in badges/awards.ts), in turn in one process (bench/lib/interleaved.ts).
// Each variant has its own copy of the season; per operation = per week decided.
//
// Run with `npx tsx bench/periodic-weeks.ts [--old <worktree>] [--sales 50000] [--rounds 7]`.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Db } from '../src/lib/server/db';
import { openDatabase } from '../src/lib/server/db';
import { sqliteStore } from '../src/lib/server/db/store';
import { runPeriodicAwards } from '../src/lib/server/badges/periodic';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';
import { NOW, seedSales } from './lib/seed-sales';

const at = process.argv.indexOf('--old');
const OLD = at > 0 ? resolve(process.argv[at + 1]) : undefined;
const SALES = option('sales', 50_000);
const ROUNDS = option('rounds', 7);
const clock = () => NOW;

const dir = mkdtempSync(join(tmpdir(), 'honorboard-periodic-weeks-'));
const seeded = join(dir, 'seeded.db');
const { seasonId } = await seedSales(seeded, SALES);
const db = openDatabase(seeded);
db.$client
	.prepare(
		`insert into badge (season_id, name, emoji, description, criterion, points) values
			(?, 'Top 3 of the week', '🥇', 'Top 3', '{"kind":"top_k_week","k":3}', 5),
			(?, 'Most improved', '📈', 'Most improved', '{"kind":"most_improved_week"}', 5)`
	)
	.run(seasonId, seasonId);
db.$client.pragma('wal_checkpoint(TRUNCATE)');
db.$client.close();

type Run = (db: Db) => Promise<unknown>;

/** A copy of the season with its facts taken in and its weeks decided once, by `run`. */
async function variant(name: string, open: (path: string) => Db, run: Run): Promise<Variant> {
	const path = join(dir, `${name.replace(/\W+/g, '-')}.db`);
	copyFileSync(seeded, path);
	const copy = open(path);
	await run(copy);
	const weeks = (
		copy.$client
			.prepare(`select count(*) as n from badge_period where season_id = ? and ends_at <= ?`)
			.get(seasonId, NOW) as { n: number }
	).n;
	return {
		name,
		ops: weeks,
		run: async () => {
			copy.$client.prepare('UPDATE badge_period SET dirty = 1').run();
			await run(copy);
		}
	};
}

const variants = [
	await variant('on the store', openDatabase, (db) =>
		runPeriodicAwards(sqliteStore(db), { clock, seasonIds: [seasonId] })
	)
];
if (OLD) {
	const load = async <T>(path: string) => (await import(join(OLD, 'src/lib/server', path))) as T;
	const old = await load<{ openDatabase: (path: string) => Db }>('db/index.ts');
	const awards = await load<{
		runPeriodicAwards: (db: Db, options: object) => Promise<unknown>;
	}>('badges/awards.ts');
	variants.unshift(
		await variant('before (synchronous weeks)', old.openDatabase, (db) =>
			awards.runPeriodicAwards(db, { clock, seasonIds: [seasonId] })
		)
	);
}
console.log(`${SALES} sales, ${variants[0].ops} ended weeks; per week decided again:`);
await timeInterleaved(variants, ROUNDS);
rmSync(dir, { recursive: true, force: true });
