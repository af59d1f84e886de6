// The per-sale badge step at size, by its CPU (issue #13): on a copy of bench:restart's
// 200,000-sale template with the badge facts caught up (once, kept in /tmp), groups of API
// sales are recorded in process through the group commit (recordSaleGrouped, as the API
// does), the badge step included wherever the code runs it (after the commit in a turn of its
// own before hb-restart3, inside the group's transaction since), and each group's CPU is
// summed. --badges-off runs the same with the step off (HONORBOARD_BENCH_SALE_BADGES=0, as
// bench:ingest's badges-off phase): the difference is the step's cost. CPU time, not a rate:
// on a machine shared with other work the CPU moves much less than the wall clock. Compare two
// trees in turn (run this file from each worktree; the cache is made by whichever runs first).
//
//   npx tsx bench/badge-step.ts [--groups 400] [--group 16] [--warm 50] [--badges-off]
//     [--template <dir>]   (default: main's bench/results/restart-template-200000)
//   a profile: npx tsx --cpu-prof --cpu-prof-dir <dir> bench/badge-step.ts …
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { option } from './lib/args';
import { saleBody, type World } from './lib/sale-bodies';

// Read when scoring/sales.ts loads.
if (process.argv.includes('--badges-off')) process.env.HONORBOARD_BENCH_SALE_BADGES = '0';
process.env.LOG_LEVEL ??= 'warn';

const GROUPS = option('groups', 400);
const GROUP = option('group', 16);
const WARM = option('warm', 50);
const TEMPLATE = (() => {
	const i = process.argv.indexOf('--template');
	return i === -1 ? '/work/main/bench/results/restart-template-200000' : process.argv[i + 1];
})();

const { openDatabase } = await import('../src/lib/server/db');
const { runPeriodicAwards } = await import('../src/lib/server/badges/periodic');
const { recordSaleGrouped } = await import('../src/lib/server/scoring/group-commit');
const { sqliteStore } = await import('../src/lib/server/db/store');

interface Meta {
	token: string;
	world: World;
	seasonId: number;
	next: number;
}
const meta = JSON.parse(readFileSync(join(TEMPLATE, 'meta.json'), 'utf8')) as Meta;

function copyDatabase(from: string, to: string) {
	for (const suffix of ['', '-wal', '-shm'])
		if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
}

/** The template with its badge facts caught up and its awards decided, made once. */
async function caughtUp(): Promise<string> {
	const file = join(tmpdir(), `honorboard-badge-step-${meta.next}.db`);
	if (existsSync(file)) return file;
	const making = `${file}.making`;
	copyDatabase(join(TEMPLATE, 'honorboard.db'), making);
	const db = openDatabase(making);
	const started = performance.now();
	const r = await runPeriodicAwards(sqliteStore(db), { entriesPerSlice: 2_000 });
	db.$client.pragma('wal_checkpoint(TRUNCATE)');
	db.$client.close();
	console.log(
		`facts caught up: ${r.slices} slices, ${r.awarded} awards, ${Math.round(performance.now() - started)} ms`
	);
	copyFileSync(making, file);
	rmSync(making, { force: true });
	for (const suffix of ['-wal', '-shm']) rmSync(making + suffix, { force: true });
	return file;
}

const cpuMicros = () => {
	const u = process.cpuUsage();
	return u.user + u.system;
};

const source = await caughtUp();
const dir = mkdtempSync(join(tmpdir(), 'honorboard-badge-step-'));
copyDatabase(source, join(dir, 'honorboard.db'));
const db = openDatabase(join(dir, 'honorboard.db'));
// The server checkpoints in a thread of its own (db/checkpointer.ts): none on this thread.
db.$client.pragma('wal_autocheckpoint = 0');
const prefix = `step-${Date.now()}`;
const started = loadavg()[0];
const groups: number[] = [];
let cpu = 0;
let wall = 0;
let i = meta.next;
for (let g = 0; g < WARM + GROUPS; g++) {
	const inputs = Array.from({ length: GROUP }, () => {
		const body = JSON.parse(saleBody(meta.world, prefix, i++));
		return {
			source: 'api' as const,
			externalId: body.externalId,
			seller: { email: body.seller.email },
			occurredAt: Date.parse(body.occurredAt),
			lines: body.lines.map((l: { sku: string; quantity: number; unitPrice: number }) => ({
				sku: l.sku,
				quantity: l.quantity,
				unitPrice: Math.round(l.unitPrice * 100)
			}))
		};
	});
	const store = sqliteStore(db);
	const c0 = cpuMicros();
	const w0 = performance.now();
	await Promise.all(inputs.map((input) => recordSaleGrouped(store, input)));
	// The code before ran the step in a setImmediate after the answers: it runs before this.
	await new Promise((resolve) => setImmediate(resolve));
	const c1 = cpuMicros();
	if (g < WARM) continue;
	wall += performance.now() - w0;
	cpu += c1 - c0;
	groups.push((c1 - c0) / GROUP);
}
const sorted = [...groups].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const sales = GROUPS * GROUP;
console.log(
	JSON.stringify({
		badges: process.env.HONORBOARD_BENCH_SALE_BADGES === '0' ? 'off' : 'on',
		sales,
		group: GROUP,
		cpuPerSaleUs: Math.round(cpu / sales),
		wallPerSaleUs: Math.round((wall * 1000) / sales),
		groupCpuPerSaleP50Us: Math.round(at(0.5)),
		groupCpuPerSaleP90Us: Math.round(at(0.9)),
		load: [started, loadavg()[0]].map((l) => Math.round(l * 100) / 100)
	})
);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
