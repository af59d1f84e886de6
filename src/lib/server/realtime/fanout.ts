// The writer's side of the fan-out process (HONORBOARD_FANOUT=process): the HTTP server keeps
// SvelteKit, the API and every database write, and hands each Socket.IO connection to a child
// process (build/fanout.js, fanout-process.ts) that holds the sockets, builds the pushes and
// writes them to every watcher. With two cores, one answers requests while the other fans out:
// a push to thousands of sockets no longer holds up a sale.
//
// WebSocket upgrades are handed over as the connection itself (the child answers the handshake;
// no frame passes through this process afterwards). Long-polling requests, the fallback when a
// proxy refuses WebSockets, are proxied to the child over a Unix socket. What services publish
// (publish.ts) is forwarded over the IPC channel once per tick, after the sale's transaction has
// committed, so the child reads what the writer wrote.
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionsEnded } from '../auth/session-events';
import { log } from '../shared/log';
import { drainMoved } from './changed';
import type { LivePublisher } from './publish';
import type { ActivityItem, BadgeEvent, SeasonEvent } from '../../realtime/events';

/** Writer → fan-out. `upgrade` comes with the connection as its handle. */
export type ToFanout =
	| { t: 'upgrade'; request: string }
	| { t: 'changed'; seasonId: number; moved: number[]; activity: ActivityItem[] }
	| { t: 'badge'; event: BadgeEvent }
	| { t: 'season'; event: SeasonEvent }
	| { t: 'sessionsEnded'; ended: SessionsEnded }
	| { t: 'stop' };

/** The fan-out process's link to Redis (null: no REDIS_URL), sent every second. */
export type FanoutLink = { up: boolean; pending: number; dropped: number } | null;

/** Fan-out → writer. */
export type FromFanout =
	| { t: 'ready' }
	| { t: 'sockets'; count: number }
	| { t: 'pushed'; seconds: number }
	| { t: 'link'; redis: FanoutLink };

/**
 * The child reports its link every second: past this without a report (ms), it is taken for
 * hung (/readyz 503), whatever its last report said.
 */
const LINK_STALE_MS = 10_000;

export const SOCKET_IO_PATH = '/socket.io/';

/** HONORBOARD_FANOUT=process moves the live sockets to their own process. */
export function fanoutProcessWanted(env: NodeJS.ProcessEnv = process.env): boolean {
	return (env.HONORBOARD_FANOUT ?? '').trim().toLowerCase() === 'process';
}

/** The request line and headers as the client sent them, then what was read past them. */
function rawRequest(req: IncomingMessage, head: Buffer): string {
	let text = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
	for (let i = 0; i < req.rawHeaders.length; i += 2) {
		text += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
	}
	// The parser decoded the headers as latin1: encoding them back the same way is lossless.
	return Buffer.concat([Buffer.from(`${text}\r\n`, 'latin1'), head]).toString('base64');
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade'];

export interface FanoutOptions {
	/** build/fanout.js */
	entry: string;
	/** Called with the latest socket count the child reported. */
	onSockets?: (count: number) => void;
	/** Called with each push's change → push time, for the metrics of this process. */
	onPushed?: (seconds: number) => void;
}

/** Forks the fan-out process and forwards sockets and publications to it. */
/**
 * Stops this process reading from a connection that goes to the child. After the 'upgrade'
 * event the connection's handle still reads, and Node sends a handle without stopping that: it
 * only throws away what the handle reads until the handle closes here, after the send. Both
 * processes then read the same connection, and a frame the client sends as soon as the child
 * has answered its handshake (Socket.IO's CONNECT) could be read here and lost: the client
 * waited for its connection forever (about 1 run in 5 of realtime-fanout.test.ts). Node has no
 * public call for it: `pause()` stops the handle only for sockets made with `onread`.
 */
function stopReading(socket: Socket): void {
	const handle = (socket as unknown as { _handle?: { reading?: boolean; readStop?: () => number } })
		._handle;
	if (!handle?.readStop) return;
	handle.reading = false;
	handle.readStop();
}

export class FanoutProcess implements LivePublisher {
	readonly socketPath = join(tmpdir(), `honorboard-fanout-${process.pid}.sock`);
	private child!: ChildProcess;
	private ready = false;
	private stopping = false;
	/** Connections that arrived before the child was ready. */
	private waiting: { request: string; socket: Socket }[] = [];
	/** Seasons changed this tick, with the feed items to carry. */
	private pending = new Map<number, ActivityItem[]>();
	private flushScheduled = false;
	private exited: Promise<void> = Promise.resolve();
	/** The child's last link report, and when it came (performance.now()). */
	private link: { redis: FanoutLink; at: number } | null = null;
	/** Redis commands the children dropped, over every child this process started. */
	private droppedBefore = 0;

	constructor(private readonly options: FanoutOptions) {
		this.start();
	}

	private start(): void {
		this.ready = false;
		const child = fork(this.options.entry, [this.socketPath]);
		this.child = child;
		this.exited = new Promise((done) => child.once('exit', () => done()));
		child.on('message', (message: FromFanout) => {
			if (message.t === 'ready') {
				this.ready = true;
				for (const { request, socket } of this.waiting.splice(0)) this.send(request, socket);
			} else if (message.t === 'sockets') this.options.onSockets?.(message.count);
			else if (message.t === 'pushed') this.options.onPushed?.(message.seconds);
			else if (message.t === 'link') this.link = { redis: message.redis, at: performance.now() };
		});
		child.once('exit', (code, signal) => {
			this.ready = false;
			// A new child counts its drops from 0 again.
			this.droppedBefore += this.link?.redis?.dropped ?? 0;
			this.link = null;
			this.options.onSockets?.(0);
			if (this.stopping) return;
			// Its watchers reconnect to the new one and get a snapshot with their watch ack.
			log.error({ code, signal }, 'The live fan-out process exited; starting it again');
			setTimeout(() => this.stopping || this.start(), 1000).unref();
		});
	}

	/**
	 * Whether the child is running, answers (its last report is recent) and takes connections:
	 * /readyz answers 503 otherwise, as no board can connect to this node meanwhile.
	 */
	alive(): boolean {
		return (
			this.ready &&
			this.child.connected &&
			this.link !== null &&
			performance.now() - this.link.at < LINK_STALE_MS
		);
	}

	/** Whether the child is alive and its own link to Redis (the adapter's) is up. */
	redisUp(): boolean {
		return this.alive() && this.link?.redis?.up === true;
	}

	/** The child's Redis commands waiting now, and those dropped since this process started. */
	redisStats(): { pending: number; dropped: number } {
		const redis = this.link?.redis;
		return {
			pending: redis?.pending ?? 0,
			dropped: this.droppedBefore + (redis?.dropped ?? 0)
		};
	}

	/** A WebSocket upgrade for Socket.IO: the connection goes to the child as it is. */
	upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
		stopReading(socket);
		const request = rawRequest(req, head);
		if (this.ready) this.send(request, socket);
		else this.waiting.push({ request, socket });
	}

	private send(request: string, socket: Socket): void {
		const message: ToFanout = { t: 'upgrade', request };
		this.child.send(message, socket, (error) => {
			if (error) socket.destroy();
		});
	}

	/** Proxies a long-polling request to the child; false when `req` is not Socket.IO's. */
	proxy(req: IncomingMessage, res: ServerResponse): boolean {
		if (!req.url?.startsWith(SOCKET_IO_PATH)) return false;
		if (!this.ready) {
			res.writeHead(503, { 'Retry-After': '1' }).end();
			return true;
		}
		const headers = { ...req.headers };
		for (const name of HOP_BY_HOP) delete headers[name];
		const upstream = request(
			{ socketPath: this.socketPath, method: req.method, path: req.url, headers },
			(answer) => {
				const back = { ...answer.headers };
				for (const name of HOP_BY_HOP) delete back[name];
				res.writeHead(answer.statusCode ?? 502, back);
				answer.pipe(res);
			}
		);
		upstream.on('error', () => {
			if (!res.headersSent) res.writeHead(502).end();
			else res.destroy();
		});
		req.pipe(upstream);
		return true;
	}

	leaderboardChanged(seasonId: number): void {
		if (!this.pending.has(seasonId)) this.pending.set(seasonId, []);
		this.scheduleFlush();
	}

	activity(item: ActivityItem): void {
		const items = this.pending.get(item.seasonId);
		if (items) items.push(item);
		else this.pending.set(item.seasonId, [item]);
		this.scheduleFlush();
	}

	badge(event: BadgeEvent): void {
		this.post({ t: 'badge', event });
	}

	season(event: SeasonEvent): void {
		this.post({ t: 'season', event });
	}

	sessionsEnded(ended: SessionsEnded): void {
		this.post({ t: 'sessionsEnded', ended });
	}

	/**
	 * Tells the child to close its sockets and exit; resolves once it has (or after `ms`), its Unix
	 * socket removed: a child that closes its server removes it, but one killed (SIGKILL) whose
	 * successor never listened (the database down) left it in the temp folder.
	 */
	stop(ms = 5000): Promise<void> {
		this.stopping = true;
		this.flush();
		for (const { socket } of this.waiting.splice(0)) socket.destroy();
		if (this.child.connected) this.child.send({ t: 'stop' } satisfies ToFanout);
		const late = new Promise<void>((done) =>
			setTimeout(() => {
				this.child.kill('SIGKILL');
				done();
			}, ms).unref()
		);
		return Promise.race([this.exited, late]).then(() => rmSync(this.socketPath, { force: true }));
	}

	// Publications are sent after the current tick, so that the transaction that caused them has
	// committed before the child reads, and changes of one tick travel together.
	private scheduleFlush(): void {
		if (this.flushScheduled) return;
		this.flushScheduled = true;
		setImmediate(() => this.flush());
	}

	private flush(): void {
		this.flushScheduled = false;
		for (const [seasonId, activity] of this.pending) {
			this.post({ t: 'changed', seasonId, moved: drainMoved(seasonId), activity });
		}
		this.pending.clear();
	}

	private post(message: ToFanout): void {
		// A child that is starting again has no sockets: its watchers get snapshots on watch.
		if (this.ready && this.child.connected) this.child.send(message);
	}
}
