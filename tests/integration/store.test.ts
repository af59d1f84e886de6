// The store layer (#20, db/store.ts) and the first capability ported onto it, the sign-in rate
// limits, with the same assertions on a temp SQLite file and a throwaway PostgreSQL
// (tests/helpers/postgres.ts). "Two nodes" are two stores on one database: two SQLite
// connections to one file, two PostgreSQL pools. Then what only SQLite needs: a write's awaits
// let no other request's code run inside its transaction, and a callback that awaits I/O is
// rolled back.
import { describe, expect, it, vi } from 'vitest';
import { eq, like, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { readFile } from 'node:fs';
import {
	openingQuery,
	openStore,
	preparedQuery,
	savepointInWrite,
	STATEMENTS_KEPT,
	write,
	WriteAwaitedIoError,
	type StoreDb,
	type Tables
} from '../../src/lib/server/db/store';
import {
	beginSignIn,
	LOGIN_LIMITS,
	signInSucceeded,
	type SignInAttempt
} from '../../src/lib/server/auth/rate-limit';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { statementsDuring } from '../helpers/pg-statements';
import { log } from '../../src/lib/server/shared/log';

const SECOND = 1000;

const nodes = twoNodesPerDialect('store');

const retry = (a: SignInAttempt) => (a.ok ? 0 : a.retryAfter);

// Queries for preparedQuery, module-level as its callers' are; `builds` counts their building.
const builds = { insert: 0, select: 0 };
const insertThrottle = (db: StoreDb, { loginThrottle }: Tables) => {
	builds.insert++;
	return db
		.insert(loginThrottle)
		.values({
			key: sql.placeholder('key'),
			failures: sql.placeholder('failures'),
			lastFailureAt: sql.placeholder('at')
		})
		.returning({ key: loginThrottle.key })
		.prepare('test_insert_throttle');
};
const throttleByKey = (db: StoreDb, { loginThrottle }: Tables) => {
	builds.select++;
	return db
		.select({ key: loginThrottle.key, failures: loginThrottle.failures })
		.from(loginThrottle)
		.where(like(loginThrottle.key, sql.placeholder('key')))
		.orderBy(loginThrottle.key)
		.prepare('test_throttle_by_key');
};

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: 0 | 1) => nodes[dialect][i];

	it('write() commits what its callback wrote and returns what it returned', async () => {
		const { loginThrottle } = node(0).tables;
		const returned = await write(node(0), async (tx) => {
			await tx.insert(loginThrottle).values({ key: 'w:commit', failures: 1, lastFailureAt: 5 });
			return 'done';
		});
		expect(returned).toBe('done');
		const rows = await node(1)
			.db.select()
			.from(loginThrottle)
			.where(eq(loginThrottle.key, 'w:commit'));
		expect(rows).toEqual([{ key: 'w:commit', failures: 1, lastFailureAt: 5 }]);
	});

	it('write() rolls back everything when its callback throws, and throws that error', async () => {
		const { loginThrottle } = node(0).tables;
		const failure = new Error('refused');
		await expect(
			write(node(0), async (tx) => {
				await tx.insert(loginThrottle).values({ key: 'w:undo1', failures: 1, lastFailureAt: 5 });
				await tx.insert(loginThrottle).values({ key: 'w:undo2', failures: 1, lastFailureAt: 5 });
				throw failure;
			})
		).rejects.toBe(failure);
		const rows = await node(1)
			.db.select()
			.from(loginThrottle)
			.where(like(loginThrottle.key, 'w:undo%'));
		expect(rows).toEqual([]);
	});

	it('a savepoint that throws undoes only its own writes, and the write commits the rest', async () => {
		const store = node(0);
		const { loginThrottle } = store.tables;
		const row = (key: string) => ({ key, failures: 1, lastFailureAt: 5 });
		const refused = new Error('this step is refused');
		const outcomes = await write(store, async (tx) => {
			await tx.insert(loginThrottle).values(row('sp:before'));
			const first = await savepointInWrite(tx, store, async (sp) => {
				await sp.insert(loginThrottle).values(row('sp:undone1'));
				await sp.insert(loginThrottle).values(row('sp:undone2'));
				throw refused;
			}).catch((error: unknown) => error);
			const second = await savepointInWrite(tx, store, async (sp) => {
				await sp.insert(loginThrottle).values(row('sp:kept'));
				// A step inside a step: its failure leaves the outer step's rows.
				await savepointInWrite(sp, store, async (inner) => {
					await inner.insert(loginThrottle).values(row('sp:inner'));
					throw refused;
				}).catch(() => undefined);
				return 'second';
			});
			await tx.insert(loginThrottle).values(row('sp:after'));
			return [first, second];
		});
		expect(outcomes).toEqual([refused, 'second']);
		const rows = await node(1)
			.db.select({ key: loginThrottle.key })
			.from(loginThrottle)
			.where(like(loginThrottle.key, 'sp:%'))
			.orderBy(loginThrottle.key);
		expect(rows.map((r) => r.key)).toEqual(['sp:after', 'sp:before', 'sp:kept']);
	});

	it('a write that throws after its savepoints keeps nothing of them', async () => {
		const store = node(0);
		const { loginThrottle } = store.tables;
		const failure = new Error('the write is refused');
		await expect(
			write(store, async (tx) => {
				await savepointInWrite(tx, store, async (sp) => {
					await sp.insert(loginThrottle).values({ key: 'sp2:a', failures: 1, lastFailureAt: 5 });
				});
				throw failure;
			})
		).rejects.toBe(failure);
		const rows = await node(1)
			.db.select()
			.from(loginThrottle)
			.where(like(loginThrottle.key, 'sp2:%'));
		expect(rows).toEqual([]);
	});

	it('a prepared query runs in the write it is called in, with each call’s values', async () => {
		const store = node(0);
		const failure = new Error('refused');
		await expect(
			write(store, async (tx) => {
				await preparedQuery(tx, store, insertThrottle).execute({
					key: 'p:undo',
					failures: 1,
					at: 1
				});
				throw failure;
			})
		).rejects.toBe(failure);
		const inserted = await write(store, async (tx) => [
			...(await preparedQuery(tx, store, insertThrottle).execute({
				key: 'p:a',
				failures: 1,
				at: 1
			})),
			...(await preparedQuery(tx, store, insertThrottle).execute({
				key: 'p:b',
				failures: 2,
				at: 1
			}))
		]);
		expect(inserted).toEqual([{ key: 'p:a' }, { key: 'p:b' }]);
		// Read outside a write, on both nodes: what was committed, and nothing of the rolled back.
		for (const reader of [node(0), node(1)])
			expect(await preparedQuery(reader.db, reader, throttleByKey).execute({ key: 'p:%' })).toEqual(
				[
					{ key: 'p:a', failures: 1 },
					{ key: 'p:b', failures: 2 }
				]
			);
		expect(await preparedQuery(store.db, store, throttleByKey).execute({ key: 'p:b' })).toEqual([
			{ key: 'p:b', failures: 2 }
		]);
	});

	it('integers past 2^31 read back as numbers', async () => {
		const { loginThrottle } = node(0).tables;
		const at = 1_800_000_000_000;
		await write(node(0), (tx) =>
			tx.insert(loginThrottle).values({ key: 'w:big', failures: 2 ** 40, lastFailureAt: at })
		);
		const [row] = await node(1)
			.db.select()
			.from(loginThrottle)
			.where(eq(loginThrottle.key, 'w:big'));
		expect(row).toEqual({ key: 'w:big', failures: 2 ** 40, lastFailureAt: at });
	});

	it('failed sign-ins counted on one node hold back the same person on the other', async () => {
		const email = `pair-${dialect}@x`;
		const now = 1_000_000;
		// The free tries, alternating between the nodes.
		for (let i = 0; i < LOGIN_LIMITS.pair; i++) {
			const attempt = await beginSignIn(
				node((i % 2) as 0 | 1),
				{ email, address: '1.1.1.1', known: true },
				now
			);
			expect(attempt.ok).toBe(true);
		}
		for (const i of [0, 1] as const)
			expect(
				retry(
					await beginSignIn(node(i), { email, address: '1.1.1.1', known: true }, now + 10 * SECOND)
				)
			).toBe(20 * SECOND);
		// The same account from another address is not held back by this address's failures.
		expect((await beginSignIn(node(1), { email, address: '2.2.2.2', known: true }, now)).ok).toBe(
			true
		);
	});

	it('simultaneous attempts on both nodes get no more password checks than the allowance', async () => {
		const email = `burst-${dialect}@x`;
		const attempts = await Promise.all(
			Array.from({ length: 16 }, (_, i) =>
				beginSignIn(node((i % 2) as 0 | 1), { email, address: '3.3.3.3', known: true }, 5_000)
			)
		);
		expect(attempts.filter((a) => a.ok)).toHaveLength(LOGIN_LIMITS.pair);
		expect(attempts.filter((a) => !a.ok)).toHaveLength(16 - LOGIN_LIMITS.pair);
		// Every check was counted: the next attempt waits the first delay.
		expect(
			retry(await beginSignIn(node(0), { email, address: '3.3.3.3', known: true }, 5_000))
		).toBe(LOGIN_LIMITS.firstDelay);
	});

	it('a success on one node clears the account for both and takes back the advance failure', async () => {
		const email = `ok-${dialect}@x`;
		const input = { email, address: '4.4.4.4', known: true };
		for (let i = 0; i < LOGIN_LIMITS.pair - 1; i++) await beginSignIn(node(0), input, 0);
		const right = await beginSignIn(node(0), input, 0);
		expect(right.ok).toBe(true);
		if (right.ok) await signInSucceeded(node(1), right.keys);
		const { loginThrottle } = node(0).tables;
		const address = await node(0)
			.db.select({ failures: loginThrottle.failures })
			.from(loginThrottle)
			.where(eq(loginThrottle.key, 'ip:4.4.4.4'));
		expect(address).toEqual([{ failures: LOGIN_LIMITS.pair - 1 }]);
		for (let i = 0; i < LOGIN_LIMITS.pair; i++)
			expect((await beginSignIn(node(i % 2 ? 1 : 0), input, 0)).ok).toBe(true);
	});

	it('an address spraying many accounts waits on both nodes, an account without failures does not', async () => {
		const address = `6.6.6.${dialect === 'sqlite' ? 1 : 2}`;
		for (let i = 0; i < LOGIN_LIMITS.address; i++)
			await beginSignIn(
				node((i % 2) as 0 | 1),
				{ email: `made-up${i}@x`, address, known: false },
				0
			);
		for (const i of [0, 1] as const)
			expect(
				retry(await beginSignIn(node(i), { email: 'made-up-again@x', address, known: false }, 1))
			).toBeGreaterThan(0);
		const fresh = await beginSignIn(
			node(1),
			{ email: `colleague-${dialect}@x`, address, known: true },
			1
		);
		expect(fresh.ok && fresh.addressWait).toBeGreaterThan(0);
	});

	it('forgets failures a day after the last one, whichever node looks', async () => {
		const input = { email: `old-${dialect}@x`, address: '7.7.7.7', known: true };
		for (let i = 0; i <= LOGIN_LIMITS.pair; i++) await beginSignIn(node(0), input, 0);
		expect(retry(await beginSignIn(node(1), input, 1))).toBeGreaterThan(0);
		expect((await beginSignIn(node(1), input, LOGIN_LIMITS.forgetAfter + 1)).ok).toBe(true);
	});
});

// Parameters of the kinds a read ahead binds (text and bigint arrays, text, numbers, null), each
// value back in its answer: openingQuery writes them into its text as literals.
const echo = (db: StoreDb, { loginThrottle }: Tables) =>
	db
		.select({
			texts: sql<string[]>`${sql.placeholder('texts')}::text[]`,
			ids: sql<string>`${sql.placeholder('ids')}::bigint[]::text`,
			text: sql<string | null>`${sql.placeholder('text')}::text`,
			number: sql<number>`${sql.placeholder('number')}::bigint`,
			key: loginThrottle.key
		})
		.from(loginThrottle)
		.where(like(loginThrottle.key, sql.placeholder('key')))
		.prepare('test_echo');
const ECHO = {
	texts: ["o'clock", 'back\\slash', 'a "quote"', '$1, {braces}', 'NULL', ''],
	ids: [1, 9_007_199_254_740_991],
	text: null,
	number: -42
};

// Fails its second call in the database (a sequence is not rolled back) as a lost conflict does.
const failsFirst = (db: StoreDb, { loginThrottle }: Tables) =>
	db
		.select({ n: sql<number>`test_fails_first(${sql.placeholder('n')}::bigint)` })
		.from(loginThrottle)
		.where(eq(loginThrottle.key, sql.placeholder('key')))
		.prepare('test_fails_first');

describe('on postgres, the pool', () => {
	it("sends openingQuery with the write's begin and claim as one string once the connection prepared it, its answer as preparedQuery's", async () => {
		const [store] = nodes.postgres;
		const { loginThrottle } = store.tables;
		await store.db
			.insert(loginThrottle)
			.values({ key: 'pg-open:1', failures: 1, lastFailureAt: 1 });
		const values = { ...ECHO, key: 'pg-open:%' };
		const answers: unknown[] = [];
		const sent: Record<string, number>[] = [];
		// The first write prepares the statement on its connection (the pool hands the same one
		// back): the begin goes alone; the second sends it with the begin, as EXECUTE.
		for (let i = 0; i < 2; i++)
			sent.push(
				await statementsDuring(
					{
						executed:
							/^begin isolation level serializable; lock table "season" in share row exclusive mode; execute test_echo\( ?E?'\{"o''clock",/,
						begins: /^begin/,
						commit: /^commit$/,
						others: /./
					},
					async () => {
						answers.push(
							await write(
								store,
								async (tx) => [
									await openingQuery(tx, store, echo).execute(values),
									// The begin went: bound as preparedQuery binds it.
									await openingQuery(tx, store, echo).execute(values),
									await preparedQuery(tx, store, echo).execute(values)
								],
								{ claimSeasons: 'always' }
							)
						);
					}
				)
			);
		expect(sent).toEqual([
			{ executed: 0, begins: 1, commit: 1, others: 3 },
			{ executed: 1, begins: 0, commit: 1, others: 2 }
		]);
		const row = { ...ECHO, ids: '{1,9007199254740991}', key: 'pg-open:1' };
		expect(answers).toEqual([
			[[row], [row], [row]],
			[[row], [row], [row]]
		]);
	});

	it('refuses to acknowledge a write whose COMMIT PostgreSQL answered with ROLLBACK', async () => {
		const [store] = nodes.postgres;
		// A statement that failed and was caught without a rollback to a savepoint: the
		// transaction is aborted, and PostgreSQL answers its COMMIT with ROLLBACK, not an error.
		const lost = write(store, async (tx) => {
			await insertThrottle(tx, store.tables).execute({ key: 'pg-aborted', failures: 1, at: 1 });
			await tx.execute(sql`select 1 / 0`).catch(() => null);
			return 'written';
		});
		await expect(lost).rejects.toThrow(/rolled the write back at its COMMIT \(ROLLBACK\)/);
		expect(
			await preparedQuery(store.db, store, throttleByKey).execute({ key: 'pg-aborted' })
		).toEqual([]);
		expect(await write(store, async () => 'written')).toBe('written');
	});

	it("runs the whole write again when openingQuery's string loses a conflict", async () => {
		const [store] = nodes.postgres;
		if (store.dialect !== 'postgres') throw new Error('PostgreSQL');
		await store.pool.query(`create sequence test_fails_first_calls;
			create function test_fails_first(n bigint) returns bigint language plpgsql as $$ begin
				if nextval('test_fails_first_calls') = 2 then
					raise exception 'could not serialize access' using errcode = '40001';
				end if;
				return n; end $$`);
		const { loginThrottle } = store.tables;
		await store.db
			.insert(loginThrottle)
			.values({ key: 'pg-open-lost', failures: 1, lastFailureAt: 1 });
		// Prepared on the connection by a first write: the second sends it with its begin.
		await write(store, (tx) =>
			preparedQuery(tx, store, failsFirst).execute({ n: 0, key: 'pg-open-lost' })
		);
		let runs = 0;
		const answer = await write(store, async (tx) => {
			runs++;
			const [{ n }] = await openingQuery(tx, store, failsFirst).execute({
				n: 7,
				key: 'pg-open-lost'
			});
			await insertThrottle(tx, store.tables).execute({
				key: `pg-open-lost:${runs}`,
				failures: n,
				at: 1
			});
			return n;
		});
		expect({ answer, runs }).toEqual({ answer: 7, runs: 2 });
		expect(
			await preparedQuery(store.db, store, throttleByKey).execute({ key: 'pg-open-lost:%' })
		).toEqual([{ key: 'pg-open-lost:2', failures: 7 }]);
	});

	it('builds a prepared query once per store and runs it on the client of the write it is called in', async () => {
		const [store, other] = nodes.postgres;
		const insert: typeof insertThrottle = (db, tables) => insertThrottle(db, tables);
		const select: typeof throttleByKey = (db, tables) => throttleByKey(db, tables);
		const before = { ...builds };
		for (let i = 0; i < 3; i++) {
			// Inside the write: the select sees the row the write inserted and has not committed,
			// which the other node cannot see yet.
			const seen = await write(store, async (tx) => {
				await preparedQuery(tx, store, insert).execute({ key: `pg-once:${i}`, failures: i, at: 1 });
				const inWrite = await preparedQuery(tx, store, select).execute({ key: `pg-once:${i}` });
				const outside = await preparedQuery(other.db, other, select).execute({
					key: `pg-once:${i}`
				});
				return { inWrite, outside };
			});
			expect(seen).toEqual({ inWrite: [{ key: `pg-once:${i}`, failures: i }], outside: [] });
		}
		expect(await preparedQuery(store.db, store, select).execute({ key: 'pg-once:%' })).toHaveLength(
			3
		);
		// Built once on each store (its pool), whatever the transactions it ran in.
		expect(builds.insert - before.insert).toBe(1);
		expect(builds.select - before.select).toBe(2);
	});

	it('answers 503 database_busy once a write lost every attempt, and wrote nothing', async () => {
		const [store] = nodes.postgres;
		let runs = 0;
		const lost = write(store, async (tx) => {
			runs++;
			await insertThrottle(tx, store.tables).execute({
				key: `pg-busy:${runs}`,
				failures: 1,
				at: 1
			});
			// What PostgreSQL reports when another writer won (pg's error carries the code).
			throw Object.assign(new Error('could not serialize access'), { code: '40001' });
		});
		await expect(lost).rejects.toMatchObject({ status: 503, code: 'database_busy' });
		expect(runs).toBe(10);
		expect(
			await preparedQuery(store.db, store, throttleByKey).execute({ key: 'pg-busy:%' })
		).toEqual([]);
	});

	it('a write that claims the seasons takes the season table before its first statement, on every run', async () => {
		const [store, other] = nodes.postgres;
		if (other.dialect !== 'postgres') throw new Error('a PostgreSQL store');
		const held = await write(
			store,
			async (tx) => {
				// The begin and the claim are held until the write's first statement.
				await tx.execute(sql`select 1`);
				// Another node cannot take the table meanwhile: its lock attempt fails at once.
				const probe = await other.pool.connect();
				try {
					await probe.query('begin');
					await probe.query('set local lock_timeout = 50');
					return await probe
						.query('lock table season in share row exclusive mode')
						.then(() => false)
						.catch((error: { code?: string }) => error.code === '55P03');
				} finally {
					await probe.query('rollback');
					probe.release();
				}
			},
			{ claimSeasons: 'always' }
		);
		expect(held).toBe(true);
	});

	it('a claim that fails gives its client back to the pool, and the next write runs', async () => {
		const [store, other] = nodes.postgres;
		if (store.dialect !== 'postgres' || other.dialect !== 'postgres') throw new Error('PostgreSQL');
		// Another node holds the table; this write's begin and claim (one round trip) wait on it
		// until that node cancels the wait: the claim fails after its begin ran.
		const holder = await other.pool.connect();
		try {
			await holder.query('begin');
			await holder.query('lock table season in access exclusive mode');
			const claimed = write(
				store,
				async (tx) => {
					await tx.execute(sql`select 1`);
					return 'written';
				},
				{ claimSeasons: 'always' }
			).then(
				() => null,
				(error: Error) => error
			);
			// Asked outside the holder's transaction: inside one, pg_stat_activity stays the
			// snapshot its first read took, and a claim that arrived after it was never seen.
			const waiting = async () =>
				(
					await other.pool.query<{ pid: number }>(
						"select pid from pg_stat_activity where wait_event_type = 'Lock' and query like 'begin isolation level serializable; lock table%'"
					)
				).rows;
			let waiters = await waiting();
			for (let tries = 0; waiters.length === 0 && tries < 1000; tries++) {
				await new Promise((resolve) => setTimeout(resolve, 10));
				waiters = await waiting();
			}
			expect(waiters).toHaveLength(1);
			await other.pool.query('select pg_cancel_backend($1)', [waiters[0].pid]);
			// 57014 query_canceled, Drizzle's error around pg's.
			expect(((await claimed)?.cause as { code?: string } | undefined)?.code).toBe('57014');
		} finally {
			await holder.query('rollback');
			holder.release();
		}
		expect(store.pool.totalCount - store.pool.idleCount).toBe(0);
		expect(await write(store, async () => 'written', { claimSeasons: 'always' })).toBe('written');
	});

	it('reads a bigint past 2^53 as an error, not a rounded number', async () => {
		const store = nodes.postgres[0];
		if (store.dialect !== 'postgres') throw new Error('not PostgreSQL');
		await store.pool.query(
			"insert into login_throttle (key, failures, last_failure_at) values ('w:huge', 9007199254740993, 0)"
		);
		const { loginThrottle } = store.tables;
		const error = await store.db
			.select()
			.from(loginThrottle)
			.where(eq(loginThrottle.key, 'w:huge'))
			.then(
				() => null,
				(e: unknown) => e
			);
		// Drizzle wraps the driver's error ("Failed query: …"), the parser's is its cause.
		expect(String((error as Error | null)?.cause)).toMatch(/9007199254740993.*does not fit/);
		await store.pool.query("delete from login_throttle where key = 'w:huge'");
	});

	it('logs an idle connection that failed with its message and code, not the pg client', () => {
		const store = nodes.postgres[0];
		if (store.dialect !== 'postgres') throw new Error('not PostgreSQL');
		const warn = vi.spyOn(log, 'warn').mockImplementation(() => {});
		try {
			// What pg-pool emits when an idle client's connection ends: the error, with the client on it.
			const client = { connectionParameters: { password: 'secret' } };
			const error = Object.assign(new Error('terminating connection'), { code: '57P01', client });
			store.pool.emit('error', error, client);
			expect(warn).toHaveBeenCalledWith(
				{ message: 'terminating connection', code: '57P01' },
				'PostgreSQL: an idle connection failed'
			);
		} finally {
			warn.mockRestore();
		}
	});

	it('survives a connection ended under a client a write holds (the server restarted)', async () => {
		const store = nodes.postgres[0];
		if (store.dialect !== 'postgres') throw new Error('not PostgreSQL');
		const client = await store.pool.connect();
		try {
			// What pg emits on a checked-out client between its queries when the server ends the
			// connection: without a listener, an uncaught exception that stops the process.
			const error = Object.assign(new Error('terminating connection'), { code: '57P01' });
			expect(() => client.emit('error', error)).not.toThrow();
		} finally {
			client.release(true);
		}
		expect(await store.db.execute(sql`select 1 as one`)).toMatchObject({ rows: [{ one: 1 }] });
	});

	it('refuses a URL it cannot reach, and says why', async () => {
		await expect(openStore('postgres://nobody@127.0.0.1:1/none')).rejects.toThrow(/ECONNREFUSED/);
	});
});

describe('on sqlite, a write is one macrotask', () => {
	const store = () => nodes.sqlite[0];
	const inTransaction = () => {
		const sqlite = store();
		return sqlite.dialect === 'sqlite' ? sqlite.sqlite.$client.inTransaction : null;
	};

	it('no timer, immediate, I/O callback or earlier microtask runs inside it', async () => {
		const seen: Record<string, boolean | null> = {};
		setTimeout(() => (seen.timer = inTransaction()), 0);
		setImmediate(() => (seen.immediate = inTransaction()));
		readFile(import.meta.filename, () => (seen.io = inTransaction()));
		void Promise.resolve().then(() => (seen.microtask = inTransaction()));
		// Hold the thread until the timer and the read are due, then start the write in the same tick.
		const until = Date.now() + 30;
		while (Date.now() < until);
		const { loginThrottle } = store().tables;
		let queries = 0;
		await write(store(), async (tx) => {
			for (let i = 0; i < 200; i++) {
				await tx.select().from(loginThrottle).where(eq(loginThrottle.key, 'none'));
				queries++;
			}
		});
		expect(queries).toBe(200);
		await vi.waitFor(() => expect(Object.keys(seen)).toHaveLength(4));
		expect(seen).toEqual({
			timer: false,
			immediate: false,
			io: false,
			microtask: false
		});
	});

	it('a savepoint whose step awaits I/O breaks the whole write, and nothing of it stays', async () => {
		const { loginThrottle } = store().tables;
		const pending = write(store(), async (tx) => {
			await tx.insert(loginThrottle).values({ key: 'spio:before', failures: 1, lastFailureAt: 1 });
			await savepointInWrite(tx, store(), async (sp) => {
				await new Promise((resolve) => setTimeout(resolve, 10));
				await sp.insert(loginThrottle).values({ key: 'spio:in', failures: 1, lastFailureAt: 1 });
			}).catch(() => undefined);
			// The step's error was caught: the write still may not commit what it wrote before.
			await savepointInWrite(tx, store(), async () => undefined);
		});
		await expect(pending).rejects.toBeInstanceOf(WriteAwaitedIoError);
		expect(inTransaction()).toBe(false);
		const rows = await nodes.sqlite[1].db
			.select()
			.from(loginThrottle)
			.where(like(loginThrottle.key, 'spio:%'));
		expect(rows).toEqual([]);
	});

	it('a callback that awaits I/O is rolled back, its later statements refused, and it throws', async () => {
		const { loginThrottle } = store().tables;
		const pending = write(store(), async (tx) => {
			await tx.insert(loginThrottle).values({ key: 'io:before', failures: 1, lastFailureAt: 1 });
			await new Promise((resolve) => setTimeout(resolve, 10));
			await tx.insert(loginThrottle).values({ key: 'io:after', failures: 1, lastFailureAt: 1 });
		});
		await expect(pending).rejects.toBeInstanceOf(WriteAwaitedIoError);
		expect(inTransaction()).toBe(false);
		const rows = await nodes.sqlite[1].db
			.select()
			.from(loginThrottle)
			.where(like(loginThrottle.key, 'io:%'));
		expect(rows).toEqual([]);
		// The connection is whole: the next write commits.
		await write(store(), (tx) =>
			tx.insert(loginThrottle).values({ key: 'io:next', failures: 1, lastFailureAt: 1 })
		);
		expect(
			await store().db.select().from(loginThrottle).where(eq(loginThrottle.key, 'io:next'))
		).toHaveLength(1);
	});
});

describe('on sqlite, a query is prepared once per connection', () => {
	const sqliteOf = () => {
		const store = nodes.sqlite[0];
		if (store.dialect !== 'sqlite') throw new Error('a SQLite node');
		return store;
	};
	/** The texts `client.prepare` was asked for while `work` ran. */
	async function preparedDuring(work: () => Promise<unknown>): Promise<string[]> {
		const prepare = vi.spyOn(sqliteOf().sqlite.$client, 'prepare');
		try {
			await work();
			return prepare.mock.calls.map(([text]) => text);
		} finally {
			prepare.mockRestore();
		}
	}

	it('the same query run again, inside writes or not, is not prepared again', async () => {
		const store = sqliteOf();
		const { loginThrottle } = store.tables;
		const query = () =>
			store.db.select().from(loginThrottle).where(eq(loginThrottle.key, 'cache:none'));
		const texts = await preparedDuring(async () => {
			for (let i = 0; i < 5; i++) await query();
			for (let i = 0; i < 5; i++)
				await write(
					store,
					async (tx) =>
						void (await tx
							.select()
							.from(loginThrottle)
							.where(eq(loginThrottle.key, `k${i}`)))
				);
		});
		const text = query().toSQL().sql;
		expect(texts.filter((t) => t === text).length).toBeLessThanOrEqual(1);
		// …and each run read what the table holds now, with its own parameters.
		await write(store, (tx) =>
			tx.insert(loginThrottle).values({ key: 'cache:none', failures: 3, lastFailureAt: 1 })
		);
		expect(await query()).toEqual([{ key: 'cache:none', failures: 3, lastFailureAt: 1 }]);
	});

	it('a kept statement Drizzle used in raw mode returns objects to a query that wants them', async () => {
		const store = sqliteOf();
		const { loginThrottle } = store.tables;
		await write(store, (tx) =>
			tx.insert(loginThrottle).values({ key: 'cache:raw', failures: 2, lastFailureAt: 7 })
		);
		const builder = () =>
			store.db
				.select({ key: loginThrottle.key, failures: loginThrottle.failures })
				.from(loginThrottle)
				.where(eq(loginThrottle.key, sql.raw(`'cache:raw'`)));
		const asSqlite = store.db as unknown as BetterSQLite3Database;
		const same = sql.raw(builder().toSQL().sql);
		expect(await builder()).toEqual([{ key: 'cache:raw', failures: 2 }]); // Drizzle: raw rows
		expect(asSqlite.all(same)).toEqual([{ key: 'cache:raw', failures: 2 }]); // the driver's objects
		expect(await builder()).toEqual([{ key: 'cache:raw', failures: 2 }]);
	});

	it('a prepared query is built and prepared once per connection, inside writes or not', async () => {
		const store = sqliteOf();
		const other = nodes.sqlite[1];
		// Queries of their own (a query is known by its function), built on neither node yet.
		const insert: typeof insertThrottle = (db, tables) => insertThrottle(db, tables);
		const select: typeof throttleByKey = (db, tables) => throttleByKey(db, tables);
		const before = { ...builds };
		const texts = await preparedDuring(async () => {
			for (let i = 0; i < 3; i++) {
				await write(store, (tx) =>
					preparedQuery(tx, store, insert).execute({ key: `once:${i}`, failures: i, at: 1 })
				);
				await preparedQuery(store.db, store, select).execute({ key: 'once:%' });
			}
		});
		expect(builds.insert - before.insert).toBe(1);
		expect(builds.select - before.select).toBe(1);
		expect(texts).toHaveLength(2);
		// The other node's connection builds its own, and reads what this one committed.
		expect(await preparedQuery(other.db, other, select).execute({ key: 'once:%' })).toEqual([
			{ key: 'once:0', failures: 0 },
			{ key: 'once:1', failures: 1 },
			{ key: 'once:2', failures: 2 }
		]);
		expect(builds.select - before.select).toBe(2);
	});

	it('a prepared query of a write that awaited I/O is refused, and nothing of it stays', async () => {
		const store = sqliteOf();
		const pending = write(store, async (tx) => {
			await preparedQuery(tx, store, insertThrottle).execute({
				key: 'pio:before',
				failures: 1,
				at: 1
			});
			await new Promise((resolve) => setTimeout(resolve, 10));
			await preparedQuery(tx, store, insertThrottle).execute({
				key: 'pio:after',
				failures: 1,
				at: 1
			});
		});
		await expect(pending).rejects.toBeInstanceOf(WriteAwaitedIoError);
		expect(await preparedQuery(store.db, store, throttleByKey).execute({ key: 'pio:%' })).toEqual(
			[]
		);
	});

	it(`keeps the ${STATEMENTS_KEPT} most recently used statements and prepares an older one again`, async () => {
		const store = sqliteOf();
		const asSqlite = store.db as unknown as BetterSQLite3Database;
		const nth = (i: number) => sql.raw(`select ${i} as n`);
		const texts = await preparedDuring(async () => {
			asSqlite.all(nth(0));
			asSqlite.all(nth(1));
			for (let i = 2; i <= STATEMENTS_KEPT; i++) {
				asSqlite.all(nth(i));
				if (i % 100 === 0) asSqlite.all(nth(1)); // kept in use
			}
			asSqlite.all(nth(1));
			asSqlite.all(nth(0));
		});
		expect(texts.filter((t) => t === 'select 1 as n')).toHaveLength(1);
		expect(texts.filter((t) => t === 'select 0 as n')).toHaveLength(2);
		expect(asSqlite.all(nth(42))).toEqual([{ n: 42 }]);
	});
});
