// What the store layer's `await` costs on SQLite's hot path (#20, db/store.ts): the same query
// synchronous and awaited, and one write as a synchronous transaction and through write().
// Variants run interleaved, rounds × iterations; prints the median µs per operation and the CPU
// µs per operation of each. Run with `npx tsx bench/store-await.ts [--rounds 7] [--n 20000]`.
import { eq, sql } from 'drizzle-orm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import { loginThrottle } from '../src/lib/server/db/schema';
import { sqliteStore, write } from '../src/lib/server/db/store';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 20_000);
const WRITES = Math.max(1, Math.floor(N / 10));

const dir = mkdtempSync(join(tmpdir(), 'honorboard-store-bench-'));
const db = openDatabase(join(dir, 'bench.db'));
const store = sqliteStore(db);
const t = store.tables;
for (let i = 0; i < 1000; i++)
	db.insert(loginThrottle)
		.values({ key: `k${i}`, failures: i, lastFailureAt: i })
		.run();
const key = (i: number) => `k${i % 1000}`;
const readPrepared = db
	.select()
	.from(loginThrottle)
	.where(eq(loginThrottle.key, sql.placeholder('key')))
	.prepare();

const variants: Variant[] = [
	{
		name: 'read, builder, sync .get()',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++)
				db.select()
					.from(loginThrottle)
					.where(eq(loginThrottle.key, key(i)))
					.get();
		}
	},
	{
		name: 'read, builder, awaited (store)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				await store.db
					.select()
					.from(t.loginThrottle)
					.where(eq(t.loginThrottle.key, key(i)));
		}
	},
	{
		name: 'read, prepared, sync .get()',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++) readPrepared.get({ key: key(i) });
		}
	},
	{
		name: 'read, prepared, awaited .get()',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) await readPrepared.get({ key: key(i) });
		}
	},
	{
		name: 'write, db.transaction immediate',
		ops: WRITES,
		run: () => {
			for (let i = 0; i < WRITES; i++)
				db.transaction(
					(tx) => {
						tx.update(loginThrottle)
							.set({ failures: i })
							.where(eq(loginThrottle.key, key(i)))
							.run();
					},
					{ behavior: 'immediate' }
				);
		}
	},
	{
		name: 'write, write(store) awaited',
		ops: WRITES,
		run: async () => {
			for (let i = 0; i < WRITES; i++)
				await write(store, async (tx) => {
					await tx
						.update(t.loginThrottle)
						.set({ failures: i })
						.where(eq(t.loginThrottle.key, key(i)));
				});
		}
	},
	{
		name: 'macrotask hop alone (setImmediate)',
		ops: WRITES,
		run: async () => {
			for (let i = 0; i < WRITES; i++) await new Promise<void>((resolve) => setImmediate(resolve));
		}
	}
];

console.log(`${ROUNDS - 1} counted rounds; ${N} reads, ${WRITES} writes per round`);
await timeInterleaved(variants, ROUNDS);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
