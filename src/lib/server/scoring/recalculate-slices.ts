import { performance } from 'node:perf_hooks';
import { CheapestRecent } from '../shared/cheapest-recent';

// How long a recalculation's slice runs (issue #13, recalculate-run-store.ts): each slice is one
// transaction of a few chunks. Where the store's queries hold the event loop (SQLite: every
// query synchronous) a slice holds the server for its whole wall time, and its chunks are sized
// to end it before its budget. Where they do not (PostgreSQL: the loop turns while a query
// waits), a slice ends after the chunk that passed its budget: sized there, a slice's chunks
// shrank to what round trips pay for (~1 ms a sale), and its fixed statements (the season's
// scoring, the badge step, the commit) went from 5.7-6.2 to 7.1-11.4 queries per sale
// (bench:recalc-pg, docs/benchmarks.md "The recalculation on one body").

/** How long a slice may hold the loop: well under the 50 ms target on a loaded machine. */
const SLICE_MS = 8;
/**
 * How long a slice's write may last where it does not hold the loop (PostgreSQL), as an import's
 * window (imports/sales.ts): 8 ms there was one chunk's round trips on a loaded machine, so
 * every chunk (one person, ~2.6 sales in bench:recalc-pg) was a slice of its own and paid the
 * slice's ~17 fixed statements (its transaction, the season's scoring, the version, the badge
 * step) alone: two thirds of its 8.8 queries per sale (bench:recalc-pg --statements).
 */
const POOLED_SLICE_MS = 20;
let sliceMs: number | undefined;

/**
 * Tests: a budget of 0 makes every chunk a slice of its own; undefined restores the default.
 * Returns the budget it replaces.
 */
export function setRecalculationSliceMs(ms: number | undefined): number | undefined {
	const was = sliceMs;
	sliceMs = ms;
	return was;
}

let sliceObserver: ((wallMs: number) => void) | undefined;

/** Hears the wall time of every committed slice, preview and apply (tests, bench:badges). */
export function observeRecalculationSlices(observer: ((wallMs: number) => void) | undefined) {
	sliceObserver = observer;
}

/** Tells the observer a slice's wall time. */
export function sliceObserved(wallMs: number): void {
	sliceObserver?.(wallMs);
}

/**
 * Sizes one run's chunks to the slice budget from what a scored sale costs, learnt as the run
 * goes (ms): in its chunk's step, and in the slice's tail after its chunks (the badge step and
 * the commit, where the pages its changes dirtied go to SQLite's WAL: a fifth of the apply's
 * time at 200,000 sales). A slice asks for chunks no bigger than what is left of its budget pays
 * for, tail included; ending a slice only after the chunk that passed the budget ran past it by
 * that chunk's whole cost (docs/benchmarks.md, "Recalculation slices bounded by time").
 */
export class SliceSizer {
	// Until measured: about what a 64-sale chunk and its commit cost on SQLite on a quiet machine.
	private readonly step = new CheapestRecent(0.08);
	private readonly tail = new CheapestRecent(0.04);
	private readonly budget: number;

	/** `fitted`: whether chunks are sized to end the slice within its budget (see above). */
	constructor(private readonly fitted: boolean) {
		this.budget = sliceMs ?? (fitted ? SLICE_MS : POOLED_SLICE_MS);
	}

	/**
	 * How many sales the slice's next chunk may score (Infinity: as many as a chunk takes), given
	 * when the slice began, what it scored so far and how many chunks it ran; 0 ends the slice.
	 * A slice always runs one chunk, of at least one sale (one local day).
	 */
	nextChunk(started: number, scored: number, chunks: number): number {
		// No budget (tests): one whole chunk per slice.
		if (this.budget === 0) return chunks === 0 ? Infinity : 0;
		if (!this.fitted)
			return chunks === 0 || performance.now() - started < this.budget ? Infinity : 0;
		const left = this.budget - (performance.now() - started) - this.tail.value * scored;
		const sales = Math.floor(left / (this.step.value + this.tail.value));
		if (sales >= 1) return sales;
		return chunks === 0 ? 1 : 0;
	}

	/** A chunk's step took `ms` for `scored` sales. */
	learnStep(ms: number, scored: number): void {
		if (scored > 0) this.step.learn(ms / scored);
	}

	/** A committed slice's tail took `ms` for the `scored` sales of its chunks. */
	learnTail(ms: number, scored: number): void {
		if (scored > 0) this.tail.learn(ms / scored);
	}
}
