// CSV imports on the store (#20 step 3, imports/sales.ts importSalesOn): each window one
// write(), a refused sale in its savepoint, on a temp SQLite file (the synchronous window) and a
// throwaway PostgreSQL (recordSaleInWrite). The same file gives the same report, sales, points,
// standings and badges on both; a re-import counts nothing twice; a refused row changes nothing;
// a job stopped part-way is resumed by one of two nodes and finishes once, with its errors file.
import { describe, expect, it } from 'vitest';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { BadgeCriterion } from '../../src/lib/contest/badges';
import { write, type Store } from '../../src/lib/server/db/store';
import { importSalesOn, type ImportReport } from '../../src/lib/server/imports/sales';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import {
	errorsDownload,
	getImportJob,
	resumeImportJobs,
	startImportJob
} from '../../src/lib/server/imports/jobs';
import { twoNodesPerDialect, type Dialect } from '../helpers/store-nodes';
import { auditsOf, liveSeasonOn, phoneAndCaseOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('import-window-store');
const NOW = 1_900_000_000_000;
const HOUR = 3_600_000;
const clock = () => NOW;
const HEADER = 'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice';

const BADGES: { name: string; points: number; criterion: BadgeCriterion }[] = [
	{ name: 'First', points: 5, criterion: { kind: 'first_sale' } },
	{ name: 'Three', points: 7, criterion: { kind: 'sales_count', count: 3 } },
	{ name: 'Cross', points: 3, criterion: { kind: 'cross_sells', count: 1 } }
];

type Season = Awaited<ReturnType<typeof liveSeasonOn>>;

/** A live season of four sellers with a phone and a case, and the badges above. */
async function importSeasonOn(store: Store): Promise<Season> {
	const s = await liveSeasonOn(store, {
		size: 4,
		teams: ['North', 'South'],
		endsAt: NOW + 30 * 24 * HOUR
	});
	await phoneAndCaseOn(store, s.seasonId);
	await store.db.insert(store.tables.badge).values(
		BADGES.map((b) => ({
			...b,
			seasonId: s.seasonId,
			emoji: '🏅',
			description: '',
			active: true
		}))
	);
	return s;
}

/**
 * `sales` sales over the season's sellers, every third with a second line (a case), and three
 * kinds of refusal: an unknown SKU every 11th (refused by scoring, inside its savepoint), an
 * unknown seller every 13th, an unreadable quantity every 17th.
 */
function fileOf(s: Season, prefix: string, sales: number): string {
	const at = new Date(NOW - 2 * HOUR).toISOString();
	const lines = [HEADER];
	for (let i = 1; i <= sales; i++) {
		const seller = i % 13 === 0 ? 'nobody@example.test' : s.people[i % 4].email;
		const quantity = i % 17 === 0 ? 'two' : '1';
		lines.push(`${prefix}-${i},${seller},${at},${i % 11 === 0 ? 'NOPE' : 'PHONE'},${quantity},999`);
		if (i % 3 === 0) lines.push(`${prefix}-${i},${seller},${at},CASE,2,29`);
	}
	return lines.join('\n');
}

/** What an import left in the season, sellers by their place in the season (not their id). */
async function seasonState(store: Store, s: Season) {
	const { sale, ledgerEntry, standing, award } = store.tables;
	const place = new Map(s.people.map((p, i) => [p.id, i]));
	const team = new Map(s.teamIds.map((id, i) => [id, i]));
	const sales = await store.db
		.select({
			externalId: sale.externalId,
			sellerId: sale.sellerId,
			points: sale.points,
			status: sale.status,
			amount: sale.amount
		})
		.from(sale)
		.where(eq(sale.seasonId, s.seasonId))
		.orderBy(asc(sale.externalId));
	const ledger = await store.db
		.select({ userId: ledgerEntry.userId, kind: ledgerEntry.kind, points: ledgerEntry.points })
		.from(ledgerEntry)
		.where(eq(ledgerEntry.seasonId, s.seasonId));
	const standings = await store.db
		.select({
			subjectType: standing.subjectType,
			subjectId: standing.subjectId,
			confirmed: standing.confirmedPoints,
			provisional: standing.provisionalPoints,
			sales: standing.salesCount
		})
		.from(standing)
		.where(eq(standing.seasonId, s.seasonId));
	const awards = await store.db
		.select({ badgeId: award.badgeId, subjectId: award.subjectId })
		.from(award)
		.where(and(eq(award.seasonId, s.seasonId), eq(award.subjectType, 'user')));
	const badgeNames = new Map(
		(
			await store.db
				.select({ id: store.tables.badge.id, name: store.tables.badge.name })
				.from(store.tables.badge)
				.where(eq(store.tables.badge.seasonId, s.seasonId))
		).map((b) => [b.id, b.name])
	);
	const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
	return {
		sales: sales.map(({ sellerId, ...rest }) => ({ ...rest, seller: place.get(sellerId) })),
		ledger: ledger.map((e) => `${place.get(e.userId)}:${e.kind}:${e.points}`).sort(byText),
		standings: standings
			.map(
				(r) =>
					`${r.subjectType}:${(r.subjectType === 'user' ? place : team).get(r.subjectId)}:` +
					`${r.confirmed}:${r.provisional}:${r.sales}`
			)
			.sort(byText),
		awards: awards.map((a) => `${place.get(a.subjectId)}:${badgeNames.get(a.badgeId)}`).sort(byText)
	};
}

/** Whether each person's standing is their ledger's sum. */
/**
 * Another node selling a case for the season's people, one sale after another (each after
 * `pauseMs`), until stopped; `sold()` counts its sales.
 */
function sellingMeanwhile(node: Store, s: Season, prefix: string, pauseMs: number) {
	let selling = true;
	let sold = 0;
	const done = (async () => {
		while (selling) {
			if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
			await recordSaleGrouped(
				node,
				{
					source: 'api',
					externalId: `${prefix}-api-${++sold}`,
					seller: { email: s.people[sold % 4].email },
					occurredAt: NOW - HOUR,
					lines: [{ sku: 'CASE', quantity: 1, unitPrice: 2000 }]
				},
				clock
			);
		}
	})();
	return {
		sold: () => sold,
		stop: async () => {
			selling = false;
			await done;
		}
	};
}

/** `csv` imported on `node` in windows of `batchSize` sales, the other node selling meanwhile. */
async function importWhileSelling(
	node: Store,
	csv: string,
	batchSize: number,
	other: ReturnType<typeof sellingMeanwhile>
) {
	return importSalesOn(node, csv, {
		dryRun: false,
		actor: {},
		clock,
		batchSize,
		windowMs: null,
		parseThread: null
	}).finally(other.stop);
}

function standingsAreLedgerSums(state: Awaited<ReturnType<typeof seasonState>>): boolean {
	const points = new Map<string, number>();
	for (const entry of state.ledger) {
		const [person, , value] = entry.split(':');
		points.set(person, (points.get(person) ?? 0) + Number(value));
	}
	return state.standings
		.filter((r) => r.startsWith('user:'))
		.every((row) => {
			const [, person, confirmed, provisional] = row.split(':');
			return Number(confirmed) + Number(provisional) === points.get(person);
		});
}

/** A report without its errors file (a temp path). */
function comparable(report: ImportReport) {
	// eslint-disable-next-line @typescript-eslint/no-unused-vars -- a temp path
	const { errorsFile, ...rest } = report;
	return rest;
}

/** What each dialect's import gave, compared once both have run. */
const seen: Partial<Record<Dialect, unknown>> = {};

describe.each(['sqlite', 'postgres'] as const)('CSV imports on %s', (dialect) => {
	it('a dry run, then the commit, then the same file again: counted once, refused rows change nothing', async () => {
		const [a, b] = nodes[dialect];
		const s = await importSeasonOn(a);
		const csv = fileOf(s, 'same', 60);
		const actor = { userId: s.people[0].id };
		const options = { actor, clock, batchSize: 7, windowMs: null, parseThread: null };

		const dry = await importSalesOn(a, csv, { ...options, dryRun: true });
		expect((await seasonState(a, s)).sales).toEqual([]);

		const committed = await importSalesOn(a, csv, { ...options, dryRun: false });
		// 60 sales: 5 unknown SKUs, 4 unknown sellers, 3 unreadable quantities (17, 34, 51; the
		// first two are lone rows, not sales).
		expect(committed.sales).toEqual({ new: 48, duplicate: 0, rejected: 10 });
		expect(dry.sales).toEqual(committed.sales);
		expect(dry.points).toBe(committed.points);
		// Rows, not sales: sale 33 has two lines.
		expect(committed.rejectedBy).toMatchObject({ unknown_sku: 6 });
		const after = await seasonState(b, s);
		expect(after.sales).toHaveLength(48);
		// A sale scoring refused (its savepoint rolled back) left no row, no entry, no standing.
		expect(after.sales.some((r) => ['same-11', 'same-22', 'same-13'].includes(r.externalId))).toBe(
			false
		);
		expect(after.ledger.filter((e) => e.includes(':sale:'))).toHaveLength(48);
		expect(after.awards.length).toBeGreaterThan(0);
		const audits = (await auditsOf(b, 'sales')).filter((e) => e.action === 'sales.import');
		expect(audits.at(-1)?.data).toMatchObject({ new: 48, rejected: 10 });

		// The same file again on the other node: every sale a duplicate, nothing counted twice.
		const again = await importSalesOn(b, csv, { ...options, dryRun: false });
		expect(again.sales).toEqual({ new: 0, duplicate: 48, rejected: 10 });
		expect(await seasonState(a, s)).toEqual(after);

		seen[dialect] = {
			dry: comparable(dry),
			committed: comparable(committed),
			again: comparable(again),
			state: after
		};
	});

	it('an import while another node records sales for the same sellers: each counted once, the report exact', async () => {
		const [a, b] = nodes[dialect];
		const s = await importSeasonOn(a);
		const csv = fileOf(s, 'busy', 120);
		// Node B sells for the same people meanwhile, ~50 sales a second: on PostgreSQL the
		// windows' writes conflict with its writes on the same standings and run again.
		const selling = sellingMeanwhile(b, s, 'busy', 20);
		const report = await importWhileSelling(a, csv, 5, selling);
		const sold = selling.sold();
		// 120 sales: 10 unknown SKUs, 9 unknown sellers, 7 unreadable (5 of them lone rows).
		expect(report.sales).toEqual({ new: 94, duplicate: 0, rejected: 21 });
		expect(report.resultsTotal).toBe(report.rows);
		expect(report.rejected).toBe(report.errorsTotal);
		const state = await seasonState(a, s);
		expect(sold).toBeGreaterThan(0);
		expect(state.sales.filter((r) => r.externalId.startsWith('busy-'))).toHaveLength(94 + sold);
		expect(state.ledger.filter((e) => e.includes(':sale:'))).toHaveLength(94 + sold);
		expect(standingsAreLedgerSums(state)).toBe(true);
	});

	it('an import while another node sells back to back for the same sellers: it finishes, each sale counted once', async () => {
		const [a, b] = nodes[dialect];
		const s = await importSeasonOn(a);
		const csv = fileOf(s, 'rush', 120);
		// Node B sells for the same people without a pause: on PostgreSQL every write of B moves
		// the season's version and the standings a window writes.
		const selling = sellingMeanwhile(b, s, 'rush', 0);
		const report = await importWhileSelling(a, csv, 40, selling);
		const sold = selling.sold();
		expect(report.sales).toEqual({ new: 94, duplicate: 0, rejected: 21 });
		expect(report.resultsTotal).toBe(report.rows);
		expect(report.rejected).toBe(report.errorsTotal);
		const rows = report.errors.map((e) => e.row);
		expect(rows).toEqual([...rows].sort((x, y) => x - y));
		const state = await seasonState(a, s);
		// Node B went on selling while the import ran, and lost none of its sales.
		expect(sold).toBeGreaterThan(1);
		expect(state.sales.filter((r) => r.externalId.startsWith('rush-'))).toHaveLength(94 + sold);
		expect(state.ledger.filter((e) => e.includes(':sale:'))).toHaveLength(94 + sold);
		expect(standingsAreLedgerSums(state)).toBe(true);
	});

	it('a job stopped part-way is resumed by one of two nodes and finishes once', async () => {
		const [a, b] = nodes[dialect];
		const { importJob } = a.tables;
		const s = await importSeasonOn(a);
		const owner = { userId: s.people[0].id };
		const csv = fileOf(s, 'job', 300);
		const job = await startImportJob(a, csv, { owner, batchSize: 5, clock });
		// Its holder stops between two windows: taken from it, its next window stores nothing.
		while (job.done < 100 && job.status === 'running') await new Promise((r) => setImmediate(r));
		await write(b, (tx) =>
			tx
				.update(importJob)
				.set({ holder: 'a process that stopped', heartbeatAt: 0 })
				.where(eq(importJob.id, job.id))
		);
		await job.finished;
		const stopped = await getImportJob(b, job.id, owner, clock);
		expect(stopped).toMatchObject({ status: 'running' });
		expect(stopped!.done).toBeGreaterThan(0);
		expect(stopped!.done).toBeLessThan(stopped!.total);
		const partial = (await seasonState(b, s)).sales.length;
		expect(partial).toBeGreaterThan(0);

		// Both nodes look for it at once: one takes it over and runs it from its checkpoint.
		const taken = await Promise.all([resumeImportJobs(a), resumeImportJobs(b)]);
		expect(taken.sort()).toEqual([0, 1]);
		let finished = await getImportJob(b, job.id, owner);
		for (let i = 0; i < 600 && finished?.status === 'running'; i++) {
			await new Promise((r) => setTimeout(r, 50));
			finished = await getImportJob(b, job.id, owner);
		}
		// 300 sales: 27 unknown SKUs, 23 unknown sellers, 17 unreadable (some of them both).
		const state = await seasonState(a, s);
		expect(finished).toMatchObject({ status: 'done', done: finished!.total });
		expect(finished!.report!.sales.new).toBe(state.sales.length);
		expect(finished!.report!.sales.duplicate).toBe(0);
		expect(state.ledger.filter((e) => e.includes(':sale:'))).toHaveLength(state.sales.length);
		const ids = state.sales.map((r) => r.externalId);
		expect(new Set(ids).size).toBe(ids.length);
		const audits = (await auditsOf(a, 'sales')).filter((e) => e.action === 'sales.import');
		expect(
			audits.filter((e) => (e.data as { rows: number }).rows === finished!.total)
		).toHaveLength(1);

		// The errors file: every refused row once, in row order, from either node.
		const download = await errorsDownload(b, finished!).text();
		const rows = download
			.trim()
			.split('\r\n')
			.slice(1)
			.map((line) => Number(line.split(',')[0]));
		expect(rows.length).toBe(finished!.report!.errorsTotal);
		expect(rows).toEqual([...rows].sort((x, y) => x - y));
		expect(new Set(rows).size).toBe(rows.length);
		const leftover = await a.db
			.select({ id: importJob.id })
			.from(importJob)
			.where(and(eq(importJob.id, job.id), inArray(importJob.status, ['running'])));
		expect(leftover).toEqual([]);
	});
});

describe('CSV imports on both dialects', () => {
	it('the same file gives the same report, sales, points, standings and badges', () => {
		expect(seen.sqlite).toBeDefined();
		expect(seen.postgres).toEqual(seen.sqlite);
	});
});
