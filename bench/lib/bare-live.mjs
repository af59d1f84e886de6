// The bare stack of `bench:live --baseline`: node:http + Socket.IO 4.8 + better-sqlite3, no
// SvelteKit. POST /api/v1/sales (JSON, Bearer token) does one insert and answers { version };
// then one room emit of a `leaderboard` frame: one of the deltas Honorboard pushed in the same
// run (PAYLOAD_FILE), with the version changed, or else a frame padded to PAYLOAD_BYTES (their
// mean size); coalesced as Honorboard does (BARE_POLICY below). `watch` joins the room and acks
// { version }. Env: PORT, HOST, DATABASE_URL, PAYLOAD_FILE, PAYLOAD_BYTES, BENCH_TOKEN. Never
// part of the app.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Database from 'better-sqlite3';
import { Server } from 'socket.io';

const port = Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';
const payloadBytes = Number(process.env.PAYLOAD_BYTES ?? 1000);
const token = process.env.BENCH_TOKEN ?? 'bare';

const db = new Database(process.env.DATABASE_URL);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE IF NOT EXISTS sale (
	id INTEGER PRIMARY KEY, external_id TEXT NOT NULL UNIQUE, seller TEXT NOT NULL,
	occurred_at TEXT NOT NULL, lines TEXT NOT NULL, created_at INTEGER NOT NULL)`);
const insert = db.prepare(
	'INSERT INTO sale (external_id, seller, occurred_at, lines, created_at) VALUES (?, ?, ?, ?, ?)'
);
let version = db.prepare('SELECT coalesce(max(id), 0) AS v FROM sale').get().v;

// A frame of the same JSON size as Honorboard's push: the envelope plus padding.
const envelope = (v) => ({ kind: 'delta', seasonId: 1, version: v, baseVersion: v - 1, pad: '' });
const padLength = Math.max(0, payloadBytes - JSON.stringify(envelope(1_000_000)).length);
const pad = 'x'.repeat(padLength);
// The same payload as Honorboard's (one of its deltas from this run, PAYLOAD_FILE) when there is
// one, so that the clients parse the same frames; else a padded envelope of its mean size.
const sample = process.env.PAYLOAD_FILE
	? JSON.parse(readFileSync(process.env.PAYLOAD_FILE, 'utf8'))
	: null;
const payload = (v) =>
	sample ? { ...sample, seasonId: 1, version: v, baseVersion: v - 1 } : { ...envelope(v), pad };

const http = createServer((req, res) => {
	if (req.method !== 'POST' || req.url !== '/api/v1/sales') {
		res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
		return;
	}
	if (req.headers.authorization !== `Bearer ${token}`) {
		res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
		return;
	}
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		let body;
		try {
			body = JSON.parse(Buffer.concat(chunks).toString());
		} catch {
			res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_json"}');
			return;
		}
		const info = insert.run(
			String(body.externalId),
			JSON.stringify(body.seller),
			String(body.occurredAt),
			JSON.stringify(body.lines),
			Date.now()
		);
		version = Number(info.lastInsertRowid);
		res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ version }));
		schedulePush();
	});
});

// BARE_POLICY=coalesce (default) pushes the way Honorboard did until 2026-12-07 (it now waits
// twice a push's cost, docs/socket-protocol.md; the bare stack keeps its rule, so that its
// figures stay comparable with the earlier runs): the first change after a
// quiet spell goes out on the next tick; while changes keep coming, each push is followed by a
// quiet window of four times what a push costs to send (the same moving average), at most 1 s.
// BARE_POLICY=per-sale emits once per sale, at once.
const perSale = process.env.BARE_POLICY === 'per-sale';
let pending = false;
let lastPushAt = 0;
let costMs = 0;
function push() {
	pending = false;
	const started = performance.now();
	io.to('season:1').emit('leaderboard', payload(version));
	lastPushAt = performance.now(); // the window counts from the push's end, as in publish.ts
	const cost = lastPushAt - started;
	costMs = costMs === 0 ? cost : 0.7 * costMs + 0.3 * cost; // the same moving average
}
function schedulePush() {
	if (perSale) return push();
	if (pending) return;
	pending = true;
	const wait = Math.max(0, lastPushAt + Math.min(1000, 4 * costMs) - performance.now());
	if (wait === 0) setImmediate(push);
	else setTimeout(push, wait);
}

const io = new Server(http, { serveClient: false });
io.use((socket, next) => {
	if (socket.handshake.auth?.token === token) next();
	else next(new Error('unauthorized'));
});
io.on('connection', (socket) => {
	socket.on('watch', (_payload, ack) => {
		socket.join('season:1');
		if (typeof ack === 'function') ack({ seasonId: 1, version });
	});
});

http.listen(port, host, () => {
	// bench/lib/server.ts waits for this marker line.
	console.log(`bare-live listening on http://${host}:${port} (Honorboard is running marker)`);
});
process.on('SIGTERM', () => {
	io.close();
	http.close(() => {
		db.close();
		process.exit(0);
	});
	setTimeout(() => process.exit(0), 2000).unref();
});
