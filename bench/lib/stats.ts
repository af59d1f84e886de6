// Small statistics helpers for the benchmarks.

export interface Summary {
	count: number;
	min: number;
	p50: number;
	p90: number;
	p99: number;
	max: number;
	mean: number;
}

/** Nearest-rank percentiles of a list of numbers (sorted in place when a typed array). */
export function summarize(values: Float64Array | number[]): Summary | null {
	if (values.length === 0) return null;
	const sorted = values instanceof Float64Array ? values.sort() : Float64Array.from(values).sort();
	const at = (p: number) =>
		sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
	let sum = 0;
	for (const v of sorted) sum += v;
	return {
		count: sorted.length,
		min: round(sorted[0]),
		p50: round(at(50)),
		p90: round(at(90)),
		p99: round(at(99)),
		max: round(sorted[sorted.length - 1]),
		mean: round(sum / sorted.length)
	};
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export function formatSummary(s: Summary | null, unit = 'ms'): string {
	if (!s) return 'n/a';
	return `p50 ${s.p50} ${unit} · p90 ${s.p90} ${unit} · p99 ${s.p99} ${unit} · max ${s.max} ${unit}`;
}

/**
 * Whether a file of `node --cpu-prof` is the main thread's: the read and checkpoint threads write
 * theirs beside it (CPU.<date>.<time>.<pid>.<thread id>.<n>.cpuprofile, the main thread's id 0).
 */
export const isMainThreadProfile = (file: string) => /\.\d+\.0\.\d+\.cpuprofile$/.test(file);
