// A child process of `bench:live --baseline --client-kind wire` (forked, IPC): the same job and
// the same IPC messages as live-clients.mjs, but each watcher is a minimal Socket.IO v4 client
// written straight on `ws` instead of socket.io-client. On the wire it is a real client for both
// servers (Engine.IO 4 over a WebSocket: the open packet, the namespace CONNECT with `auth`, the
// `watch` event with an ack, pong for every ping), so the server's cost is the same; what it
// leaves out is the client's own decode. socket.io-client JSON-parses every frame of every
// socket; with thousands of watchers in a few processes on the server's two cores, that parse
// was most of the measured latency (docs/benchmarks.md, "Live latency: … (hb-live2)"). Here a
// `leaderboard` frame is read only as far as its top-level "version" (the key right after
// "kind" and "seasonId" in both servers' pushes), and every frame is checked to be whole.
//
// So that the shortcut cannot hide a wrong or broken push, the first watcher of every process
// (every watcher with VERIFY_ALL=1 in the environment) also parses each frame in full and
// counts any frame whose parsed version differs from the one read (versionMismatches).
//
// Times are CLOCK_MONOTONIC in ms (process.hrtime), as in live-clients.mjs.
import WebSocket from 'ws';
import { connectWatchers, pairLatencies } from './watchers.mjs';

const clock = () => Number(process.hrtime.bigint()) / 1e6;
const verifyAll = process.env.VERIFY_ALL === '1';
const watchers = [];
const pushBytes = [];
/** Deltas as received (first client only), for the bare stack to push the same payload. */
const pushSamples = [];
/** ms from a frame's arrival to the end of its handling (verifying clients, full parse). */
const decodeMs = [];
let versionMismatches = 0;
let incompleteFrames = 0;

// Frames are looked at as the bytes `ws` hands over: turning a 12 KB push into a string for each
// of thousands of sockets was itself a good part of the clients' CPU.
const EVENT_PREFIX = Buffer.from('42["leaderboard",');
const BADGE_PREFIX = Buffer.from('42["badge",');
const VERSION_KEY = Buffer.from('"version":');

function startsWith(bytes, prefix) {
	return (
		bytes.length >= prefix.length && bytes.compare(prefix, 0, prefix.length, 0, prefix.length) === 0
	);
}

/** The top-level version of a `leaderboard` frame without parsing it: the first "version" key. */
function readVersion(bytes) {
	const at = bytes.indexOf(VERSION_KEY, EVENT_PREFIX.length);
	if (at < 0) return NaN;
	let v = 0;
	let digits = 0;
	for (let i = at + VERSION_KEY.length; i < bytes.length; i++) {
		const c = bytes[i];
		if (c < 48 || c > 57) break;
		v = v * 10 + (c - 48);
		digits++;
	}
	return digits > 0 ? v : NaN;
}

function connectOne(url, auth, headers, seasonId, timeoutMs, verify) {
	return new Promise((done, fail) => {
		const wsUrl = url.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket';
		const ws = new WebSocket(wsUrl, { headers, perMessageDeflate: false });
		const w = {
			ws,
			versions: [],
			times: [],
			outOfOrder: 0,
			disconnects: 0,
			badgeFrames: 0,
			closing: false
		};
		let settled = false;
		const settle = (error) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			if (error) {
				w.closing = true;
				ws.terminate();
				fail(error);
			} else done(w);
		};
		const timer = setTimeout(
			() => settle(new Error(`did not connect and watch within ${timeoutMs} ms`)),
			timeoutMs
		);
		ws.on('error', (error) => settle(new Error(`connect_error: ${error.message}`)));
		ws.on('close', () => {
			if (!w.closing) w.disconnects++;
			settle(new Error('closed before watching'));
		});
		ws.on('message', (raw) => {
			const at = clock();
			const type = raw[0];
			if (type === 50 /* '2' ping */) {
				ws.send('3');
				return;
			}
			if (type === 48 /* '0' open */) {
				ws.send(auth ? '40' + JSON.stringify(auth) : '40');
				return;
			}
			if (type === 49 /* '1' close */) return;
			if (type !== 52 /* '4' message */) return;
			const kind = raw[1];
			if (kind === 50 /* '2' event */) {
				if (startsWith(raw, EVENT_PREFIX)) onLeaderboard(w, raw, at, verify);
				else if (startsWith(raw, BADGE_PREFIX)) w.badgeFrames++;
				return;
			}
			const data = raw.toString();
			if (kind === 48 /* '0' namespace connected */) {
				// Ack id 0: the only ack this client asks for.
				ws.send(`420["watch",${JSON.stringify({ seasonId })}]`);
			} else if (kind === 51 /* '3' ack */) {
				if (!data.startsWith('430')) return;
				const ack = JSON.parse(data.slice(3))[0];
				if (typeof ack?.version !== 'number') {
					settle(new Error(`watch refused: ${ack?.error?.message ?? JSON.stringify(ack)}`));
					return;
				}
				w.versions.push(ack.version);
				w.times.push(clock());
				settle(null);
			} else if (kind === 52 /* '4' connect_error */) {
				let message = data.slice(2);
				try {
					message = JSON.parse(message).message;
				} catch {
					// the raw text is the message
				}
				settle(new Error(`connect_error: ${message}`));
			} else if (kind === 49 /* '1' disconnect */) {
				w.disconnects++;
			}
		});
	});
}

function onLeaderboard(w, bytes, at, verify) {
	// A whole frame ends with the payload object and the event array: `…}]`.
	if (bytes[bytes.length - 2] !== 0x7d || bytes[bytes.length - 1] !== 0x5d) {
		incompleteFrames++;
		return;
	}
	const version = readVersion(bytes);
	if (verify) {
		const data = bytes.toString();
		const [, push] = JSON.parse(data.slice(2));
		if (push?.version !== version) versionMismatches++;
		// In characters, as JSON.stringify(push).length in live-clients.mjs.
		if (pushBytes.length < 2000) pushBytes.push(data.length - EVENT_PREFIX.length - 1);
		if (push?.kind === 'delta' && pushSamples.length < 50) pushSamples.push(push);
		if (decodeMs.length < 20000) decodeMs.push(clock() - at);
	}
	if (!Number.isFinite(version)) {
		incompleteFrames++;
		return;
	}
	const last = w.versions.length ? w.versions[w.versions.length - 1] : -Infinity;
	if (version === last) return;
	if (version < last) {
		w.outOfOrder++;
		return;
	}
	w.versions.push(version);
	w.times.push(at);
}

function connectAll(m) {
	return connectWatchers(m, watchers, (i) =>
		connectOne(m.url, m.auth, m.headers, m.seasonId, m.timeoutMs, verifyAll || i === 0)
	);
}

function finish(m) {
	const { latencies, missing, disconnects, outOfOrder, pushesPerClient, badgeFramesPerClient } =
		pairLatencies(m, watchers);
	for (const w of watchers) {
		w.closing = true;
		w.ws.terminate();
	}
	// No exit of its own once sent (see live-clients.mjs).
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
		decodeMs,
		versionMismatches,
		incompleteFrames
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
