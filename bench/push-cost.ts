// What one push to N watchers costs the server, on its own: N real WebSocket clients
// (bench/lib/live-clients-wire.mjs, a Socket.IO v4 client on `ws`, in a few child processes)
// watch one room of a server in this process; the bench emits one `leaderboard` frame of the
// same bytes at a time and measures, per push, the server's CPU and wall time from the emit to
// the last byte written to the sockets (every socket's write queue empty), and each watcher's
// time to the frame. No database, no sales: the push alone, three ways in turn:
//
//   honorboard  Socket.IO with attach.ts's options, `io.local.to(room).emit(…)` (publish.ts
//               before room-frame.ts)
//   direct      the same server, room-frame.ts's `emitToRoom`: the frame built once, written
//               to each socket's `ws` sender (engine.io's path for sockets it cannot be)
//   sliced      the same, written --slice sockets per turn of the loop (tried, not kept)
//   bare        a plain Socket.IO server's `io.to(room).emit(…)` (bench/lib/bare-live.mjs)
//   ws          the floor: the same Engine.IO message sent by plain `ws` (`ws.send`) to each
//               socket, with just enough of the protocol for the client to watch
//
//   npx tsx bench/push-cost.ts [--clients 500,2000,5000] [--pushes 20] [--rounds 2]
//     [--bytes 10000] [--processes 4] [--port-base 46900] [--targets honorboard,direct,sliced,bare,ws]
//     [--slice 250] [--profile honorboard|direct|sliced|bare|ws]
//
// --profile writes V8's CPU profile of the measured pushes of that target (node:inspector, this
// process only) to bench/results/profiles/. Results: bench/results/push-cost-<timestamp>.json.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server as HttpServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Socket as NetSocket } from 'node:net';
import { join } from 'node:path';
import { Server } from 'socket.io';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LeaderboardPush } from '../src/lib/realtime/events';
import { emitToRoom } from '../src/lib/server/realtime/room-frame';
import { option, textOption } from './lib/args';
import { loadAverage, ROOT } from './lib/server';
import { startOnFreePort } from './lib/port-retry';
import { round, summarize, type Summary } from './lib/stats';

type Target = 'honorboard' | 'direct' | 'sliced' | 'bare' | 'ws';
const TARGETS = (textOption('targets') ?? 'honorboard,direct,sliced,bare,ws').split(
	','
) as Target[];
/** Sockets per turn of the loop for `sliced`. */
const SLICE = option('slice', 250);
const ROOM = 'season:1';

const sizes = (textOption('clients') ?? '500,2000,5000').split(',').map(Number);
const pushes = option('pushes', 20);
const rounds = option('rounds', 2);
const bytes = option('bytes', 10_000);
const processes = option('processes', 4);
const portBase = option('port-base', 46900);
const profiled = textOption('profile') as Target | undefined;
const WARM_PUSHES = 3;

const clock = () => Number(process.hrtime.bigint()) / 1e6;

/** A delta shaped like publish.ts's, padded to about `bytes` of JSON by its `order`. */
function template(): Record<string, unknown> {
	const individual = Array.from({ length: 20 }, (_, i) => ({
		id: i + 1,
		name: `Seller ${i + 1}`,
		points: 10_000 - i * 37,
		rank: i + 1,
		teamId: (i % 5) + 1
	}));
	const base = {
		kind: 'delta',
		seasonId: 1,
		version: 0,
		baseVersion: 0,
		individual,
		order: [] as number[],
		teams: [],
		teamOrder: [1, 2, 3, 4, 5],
		players: 5000,
		moved: [[7, 9120]],
		activity: [{ seasonId: 1, kind: 'sale', text: 'Seller 7 sold 3 items', at: Date.now() }]
	};
	const size = JSON.stringify(base).length;
	for (let id = 1, at = size; at < bytes; id++, at += String(id).length + 1) base.order.push(id);
	return base;
}
const TEMPLATE = template();
/** The push's object, built as publish.ts builds one (the bytes to send are Socket.IO's job). */
const payload = (version: number) => ({ ...TEMPLATE, version, baseVersion: version - 1 });

interface Running {
	http: HttpServer;
	/** Sends one push; returns (or resolves) once every socket has been written to. */
	push(version: number): Promise<void> | void;
	/** The TCP sockets of the room's watchers (for their write queues). */
	sockets(): NetSocket[];
	close(): Promise<void>;
}

function listen(http: HttpServer, port: number): Promise<void> {
	return new Promise((done, fail) => {
		http.once('error', fail);
		http.listen(port, '127.0.0.1', () => {
			http.off('error', fail);
			done();
		});
	});
}

async function startTarget(target: Target, port: number): Promise<Running> {
	const http = createServer();
	await listen(http, port);
	if (target === 'ws') return startWs(http);
	// attach.ts's options for Honorboard (without Redis); Socket.IO's defaults for bare.
	const io =
		target === 'bare'
			? new Server(http, { serveClient: false })
			: new Server(http, { serveClient: false, maxHttpBufferSize: 16 * 1024 });
	io.on('connection', (socket) => {
		socket.on('watch', (_payload: unknown, ack: unknown) => {
			void socket.join(ROOM);
			if (typeof ack === 'function') ack({ seasonId: 1, version: 0 });
		});
	});
	return {
		http,
		push:
			target === 'honorboard'
				? (version) => void io.local.to(ROOM).emit('leaderboard', payload(version))
				: target === 'direct'
					? (version) =>
							emitToRoom(io, ROOM, 'leaderboard', payload(version) as unknown as LeaderboardPush)
					: target === 'sliced'
						? (version) => sliced(io, payload(version))
						: (version) => void io.to(ROOM).emit('leaderboard', payload(version)),
		sockets: () =>
			[...(io.sockets.adapter.rooms.get(ROOM) ?? [])].map(
				(id) =>
					(
						io.sockets.sockets.get(id)!.conn.transport as unknown as {
							socket: { _socket: NetSocket };
						}
					).socket._socket
			),
		close: () =>
			new Promise((done) => {
				io.disconnectSockets(true);
				void io.close(() => done());
			})
	};
}

/**
 * Honorboard's emit written SLICE sockets per turn of the loop, each slice to the sockets' own
 * rooms: tried in publish.ts and not kept (docs/benchmarks.md, "A push to 5,000 watchers").
 */
function sliced(io: Server, frame: Record<string, unknown>): Promise<void> {
	const ids = [...(io.sockets.adapter.rooms.get(ROOM) ?? [])];
	return new Promise((done) => {
		const next = (from: number) => {
			io.local.to(ids.slice(from, from + SLICE)).emit('leaderboard', frame);
			if (from + SLICE < ids.length) setImmediate(next, from + SLICE);
			else done();
		};
		next(0);
	});
}

/** Plain `ws` with the few Engine.IO / Socket.IO packets the wire client needs to watch. */
function startWs(http: HttpServer): Running {
	const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
	const room = new Set<WebSocket>();
	wss.on('connection', (ws) => {
		ws.send(
			'0{"sid":"floor","upgrades":[],"pingInterval":60000,"pingTimeout":60000,"maxPayload":1e6}'
		);
		ws.on('message', (raw) => {
			const text = String(raw);
			if (text.startsWith('40')) ws.send('40{"sid":"floor"}');
			else if (text.startsWith('420["watch"')) {
				room.add(ws);
				ws.send('430[{"seasonId":1,"version":0}]');
			}
		});
		ws.on('close', () => room.delete(ws));
	});
	return {
		http,
		push: (version) => {
			// The bytes Socket.IO sends: Engine.IO message '4', Socket.IO event '2', the array.
			const frame = Buffer.from('42' + JSON.stringify(['leaderboard', payload(version)]));
			for (const ws of room) ws.send(frame);
		},
		sockets: () => [...room].map((ws) => (ws as unknown as { _socket: NetSocket })._socket),
		close: () =>
			new Promise((done) => {
				for (const ws of room) ws.terminate();
				wss.close(() => http.close(() => done()));
				http.closeAllConnections();
			})
	};
}

interface Clients {
	children: ChildProcess[];
	ask(message: Record<string, unknown>, reply: string): Promise<Record<string, unknown>[]>;
}

async function connectClients(port: number, n: number): Promise<Clients> {
	const per = Math.ceil(n / processes);
	const children = Array.from({ length: Math.min(processes, n) }, () =>
		fork(join(ROOT, 'bench/lib/live-clients-wire.mjs'), [], { stdio: 'inherit' })
	);
	const ask = (message: Record<string, unknown>, reply: string) =>
		Promise.all(
			children.map(
				(child) =>
					new Promise<Record<string, unknown>>((done) => {
						const on = (m: Record<string, unknown>) => {
							if (m.type !== reply) return;
							child.off('message', on);
							done(m);
						};
						child.on('message', on);
						child.send(message);
					})
			)
		);
	const counts = children.map((_, i) => Math.max(0, Math.min(per, n - i * per)));
	const connected = await Promise.all(
		children.map(
			(child, i) =>
				new Promise<{ watching: number; errors: string[] }>((done) => {
					child.once('message', (m: { watching: number; errors: string[] }) => done(m));
					child.send({
						type: 'connect',
						url: `http://127.0.0.1:${port}`,
						auth: null,
						headers: {},
						seasonId: 1,
						timeoutMs: 60_000,
						count: counts[i],
						connectConcurrency: 50
					});
				})
		)
	);
	const watching = connected.reduce((sum, m) => sum + m.watching, 0);
	if (watching !== n)
		throw new Error(`${watching} of ${n} watch: ${connected[0].errors.join('; ')}`);
	return { children, ask };
}

/** Resolves once no socket has bytes waiting to be written (checked on each turn). */
function allWritten(sockets: NetSocket[]): Promise<void> {
	return new Promise((done) => {
		const check = () =>
			sockets.every((s) => s.writableLength === 0) ? done() : setImmediate(check);
		check();
	});
}

async function allReceived(clients: Clients, version: number): Promise<void> {
	for (;;) {
		const replies = await clients.ask({ type: 'status', target: version }, 'status');
		if (replies.every((m) => m.behind === 0)) return;
		await new Promise((done) => setTimeout(done, 20));
	}
}

interface Run {
	target: Target;
	clients: number;
	round: number;
	load: number | null;
	/** Per push: CPU of this process (ms) from the emit to the last byte written. */
	cpuMs: Summary | null;
	/** Per push: the emit call's own time (ms). */
	emitMs: Summary | null;
	/** Per push: from the emit to every socket's write queue empty (ms). */
	writtenMs: Summary | null;
	/** Per (push, watcher): from the emit to the frame's arrival (ms). */
	arrivalMs: Summary | null;
	/** Per push: the last watcher's arrival (ms). */
	lastArrivalMs: Summary | null;
	cpuUsPerSocket: number;
}

async function measure(target: Target, n: number, roundNo: number, port: number): Promise<Run> {
	const server = await startOnFreePort((p) => startTarget(target, p), port);
	const address = server.http.address();
	const clients = await connectClients(typeof address === 'object' ? address!.port : port, n);
	const sockets = server.sockets();
	const load = loadAverage();
	const cpu: number[] = [];
	const emit: number[] = [];
	const written: number[] = [];
	const sales: { version: number; respondedAt: number }[] = [];
	let session: Session | undefined;
	for (let version = 1; version <= WARM_PUSHES + pushes; version++) {
		if (version === WARM_PUSHES + 1 && profiled === target) {
			session = new Session();
			session.connect();
			await session.post('Profiler.enable');
			await session.post('Profiler.start');
		}
		const cpu0 = process.cpuUsage();
		const t0 = clock();
		await server.push(version);
		const t1 = clock();
		await allWritten(sockets);
		const t2 = clock();
		const used = process.cpuUsage(cpu0);
		if (version > WARM_PUSHES) {
			cpu.push((used.user + used.system) / 1000);
			emit.push(t1 - t0);
			written.push(t2 - t0);
			sales.push({ version, respondedAt: t0 });
		}
		await allReceived(clients, version);
		await new Promise((done) => setTimeout(done, 50));
	}
	if (session) {
		const { profile } = await session.post('Profiler.stop');
		const dir = join(ROOT, 'bench/results/profiles');
		mkdirSync(dir, { recursive: true });
		const file = join(dir, `push-cost-${target}-${n}-${Date.now()}.cpuprofile`);
		writeFileSync(file, JSON.stringify(profile));
		console.log(`profile: ${file}`);
		session.disconnect();
	}
	const results = await clients.ask({ type: 'finish', sales, pairTimeoutMs: 30_000 }, 'result');
	const arrivals = results.flatMap((m) => m.latencies as number[]);
	const lastPerPush = sales.map(() => 0);
	// Each child's latencies are watcher by watcher, each watcher's push by push.
	for (const m of results)
		(m.latencies as number[]).forEach((ms, i) => {
			const k = i % sales.length;
			lastPerPush[k] = Math.max(lastPerPush[k], ms);
		});
	for (const child of clients.children) child.disconnect();
	await server.close();
	const cpuSummary = summarize(cpu);
	return {
		target,
		clients: n,
		round: roundNo,
		load,
		cpuMs: cpuSummary,
		emitMs: summarize(emit),
		writtenMs: summarize(written),
		arrivalMs: summarize(arrivals),
		lastArrivalMs: summarize(lastPerPush),
		cpuUsPerSocket: round(((cpuSummary?.p50 ?? 0) * 1000) / n, 2)
	};
}

const runs: Run[] = [];
for (const n of sizes)
	for (let r = 1; r <= rounds; r++)
		for (const [i, target] of TARGETS.entries()) {
			const run = await measure(target, n, r, portBase + i * 4);
			runs.push(run);
			const floor = runs.find((x) => x.target === 'ws' && x.clients === n && x.round === r);
			console.log(
				`${String(n).padStart(5)} ${target.padEnd(10)} round ${r}  load ${run.load}  ` +
					`CPU p50 ${round(run.cpuMs?.p50 ?? NaN)} ms (${run.cpuUsPerSocket} µs/socket)  ` +
					`emit ${round(run.emitMs?.p50 ?? NaN)}  written ${round(run.writtenMs?.p50 ?? NaN)}  ` +
					`watcher p50 ${round(run.arrivalMs?.p50 ?? NaN)} p99 ${round(run.arrivalMs?.p99 ?? NaN)}  ` +
					`last ${round(run.lastArrivalMs?.p50 ?? NaN)} ms` +
					(floor && target === 'ws' ? '' : '')
			);
		}
// Ratios to the floor (ws) of the same size and round, on the CPU per push.
for (const run of runs) {
	const floor = runs.find(
		(x) => x.target === 'ws' && x.clients === run.clients && x.round === run.round
	);
	if (!floor || run.target === 'ws') continue;
	console.log(
		`${run.clients} ${run.target} round ${run.round}: CPU ${round((run.cpuMs?.p50 ?? 0) / (floor.cpuMs?.p50 ?? 1), 2)}× ws, ` +
			`last watcher ${round((run.lastArrivalMs?.p50 ?? 0) / (floor.lastArrivalMs?.p50 ?? 1), 2)}× ws`
	);
}
const dir = join(ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `push-cost-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ sizes, pushes, rounds, bytes, processes, runs }, null, 2));
console.log(`results: ${file}`);
process.exit(0);
