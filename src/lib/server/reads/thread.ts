import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { SprintDecision } from '../sprints/decide';
import type { DueRound } from '../knockouts/advance';
import type { DashboardData } from '../dashboard/figures';
import type { DashboardFilters } from '../dashboard/filters';
import type { FinalBoard } from '../seasons/final-board';
import type { RankingSeason } from '../notify/digest/ranking-at';
import type { LiveSeason } from '../notify/digest/seasons';
import type { SummarySeason } from '../notify/mail/digest-summary';
import type { Ranked, RankInput } from '../../contest/ranking';
import { databaseFile } from '../db';
import { log } from '../shared/log';
import * as metrics from '../shared/metrics';
import type { MetricMessage } from './thread-metrics';

// Some reads sum a big part of a season: the contest format views a push carries (~150–400 ms
// at 200,000 sales), the scheduler's sprint decision (~80–200 ms) and knockout round (~260 ms),
// the dashboard's figures (~100–140 ms), the whole board a season's end freezes (~10–30 ms at
// 1,000 people). On the event loop each is one block during which no request is answered
// (docs/benchmarks.md, "bench:formats" and "bench:dashboard"). The read thread runs them in a
// worker thread (worker.ts) on its own read-only connection to the same file: the server's thread
// only posts a request and takes the answer, and goes on answering requests meanwhile.
// The thread runs the store's functions (worker.ts), the ones the server runs without a thread
// and on PostgreSQL. The built server starts one when build/read-thread.js is there and the
// database is a file; without it (the dev server, unit tests, HONORBOARD_READ_THREAD=inline) the
// same functions run on the server's connection.

export type ReadRequest =
	| { id: number; kind: 'views'; seasonId: number; now: number }
	| { id: number; kind: 'sprint'; sprintId: number; now: number }
	| { id: number; kind: 'knockoutRound'; knockoutId: number; now: number }
	| { id: number; kind: 'dashboard'; seasonId: number; filters: DashboardFilters; now: number }
	| { id: number; kind: 'board'; seasonId: number }
	| { id: number; kind: 'rankings'; wanted: { season: RankingSeason; at: number }[] }
	| { id: number; kind: 'summaries'; wanted: { season: LiveSeason; date: string; now: number }[] };

/** A season's ranking at an instant, as readRankingAt reads it (the mails' digest and summary). */
export type RankingRead = { seasonId: number; at: number; ranking: Ranked<RankInput>[] };

export type ReadKind = ReadRequest['kind'];

export type ReadAnswer = { id: number; result: unknown } | { id: number; error: string };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** Heavy reads, answered off the event loop by a worker thread. */
export class ReadThread {
	private readonly worker: Worker;
	private readonly pending = new Map<number, Pending>();
	private nextId = 1;
	private failed: Error | null = null;

	constructor(entry: string, databaseUrl: string) {
		this.worker = new Worker(entry, { workerData: { databaseUrl } });
		// The thread must not keep a finished process (a test, the CLI) alive.
		this.worker.unref();
		this.worker.on('message', (reply: ReadAnswer | MetricMessage) => {
			if ('metric' in reply) {
				// Recorded in the thread (thread-metrics.ts), counted in this thread's registry.
				(metrics[reply.metric] as (...args: unknown[]) => void)(...reply.args);
				return;
			}
			const waiting = this.pending.get(reply.id);
			if (!waiting) return;
			this.pending.delete(reply.id);
			if ('error' in reply) waiting.reject(new Error(reply.error));
			else waiting.resolve(reply.result);
		});
		const fail = (error: Error) => {
			this.failed ??= error;
			for (const waiting of this.pending.values()) waiting.reject(error);
			this.pending.clear();
		};
		this.worker.on('error', (error) => {
			log.error({ err: error }, 'the read thread failed; heavy reads run inline from now on');
			fail(error);
		});
		this.worker.on('exit', (code) => fail(new Error(`the read thread exited (${code})`)));
	}

	/** False once the thread has failed or exited: callers then read inline. */
	get alive(): boolean {
		return this.failed === null;
	}

	/** Every format view of a season at `now`, as readFormatViews reads them. */
	views(seasonId: number, now: number): Promise<Record<string, unknown>> {
		return this.ask({ kind: 'views', seasonId, now }) as Promise<Record<string, unknown>>;
	}

	/** Where an unfinished sprint stands at `now`, as the scheduler decides it (null: none). */
	decideSprint(sprintId: number, now: number): Promise<SprintDecision | null> {
		return this.ask({ kind: 'sprint', sprintId, now }) as Promise<SprintDecision | null>;
	}

	/** A knockout's round due to be frozen at `now`, as the scheduler reads it (null: none). */
	dueKnockoutRound(knockoutId: number, now: number): Promise<DueRound | null> {
		return this.ask({ kind: 'knockoutRound', knockoutId, now }) as Promise<DueRound | null>;
	}

	/** The dashboard's figures, as readDashboardData computes them (null: no such season). */
	dashboard(
		seasonId: number,
		filters: DashboardFilters,
		now: number
	): Promise<DashboardData | null> {
		return this.ask({ kind: 'dashboard', seasonId, filters, now }) as Promise<DashboardData | null>;
	}

	/** A season's whole board with the counters it was read at, for its end (null: no such season). */
	finalBoard(seasonId: number): Promise<FinalBoard | null> {
		return this.ask({ kind: 'board', seasonId }) as Promise<FinalBoard | null>;
	}

	/** Seasons' rankings at instants (the digest and summary mails'), as readRankingAt reads them. */
	rankingsAt(wanted: { season: RankingSeason; at: number }[]): Promise<RankingRead[]> {
		return this.ask({ kind: 'rankings', wanted }) as Promise<RankingRead[]>;
	}

	/** The daily summary's yesterday of each season, as readSeasonYesterday reads it. */
	summaries(wanted: { season: LiveSeason; date: string; now: number }[]): Promise<SummarySeason[]> {
		return this.ask({ kind: 'summaries', wanted }) as Promise<SummarySeason[]>;
	}

	close(): Promise<number> {
		return this.worker.terminate();
	}

	private ask(request: DistributiveOmit<ReadRequest, 'id'>): Promise<unknown> {
		if (this.failed) return Promise.reject(this.failed);
		const id = this.nextId++;
		const started = performance.now();
		return new Promise((resolve, reject) => {
			this.pending.set(id, {
				resolve: (value) => {
					metrics.observeHeavyRead(request.kind, 'thread', (performance.now() - started) / 1000);
					resolve(value);
				},
				reject
			});
			this.worker.postMessage({ ...request, id });
		});
	}
}

// Shared through globalThis, like the publisher: the jobs, the publisher and the pages of
// SvelteKit's bundle and of server.ts find the one thread server.ts started.
const KEY = Symbol.for('honorboard.readThread');
type Holder = { [KEY]?: ReadThread };

/** The server's read thread while it runs; undefined: read inline. */
export function getReadThread(): ReadThread | undefined {
	const thread = (globalThis as Holder)[KEY];
	return thread?.alive ? thread : undefined;
}

/**
 * Whichever read thread the server runs at the time of each call (one may start, fail or stop
 * after Socket.IO's publisher was made): what the publisher builds its views with.
 */
export const currentReadThread = {
	get alive(): boolean {
		return getReadThread() !== undefined;
	},
	views(seasonId: number, now: number): Promise<Record<string, unknown>> {
		const thread = getReadThread();
		return thread
			? thread.views(seasonId, now)
			: Promise.reject(new Error('the read thread is not running'));
	}
};

/**
 * Starts the read thread on `entry` (build/read-thread.js beside the built server) for a
 * database file, unless HONORBOARD_READ_THREAD=inline; returns it, or undefined when the reads
 * stay inline (no built entry, an in-memory database).
 */
export function startReadThread(entry: string, databaseUrl: string): ReadThread | undefined {
	const path = databaseFile(databaseUrl);
	if (process.env.HONORBOARD_READ_THREAD === 'inline') return undefined;
	if (path === null || !existsSync(entry)) return undefined;
	const thread = new ReadThread(entry, path);
	(globalThis as Holder)[KEY] = thread;
	return thread;
}

export function stopReadThread(): void {
	const holder = globalThis as Holder;
	void holder[KEY]?.close();
	delete holder[KEY];
}
