import { performance } from 'node:perf_hooks';
import { seasonLock, seasonLockHeld } from '../shared/season-lock';
import { cacheKeyOf, queriesHoldTheLoop } from '../db/dialect';
import { read, write, type Store, type StoreDb } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import { SeasonRuns, type SeasonRequest } from '../shared/season-runs';
import { yieldToLoop } from '../shared/yield-to-loop';
import { decideGroupAwardsInWrite, publishDecidedOnStore } from '../badges/decide-in-write';
import { holdingCatchUp } from '../badges/catch-up';
import type { DecidedAwards } from '../badges/awards';
import { bumpVersionInWrite, markStandingsMoved, type StandingMove } from './standings';
import {
	addPlan,
	emptyRecalculation,
	finishPlan,
	recalculationTotals,
	type Recalculation,
	type SeasonScoring
} from './recalculate';
import type { Chunk, PersonCursor } from './recalculate-chunk';
import {
	applyChunkInWrite,
	nextRecalculationPersonInWrite,
	planChunkInWrite,
	recalculationDoersInWrite,
	seasonScoringInWrite,
	startPersonInWrite
} from './recalculate-store';
import { SliceSizer, sliceObserved } from './recalculate-slices';

// A season recalculation after a rule change (issues #13, #20) without holding the server, one
// body on both dialects: person by person (a person's points depend only on their own sales and
// activities), each person in chunks of whole local days (recalculate-store.ts), each slice one
// `read` (the preview) or one `write` (the run) of the chunks its time budget pays for
// (recalculate-slices.ts), yielding in between. A sale recorded between two slices is never
// lost nor counted twice: the slice reads its days' sales and books their changes in one
// transaction; recorded on a day its seller's chunks have done, the sale was scored with the
// new rules already (the sale's path reads them, and the seller's day totals were dropped with
// the old breakdowns); on a day still to do, the chunk that does it replays it with the others.
// A write PostgreSQL runs again after a serialization conflict starts from the slice's first
// state: the cursor and the plan move only once it has committed.
//
// Each slice that changed points bumps the leaderboard version and notifies (the publisher
// coalesces): every committed state then has its own version, so what caches by version never
// keeps a half-recalculated board under a version that now means another.
//
// One run per season at a time: requests made on this node while one runs are merged into one
// run after it; across the nodes of a PostgreSQL store the run holds the season's advisory lock
// (shared/season-lock.ts), and a run asked on another node meanwhile waits for it.

/** Where a run or a preview stands between two slices. */
interface Progress {
	doers?: number[];
	lastPerson: number;
	cursor?: PersonCursor;
	finished: boolean;
}

/**
 * What one slice did, committed: its chunks, the people whose standing moved and (a run's) the
 * badges its write decided.
 */
interface Slice {
	progress: Progress;
	chunks: Chunk[];
	moved: StandingMove[];
	/** The sales its chunks scored. */
	scored: number;
	decided?: DecidedAwards;
}

type Step = (
	tx: StoreDb,
	ctx: SeasonScoring,
	cursor: PersonCursor,
	sales: number,
	moved: StandingMove[]
) => Promise<Chunk>;

/** A run's last step in a slice's write, after its chunks (none for a preview). */
type Finish = (tx: StoreDb, chunks: Chunk[]) => Promise<DecidedAwards | undefined>;

/** When a slice's run of its transaction began and its chunks ended (performance.now()). */
interface SliceTimes {
	started: number;
	chunksEnded: number;
}

/**
 * One slice's chunks, from `start` (not changed: a retried write starts from it again), as many
 * as `sizer` lets fit in the slice's budget.
 */
async function slice(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	start: Progress,
	step: Step,
	sizer: SliceSizer,
	times: SliceTimes,
	finish?: Finish
): Promise<Slice | undefined> {
	times.started = performance.now();
	const ctx = await seasonScoringInWrite(tx, store, seasonId);
	if (!ctx) return undefined;
	const progress = { ...start, cursor: start.cursor && { ...start.cursor } };
	progress.doers ??= await recalculationDoersInWrite(tx, store, seasonId);
	const chunks: Chunk[] = [];
	const moved: StandingMove[] = [];
	let scored = 0;
	for (;;) {
		const sales = sizer.nextChunk(times.started, scored, chunks.length);
		if (sales === 0) break;
		if (!progress.cursor) {
			const next = await nextRecalculationPersonInWrite(
				tx,
				store,
				seasonId,
				progress.doers,
				progress.lastPerson
			);
			if (next === undefined) {
				progress.finished = true;
				break;
			}
			progress.lastPerson = next;
			progress.cursor = await startPersonInWrite(tx, store, next);
		}
		const stepStarted = performance.now();
		const chunk = await step(tx, ctx, progress.cursor, sales, moved);
		sizer.learnStep(performance.now() - stepStarted, chunk.plan.salesChecked);
		scored += chunk.plan.salesChecked;
		chunks.push(chunk);
		if (progress.cursor.done) progress.cursor = undefined;
	}
	times.chunksEnded = performance.now();
	return { progress, chunks, moved, scored, decided: await finish?.(tx, chunks) };
}

/**
 * Runs the slices of a preview (`read`) or a run (`write`) until every person is done; each
 * committed slice goes to `committed`. False when the season is not there (any more).
 */
async function sliced(
	store: Store,
	seasonId: number,
	transact: typeof write,
	step: Step,
	committed: (done: Slice) => void,
	finish?: Finish
): Promise<boolean> {
	let progress: Progress = { lastPerson: 0, finished: false };
	const sizer = new SliceSizer(queriesHoldTheLoop(store));
	const times: SliceTimes = { started: 0, chunksEnded: 0 };
	for (;;) {
		const start = progress;
		const done = await transact(
			store,
			(tx) => slice(tx, store, seasonId, start, step, sizer, times, finish),
			// A slice that lost takes the seasons before it runs again: the board's version is what
			// every sale's write moves too.
			{ claimSeasons: 'afterLoss' }
		);
		// From its last attempt's start: on SQLite the time it held the event loop.
		const ended = performance.now();
		sliceObserved(ended - times.started);
		if (!done) return progress.doers !== undefined;
		// The tail, from the chunks' end to the commit's: the badge step and the commit.
		sizer.learnTail(ended - times.chunksEnded, done.scored);
		progress = done.progress;
		committed(done);
		if (progress.finished) return true;
		await yieldToLoop();
	}
}

/**
 * What recalculating the season would change, without changing it, in slices that yield: the
 * same summary the run gives when nothing is recorded meanwhile.
 */
export async function previewRecalculationOn(
	store: Store,
	seasonId: number
): Promise<Recalculation> {
	const plan = emptyRecalculation();
	const found = await sliced(
		store,
		seasonId,
		read,
		(tx, ctx, cursor, sales) => planChunkInWrite(tx, store, ctx, cursor, sales),
		(done) => done.chunks.forEach((chunk) => addPlan(plan, chunk.plan))
	);
	if (!found) throw new Error(`No season ${seasonId}`);
	return finishPlan(plan);
}

interface Request extends SeasonRequest<Recalculation> {
	store: Store;
	actor: Actor;
	clock: Clock;
}

/** One run, under the season's lock; audited once with the totals. */
function run(_: object, seasonId: number, request: Request): Promise<Recalculation> {
	const { store, actor, clock } = request;
	// The node's badge catch-up waits between its slices while the run goes on (holdingCatchUp).
	return underSeasonLock(store, seasonId, () =>
		holdingCatchUp(store, () => recalculateInSlices(store, seasonId, actor, clock))
	);
}

/** The run's slices, then its audit entry. */
async function recalculateInSlices(
	store: Store,
	seasonId: number,
	actor: Actor,
	clock: Clock
): Promise<Recalculation> {
	const plan = emptyRecalculation();
	const found = await sliced(
		store,
		seasonId,
		write,
		async (tx, ctx, cursor, sales, moved) => {
			const chunk = await planChunkInWrite(tx, store, ctx, cursor, sales);
			await applyChunkInWrite(tx, store, seasonId, chunk, actor, clock(), moved);
			return chunk;
		},
		(done) => {
			done.chunks.forEach((chunk) => addPlan(plan, chunk.plan));
			if (done.decided) publishDecidedOnStore(store, done.decided, clock);
			markStandingsMoved(done.moved);
			if (done.chunks.some(changesPoints)) notifyLeaderboard(seasonId);
		},
		(tx, chunks) => finishSlice(tx, store, seasonId, chunks, clock())
	);
	if (!found) throw new Error(`No season ${seasonId}`);
	const totals = recalculationTotals(plan);
	await write(store, (tx) =>
		auditInWrite(tx, store, actor, 'season.recalculate', `season:${seasonId}`, totals, clock())
	);
	return finishPlan(plan);
}

/** Runs `work` holding the season's recalculation lock. */
async function underSeasonLock<T>(store: Store, seasonId: number, work: () => Promise<T>) {
	const lock = await seasonLock(store, RECALC_LOCK, seasonId);
	try {
		return await work();
	} finally {
		await lock.release();
	}
}

/**
 * A run's slice that changed points, before its write commits: the board's next version and the
 * slice's adjustments into the badge facts. PostgreSQL commits ledger ids out of order: an entry
 * committed behind the facts' cursor, which a sale's write moved meanwhile, would never be taken
 * in. Moving the cursor in the slice's own write makes such a sale's write conflict with this
 * one, and one of them runs again. Once per slice, not per chunk: the step is 6 statements
 * (savepoint, cursor, entries, last entry, cursor, release), a quarter of a run's queries
 * when people have two sales each (docs/benchmarks.md).
 */
async function finishSlice(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	chunks: Chunk[],
	now: number
): Promise<DecidedAwards | undefined> {
	const changed = chunks.filter(changesPoints);
	if (changed.length === 0) return undefined;
	// Every committed state of the board its own version (the file's head says why).
	await bumpVersionInWrite(tx, store, seasonId);
	return decideGroupAwardsInWrite(tx, store, now, [], changed.reduce(entriesOf, 0));
}

/** The ledger entries a chunk's write adds: one per changed sale or activity. */
const entriesOf = (sum: number, chunk: Chunk) =>
	sum + chunk.plan.changes.length + chunk.plan.activityChanges.length;

const changesPoints = (chunk: Chunk) =>
	chunk.plan.changes.length + chunk.plan.activityChanges.length > 0;

/** The advisory lock's first key: the recalculations' ("RClc"); the second is the season. */
const RECALC_LOCK = 0x52436c63;

/**
 * One run per season and database on this node (keyed by the store's database: every store on one
 * SQLite connection is one); a request made meanwhile runs once after it, the last asker's name in its audit.
 */
const runs = new SeasonRuns<Recalculation, Request, object>(run, (into, more) => {
	into.actor = more.actor;
	into.clock = more.clock;
	into.waiters.push(...more.waiters);
});

/**
 * Recalculates the season with today's rules in slices that yield (see above); resolves with
 * what changed once done.
 */
export function recalculateOn(
	store: Store,
	seasonId: number,
	actor: Actor,
	clock: Clock = systemClock
): Promise<Recalculation> {
	return new Promise<Recalculation>((resolve, reject) =>
		runs.ask(cacheKeyOf(store), seasonId, {
			store,
			actor,
			clock,
			waiters: [{ resolve, reject }]
		})
	);
}

/** Whether a recalculation of the season runs or waits, on this node or (PostgreSQL) another. */
export async function recalculationRunningOn(store: Store, seasonId: number): Promise<boolean> {
	return (
		runs.busy(cacheKeyOf(store), seasonId) || (await seasonLockHeld(store, RECALC_LOCK, seasonId))
	);
}

/** Resolves once no recalculation runs or waits on this store's database (tests, benches). */
export function recalculationsSettledOn(store: Store): Promise<void> {
	return runs.settled(cacheKeyOf(store));
}

/**
 * How long the rule console's apply waits for the run before it answers that the recalculation
 * goes on in the background: RECALC_WAIT_MS, 5 s by default (tests set 0).
 */
export function recalculationWaitMs(): number {
	const set = process.env.RECALC_WAIT_MS;
	const ms = set === undefined || set.trim() === '' ? NaN : Number(set);
	return Number.isFinite(ms) && ms >= 0 ? ms : 5_000;
}
