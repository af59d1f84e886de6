// What recording a sale costs on PostgreSQL in round trips (#20): groups of new API sales recorded
// by `recordSaleGrouped` (one serializable `write` per group) on a
// throwaway cluster (tests/helpers/postgres.ts, PG_TEST_PORT or 48760), every query the driver
// sends counted by its text. A round trip is the one cost of the PostgreSQL path that does not
// move with the machine's load: on a loaded machine each one waits for PostgreSQL's process to
// be scheduled, and the sale's wall time is mostly that wait (docs/benchmarks.md, "Sales on
// PostgreSQL"). Prints, per group size, the wall time per sale and the queries per sale by
// statement. With --new-days each of a seller's sales falls on a day of its own (a day without a
// person_day row, read from its sales: an import of past sales); without, all on today's. With
// --order, the statements of the last lone sale (a group of one) in the order they were sent. With
// --badges the season has a first-sale and a two-sales badge (held by every seller after the
// warming sales, as at size: the decision only reads what they hold). Also the CPU per sale of
// this process and of PostgreSQL's (every process of the cluster, /proc: Linux only). With
// --against <checkout>, that checkout's code (its src, test helpers and pg) is run instead of this
// one's, by this bench: two checkouts compared with the same measure.
//   npx tsx bench/pg-sale-trips.ts [--groups 20] [--people 20] [--new-days] [--order] [--badges]
//     [--against /path/to/checkout]
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { flag, option, textOption } from './lib/args';

process.env.PG_TEST_PORT ??= '48760';
process.env.LOG_LEVEL ??= 'warn';
const GROUPS = option('groups', 20);
const PEOPLE = option('people', 20);
const NEW_DAYS = flag('new-days');
const ORDER = flag('order');
const BADGES = flag('badges');
const DAY = 86_400_000;
const ROOT = resolve(textOption('against') ?? join(import.meta.dirname, '..'));
const from = (path: string) => import(pathToFileURL(join(ROOT, path)).href);

const { default: pg } = (await from('node_modules/pg/lib/index.js')) as {
	default: typeof import('pg');
};
const { startPostgres } = (await from(
	'tests/helpers/postgres.ts'
)) as typeof import('../tests/helpers/postgres');
const { openStore, closeStore } = (await from(
	'src/lib/server/db/store.ts'
)) as typeof import('../src/lib/server/db/store');
const { liveSeasonOn } = (await from(
	'tests/helpers/store-season.ts'
)) as typeof import('../tests/helpers/store-season');
const { recordSaleGrouped } = (await from(
	'src/lib/server/scoring/group-commit.ts'
)) as typeof import('../src/lib/server/scoring/group-commit');

/** Queries sent since the last reset, by their first 80 characters, and in the order sent. */
const sent = new Map<string, number>();
const inOrder: string[] = [];
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
	const first = args[0] as string | { text?: string; name?: string };
	const text = typeof first === 'string' ? first : (first.text ?? first.name ?? '?');
	const key = text.replace(/\s+/g, ' ').slice(0, 80);
	sent.set(key, (sent.get(key) ?? 0) + 1);
	inOrder.push(key);
	return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

const server = await startPostgres();
const store = await openStore(server.url);
if (store.dialect !== 'postgres') throw new Error('PostgreSQL');
// The cluster's processes: the postmaster (a backend's parent) and its children.
const { rows: backend } = await store.pool.query<{ pid: number }>('select pg_backend_pid() as pid');
const postmaster = Number(statOf(backend[0].pid)[1]);

/** /proc/<pid>/stat's fields after the command's name: [state, ppid, …]. */
function statOf(pid: number): string[] {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU ms of the cluster: its processes' own, and the postmaster's children that ended. */
function postgresCpuMs(): number {
	let ticks = 0;
	for (const name of readdirSync('/proc')) {
		const pid = Number(name);
		if (!pid) continue;
		let f: string[];
		try {
			f = statOf(pid);
		} catch {
			continue; // ended meanwhile
		}
		// utime, stime (fields 14 and 15 of stat); the postmaster's cutime and cstime too.
		if (pid === postmaster) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
		else if (Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
	}
	return ticks * 10; // USER_HZ: 100 on Linux
}
const season = await liveSeasonOn(store, {
	size: PEOPLE,
	teams: ['Harbour', 'Summit'],
	endsAt: Date.now() + 30 * DAY
});
await store.db.insert(store.tables.product).values({
	seasonId: season.seasonId,
	sku: 'PHONE',
	name: 'Phone',
	category: 'Phones',
	points: 10,
	price: 1000
});
if (BADGES)
	await store.db.insert(store.tables.badge).values(
		[
			{ name: 'First', points: 5, criterion: { kind: 'first_sale' as const } },
			{ name: 'Two', points: 0, criterion: { kind: 'sales_count' as const, count: 2 } }
		].map((b) => ({ ...b, seasonId: season.seasonId, emoji: '🏅', description: '', active: true }))
	);
let serial = 0;
const sale = () => ({
	source: 'api' as const,
	externalId: `trips-${serial++}`,
	seller: { email: season.people[serial % PEOPLE].email },
	// The warming sales (the first of each seller) on today, the next ones a day earlier each.
	occurredAt: Date.now() - 60_000 - (NEW_DAYS ? Math.floor(serial / PEOPLE) * DAY : 0),
	lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 1000 }]
});
// Warm: every seller's lookups and the statements' first use (and with badges their two).
for (let i = 0; i < (BADGES ? 2 : 1) * PEOPLE; i++) await recordSaleGrouped(store, sale());

console.log(
	`pg-sale-trips: ${GROUPS} groups per size, ${PEOPLE} sellers` +
		(NEW_DAYS ? ', each sale on a day new to its seller' : '') +
		(BADGES ? ', two badges every seller holds' : '') +
		(textOption('against') ? `, the code of ${ROOT}` : '')
);
for (const size of [1, 8, 32]) {
	sent.clear();
	const started = performance.now();
	const cpu = process.cpuUsage();
	const pgCpu = postgresCpuMs();
	for (let g = 0; g < GROUPS; g++) {
		inOrder.length = 0;
		await Promise.all(Array.from({ length: size }, () => recordSaleGrouped(store, sale())));
	}
	const sales = GROUPS * size;
	const total = [...sent.values()].reduce((a, b) => a + b, 0);
	const { user, system } = process.cpuUsage(cpu);
	console.log(
		`\ngroups of ${size}: ${((performance.now() - started) / sales).toFixed(2)} ms wall per sale, ` +
			`${(total / sales).toFixed(1)} queries per sale, CPU per sale: this process ` +
			`${((user + system) / 1000 / sales).toFixed(2)} ms, PostgreSQL ` +
			`${((postgresCpuMs() - pgCpu) / sales).toFixed(2)} ms`
	);
	for (const [text, n] of [...sent].sort((a, b) => b[1] - a[1]))
		console.log(`  ${(n / sales).toFixed(2).padStart(5)}  ${text}`);
	if (ORDER && size === 1) {
		console.log('\nthe last lone sale, in order:');
		inOrder.forEach((text, i) => console.log(`  ${String(i + 1).padStart(3)}  ${text}`));
	}
}
console.log(
	`load ${(await import('node:os'))
		.loadavg()
		.map((l) => l.toFixed(2))
		.join(' ')}`
);
await closeStore(store);
await server.stop();
