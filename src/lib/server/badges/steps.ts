import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db';
import { cachedStatement } from '../db/prepared';
import type { Lead } from '../db/many-rows';
import {
	deferredStepEnded,
	dropDeferredInWrite,
	isSerializationFailure,
	savepointInWrite,
	unportedSqlite,
	type Store,
	type StoreDb,
	type Tables
} from '../db/store';

// The badges' engine written once for both paths (#20 step 2): a body is a generator that
// yields each query and receives its answer, as boards/ranking-window.ts's reads do. `runSync`
// runs it on a SQLite connection with the statements kept per connection (inside the caller's
// transaction: nothing awaited); `runInWrite` inside a store's write on either dialect (on
// SQLite synchronously on the write's connection but for the Drizzle selects of `rows`, awaited
// on the write's transaction; on PostgreSQL each query awaited on the write's transaction): the
// sales' and imports' steps, the catch-up and the re-evaluation.

/** A query's text: one for both dialects, or each its own where they differ. */
export type Text = string | Twin;

export interface Twin {
	sqlite: string;
	postgres: string;
}

/**
 * A raw query with `?` for its values, in the order given; or a step that each path runs its
 * own way (a Drizzle query: its rows mapped as the schema maps them, JSON and booleans); or a
 * Drizzle select awaited on the write's transaction on either dialect (`rows`).
 */
type SyncAsk =
	| { text: Text; params: readonly unknown[]; mode: 'get' | 'all' | 'run' }
	| {
			sync: (db: Queryable) => unknown;
			store: (tx: StoreDb, store: Store, lead?: Lead) => Promise<unknown>;
			/** `store` sends `lead` (a step's SAVEPOINT) with its statement: eitherOpening. */
			leads?: true;
	  }
	| { scope: true };
type StoreAsk = { store: (tx: StoreDb, store: Store) => Promise<unknown> };
type Ask = SyncAsk | StoreAsk;

export type Steps<T> = Generator<Ask, T, unknown>;

/** The first row of a raw query, or undefined. */
export function* get<R>(text: Text, ...params: unknown[]): Steps<R | undefined> {
	return (yield { text, params, mode: 'get' }) as R | undefined;
}

/** The rows of a raw query. */
export function* all<R>(text: Text, ...params: unknown[]): Steps<R[]> {
	return (yield { text, params, mode: 'all' }) as R[];
}

/** Runs a raw statement. */
export function* run(text: Text, ...params: unknown[]): Steps<void> {
	yield { text, params, mode: 'run' };
}

/**
 * What the body runs against (the SQLite connection, or the PostgreSQL store), with no query:
 * the key of a cache that must not answer for another database in the same process.
 */
export function* scope(): Steps<object> {
	return (yield { scope: true }) as object;
}

/** A step each path runs its own way: `sync` on SQLite's connection, `store` in a store's write. */
export function* either<R>(
	sync: (db: Queryable) => R,
	store: (tx: StoreDb, store: Store) => Promise<R>
): Steps<R> {
	return (yield { sync, store }) as R;
}

/**
 * `either`, whose `store` sends `lead` first in its one round trip when it is given (a
 * statement of no answer: the step's SAVEPOINT, when this is the step's first statement).
 */
export function* eitherOpening<R>(
	sync: (db: Queryable) => R,
	store: (tx: StoreDb, store: Store, lead: Lead | undefined) => Promise<R>
): Steps<R> {
	return (yield { sync, store, leads: true }) as R;
}

/**
 * The rows of a Drizzle select built with the `db` and `tables` it is given, awaited on the
 * write's transaction on either dialect (the weeks' and the re-evaluation's reads, not a sale's:
 * runSync refuses it).
 */
export function* rows<R>(build: (db: StoreDb, tables: Tables) => PromiseLike<R>): Steps<R> {
	return (yield {
		store: (tx: StoreDb, store: Store) => Promise.resolve(build(tx, store.tables))
	}) as R;
}

const textOn = (text: Text, dialect: 'sqlite' | 'postgres') =>
	typeof text === 'string' ? text : text[dialect];

/** Runs a body on a SQLite connection, synchronously, inside the caller's transaction if any. */
export function runSync<T>(db: Queryable, steps: Steps<T>): T {
	let step = steps.next();
	while (!step.done) {
		const ask = step.value;
		if (storeOnly(ask)) throw new Error('A store step (rows) runs only inside a write: runInWrite');
		step = steps.next(syncAnswer(db, ask));
	}
	return step.value;
}

const storeOnly = (ask: Ask): ask is StoreAsk =>
	!('text' in ask) && !('sync' in ask) && !('scope' in ask);

function syncAnswer(db: Queryable, ask: SyncAsk): unknown {
	if ('scope' in ask) return db;
	if ('sync' in ask) return ask.sync(db);
	const statement = cachedStatement(db, textOn(ask.text, 'sqlite'));
	return ask.mode === 'get'
		? statement.get(...ask.params)
		: ask.mode === 'all'
			? statement.all(...ask.params)
			: statement.run(...ask.params);
}

/** On SQLite, synchronously on the write's connection but for `rows`' selects, awaited on `tx`. */
async function runOnSqlite<T>(db: Queryable, tx: StoreDb, store: Store, steps: Steps<T>) {
	let step = steps.next();
	while (!step.done) {
		const ask = step.value;
		step = steps.next(storeOnly(ask) ? await ask.store(tx, store) : syncAnswer(db, ask));
	}
	return step.value;
}

/**
 * Runs a body inside a store's write (`tx`): on SQLite synchronously on the write's connection
 * (but `rows`, awaited on `tx`), on PostgreSQL each query awaited on `tx` (rows as objects, int8
 * read as numbers by the store's pool).
 */
export async function runInWrite<T>(
	tx: StoreDb,
	store: Store,
	steps: Steps<T>,
	opening?: Opening
): Promise<T> {
	const sqlite = unportedSqlite(store);
	if (sqlite) return runOnSqlite(sqlite, tx, store, steps);
	let step = steps.next();
	while (!step.done) {
		const ask = step.value;
		if ('scope' in ask) {
			step = steps.next(store);
			continue;
		}
		const first = opening !== undefined && !opening.sent;
		if (first) opening.sent = true;
		if ('store' in ask) {
			const leads = 'leads' in ask && ask.leads === true;
			if (first && !leads) await tx.execute(sql.raw(OPEN_STEP));
			const lead =
				first && leads ? { savepoint: STEP_SAVEPOINT, rescue: opening.rescue } : undefined;
			step = steps.next(await ask.store(tx, store, lead));
			continue;
		}
		const rows = first
			? await openedWith(tx, textOn(ask.text, 'postgres'), ask.params)
			: (await tx.execute(bound(textOn(ask.text, 'postgres'), ask.params))).rows;
		step = steps.next(ask.mode === 'get' ? rows[0] : ask.mode === 'all' ? rows : undefined);
	}
	return step.value;
}

/**
 * The savepoint of a step in a write (inStepSavepoint), opened by the first statement the body
 * that is given it sends (runInWrite).
 */
export interface Opening {
	sent: boolean;
	/**
	 * When given, the step's first statement, if it answers nothing (eitherOpening's), goes with
	 * the write's COMMIT, and this is told if it fails there (db/store.ts deferInWrite).
	 */
	rescue?: (error: unknown) => void;
}

const STEP_SAVEPOINT = 'hb_badge_step';
const OPEN_STEP = `SAVEPOINT ${STEP_SAVEPOINT}`;

/**
 * Runs `work` in a savepoint of the write `tx` belongs to, as savepointInWrite (db/store.ts):
 * when it throws, what it wrote is undone and the error thrown on. On PostgreSQL without round
 * trips of its own: `work` gives `opening` to its first runInWrite, whose first query carries the
 * SAVEPOINT (one simple-protocol string, when the query has no values, or an eitherOpening's
 * write), and nothing releases it (the write's COMMIT does; the write's later statements run
 * inside it, which changes nothing). A lone sale's badge step sent both on their own: two of its
 * 22 round trips. With `rescue`, a first statement that answers nothing (a lone sale's facts'
 * write, its reads read ahead) goes with the write's COMMIT (db/store.ts deferInWrite), and
 * `rescue` is told if it fails there: the write commits without the step.
 */
export async function inStepSavepoint<T>(
	tx: StoreDb,
	store: Store,
	work: (opening: Opening) => Promise<T>,
	rescue?: Opening['rescue']
): Promise<T> {
	const opening: Opening = { sent: false, rescue };
	if (unportedSqlite(store)) return savepointInWrite(tx, store, () => work(opening));
	try {
		const result = await work(opening);
		deferredStepEnded(tx);
		return result;
	} catch (error) {
		// Not sent (held for the COMMIT): nothing to roll back. A conflict fails the write: `write`
		// rolls it back and runs it again.
		const held = dropDeferredInWrite(tx);
		if (opening.sent && !held && !isSerializationFailure(error))
			await tx.execute(sql.raw(`ROLLBACK TO SAVEPOINT ${STEP_SAVEPOINT}`));
		throw error;
	}
}

/** The step's SAVEPOINT and its first query in one round trip (with values: two). */
async function openedWith(tx: StoreDb, text: string, params: readonly unknown[]) {
	if (params.length > 0) {
		await tx.execute(sql.raw(OPEN_STEP));
		return (await tx.execute(bound(text, params))).rows;
	}
	// Several statements in one string: node-postgres answers with one result each.
	const results = (await tx.execute(sql.raw(`${OPEN_STEP}; ${text}`))) as unknown as {
		rows: Record<string, unknown>[];
	}[];
	return results[results.length - 1].rows;
}

/** A raw text's `?`s bound to `params` in order (the texts here hold no `?` of their own). */
function bound(text: string, params: readonly unknown[]): SQL {
	const parts = text.split('?');
	if (parts.length !== params.length + 1)
		throw new Error(`${params.length} values for ${parts.length - 1} parameters: ${text}`);
	const chunks: SQL[] = [sql.raw(parts[0])];
	for (let i = 0; i < params.length; i++) chunks.push(sql`${params[i]}`, sql.raw(parts[i + 1]));
	return sql.join(chunks);
}
