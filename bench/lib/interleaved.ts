// Variants of one operation timed in turn, round after round, in one process (bench/
// store-await.ts, bench/session-validate.ts): the first round warms the JIT and the page cache
// and is not counted; each variant's median wall and CPU time per operation is printed.

export interface Variant {
	name: string;
	/** Operations one run does. */
	ops: number;
	/**
	 * One run. A run that resolves to a `Part` is counted by it instead of by its whole time: a
	 * step timed inside work it needs around it (a badge step inside its group's write).
	 */
	run: () => unknown;
}

/** The wall and CPU µs of the part of a run that is measured. */
export interface Part {
	wallMicros: number;
	cpuMicros: number;
}

const isPart = (value: unknown): value is Part =>
	typeof value === 'object' && value !== null && 'cpuMicros' in value && 'wallMicros' in value;

export async function timeInterleaved(variants: Variant[], rounds: number): Promise<void> {
	const wall: number[][] = variants.map(() => []);
	const cpu: number[][] = variants.map(() => []);
	for (let round = 0; round < rounds; round++) {
		for (const [v, variant] of variants.entries()) {
			const cpuStart = process.cpuUsage();
			const start = process.hrtime.bigint();
			const part = await variant.run();
			const elapsed = Number(process.hrtime.bigint() - start) / 1000;
			const used = process.cpuUsage(cpuStart);
			if (round === 0) continue;
			wall[v].push((isPart(part) ? part.wallMicros : elapsed) / variant.ops);
			cpu[v].push((isPart(part) ? part.cpuMicros : used.user + used.system) / variant.ops);
		}
	}
	const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
	const width = Math.max(...variants.map((v) => v.name.length)) + 2;
	for (const [v, variant] of variants.entries())
		console.log(
			`${variant.name.padEnd(width)} ${median(wall[v]).toFixed(2).padStart(8)} µs/op  cpu ${median(cpu[v]).toFixed(2).padStart(8)} µs/op`
		);
}
