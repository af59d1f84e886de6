/**
 * Numbers in [0, 1) from a seed (mulberry32): the same seed gives the same sequence, so the demo
 * tells the same story on every seed and a test or benchmark builds the same season every run.
 */
export function mulberry32(seed: number): () => number {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}
