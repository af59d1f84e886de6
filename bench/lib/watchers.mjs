// What the two kinds of watcher process (live-clients.mjs: socket.io-client; live-clients-wire.mjs:
// the protocol over `ws`) do alike: connect their share of watchers a few at a time, and pair
// every sale with the first push that carried it. A watcher here is `{ versions, times,
// disconnects, outOfOrder, badgeFrames }`: the versions it received, in order, and when.

/**
 * Connects `m.count` watchers, `m.connectConcurrency` at a time, with `connect(index)`; tells
 * the parent how many watch and the first errors.
 */
export async function connectWatchers(m, watchers, connect) {
	const errors = [];
	let next = 0;
	const worker = async () => {
		while (next < m.count) {
			const i = next++;
			try {
				watchers.push(await connect(i));
			} catch (error) {
				errors.push(error.message);
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(m.connectConcurrency, m.count) }, worker));
	process.send({
		type: 'connected',
		watching: watchers.length,
		errors: errors.slice(0, 5),
		failed: errors.length
	});
}

/**
 * Each sale's latency to each watcher: from its API answer to the first push whose version
 * includes it (a snapshot or a delta: version ≥ the sale's); over `m.pairTimeoutMs` counts as
 * missing.
 */
export function pairLatencies(m, watchers) {
	const latencies = [];
	let missing = 0;
	let disconnects = 0;
	let outOfOrder = 0;
	const minVersion = m.sales.reduce((min, s) => Math.min(min, s.version), Infinity);
	const pushesPerClient = [];
	const badgeFramesPerClient = [];
	for (const w of watchers) {
		disconnects += w.disconnects;
		outOfOrder += w.outOfOrder;
		pushesPerClient.push(w.versions.filter((v) => v >= minVersion).length);
		badgeFramesPerClient.push(w.badgeFrames);
		for (const sale of m.sales) {
			let lo = 0;
			let hi = w.versions.length;
			while (lo < hi) {
				const mid = (lo + hi) >> 1;
				if (w.versions[mid] >= sale.version) hi = mid;
				else lo = mid + 1;
			}
			const latency = lo < w.versions.length ? w.times[lo] - sale.respondedAt : Infinity;
			if (latency > m.pairTimeoutMs) missing++;
			else latencies.push(Math.max(0, Math.round(latency * 100) / 100));
		}
	}
	return { latencies, missing, disconnects, outOfOrder, pushesPerClient, badgeFramesPerClient };
}
