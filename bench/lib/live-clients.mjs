// A child process of `bench:live --baseline` (forked, IPC): holds a share of the watching
// Socket.IO clients, so that thousands of watchers are not all on the bench's own event loop.
// Times are CLOCK_MONOTONIC in ms (process.hrtime), the same clock in every process of the
// machine, so the parent's "API answered at" and a child's "push arrived at" compare directly.
//
// parent → child: { type: 'connect', url, count, auth, headers, seasonId, connectConcurrency,
//                   timeoutMs }
//                 { type: 'status', target }      → { type: 'status', behind }
//                 { type: 'finish', sales: [{ version, respondedAt }], pairTimeoutMs }
//                                                  → { type: 'result', … } and exit
import { io } from 'socket.io-client';
import { connectWatchers, pairLatencies } from './watchers.mjs';

const clock = () => Number(process.hrtime.bigint()) / 1e6;
const watchers = [];
const pushBytes = [];
/** Deltas as received (first client only), for the bare stack to push the same payload. */
const pushSamples = [];
/** ms from a frame's arrival (the engine's `packet`) to the end of its handler, first client. */
const decodeMs = [];

function connectOne(url, auth, headers, seasonId, timeoutMs, measureBytes) {
	return new Promise((done, fail) => {
		const socket = io(url, {
			transports: ['websocket'],
			auth,
			extraHeaders: headers,
			forceNew: true,
			reconnection: false,
			timeout: timeoutMs
		});
		const w = {
			socket,
			versions: [],
			times: [],
			outOfOrder: 0,
			disconnects: 0,
			badgeFrames: 0,
			packetAt: 0
		};
		// A frame of its own per award: only sockets with an API token get these (the push carries
		// the badges for everyone else).
		socket.on('badge', () => w.badgeFrames++);
		socket.on('leaderboard', (push) => {
			const at = clock();
			if (measureBytes && pushBytes.length < 2000) pushBytes.push(JSON.stringify(push).length);
			if (measureBytes && push.kind === 'delta' && pushSamples.length < 50) pushSamples.push(push);
			const last = w.versions.length ? w.versions[w.versions.length - 1] : -Infinity;
			if (push.version === last) return;
			if (push.version < last) {
				w.outOfOrder++;
				return;
			}
			w.versions.push(push.version);
			w.times.push(at);
			if (measureBytes && decodeMs.length < 20000) decodeMs.push(clock() - w.packetAt);
		});
		socket.on('disconnect', () => w.disconnects++);
		const timer = setTimeout(() => {
			socket.disconnect();
			fail(new Error(`did not connect and watch within ${timeoutMs} ms`));
		}, timeoutMs);
		socket.once('connect_error', (error) => {
			clearTimeout(timer);
			socket.disconnect();
			fail(new Error(`connect_error: ${error.message}`));
		});
		socket.once('connect', async () => {
			// The engine emits `packet` before the manager decodes it (on `data`): the time from
			// here to the end of the handler is the client's own parse and dispatch of the frame.
			if (measureBytes) socket.io.engine.on('packet', () => (w.packetAt = clock()));
			try {
				const ack = await socket.timeout(timeoutMs).emitWithAck('watch', { seasonId });
				clearTimeout(timer);
				if (typeof ack?.version !== 'number')
					throw new Error(`watch refused: ${ack?.error?.message ?? JSON.stringify(ack)}`);
				w.versions.push(ack.version);
				w.times.push(clock());
				done(w);
			} catch (error) {
				clearTimeout(timer);
				socket.disconnect();
				fail(error);
			}
		});
	});
}

function connectAll(m) {
	return connectWatchers(m, watchers, (i) =>
		connectOne(m.url, m.auth, m.headers, m.seasonId, m.timeoutMs, i === 0)
	);
}

function finish(m) {
	const { latencies, missing, disconnects, outOfOrder, pushesPerClient, badgeFramesPerClient } =
		pairLatencies(m, watchers);
	for (const w of watchers) w.socket.disconnect();
	// No exit of its own once sent: the parent could see the exit before the message and take it
	// for a crash ("client process exited (0)"). The parent ends it (SIGTERM), or its
	// disconnect does.
	process.send({
		type: 'result',
		latencies,
		missing,
		disconnects,
		outOfOrder,
		pushesPerClient,
		badgeFramesPerClient,
		pushBytes,
		pushSamples,
		decodeMs
	});
}

process.on('message', (m) => {
	if (m.type === 'connect') connectAll(m);
	else if (m.type === 'status')
		process.send({
			type: 'status',
			behind: watchers.filter((w) => w.versions[w.versions.length - 1] < m.target).length
		});
	else if (m.type === 'finish') finish(m);
});
process.on('disconnect', () => process.exit(0));
