// The scoring tests that reach one season two ways and compare (a recalculation in slices or
// chunks against one slice of whole people, a write batch against the per-sale path, person_day
// against a full recompute) build it the same way: seeded random sales under an old rule, then the rules
// with daily caps, in twin databases that give the same ids. One copy here, so that a change to
// the rules or to what is compared is made once.
import { and, eq, sql } from 'drizzle-orm';
import { tempDb } from './db';
import { standingsVsLedger } from './factories';
import { recordOn } from './record-sale';
import { reviewSales, type Decision } from '../../src/lib/server/scoring/review';
import type { Recalculation } from '../../src/lib/server/scoring/recalculate';
import {
	previewRecalculationOn,
	recalculateOn,
	recalculationsSettledOn
} from '../../src/lib/server/scoring/recalculate-run-store';
import { setRecalculationChunkSales } from '../../src/lib/server/scoring/recalculate-chunk';
import { setRecalculationSliceMs } from '../../src/lib/server/scoring/recalculate-slices';
import { recomputeDayInWrite } from '../../src/lib/server/scoring/person-day';
import { ledgerEntry, personDay, rule, sale } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';
import { read, sqliteStore } from '../../src/lib/server/db/store';
import type { Actor } from '../../src/lib/server/audit/record';
import type { Clock } from '../../src/lib/server/shared/clock';

const opened: ReturnType<typeof tempDb>[] = [];

/**
 * A fresh database for the current test; built the same way, two of them give the same ids,
 * so that two paths can be run side by side and their rows compared. closeTempDbs removes it.
 */
export function openTempDb(): Db {
	const ctx = tempDb();
	opened.push(ctx);
	return ctx.db;
}

/** For afterEach: removes the databases openTempDb gave, once no recalculation runs on them. */
export async function closeTempDbs(): Promise<void> {
	for (const ctx of opened.splice(0)) {
		// A sliced recalculation still running would write to a closed connection.
		await recalculationsSettledOn(sqliteStore(ctx.db));
		ctx.cleanup();
	}
}

/** The rule a season's sales are first scored under: cases count three times. */
export function addCasesTripleRule(db: Db, seasonId: number): void {
	db.insert(rule)
		.values({
			seasonId,
			name: 'Cases triple',
			target: { kind: 'sku', sku: 'CASE' },
			effect: { kind: 'multiplier', factor: 3 }
		})
		.run();
}

/**
 * The rules with daily caps: a first-sale bonus of 7, phones doubled up to 300 a day and (unless
 * `bigBasket` is false) a bonus of 25 for a basket of 1,500.00 or more, up to 50 a day.
 */
export function addDailyCapRules(db: Db, seasonId: number, { bigBasket = true } = {}): void {
	const rules: (typeof rule.$inferInsert)[] = [
		{
			seasonId,
			name: 'First sale',
			target: { kind: 'any' },
			effect: { kind: 'first_sale_bonus', points: 7 }
		},
		{
			seasonId,
			name: 'Phones double, 300 a day at most',
			target: { kind: 'category', category: 'Phones' },
			effect: { kind: 'multiplier', factor: 2 },
			dailyCap: 300
		}
	];
	if (bigBasket)
		rules.push({
			seasonId,
			name: 'Big basket, 50 a day at most',
			target: { kind: 'any' },
			effect: { kind: 'amount_bonus', minAmount: 150000, points: 25 },
			dailyCap: 50
		});
	db.insert(rule).values(rules).run();
}

/**
 * Records `count` sales `s-0`, `s-1`, … of one line each (PHONE or CASE, 1 to 3, at 999.00 or
 * 29.00) at random times in the `span` ms before `now`; `sellerOf(n)` names the seller of the
 * n-th, before the sale's own numbers are drawn. Returns the sales' ids in that order.
 */
export async function recordRandomSales(
	db: Db,
	random: () => number,
	options: { count: number; now: number; span: number; sellerOf: (n: number) => number }
): Promise<number[]> {
	const { count, now, span, sellerOf } = options;
	const ids: number[] = [];
	for (let n = 0; n < count; n++) {
		const seller = sellerOf(n);
		const recorded = await recordOn(
			db,
			{
				source: 'api',
				externalId: `s-${n}`,
				seller: { userId: seller },
				occurredAt: now - Math.floor(random() * span),
				lines: [
					{
						sku: random() < 0.5 ? 'PHONE' : 'CASE',
						quantity: 1 + Math.floor(random() * 3),
						unitPrice: random() < 0.5 ? 99900 : 2900
					}
				]
			},
			() => now,
			{ awards: false }
		);
		ids.push(recorded.sale.id);
	}
	return ids;
}

/** Reviews the sales at the given places of `ids`, one decision after the other. */
export async function reviewInTurn(
	db: Db,
	ids: number[],
	decisions: readonly (readonly [number, Decision])[],
	actor: { userId: number | null },
	clock: () => number
): Promise<void> {
	for (const [i, decision] of decisions)
		await reviewSales(sqliteStore(db), [ids[i]], { decision, actor, reason: 'r' }, clock);
}

/** What a recalculation leaves: every sale's points and breakdown, the ledger per person. */
export function recalculationOutcome(db: Db, seasonId: number) {
	return {
		sales: db
			.select({ id: sale.id, points: sale.points, breakdown: sale.breakdown })
			.from(sale)
			.where(eq(sale.seasonId, seasonId))
			.orderBy(sale.id)
			.all(),
		ledger: db.all(sql`select user_id, kind, status, sum(points) as points, count(*) as n
			from ledger_entry where season_id = ${seasonId} group by 1, 2, 3 order by 1, 2, 3`),
		standings: standingsVsLedger(db, seasonId).stored
	};
}

/** A recalculation's points before and after per person, in the order of their ids. */
export function byPerson(r: Recalculation) {
	return [...r.people]
		.sort((a, b) => a.userId - b.userId)
		.map(({ userId, before, after }) => ({ userId, before, after }));
}

/** How many adjustments the ledger holds for one sale. */
export function adjustmentCount(db: Db, saleId: number): number {
	return db
		.select()
		.from(ledgerEntry)
		.where(and(eq(ledgerEntry.saleId, saleId), eq(ledgerEntry.kind, 'adjustment')))
		.all().length;
}

/** Every stored person_day of the season next to the same day summed from its counted sales. */
export async function personDaysVsRecomputed(db: Db, seasonId: number, timeZone: string) {
	const rows = db.select().from(personDay).where(eq(personDay.seasonId, seasonId)).all();
	const stored = rows.map((r) => ({
		key: `${r.userId}@${r.day}`,
		sales: r.sales,
		points: r.points,
		quantity: r.quantity,
		ruleAwards: JSON.parse(r.ruleAwards)
	}));
	const store = sqliteStore(db);
	const recomputed = await read(store, async (tx) => {
		const days = [];
		for (const r of rows) {
			const key = { seasonId, userId: r.userId, day: r.day };
			const totals = await recomputeDayInWrite(tx, store, key, timeZone);
			days.push({ key: `${r.userId}@${r.day}`, ...totals });
		}
		return days;
	});
	return { stored, recomputed };
}

/** As many sales as any chunk may take: a person's sales in one chunk. */
const ALL_SALES = 1_000_000_000;

/** Runs `recalculation` with one slice for the whole season and one chunk per person. */
async function atOnce<T>(recalculation: () => Promise<T>): Promise<T> {
	const chunkSales = setRecalculationChunkSales(ALL_SALES);
	const sliceMs = setRecalculationSliceMs(Infinity);
	try {
		return await recalculation();
	} finally {
		setRecalculationChunkSales(chunkSales);
		setRecalculationSliceMs(sliceMs);
	}
}

/**
 * The season recalculated by the server's run (recalculate-run-store.ts) in one slice, each
 * person in one chunk: the reference runs in smaller slices and chunks must give the same as.
 * The test's chunk and slice settings are back once it resolves.
 */
export function recalculateAtOnce(
	db: Db,
	seasonId: number,
	actor: Actor,
	clock: Clock
): Promise<Recalculation> {
	return atOnce(() => recalculateOn(sqliteStore(db), seasonId, actor, clock));
}

/** What recalculateAtOnce would change, without changing it (the server's preview, one slice). */
export function previewAtOnce(db: Db, seasonId: number): Promise<Recalculation> {
	return atOnce(() => previewRecalculationOn(sqliteStore(db), seasonId));
}
