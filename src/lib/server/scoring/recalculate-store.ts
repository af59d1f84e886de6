import { preparedQuery, type Store, type StoreDb } from '../db/store';
import type { Actor } from '../audit/record';
import { applyActivityRescoreInWrite, planActivityRescoreInWrite } from '../activities/rescore';
import { insertLedgerEntryInWrite } from './ledger';
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
	setSalePoints,
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
	targetsOfChunk,
	type Chunk,
	type PersonCursor
} from './recalculate-chunk';

// A recalculation's chunk on the store (#20), inside a read (the preview) or a write (the run)
// of db/store.ts, on either dialect: the same queries (their `build(db, tables)`, shared with
// the synchronous body in recalculate-chunk.ts) and the same scoring, awaited. The synchronous
// body stays SQLite's (recalculate-run.ts); this one is PostgreSQL's (recalculate-run-store.ts).

/** seasonScoring inside a store's read or write. */
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

/** recalculationDoers inside a store's read or write. */
export async function recalculationDoersInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number
): Promise<number[]> {
	const rows = await preparedQuery(tx, store, doersOfSeason).execute({ seasonId });
	return rows.map((r) => r.id);
}

/** nextRecalculationPerson inside a store's read or write. */
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

/** startPerson inside a store's read or write. */
export async function startPersonInWrite(
	tx: StoreDb,
	store: Store,
	userId: number
): Promise<PersonCursor> {
	const [row] = await preparedQuery(tx, store, personName).execute({ userId });
	return cursorOf(userId, row);
}

/** planChunk inside a store's read or write: decides the chunk, moves the cursor past it. */
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
 * applyChunk inside a store's write; the people whose standing moved go into `moved` (marked
 * after the commit: markStandingsMoved).
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
		const targets = await preparedQuery(tx, store, targetsOfChunk).execute(range);
		const { bookings, deltas } = saleBookings(seasonId, userId, plan.changes, targets, actor);
		for (const { entry, points } of bookings) {
			await insertLedgerEntryInWrite(tx, store, entry, now);
			await preparedQuery(tx, store, setSalePoints).execute(points);
		}
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
