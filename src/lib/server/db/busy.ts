// Another process (a backup, the CLI, a second server by mistake) may hold SQLite's write lock.
// better-sqlite3 waits for it synchronously, on the event loop, for busy_timeout; the server keeps
// that wait short (server.ts) and retries writes here, yielding between attempts, so that one
// locked write never stalls every other request. What is still busy after the retries answers 503
// (API, with Retry-After) or asks to try again (forms, shared/form.ts).

/** SQLITE_BUSY (or SQLITE_BUSY_SNAPSHOT, …): another connection holds the write lock. */
export function isBusy(error: unknown): boolean {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

/** Seconds a client should wait before trying again after a busy answer (Retry-After). */
export const BUSY_RETRY_AFTER_SECONDS = 2;

/** The database stayed locked by another process for the whole retry budget: answer 503. */
export class DatabaseBusyError extends Error {
	readonly retryAfterSeconds = BUSY_RETRY_AFTER_SECONDS;
	constructor(cause?: unknown) {
		super('The database is busy, please try again in a moment.', { cause });
		this.name = 'DatabaseBusyError';
	}
}

/** A busy database: SQLite's own error or the one retryWhenBusy gives up with. */
export function isDatabaseBusy(error: unknown): boolean {
	return error instanceof DatabaseBusyError || isBusy(error);
}

/**
 * Runs a write (a transaction) again while SQLite answers SQLITE_BUSY, waiting between
 * attempts on a timer so that the event loop serves other requests meanwhile. A busy
 * transaction was rolled back whole, so running it again counts nothing twice. Gives up with
 * DatabaseBusyError after about `budgetMs`. A write through the store (`write(store, …)`) is a
 * promise: it is awaited here, so that its rejection is retried too.
 */
export async function retryWhenBusy<T>(
	write: () => T | PromiseLike<T>,
	options: { budgetMs?: number; delayMs?: number } = {}
): Promise<T> {
	const budget = options.budgetMs ?? 1500;
	let delay = options.delayMs ?? 50;
	const started = performance.now();
	for (;;) {
		try {
			return await write();
		} catch (error) {
			if (!isBusy(error)) throw error;
			if (performance.now() - started + delay > budget) throw new DatabaseBusyError(error);
		}
		await new Promise((resolve) => setTimeout(resolve, delay));
		delay = Math.min(delay * 2, 400);
	}
}
