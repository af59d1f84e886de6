// Preloaded into a benchmarked server (`node --import ./bench/lib/loop-timeline.mjs …`): records
// the event loop's delay as a timeline, so that a long wait can be matched with a CPU profile of
// the same process. Two records, written to LOOP_TIMELINE_FILE (JSON) when the process exits:
// - every 100 ms, the delay's p99 and max over those 100 ms (monitorEventLoopDelay);
// - every wait longer than LOOP_TIMELINE_GAP_MS (default 50): a 5 ms timer that fired late, with
//   the wait's start and end in µs of the monotonic clock that V8's .cpuprofile uses (its
//   startTime and samples), so the samples inside the wait can be read.
// Never loaded by the app itself.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';

const file = process.env.LOOP_TIMELINE_FILE;
if (file) {
	const gapMs = Number(process.env.LOOP_TIMELINE_GAP_MS ?? 50);
	const micros = () => Number(process.hrtime.bigint() / 1000n);
	const ms = (ns) => Math.round(ns / 1e4) / 100;
	const histogram = monitorEventLoopDelay({ resolution: 1 });
	histogram.enable();
	const started = micros();
	const windows = [];
	const gaps = [];
	const every = setInterval(() => {
		windows.push({
			at: micros(),
			p99: ms(histogram.percentile(99)),
			max: ms(histogram.max)
		});
		histogram.reset();
	}, 100);
	every.unref();
	// A timer due every 5 ms: when it fires more than gapMs late, the loop (or the process) was
	// held for that long.
	let last = micros();
	const tick = () => {
		const now = micros();
		const late = (now - last) / 1000 - 5;
		if (late > gapMs) gaps.push({ start: last + 5_000, end: now, ms: Math.round(late * 10) / 10 });
		last = now;
		setTimeout(tick, 5).unref();
	};
	setTimeout(tick, 5).unref();
	process.on('exit', () => {
		writeFileSync(file, JSON.stringify({ started, pid: process.pid, windows, gaps }));
	});
}
