// Recording a sale on the store (#20 step 1, scoring/sales.ts recordSaleInWrite and the group
// commit on write(), group-commit.ts): the same assertions on a temp SQLite file and a throwaway
// PostgreSQL. A sale, its points and standings; a replay and a conflict; a refused sale in a
// group leaving the others; a sale above the season's ceiling kept pending; daily caps scored in
// a group as sales recorded one at a time score them; and two nodes recording at once, each sale counted once, and
// selling back to back to the same people without a sale lost to their contention.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { openDatabase } from '../../src/lib/server/db';
import { closeStore, sqliteStore, type Store } from '../../src/lib/server/db/store';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import {
	IdempotencyConflictError,
	replayInWrite,
	type RecordSaleInput
} from '../../src/lib/server/scoring/sales';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { recordOn } from '../helpers/record-sale';
import { appErrorCode, liveSeasonOn, pointsOf, phoneAndCaseOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('sales-store');
const NOW = 1_900_000_000_000;
const HOUR = 3_600_000;
const clock = () => NOW;
let serial = 0;

type Season = Awaited<ReturnType<typeof liveSeasonOn>>;

/** A live season with a phone (100 points, 500.00) and a case (10 points, 20.00). */
async function sellingSeasonOn(
	store: Store,
	options: { size?: number; maxSalePoints?: number; requireConfirmation?: boolean } = {}
): Promise<Season> {
	const s = await liveSeasonOn(store, {
		size: options.size ?? 2,
		teams: ['North', 'South'],
		endsAt: NOW + 30 * 24 * HOUR
	});
	const { season } = store.tables;
	await phoneAndCaseOn(store, s.seasonId);
	if (options.maxSalePoints != null || options.requireConfirmation != null)
		await store.db
			.update(season)
			.set({
				maxSalePoints: options.maxSalePoints ?? 100_000,
				requireConfirmation: options.requireConfirmation ?? false
			})
			.where(eq(season.id, s.seasonId));
	return s;
}

function saleOf(
	s: Season,
	person: number,
	lines: RecordSaleInput['lines'],
	externalId = `sales-store-${++serial}`
): RecordSaleInput {
	return {
		source: 'api',
		externalId,
		seller: { email: s.people[person].email },
		occurredAt: NOW - HOUR,
		lines
	};
}

async function salesOf(store: Store, seasonId: number) {
	const { sale } = store.tables;
	return store.db
		.select({ externalId: sale.externalId, points: sale.points, status: sale.status })
		.from(sale)
		.where(eq(sale.seasonId, seasonId))
		.orderBy(sale.externalId);
}

/** The season's standings against its ledger: every subject's sums, which must be equal. */
async function standingsAgainstLedger(store: Store, seasonId: number) {
	const { ledgerEntry, standing } = store.tables;
	const [ledger] = await store.db
		.select({
			points: sql<number>`coalesce(sum(${ledgerEntry.points}), 0)`.mapWith(Number),
			entries: sql<number>`count(*)`.mapWith(Number)
		})
		.from(ledgerEntry)
		.where(eq(ledgerEntry.seasonId, seasonId));
	const [people] = await store.db
		.select({
			points:
				sql<number>`coalesce(sum(${standing.confirmedPoints} + ${standing.provisionalPoints}), 0)`.mapWith(
					Number
				),
			sales: sql<number>`coalesce(sum(${standing.salesCount}), 0)`.mapWith(Number)
		})
		.from(standing)
		.where(and(eq(standing.seasonId, seasonId), eq(standing.subjectType, 'user')));
	const [teams] = await store.db
		.select({
			points:
				sql<number>`coalesce(sum(${standing.confirmedPoints} + ${standing.provisionalPoints}), 0)`.mapWith(
					Number
				)
		})
		.from(standing)
		.where(and(eq(standing.seasonId, seasonId), eq(standing.subjectType, 'team')));
	return { ledger, people, teams: teams.points };
}

async function versionOf(store: Store, seasonId: number) {
	const { season } = store.tables;
	const [row] = await store.db
		.select({ version: season.version })
		.from(season)
		.where(eq(season.id, seasonId));
	return row.version;
}

describe.each(['sqlite', 'postgres'] as const)('recording a sale on %s', (dialect) => {
	it('records a sale, its points, standings, day and version; the same sale again is a replay', async () => {
		const [store] = nodes[dialect];
		const s = await sellingSeasonOn(store);
		const before = await versionOf(store, s.seasonId);
		const input = saleOf(s, 0, [
			{ sku: 'PHONE', quantity: 1, unitPrice: 50000 },
			{ sku: 'CASE', quantity: 2, unitPrice: 2000 }
		]);
		const first = await recordSaleGrouped(store, input, clock);
		expect(first).toMatchObject({
			created: true,
			seasonId: s.seasonId,
			sale: { status: 'approved', points: 120 },
			flagReason: null
		});
		expect(first.version).toBe(before + 1);
		expect(await versionOf(store, s.seasonId)).toBe(before + 1);
		expect(await pointsOf(store, s.seasonId, 'user', s.people[0].id)).toEqual({
			confirmed: 120,
			provisional: 0
		});
		expect(await pointsOf(store, s.seasonId, 'team', s.teamIds[0])).toEqual({
			confirmed: 120,
			provisional: 0
		});
		const { personDay } = store.tables;
		expect(
			await store.db
				.select({ sales: personDay.sales, points: personDay.points, quantity: personDay.quantity })
				.from(personDay)
				.where(eq(personDay.userId, s.people[0].id))
		).toEqual([{ sales: 1, points: 120, quantity: 3 }]);

		// Replayed in a group and before one (the API's read): the first answer, nothing counted.
		const again = await recordSaleGrouped(store, input, clock);
		expect(again).toMatchObject({ created: false, sale: first.sale, version: before + 1 });
		expect(await replayInWrite(store.db, store, input)).toMatchObject({
			created: false,
			sale: first.sale
		});
		expect(await standingsAgainstLedger(store, s.seasonId)).toEqual({
			ledger: { points: 120, entries: 1 },
			people: { points: 120, sales: 1 },
			teams: 120
		});
	});

	it('refuses an externalId used for a different sale, and changes nothing', async () => {
		const [store] = nodes[dialect];
		const s = await sellingSeasonOn(store);
		const input = saleOf(s, 0, [{ sku: 'PHONE', quantity: 1, unitPrice: 50000 }]);
		await recordSaleGrouped(store, input, clock);
		const other = { ...input, lines: [{ sku: 'CASE', quantity: 1, unitPrice: 2000 }] };
		const refused = await recordSaleGrouped(store, other, clock).catch((error) => error);
		expect(refused).toBeInstanceOf(IdempotencyConflictError);
		expect(refused.details).toEqual({ externalId: input.externalId, differs: ['lines'] });
		expect(await salesOf(store, s.seasonId)).toEqual([
			{ externalId: input.externalId, points: 100, status: 'approved' }
		]);
	});

	it('leaves the other sales of a group when one is refused', async () => {
		const [store] = nodes[dialect];
		const s = await sellingSeasonOn(store);
		const inputs = [
			saleOf(s, 0, [{ sku: 'PHONE', quantity: 1, unitPrice: 50000 }]),
			saleOf(s, 1, [{ sku: 'NOPE', quantity: 1, unitPrice: 100 }]),
			saleOf(s, 1, [{ sku: 'CASE', quantity: 3, unitPrice: 2000 }])
		];
		const codes = await Promise.all(
			inputs.map((input) => appErrorCode(() => recordSaleGrouped(store, input, clock)))
		);
		expect(codes).toEqual(['ok', 'unknown_sku', 'ok']);
		expect((await salesOf(store, s.seasonId)).map((r) => [r.externalId, r.points])).toEqual([
			[inputs[0].externalId, 100],
			[inputs[2].externalId, 30]
		]);
		expect(await standingsAgainstLedger(store, s.seasonId)).toEqual({
			ledger: { points: 130, entries: 2 },
			people: { points: 130, sales: 2 },
			teams: 130
		});
	});

	it('records a sale queued while an earlier group is written with its own clock', async () => {
		const [store] = nodes[dialect];
		const s = await sellingSeasonOn(store);
		const first = recordSaleGrouped(store, saleOf(s, 0, [{ sku: 'CASE', quantity: 1 }]), clock);
		// Queued once the first group's write has begun (on PostgreSQL it is still waiting for
		// its queries), with a clock two hours later: its sale, an hour after NOW, is not in the
		// future for it.
		await new Promise((resolve) => setImmediate(resolve));
		const later = { ...saleOf(s, 1, [{ sku: 'CASE', quantity: 2 }]), occurredAt: NOW + HOUR };
		const second = appErrorCode(() => recordSaleGrouped(store, later, () => NOW + 2 * HOUR));
		expect([await appErrorCode(() => first), await second]).toEqual(['ok', 'ok']);
	});

	it("keeps a sale above the season's ceiling pending, with its flag", async () => {
		const [store] = nodes[dialect];
		const s = await sellingSeasonOn(store, { maxSalePoints: 150 });
		const recorded = await recordSaleGrouped(
			store,
			saleOf(s, 0, [{ sku: 'PHONE', quantity: 2, unitPrice: 50000 }]),
			clock
		);
		expect(recorded.sale).toMatchObject({ status: 'pending', points: 200 });
		expect(recorded.flagReason).toContain("above this season's limit of 150");
		expect(await pointsOf(store, s.seasonId, 'user', s.people[0].id)).toEqual({
			confirmed: 0,
			provisional: 200
		});
	});

	it('scores daily caps and first-sale bonuses in a group as one sale at a time does', async () => {
		const [store] = nodes[dialect];
		const twin = sqliteTwin();
		const inputs: RecordSaleInput[][] = [];
		const seasons: Season[] = [];
		for (const on of [store, twin]) {
			const s = await sellingSeasonOn(on);
			await on.db.insert(on.tables.rule).values([
				{
					seasonId: s.seasonId,
					name: 'First sale',
					target: { kind: 'any' },
					effect: { kind: 'first_sale_bonus', points: 7 }
				},
				{
					seasonId: s.seasonId,
					name: 'Phones double, 300 a day at most',
					target: { kind: 'category', category: 'Phones' },
					effect: { kind: 'multiplier', factor: 2 },
					dailyCap: 300
				}
			]);
			seasons.push(s);
			// Two days, three phones a day in turns of one and two: the cap bites on the second.
			inputs.push(
				[0, 1, 2, 3, 4, 5].map((i) => ({
					...saleOf(s, 0, [{ sku: 'PHONE', quantity: 1 + (i % 2), unitPrice: 50000 }]),
					occurredAt: NOW - 30 * HOUR + (i < 3 ? 0 : 24 * HOUR) + i * 60_000
				}))
			);
		}
		// One group on the store (a day's totals held in its batch), one sale at a time on the twin
		// (each its own write, its day's totals read from person_day).
		const grouped = await Promise.all(
			inputs[0].map((input) => recordSaleGrouped(store, input, clock))
		);
		const single = [];
		for (const input of inputs[1]) single.push(await recordOn(twin, input, clock));
		expect(grouped.map((r) => r.sale.points)).toEqual(single.map((r) => r.sale.points));
		expect(new Set(grouped.map((r) => r.sale.points)).size).toBeGreaterThan(2);
		const { personDay } = store.tables;
		const days = (on: Store, s: Season) =>
			on.db
				.select({
					sales: personDay.sales,
					points: personDay.points,
					ruleAwards: personDay.ruleAwards
				})
				.from(personDay)
				.where(eq(personDay.userId, s.people[0].id))
				.orderBy(personDay.day);
		expect(await days(store, seasons[0])).toEqual(await days(twin, seasons[1]));
	});

	it('records on two nodes at once: every sale once, a sale sent to both counted once', async () => {
		const [a, b] = nodes[dialect];
		const s = await sellingSeasonOn(a, { size: 4 });
		const inputs = Array.from({ length: 24 }, (_, i) =>
			saleOf(s, i % 4, [{ sku: i % 3 === 0 ? 'PHONE' : 'CASE', quantity: 1, unitPrice: 2000 }])
		);
		// Each node gets its half and every fourth sale of the other's too (a retry elsewhere).
		const answers = await Promise.all([
			...inputs.map((input, i) =>
				i % 2 === 0 || i % 4 === 1 ? recordSaleGrouped(a, input, clock) : null
			),
			...inputs.map((input, i) =>
				i % 2 === 1 || i % 4 === 0 ? recordSaleGrouped(b, input, clock) : null
			)
		]);
		const byId = new Map<string, number>();
		answers.forEach((answer, k) => {
			if (!answer) return;
			const externalId = inputs[k % inputs.length].externalId;
			const seen = byId.get(externalId);
			// Both nodes answer a sale sent twice with the same sale.
			if (seen !== undefined) expect(answer.sale.id).toBe(seen);
			byId.set(externalId, answer.sale.id);
		});
		expect(byId.size).toBe(24);
		const points = inputs.reduce((sum, _, i) => sum + (i % 3 === 0 ? 100 : 10), 0);
		expect(await salesOf(b, s.seasonId)).toHaveLength(24);
		expect(await standingsAgainstLedger(b, s.seasonId)).toEqual({
			ledger: { points, entries: 24 },
			people: { points, sales: 24 },
			teams: points
		});
	});

	it('keeps every sale when two nodes sell back to back to the same people', async () => {
		const [a, b] = nodes[dialect];
		const s = await sellingSeasonOn(a, { size: 3 });
		// Badges on, as a season has them: each group's write also reads and moves their facts.
		await a.db.insert(a.tables.badge).values(
			[
				{ kind: 'first_sale' as const },
				{ kind: 'sales_count' as const, count: 50 },
				{ kind: 'points_at_least' as const, points: 400 }
			].map((criterion, i) => ({
				seasonId: s.seasonId,
				name: `Badge ${i}`,
				criterion,
				points: 5
			}))
		);
		const EACH = 300;
		const IN_FLIGHT = 16;
		// Sixteen clients per node, each sending its next sale when the last is answered: groups of
		// up to sixteen on each node, every one touching the same standings as the other node's.
		const sell = async (node: Store, prefix: string) => {
			let next = 0;
			const client = async () => {
				while (next < EACH) {
					const i = next++;
					await recordSaleGrouped(
						node,
						saleOf(s, i % 3, [{ sku: 'CASE', quantity: 1, unitPrice: 2000 }], `${prefix}-${i}`),
						clock
					);
				}
			};
			await Promise.all(Array.from({ length: IN_FLIGHT }, client));
		};
		await Promise.all([sell(a, 'back-a'), sell(b, 'back-b')]);
		expect(await salesOf(a, s.seasonId)).toHaveLength(2 * EACH);
		const { ledger, people, teams } = await standingsAgainstLedger(a, s.seasonId);
		expect(people).toEqual({ points: ledger.points, sales: 2 * EACH });
		expect(teams).toBe(ledger.points);
		// The sales' entries and each person's three badges (5 points each), once.
		expect(ledger).toEqual({ points: 2 * EACH * 10 + 3 * 3 * 5, entries: 2 * EACH + 3 * 3 });
	}, 120_000);
});

const twins: { store: Store; dir: string }[] = [];

/** A SQLite file of its own, for the sales one at a time the store's group is compared with. */
function sqliteTwin(): Store {
	const dir = mkdtempSync(join(tmpdir(), 'honorboard-sales-twin-'));
	const store = sqliteStore(openDatabase(join(dir, 'twin.db')));
	twins.push({ store, dir });
	return store;
}

afterAll(async () => {
	for (const { store, dir } of twins.splice(0)) {
		await closeStore(store);
		rmSync(dir, { recursive: true, force: true });
	}
});
