// Season-wide work that runs in slices beside the server (badges/reevaluate.ts,
// scoring/recalculate-run-store.ts): one run per season and database at a time; whatever is
// asked while one runs is merged into a single run after it, however often it is asked. The
// database is SQLite's connection (Db) or the store's database (db/dialect.ts `cacheKeyOf`): `K`.
import type { Db } from '../db';

export interface Waiter<T> {
	resolve: (value: T) => void;
	reject: (error: unknown) => void;
}

/** A request: what to do, and who waits for its result. */
export interface SeasonRequest<T> {
	waiters: Waiter<T>[];
}

interface SeasonQueue<R> {
	running: Promise<void>;
	/** What was asked while a run was going: merged, run once the current run ends. */
	next?: R;
}

export class SeasonRuns<T, R extends SeasonRequest<T>, K extends object = Db> {
	private readonly queues = new WeakMap<K, Map<number, SeasonQueue<R>>>();

	/**
	 * `run` does one request's work; `merge` folds a later request into the one already waiting
	 * (its waiters included).
	 */
	constructor(
		private readonly run: (db: K, seasonId: number, request: R) => Promise<T>,
		private readonly merge: (into: R, more: R) => void
	) {}

	/** Runs `request` now, or once after the run going on (merged with others asked meanwhile). */
	ask(db: K, seasonId: number, request: R): void {
		const queue = this.queues.get(db)?.get(seasonId);
		if (!queue) void this.start(db, seasonId, request);
		else if (queue.next) this.merge(queue.next, request);
		else queue.next = request;
	}

	/** Whether a run for the season is going on or waiting. */
	busy(db: K, seasonId: number): boolean {
		return this.queues.get(db)?.has(seasonId) ?? false;
	}

	/** Resolves once nothing runs or waits on this database (tests, benches). */
	async settled(db: K): Promise<void> {
		for (;;) {
			const running = [...(this.queues.get(db)?.values() ?? [])].map((q) => q.running);
			if (running.length === 0) return;
			await Promise.allSettled(running);
		}
	}

	private start(db: K, seasonId: number, request: R): Promise<void> {
		const byDb = this.queues.get(db) ?? new Map<number, SeasonQueue<R>>();
		this.queues.set(db, byDb);
		const queue: SeasonQueue<R> = { running: Promise.resolve() };
		byDb.set(seasonId, queue);
		queue.running = (async () => {
			try {
				const result = await this.run(db, seasonId, request);
				for (const w of request.waiters) w.resolve(result);
			} catch (error) {
				for (const w of request.waiters) w.reject(error);
			}
			const following = queue.next;
			if (following) {
				queue.next = undefined;
				await this.start(db, seasonId, following);
			} else if (byDb.get(seasonId) === queue) byDb.delete(seasonId);
		})();
		return queue.running;
	}
}
