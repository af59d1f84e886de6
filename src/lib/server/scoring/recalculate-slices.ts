import { performance } from 'node:perf_hooks';
import { CheapestRecent } from '../shared/cheapest-recent';

// How long a recalculation's slice runs (issue #13, recalculate-run-store.ts): each slice is one
// transaction of a few chunks, ended before it passes its budget. On SQLite the slice holds the
// event loop for its whole wall time (every query is synchronous); on PostgreSQL the wall time
// is how long its serializable write stays open against the sales'.

/** How long a slice may last: well under the 50 ms target on a loaded machine. */
const SLICE_MS = 8;
let sliceMs = SLICE_MS;

/** Tests: a budget of 0 makes every chunk a slice of its own; undefined restores 8 ms. */
export function setRecalculationSliceMs(ms: number | undefined) {
	sliceMs = ms ?? SLICE_MS;
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
	private readonly budget = sliceMs;

	/**
	 * How many sales the slice's next chunk may score (Infinity: as many as a chunk takes), given
	 * when the slice began, what it scored so far and how many chunks it ran; 0 ends the slice.
	 * A slice always runs one chunk, of at least one sale (one local day).
	 */
	nextChunk(started: number, scored: number, chunks: number): number {
		// No budget (tests): one whole chunk per slice.
		if (this.budget === 0) return chunks === 0 ? Infinity : 0;
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
