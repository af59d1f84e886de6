// The sales' badges on the store (#20 step 2, badges/decide-in-write.ts and steps.ts): the same
// sequence of sales and reviews on a temp SQLite file (the synchronous engine, inside the
// group's write) and on a throwaway PostgreSQL (the same bodies awaited on the write) gives the
// same awards, points and withdrawals; and two nodes recording one person's sales at once give
// each badge once.
import { describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { BadgeCriterion } from '../../src/lib/contest/badges';
import type { Store } from '../../src/lib/server/db/store';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { reviewSales } from '../../src/lib/server/scoring/review';
import type { RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { reevaluateOnStore, reevaluationsSettled } from '../../src/lib/server/badges/reevaluate';
import { unportedSqlite, write } from '../../src/lib/server/db/store';
import { recordAwards, recordAwardsReads } from '../../src/lib/server/badges/probes';
import { runInWrite } from '../../src/lib/server/badges/steps';
import { catchUpOnStore } from '../../src/lib/server/badges/catch-up';
import { importSalesOn } from '../../src/lib/server/imports/sales';
import { insertsFail } from '../helpers/failing-inserts';
import { twoNodesPerDialect, type Dialect } from '../helpers/store-nodes';
import { liveSeasonOn, phoneAndCaseOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('sale-badges-store');
const NOW = 1_900_000_000_000;
const DAY = 86_400_000;
const clock = () => NOW;
let serial = 0;

const BADGES: { name: string; points: number; criterion: BadgeCriterion }[] = [
	{ name: 'First', points: 5, criterion: { kind: 'first_sale' } },
	{ name: 'Two', points: 7, criterion: { kind: 'sales_count', count: 2 } },
	{
		name: 'Two phones',
		points: 0,
		criterion: { kind: 'sales_count', count: 2, category: 'Phones' }
	},
	{ name: 'Cross', points: 3, criterion: { kind: 'cross_sells', count: 1 } },
	{ name: 'Points', points: 0, criterion: { kind: 'points_at_least', points: 200 } },
	{ name: 'Record', points: 11, criterion: { kind: 'record_sale' } },
	{ name: 'Streak', points: 0, criterion: { kind: 'streak', days: 2 } },
	{ name: 'Team', points: 0, criterion: { kind: 'team_target', target: 300 } }
];

type Season = Awaited<ReturnType<typeof badgeSeasonOn>>;

/** A live season with a phone and a case, and the badges above. */
async function badgeSeasonOn(store: Store) {
	const s = await liveSeasonOn(store, {
		size: 3,
		teams: ['North', 'South'],
		endsAt: NOW + 30 * DAY
	});
	const { badge } = store.tables;
	await phoneAndCaseOn(store, s.seasonId);
	await store.db.insert(badge).values(
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

function saleOf(
	s: Season,
	person: number,
	daysAgo: number,
	lines: RecordSaleInput['lines']
): RecordSaleInput {
	return {
		source: 'api',
		externalId: `sale-badges-${++serial}`,
		seller: { email: s.people[person].email },
		occurredAt: NOW - daysAgo * DAY + serial * 1000,
		lines
	};
}

const phones = (n: number) => [{ sku: 'PHONE', quantity: n, unitPrice: 50000 }];
const phoneAndCase = [
	{ sku: 'PHONE', quantity: 1, unitPrice: 50000 },
	{ sku: 'CASE', quantity: 1, unitPrice: 2000 }
];

/** The season's awards as the test compares them: subjects and sales by their place. */
async function awardsOf(store: Store, s: Season, saleIds: number[]) {
	const { award, badge } = store.tables;
	const rows = await store.db
		.select({
			badge: badge.name,
			subjectType: award.subjectType,
			subjectId: award.subjectId,
			periodKey: award.periodKey,
			saleId: award.saleId,
			status: award.status
		})
		.from(award)
		.innerJoin(badge, eq(badge.id, award.badgeId))
		.where(eq(award.seasonId, s.seasonId));
	return rows
		.map((r) => ({
			badge: r.badge,
			subject:
				r.subjectType === 'user'
					? `person ${s.people.findIndex((p) => p.id === r.subjectId)}`
					: `team ${s.teamIds.indexOf(r.subjectId)}`,
			day: r.periodKey === '' ? '' : 'a day',
			sale: r.saleId == null ? null : saleIds.indexOf(r.saleId),
			status: r.status
		}))
		.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** A person's badge points on the ledger: given and withdrawn, summed. */
async function badgePointsOf(store: Store, seasonId: number, userId: number) {
	const { ledgerEntry } = store.tables;
	const [row] = await store.db
		.select({ points: sql<number>`coalesce(sum(${ledgerEntry.points}), 0)`.mapWith(Number) })
		.from(ledgerEntry)
		.where(
			and(
				eq(ledgerEntry.seasonId, seasonId),
				eq(ledgerEntry.userId, userId),
				eq(ledgerEntry.kind, 'badge')
			)
		);
	return row.points;
}

/** Sales, a reversal and more sales on one dialect; what the awards were after each part. */
async function sequenceOn(dialect: Dialect) {
	const [store] = nodes[dialect];
	const s = await badgeSeasonOn(store);
	const sell = async (input: RecordSaleInput) =>
		(await recordSaleGrouped(store, input, clock)).sale.id;
	const saleIds: number[] = [];
	for (const input of [
		saleOf(s, 0, 3, phones(1)),
		saleOf(s, 1, 3, [{ sku: 'CASE', quantity: 1, unitPrice: 2000 }]),
		saleOf(s, 0, 3, phoneAndCase),
		saleOf(s, 1, 2, phones(2)),
		saleOf(s, 0, 2, phones(1))
	])
		saleIds.push(await sell(input));
	const sold = await awardsOf(store, s, saleIds);
	// The record sale (person 1's two phones) is reversed: its award is withdrawn.
	await reviewSales(
		store,
		[saleIds[3]],
		{ decision: 'reverse', actor: { userId: s.people[2].id }, reason: 'returned' },
		clock
	);
	// The reconciliation's re-evaluation: in the background after the review, awaited here.
	await reevaluationsSettled(store);
	const reversed = await awardsOf(store, s, saleIds);
	saleIds.push(await sell(saleOf(s, 2, 1, phones(3))));
	const after = await awardsOf(store, s, saleIds);
	// A badge added once the sales are there: the season's re-evaluation gives it.
	const three = await addThreeBadge(store, s.seasonId);
	await reevaluateOnStore(store, s.seasonId, { badgeIds: [three], clock });
	return {
		sold,
		reversed,
		after,
		reevaluated: await awardsOf(store, s, saleIds),
		points: [
			await badgePointsOf(store, s.seasonId, s.people[0].id),
			await badgePointsOf(store, s.seasonId, s.people[1].id),
			await badgePointsOf(store, s.seasonId, s.people[2].id)
		]
	};
}

describe('the sales’ badges on the store', () => {
	it('are on PostgreSQL what the synchronous engine gives on SQLite', async () => {
		const onSqlite = await sequenceOn('sqlite');
		const onPostgres = await sequenceOn('postgres');
		expect(onPostgres).toEqual(onSqlite);

		const given = (list: typeof onSqlite.sold) =>
			list
				.map((a) => `${a.badge}: ${a.subject}${a.sale === null ? '' : ` at ${a.sale}`} ${a.status}`)
				.sort();
		expect(given(onSqlite.sold)).toEqual([
			'Cross: person 0 at 2 confirmed',
			'First: person 0 at 0 confirmed',
			'First: person 1 at 1 confirmed',
			'Points: person 0 at 2 confirmed',
			'Points: person 1 at 3 confirmed',
			'Record: person 0 at 2 confirmed',
			'Record: person 1 at 3 confirmed',
			'Streak: person 0 at 4 confirmed',
			'Streak: person 1 at 3 confirmed',
			'Team: team 0 at 4 confirmed',
			'Two phones: person 0 at 2 confirmed',
			'Two: person 0 at 2 confirmed',
			'Two: person 1 at 3 confirmed'
		]);
		// Reversed: person 1's record and second sale are withdrawn; the team target holds.
		expect(given(onSqlite.reversed).filter((a) => a.endsWith('void'))).toEqual(
			expect.arrayContaining(['Record: person 1 at 3 void', 'Two: person 1 at 3 void'])
		);
		expect(given(onSqlite.reevaluated).filter((a) => a.startsWith('Three'))).toEqual([
			'Three: person 0 at 4 confirmed'
		]);
		// Person 0: 5 + 7 + 3 + 11 + 2; person 1: 5 (the record's 11 and the 7 given back); person 2:
		// 5 + 11 (three phones, the season's record now).
		expect(onSqlite.points).toEqual([28, 5, 16]);
	});

	it.each(['sqlite', 'postgres'] as const)(
		'gives a badge once when two nodes record its sales at once (%s)',
		async (dialect) => {
			const [a, b] = nodes[dialect];
			const s = await badgeSeasonOn(a);
			await Promise.all([
				recordSaleGrouped(a, saleOf(s, 0, 1, phones(1)), clock),
				recordSaleGrouped(b, saleOf(s, 0, 1, phones(1)), clock),
				recordSaleGrouped(a, saleOf(s, 0, 1, phones(1)), clock),
				recordSaleGrouped(b, saleOf(s, 0, 1, phones(1)), clock)
			]);
			const mine = (await awardsOf(a, s, [])).filter((x) => x.subject === 'person 0');
			expect(mine.map((x) => x.badge).sort()).toEqual(['First', 'Points', 'Two', 'Two phones']);
			expect(await badgePointsOf(a, s.seasonId, s.people[0].id)).toBe(5 + 7);
		}
	);

	it('find the same record sales on both dialects when the biggest sales take several pages', async () => {
		// 600 sales of three people, amounts with many ties: PostgreSQL reads them 256 at a time.
		const found: Record<Dialect, unknown[]> = { sqlite: [], postgres: [] };
		for (const dialect of ['sqlite', 'postgres'] as const) {
			const [store] = nodes[dialect];
			const s = await liveSeasonOn(store, { size: 3, teams: ['North'], endsAt: NOW + DAY });
			const { sale } = store.tables;
			// Person 0's first sale is the season's first and smallest: their scan reads every sale.
			await store.db.insert(sale).values({
				seasonId: s.seasonId,
				source: 'api',
				externalId: `pages-${dialect}-first`,
				sellerId: s.people[0].id,
				teamId: s.teamIds[0],
				occurredAt: NOW - 20 * DAY,
				amount: 500,
				status: 'approved',
				points: 1
			});
			await store.db.insert(sale).values(
				Array.from({ length: 600 }, (_, i) => ({
					seasonId: s.seasonId,
					source: 'api' as const,
					externalId: `pages-${dialect}-${i}`,
					sellerId: s.people[(i * 7) % 3].id,
					teamId: s.teamIds[0],
					occurredAt: NOW - 10 * DAY + ((i * 7919) % 600) * 60_000,
					amount: 1000 + ((i * 104_729) % 40) * 10,
					status: 'approved' as const,
					points: 1
				}))
			);
			for (const person of s.people) {
				const records = await write(store, (tx) =>
					runInWrite(tx, store, recordAwardsReads(s.seasonId, person.id, 'UTC', NOW))
				);
				const sqlite = unportedSqlite(store);
				if (sqlite)
					expect(records).toEqual(recordAwards(sqlite, s.seasonId, person.id, 'UTC', NOW));
				found[dialect].push(records.map((r) => [r.periodKey, r.at]));
			}
		}
		expect(found.postgres).toEqual(found.sqlite);
		expect(found.sqlite.flat().length).toBeGreaterThan(0);
	});
});

/**
 * Where the badge facts' cursor is, and the ledger's last sale entry (the badges' own entries,
 * written after the cursor moved, are no fact's).
 */
async function cursorAndLast(store: Store) {
	const { badgeCursor, ledgerEntry } = store.tables;
	const [cursor] = await store.db.select({ id: badgeCursor.ledgerId }).from(badgeCursor);
	const [last] = await store.db
		.select({ id: sql<number>`max(${ledgerEntry.id})`.mapWith(Number) })
		.from(ledgerEntry)
		.where(eq(ledgerEntry.kind, 'sale'));
	return { cursor: cursor?.id ?? 0, last: last.id };
}

/** Three sales of person 2 on one dialect: in one group of API sales, or in one import window. */
const sellThree = {
	group: async (store: Store, s: Season) => {
		const inputs = [1, 2, 3].map((n) => saleOf(s, 2, 1, phones(n)));
		const answers = await Promise.all(inputs.map((i) => recordSaleGrouped(store, i, clock)));
		return answers.map((a) => a.sale.id);
	},
	import: async (store: Store, s: Season) => {
		const at = new Date(NOW - DAY).toISOString();
		const ids = [1, 2, 3].map(() => `sale-badges-import-${++serial}`);
		const csv = [
			'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice',
			...ids.map((id, i) => `${id},${s.people[2].email},${at},PHONE,${i + 1},500`)
		].join('\n');
		const report = await importSalesOn(store, csv, {
			dryRun: false,
			actor: {},
			clock,
			windowMs: null,
			parseThread: null
		});
		expect(report.sales).toEqual({ new: 3, duplicate: 0, rejected: 0 });
		const { sale } = store.tables;
		const rows = await store.db
			.select({ id: sale.id })
			.from(sale)
			.where(inArray(sale.externalId, ids))
			.orderBy(sale.id);
		return rows.map((r) => r.id);
	}
};

/** A season with the badges above and one the third sale earns. */
async function threeSeasonOn(store: Store) {
	const s = await badgeSeasonOn(store);
	await addThreeBadge(store, s.seasonId);
	return s;
}

/** A badge of the season for the third sale; its id. */
async function addThreeBadge(store: Store, seasonId: number): Promise<number> {
	const { badge } = store.tables;
	const [three] = await store.db
		.insert(badge)
		.values({
			seasonId,
			name: 'Three',
			emoji: '🥉',
			description: '',
			points: 2,
			active: true,
			criterion: { kind: 'sales_count', count: 3 }
		})
		.returning({ id: badge.id });
	return three.id;
}

// hb-salestep: the sales' and the imports' badge step runs the store's body on both dialects,
// inside the write of the sales (scoring/sale-awards.ts). An import's window on SQLite ran the
// synchronous engine without a savepoint before: a failing step failed the import.
describe.each(['sqlite', 'postgres'] as const)(
	'the badge step in the sales’ write (%s)',
	(dialect) => {
		it.each(['group', 'import'] as const)(
			'of a %s: the third sale’s badge is in its commit; a failing step leaves the sales to the catch-up',
			async (path) => {
				const [store] = nodes[dialect];
				const s = await threeSeasonOn(store);
				const sold = await sellThree[path](store, s);
				// Nothing awaited since the write committed: the catch-up had no turn to run.
				const three = (await awardsOf(store, s, sold)).filter((a) => a.badge === 'Three');
				expect(three).toEqual([
					{ badge: 'Three', subject: 'person 2', day: '', sale: 2, status: 'confirmed' }
				]);
				const after = await cursorAndLast(store);
				expect(after.cursor).toBeGreaterThanOrEqual(after.last);

				const t = await threeSeasonOn(store);
				await insertsFail(store, 'badge_tally', 'badge step broken', true);
				let failed: number[];
				try {
					failed = await sellThree[path](store, t);
					expect(failed).toHaveLength(3);
					expect(await awardsOf(store, t, failed)).toEqual([]);
					const behind = await cursorAndLast(store);
					expect(behind.cursor).toBeLessThan(behind.last);
				} finally {
					await insertsFail(store, 'badge_tally', 'badge step broken', false);
				}
				// The catch-up the step's backlog started may have met the failing facts: run it again.
				await catchUpOnStore(store, clock).catch(() => undefined);
				await catchUpOnStore(store, clock);
				const caught = await cursorAndLast(store);
				expect(caught.cursor).toBeGreaterThanOrEqual(caught.last);
				const given = (await awardsOf(store, t, failed)).map((a) => `${a.badge} at ${a.sale}`);
				expect(given).toEqual(expect.arrayContaining(['First at 0', 'Two at 1', 'Three at 2']));
			}
		);
	}
);
