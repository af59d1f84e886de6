import { and, eq, inArray, sql } from 'drizzle-orm';
import { preparedQuery, type Store, type StoreDb } from '../db/store';
import { insertRowsReturningIdsInWrite } from '../db/rows-in-write';
import type { Actor } from '../audit/record';
import type { NewEntry } from './ledger';
import { applyActivityRescoreInWrite, planActivityRescoreInWrite } from '../activities/rescore';
import { forgetPersonDaysBetweenInWrite } from './person-day';
import { applyStandingDeltaInWrite, type StandingMove } from './standings';
import { productsOfSeason, rulesOfSeason, seasonById } from './sale-queries';
import {
	addActivities,
	doersOfSeason,
	nextPerson,
	nextSellerAfter,
	saleBookings,
	scoringOf,
	type SeasonScoring
} from './recalculate';
import {
	chunkEnd,
	chunkSkip,
	cursorOf,
	linesOfChunk,
	nthSaleFrom,
	personName,
	salesOfChunk,
	scoreChunk,
	type Chunk,
	type PersonCursor
} from './recalculate-chunk';

// A recalculation's chunk on the store (#20), inside a read (the preview) or a write (the run)
// of db/store.ts, on either dialect: the queries of recalculate-chunk.ts and recalculate.ts
// (their `build(db, tables)`), awaited, and the scoring of recalculate.ts. The run's slices are
// recalculate-run-store.ts.

/** What every person's step reads once (SeasonScoring), inside a store's read or write. */
export async function seasonScoringInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number
): Promise<SeasonScoring | undefined> {
	const [s] = await preparedQuery(tx, store, seasonById).execute({ id: seasonId });
	if (!s) return undefined;
	const products = await preparedQuery(tx, store, productsOfSeason).execute({ seasonId });
	const rules = await preparedQuery(tx, store, rulesOfSeason).execute({ seasonId });
	return scoringOf(s, products, rules);
}

/** People with a counted activity, by id (few: activities are logged by hand). */
export async function recalculationDoersInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number
): Promise<number[]> {
	const rows = await preparedQuery(tx, store, doersOfSeason).execute({ seasonId });
	return rows.map((r) => r.id);
}

/**
 * The next person after `after` that a recalculation must look at (a seller or a doer: `doers`
 * from recalculationDoersInWrite), by id, without reading them all; undefined past the last.
 * Sellers whose sales all stopped counting are in (their step finds nothing). A seller new since the run began is taken if their id comes later (their sales were
 * scored with the new rules already: their step finds nothing to change).
 */
export async function nextRecalculationPersonInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	doers: readonly number[],
	after: number
): Promise<number | undefined> {
	const [row] = await preparedQuery(tx, store, nextSellerAfter).execute({ seasonId, after });
	return nextPerson(row?.id ?? undefined, doers, after);
}

/** A person's cursor before their first chunk. */
export async function startPersonInWrite(
	tx: StoreDb,
	store: Store,
	userId: number
): Promise<PersonCursor> {
	const [row] = await preparedQuery(tx, store, personName).execute({ userId });
	return cursorOf(userId, row);
}

/**
 * Decides the person's next chunk (changes nothing) and moves the cursor past it: the local
 * days from `cursor.from` to the end of the day of their n-th sale from there (n = `sales`, at
 * most CHUNK_SALES, at least 1), or all their remaining sales and then their activities.
 */
export async function planChunkInWrite(
	tx: StoreDb,
	store: Store,
	ctx: SeasonScoring,
	cursor: PersonCursor,
	sales: number
): Promise<Chunk> {
	const seasonId = ctx.season.id;
	const { userId, from } = cursor;
	const skip = chunkSkip(sales);
	const [nth] = await preparedQuery(tx, store, nthSaleFrom).execute({
		seasonId,
		userId,
		from,
		skip
	});
	const range = { seasonId, userId, from, to: chunkEnd(ctx, nth) };
	const counted = await preparedQuery(tx, store, salesOfChunk).execute(range);
	const lines = await preparedQuery(tx, store, linesOfChunk).execute(range);
	const { chunk, last } = scoreChunk(ctx, cursor, range.to, counted, lines);
	if (last) {
		const activities = await planActivityRescoreInWrite(tx, store, ctx.season, userId, ctx.rules);
		addActivities(cursor, activities, chunk.plan);
		cursor.done = true;
	}
	return chunk;
}

/**
 * Books a chunk's plan in the store's write: each changed sale gets a compensating adjustment
 * entry (with the new breakdown) in the sale's current status and shows its new points;
 * activities likewise. The people whose standing moved go into `moved` (marked after the
 * commit: markStandingsMoved).
 */
export async function applyChunkInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	chunk: Chunk,
	actor: Actor,
	now: number,
	moved: StandingMove[]
): Promise<void> {
	const { userId, from, to, plan } = chunk;
	if (plan.changes.length > 0) {
		const range = { seasonId, userId, from, to };
		const { entries, deltas } = saleBookings(seasonId, userId, plan.changes, chunk.sales, actor);
		await bookInWrite(tx, store, entries, now);
		for (const [teamId, delta] of deltas)
			await applyStandingDeltaInWrite(
				tx,
				store,
				{ seasonId, userId, teamId },
				delta,
				now,
				moved,
				true
			);
		// These days' rule awards came from the old breakdowns: refilled from the new ones on demand.
		await forgetPersonDaysBetweenInWrite(tx, store, range);
	}
	await applyActivityRescoreInWrite(tx, store, seasonId, plan.activityChanges, actor, now, moved);
}

/** The columns of a recalculation's adjustment entry (NewEntry's, and when it was written). */
const ENTRY_KEYS = [
	'seasonId',
	'userId',
	'teamId',
	'saleId',
	'kind',
	'points',
	'status',
	'breakdown',
	'reason',
	'createdById',
	'createdAt'
] as const;

/**
 * A chunk's bookings in two statements: its adjustment entries as one insert, then each sale's
 * new points and breakdown from its entry (the entry's points are the change from the points the
 * chunk read in this write, its breakdown the new one). One insert and one update per sale were
 * two round trips each on PostgreSQL, ~40 % of a recalculation's queries (bench/recalc-pg-probe.mts).
 */
async function bookInWrite(tx: StoreDb, store: Store, entries: NewEntry[], now: number) {
	const { ledgerEntry, sale } = store.tables;
	const written = await insertRowsReturningIdsInWrite(
		tx,
		store,
		ledgerEntry,
		ENTRY_KEYS,
		entries.map((entry) => ({ ...entry, createdAt: now }))
	);
	await tx
		.update(sale)
		.set({
			points: sql`${sale.points} + ${ledgerEntry.points}`,
			breakdown: sql`${ledgerEntry.breakdown}`
		})
		.from(ledgerEntry)
		.where(and(inArray(ledgerEntry.id, written), eq(ledgerEntry.saleId, sale.id)));
}
