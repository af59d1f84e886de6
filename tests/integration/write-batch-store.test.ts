// A WriteBatch on the store (scoring/write-batch.ts finishInWrite): a group of API sales writes
// its people's days and standings once at the end of its write, on PostgreSQL each table's rows
// in one statement (db/many-rows.ts insertRowsInWrite). On both dialects the days and standings
// must equal what the ledger and the sales add up to, whether the rows are new or already there.
import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { write, type Store } from '../../src/lib/server/db/store';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import type { RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { WriteBatch } from '../../src/lib/server/scoring/write-batch';
import { statementsDuring } from '../helpers/pg-statements';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn, phoneAndCaseOn, pointsOf } from '../helpers/store-season';

const nodes = twoNodesPerDialect('write-batch-store');
const DAY = 86_400_000;
// Noon (UTC, the season's zone) of a day: its sales fall on that day.
const NOON = 20_000 * DAY + DAY / 2;
let serial = 0;

type Season = Awaited<ReturnType<typeof liveSeasonOn>>;

/** A group of sales sent together (one write): [person, day, sku] each, one unit. */
async function sellTogether(store: Store, s: Season, sales: [number, number, string][]) {
	const inputs = sales.map(([person, day, sku]): RecordSaleInput => ({
		source: 'api',
		externalId: `wbs-${++serial}`,
		seller: { email: s.people[person].email },
		occurredAt: NOON + day * DAY + serial,
		lines: [{ sku, quantity: 1, unitPrice: sku === 'PHONE' ? 50000 : 2000 }]
	}));
	await Promise.all(inputs.map((input) => recordSaleGrouped(store, input, () => NOON + 9 * DAY)));
}

/** The season's person_day rows and what its sales add up to per person and local day. */
async function daysAgainstSales(store: Store, seasonId: number) {
	const { personDay, sale } = store.tables;
	const rows = await store.db
		.select({
			userId: personDay.userId,
			day: personDay.day,
			sales: personDay.sales,
			points: personDay.points,
			quantity: personDay.quantity
		})
		.from(personDay)
		.where(eq(personDay.seasonId, seasonId));
	const sales = await store.db
		.select({ userId: sale.sellerId, occurredAt: sale.occurredAt, points: sale.points })
		.from(sale)
		.where(eq(sale.seasonId, seasonId));
	const summed = new Map<string, (typeof rows)[number]>();
	for (const { userId, occurredAt, points } of sales) {
		const day = Math.floor(occurredAt / DAY) * DAY;
		const held = summed.get(`${userId}:${day}`);
		if (held)
			[held.sales, held.points, held.quantity] = [
				held.sales + 1,
				held.points + points,
				held.quantity + 1
			];
		else summed.set(`${userId}:${day}`, { userId, day, sales: 1, points, quantity: 1 });
	}
	const order = (a: { userId: number; day: number }, b: { userId: number; day: number }) =>
		a.userId - b.userId || a.day - b.day;
	return { stored: rows.sort(order), fromSales: [...summed.values()].sort(order) };
}

/** The season's standings and the ledger's sums per person and per team. */
async function standingsAgainstLedger(store: Store, seasonId: number) {
	const { ledgerEntry, standing } = store.tables;
	const stored = await store.db
		.select({
			type: standing.subjectType,
			id: standing.subjectId,
			points: sql<number>`${standing.confirmedPoints} + ${standing.provisionalPoints}`.mapWith(
				Number
			),
			sales: standing.salesCount
		})
		.from(standing)
		.where(eq(standing.seasonId, seasonId))
		.orderBy(standing.subjectType, standing.subjectId);
	const sums = (column: typeof ledgerEntry.userId | typeof ledgerEntry.teamId) =>
		store.db
			.select({
				id: column,
				points: sql<number>`sum(${ledgerEntry.points})`.mapWith(Number),
				sales: sql<number>`count(*)`.mapWith(Number)
			})
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.seasonId, seasonId), eq(ledgerEntry.kind, 'sale')))
			.groupBy(column)
			.orderBy(column);
	const fromLedger = [
		...(await sums(ledgerEntry.teamId)).map((t) => ({ type: 'team', ...t })),
		...(await sums(ledgerEntry.userId)).map((u) => ({ type: 'user', ...u }))
	];
	return { stored, fromLedger };
}

describe.each(['sqlite', 'postgres'] as const)('a WriteBatch on %s', (dialect) => {
	it("leaves days and standings equal to the sales' and the ledger's sums", async () => {
		const [store] = nodes[dialect];
		const s = await liveSeasonOn(store, {
			size: 4,
			teams: ['North', 'South'],
			endsAt: NOON + 30 * DAY,
			timeZone: 'UTC'
		});
		await phoneAndCaseOn(store, s.seasonId);
		const counts = await statementsDuring(
			{
				// Every group's versions, days and standings, in one statement on PostgreSQL (once
				// prepared on a connection, executed in the string of the write's COMMIT).
				groups:
					/^WITH first AS \(UPDATE season SET version .*INSERT INTO person_day .*INSERT INTO standing|^execute many_after_\d+\(/,
				days: /^insert into "?person_day"?/i,
				standings: /^insert into "?standing"?/i,
				versions: /^update "season" set "version"/i
			},
			async () => {
				// Two sales of one person on one day, people of both teams, three days: new rows.
				await sellTogether(store, s, [
					[0, 0, 'PHONE'],
					[0, 0, 'CASE'],
					[0, 1, 'PHONE'],
					[1, 0, 'CASE'],
					[1, 2, 'PHONE'],
					[2, 1, 'PHONE'],
					[2, 1, 'PHONE'],
					[3, 2, 'CASE']
				]);
				// Then the same days and people again, and a new day: rows that exist take the sums.
				await sellTogether(store, s, [
					[0, 0, 'CASE'],
					[1, 2, 'PHONE'],
					[1, 2, 'CASE'],
					[2, 3, 'PHONE'],
					[3, 2, 'PHONE']
				]);
			}
		);
		const { stored: days, fromSales } = await daysAgainstSales(store, s.seasonId);
		expect(days).toEqual(fromSales);
		expect(days).toHaveLength(7);
		const { stored, fromLedger } = await standingsAgainstLedger(store, s.seasonId);
		expect(stored).toEqual(fromLedger);
		expect(stored).toHaveLength(6);
		if (dialect === 'postgres') {
			// Each group bumps its version and writes its days and standings in one statement,
			// whatever its people and days (three before: scoring/write-batch.ts finishInWrite).
			expect(counts.groups).toBeGreaterThanOrEqual(2);
			expect(counts).toMatchObject({ days: 0, standings: 0, versions: 0 });
		}
	});

	it('sums a person held under two teams into one row, each team its own part', async () => {
		const [store] = nodes[dialect];
		const s = await liveSeasonOn(store, {
			size: 1,
			teams: ['East', 'West'],
			endsAt: NOON + 30 * DAY
		});
		const person = { seasonId: s.seasonId, userId: s.people[0].id };
		await write(store, async (tx) => {
			const batch = new WriteBatch();
			batch.addStanding(
				{ ...person, teamId: s.teamIds[0] },
				{ confirmed: 30, provisional: 0, sales: 1 }
			);
			batch.addStanding(
				{ ...person, teamId: s.teamIds[1] },
				{ confirmed: 0, provisional: 12, sales: 1 }
			);
			batch.touchSeason(s.seasonId);
			await batch.finishInWrite(tx, store, NOON);
		});
		expect(await pointsOf(store, s.seasonId, 'user', person.userId)).toEqual({
			confirmed: 30,
			provisional: 12
		});
		expect(await pointsOf(store, s.seasonId, 'team', s.teamIds[0])).toEqual({
			confirmed: 30,
			provisional: 0
		});
		expect(await pointsOf(store, s.seasonId, 'team', s.teamIds[1])).toEqual({
			confirmed: 0,
			provisional: 12
		});
	});
});
