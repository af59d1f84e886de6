/**
 * A cost measured in wall time while work goes on (ms per sale of a slice or a window), read as
 * the cheapest of its last samples: a pause of the process (a busy machine, a collection) only
 * ever makes a sample dearer, and a mean that followed those pauses shrank the slices and
 * multiplied the commits for no shorter waits (1.17× the CPU of a recalculation at load 17).
 * Used to size the recalculation's chunks (scoring/recalculate-slices.ts) and the import's windows
 * (imports/sales.ts) to a time budget.
 */
export class CheapestRecent {
	private readonly samples: number[] = [];

	/** `value` is the given estimate until a sample is learnt; the last `keep` samples count. */
	constructor(
		private current: number,
		private readonly keep = 16
	) {}

	get value(): number {
		return this.current;
	}

	learn(sample: number): void {
		this.samples.push(sample);
		if (this.samples.length > this.keep) this.samples.shift();
		this.current = Math.min(...this.samples);
	}
}
