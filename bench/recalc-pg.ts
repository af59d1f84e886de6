// The season recalculation on PostgreSQL (#20 step 4) beside SQLite's in the same run: one
// season of --sales sales (bench/lib/seed-sales.ts) whose rules change after them, recalculated
// with the server's slices on a copy in a throwaway PostgreSQL (a write per slice,
// recalculate-run-store.ts) and on a copy of the SQLite file (SQLite's synchronous run, the
// bare figure a PostgreSQL node is weighed against). Reports wall time, this process's CPU, the
// cluster's CPU and PostgreSQL's queries per sale (each a round trip).
//   npx tsx bench/recalc-pg.ts [--sales 5000] [--rounds 3] [--backlog] [--statements] [--port 48760]
// --backlog: the seeded sales are not in the badge facts yet, and the node's catch-up takes them
// in while the run goes on (as after a big import), instead of before it.
// --statements: after each PostgreSQL run, its statements by kind (their text's start), most
// sent first: where the round trips go.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/lib/server/db';
import { closeStore, openStore, sqliteStore, type Store } from '../src/lib/server/db/store';
import { catchUpOnStore } from '../src/lib/server/badges/catch-up';
import { recalculateOn } from '../src/lib/server/scoring/recalculate-run-store';
import { seedRecalculationSeason } from './lib/seed-sales';
import { seededPostgres } from './lib/postgres';
import { flag, option } from './lib/args';

const SALES = option('sales', 5000);
const ROUNDS = option('rounds', 3);
const BACKLOG = flag('backlog');
const STATEMENTS = flag('statements');
// The throwaway cluster's port: each person running benches on the machine has a range.
const PORT = option('port', 48760);
const clock = () => Date.now();
const actor = { userId: null };

// Every query a pg client sends in this process is one round trip to the cluster; with
// --statements each is also counted by the start of its text.
let queries = 0;
const kinds = new Map<string, number>();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
	queries += 1;
	if (STATEMENTS) {
		const config = args[0] as string | { text?: string } | undefined;
		const text = typeof config === 'string' ? config : (config?.text ?? '');
		const kind = text.replace(/\s+/g, ' ').trim().slice(0, 90);
		kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
	}
	return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

/** The statements of the run since `kinds` was cleared, per sale, most sent first. */
function printKinds() {
	const sorted = [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 25);
	for (const [kind, n] of sorted) console.log(`  ${(n / SALES).toFixed(3)}/sale  ${n}  ${kind}`);
	kinds.clear();
}

const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-recalc-pg-'));
const seeded = join(dir, 'seeded.db');
// The rules change after the sales: most sales change.
const { seasonId } = await seedRecalculationSeason(seeded, SALES);

/** One recalculation on `store`: wall and CPU ms, cluster CPU ms and queries per sale. */
async function timed(store: Store, clusterCpu: () => number | null) {
	const cpu = process.cpuUsage();
	const cluster = clusterCpu();
	const sent = queries;
	const started = performance.now();
	await recalculateOn(store, seasonId, actor, clock);
	const wall = performance.now() - started;
	const used = process.cpuUsage(cpu);
	const clusterAfter = clusterCpu();
	return {
		wall,
		cpu: (used.user + used.system) / 1000,
		clusterCpu: cluster === null || clusterAfter === null ? null : (clusterAfter - cluster) * 1000,
		queriesPerSale: (queries - sent) / SALES
	};
}

const row = (name: string, r: Awaited<ReturnType<typeof timed>>) =>
	`| ${name} | ${Math.round(r.wall)} | ${Math.round((SALES / r.wall) * 1000)} | ${Math.round(r.cpu)} | ${
		r.clusterCpu === null ? '–' : Math.round(r.clusterCpu)
	} | ${r.queriesPerSale.toFixed(1)} |`;

console.log(
	`${SALES.toLocaleString('en')} sales; load ${loadavg()
		.map((l) => l.toFixed(2))
		.join(' ')}`
);
console.log('| run | wall ms | sales/s | node CPU ms | PostgreSQL CPU ms | queries/sale |');
console.log('| --- | ------- | ------- | ----------- | ----------------- | ------------ |');
// The seeded files' folder goes on failure too (each cluster is stopped by its round's finally).
try {
	for (let round = 1; round <= ROUNDS; round++) {
		const copy = join(dir, `copy-${round}.db`);
		copyFileSync(seeded, copy);
		const sqlite = openDatabase(copy);
		// Its badge facts caught up first too (below): its run's badge step takes in its own entries.
		await catchUpOnStore(sqliteStore(sqlite), clock, 500);
		console.log(row(`SQLite ${round}`, await timed(sqliteStore(sqlite), () => null)));
		sqlite.$client.close();

		const cluster = await seededPostgres(seeded, PORT);
		const store = await openStore(cluster.url);
		try {
			// The seeded ledger is not in the badge facts yet: taken in first, as a running server has;
			// with --backlog the node's catch-up takes it in while the run goes on.
			const catchingUp = catchUpOnStore(store, clock, BACKLOG ? undefined : 500);
			// A run that fails closes the pool under a catch-up still going (--backlog): its failure
			// then is not the one to report, and unhandled it ended the process before the finally
			// below had stopped the cluster, which was left behind with its folder.
			catchingUp.catch(() => {});
			if (!BACKLOG) await catchingUp;
			kinds.clear();
			console.log(row(`PostgreSQL ${round}`, await timed(store, cluster.cpuSeconds)));
			if (STATEMENTS) printKinds();
			await catchingUp;
		} finally {
			await closeStore(store);
			await cluster.stop();
		}
	}
} finally {
	rmSync(dir, { recursive: true, force: true });
}
console.log(
	`load after ${loadavg()
		.map((l) => l.toFixed(2))
		.join(' ')}`
);
process.exit(0);
