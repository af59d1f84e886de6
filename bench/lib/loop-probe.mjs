// Preloaded into a benchmarked server (`node --import ./bench/lib/loop-probe.mjs …`): measures
// the event loop's delay inside that process. On SIGUSR2 it writes the delay since the last
// SIGUSR2 (p50, p99, max in ms) to LOOP_PROBE_FILE and starts over, so a benchmark reads one
// figure per window. Never loaded by the app itself.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';

// The fan-out process (build/fanout.js, forked with the server's --import) writes beside it.
const fanout = /fanout\.js$/.test(process.argv[1] ?? '');
const file = process.env.LOOP_PROBE_FILE && process.env.LOOP_PROBE_FILE + (fanout ? '.fanout' : '');
if (file) {
	const histogram = monitorEventLoopDelay({ resolution: 1 });
	histogram.enable();
	const ms = (ns) => Math.round(ns / 1e4) / 100;
	process.on('SIGUSR2', () => {
		const stats = {
			at: Date.now(),
			count: histogram.count,
			p50: ms(histogram.percentile(50)),
			p99: ms(histogram.percentile(99)),
			max: ms(histogram.max)
		};
		histogram.reset();
		writeFileSync(file, JSON.stringify(stats));
	});
}
