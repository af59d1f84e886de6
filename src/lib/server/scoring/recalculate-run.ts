import { performance } from 'node:perf_hooks';
import type { Db, Queryable } from '../db';
import { audit, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import { SeasonRuns, type SeasonRequest } from '../shared/season-runs';
import { bumpVersion } from './standings';
import {
	addPlan,
	emptyRecalculation,
	finishPlan,
	nextRecalculationPerson,
	recalculationDoers,
	recalculationTotals,
	seasonScoring,
	type Recalculation,
	type SeasonScoring
} from './recalculate';
import { applyChunk, planChunk, startPerson, type PersonCursor } from './recalculate-chunk';
import { CheapestRecent } from '../shared/cheapest-recent';
import { yieldToLoop } from '../shared/yield-to-loop';

// A season recalculation after a rule change (issue #13) without holding the server: person by
// person (a person's points depend only on their own sales and activities), each person in
// chunks of whole local days (recalculate-chunk.ts: a step is about 64 sales, not a whole
// person, whose sales can take 80 ms), chunks run in slices of about SLICE_MS that yield to the
// event loop in between, as badge re-evaluation does (badges/reevaluate.ts). Each applied slice
// is its own short `immediate` transaction that reads a chunk's sales and books their changes
// together, so a sale recorded between two slices is never lost nor counted twice: recorded on
// a day its seller's chunks have done, it was scored with the new rules already (recordSale
// reads them, and the seller's day totals were dropped with the old breakdowns); on a day still
// to do, the chunk that does it replays it with the others.
//
// Each slice that changed points bumps the leaderboard version and notifies (the publisher
// coalesces): every committed state then has its own version, so what caches by version (the
// publisher's last top, ranking points, format views) never keeps a half-recalculated board
// under a version that now means another, and the board moves while the run goes on.
//
// This is SQLite's run; PostgreSQL's, a `write` of the store per slice on the same queries, is
// recalculate-run-store.ts, whose recalculateOn picks one or the other.

/** How long a slice may hold the event loop: well under the 50 ms target on a loaded machine. */
const SLICE_MS = 8;
let sliceMs = SLICE_MS;

/** Tests: a budget of 0 makes every chunk a slice of its own; undefined restores 8 ms. */
export function setRecalculationSliceMs(ms: number | undefined) {
	sliceMs = ms ?? SLICE_MS;
}

/** The slice budget (ms) set: the store's run goes by it too (recalculate-run-store.ts). */
export function recalculationSliceMs(): number {
	return sliceMs;
}

let sliceObserver: ((wallMs: number) => void) | undefined;

/** Hears the wall time of every slice, preview and apply (bench:badges). */
export function observeRecalculationSlices(observer: ((wallMs: number) => void) | undefined) {
	sliceObserver = observer;
}

/**
 * Runs the chunks slice by slice: `step` decides one chunk of at most `sales` sales of a
 * person (moving their cursor) inside the slice's transaction and returns how many it scored;
 * `after` runs once the slice has committed. False when the season is not there (any more).
 */
async function sliced(
	db: Db,
	seasonId: number,
	behavior: 'deferred' | 'immediate',
	step: (tx: Queryable, ctx: SeasonScoring, cursor: PersonCursor, sales: number) => number,
	after?: () => void
): Promise<boolean> {
	// People go by id, the next one sought when the one before is done.
	let doers: number[] | undefined;
	let lastPerson = 0;
	let finished = false;
	// The person under way, kept across slices when their chunks span several.
	let cursor: PersonCursor | undefined;
	// What a scored sale costs the slice, learnt as the run goes (ms): in its chunk's step, and in
	// the slice's commit (the pages its changes dirtied go to the WAL: a fifth of the apply's time
	// in slices at 200,000 sales). A slice asks for chunks no bigger than what is left of its
	// budget pays for, commit included, where a fixed chunk of 64 sales ran past it by that
	// chunk's whole cost (docs/benchmarks.md, "Recalculation slices bounded by time"). Until
	// measured: about what a 64-sale chunk and its commit cost on a quiet machine.
	const costs = { step: new CheapestRecent(0.08), commit: new CheapestRecent(0.04) };
	for (;;) {
		if (!db.$client.open) return false;
		const started = performance.now();
		let scored = 0;
		let bodyEnded = started;
		const found = db.transaction(
			(tx) => {
				const ctx = seasonScoring(tx, seasonId);
				if (!ctx) return false;
				doers ??= recalculationDoers(tx, seasonId);
				for (let steps = 0; ; steps++) {
					if (!cursor) {
						const next = nextRecalculationPerson(tx, seasonId, doers, lastPerson);
						if (next === undefined) {
							finished = true;
							break;
						}
						lastPerson = next;
						cursor = startPerson(tx, next);
					}
					let sales = Infinity;
					if (sliceMs === 0) {
						// No budget (tests): one whole chunk per slice.
						if (steps > 0) break;
					} else {
						// As many sales as what is left of the budget pays for, this slice's commit included.
						const left = sliceMs - (performance.now() - started) - costs.commit.value * scored;
						sales = Math.floor(left / (costs.step.value + costs.commit.value));
						if (sales < 1) {
							if (steps > 0) break;
							sales = 1;
						}
					}
					const stepStarted = performance.now();
					const n = step(tx, ctx, cursor, sales);
					if (n > 0) costs.step.learn((performance.now() - stepStarted) / n);
					scored += n;
					if (cursor.done) cursor = undefined;
				}
				bodyEnded = performance.now();
				return true;
			},
			{ behavior }
		);
		const ended = performance.now();
		sliceObserver?.(ended - started);
		if (!found) return doers !== undefined;
		// The commit's share, from the slice's end to the transaction's: what the body left out.
		if (scored > 0) costs.commit.learn((ended - bodyEnded) / scored);
		after?.();
		if (finished) return true;
		await yieldToLoop();
	}
}

/**
 * What a recalculation of the season would change, without changing it, in slices that yield.
 * The same summary the apply gives when nothing is recorded meanwhile.
 */
export async function previewRecalculation(db: Db, seasonId: number): Promise<Recalculation> {
	const plan = emptyRecalculation();
	const found = await sliced(db, seasonId, 'deferred', (tx, ctx, cursor, sales) => {
		const part = planChunk(tx, ctx, cursor, sales).plan;
		addPlan(plan, part);
		return part.salesChecked;
	});
	if (!found) throw new Error(`No season ${seasonId}`);
	return finishPlan(plan);
}

interface Request extends SeasonRequest<Recalculation> {
	actor: Actor;
	clock: Clock;
}

/** Runs one recalculation, slice by slice; audited once with the totals. */
async function run(db: Db, seasonId: number, request: Request): Promise<Recalculation> {
	const plan = emptyRecalculation();
	let sliceChanged = false;
	const found = await sliced(
		db,
		seasonId,
		'immediate',
		(tx, ctx, cursor, sales) => {
			const chunk = planChunk(tx, ctx, cursor, sales);
			const part = chunk.plan;
			applyChunk(tx, seasonId, chunk, request.actor, request.clock());
			const changed = part.changes.length + part.activityChanges.length > 0;
			if (changed && !sliceChanged) {
				sliceChanged = true;
				bumpVersion(tx, seasonId);
			}
			addPlan(plan, part);
			return part.salesChecked;
		},
		() => {
			if (sliceChanged) notifyLeaderboard(seasonId);
			sliceChanged = false;
		}
	);
	if (!found) throw new Error(`No season ${seasonId}`);
	if (db.$client.open) {
		const now = request.clock();
		db.transaction(
			(tx) =>
				audit(
					tx,
					request.actor,
					'season.recalculate',
					`season:${seasonId}`,
					recalculationTotals(plan),
					now
				),
			{ behavior: 'immediate' }
		);
	}
	return finishPlan(plan);
}

/** One recalculation at a time per season; a request made meanwhile runs once after it. */
const runs = new SeasonRuns<Recalculation, Request>(run, (into, more) => {
	into.actor = more.actor;
	into.clock = more.clock;
	into.waiters.push(...more.waiters);
});

/**
 * Recalculates the season with today's rules in slices that yield (see above); resolves with
 * what changed once done. Requests made while one runs for the same season are merged into one
 * more run after it (the last asker's name goes in its audit entry).
 */
export function recalculateInSlices(
	db: Db,
	seasonId: number,
	actor: Actor,
	clock: Clock = systemClock
): Promise<Recalculation> {
	return new Promise<Recalculation>((resolve, reject) =>
		runs.ask(db, seasonId, { actor, clock, waiters: [{ resolve, reject }] })
	);
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

/** Whether a recalculation of the season is running or waiting. */
export function recalculationRunning(db: Db, seasonId: number): boolean {
	return runs.busy(db, seasonId);
}

/** Resolves once no recalculation is running or waiting on this database (tests, benches). */
export function recalculationsSettled(db: Db): Promise<void> {
	return runs.settled(db);
}
