// What reading the organisation's settings costs on SQLite, the read server/i18n/handle.ts runs
// on every request (the language and currency): `readOrganisation` through the store, awaited,
// which the hook runs since the server selects its dialect (#20, docs/postgres.md "Running on
// PostgreSQL"), against the synchronous `getOrganisation(getDb())` it ran before, on one file;
// variants interleaved, rounds × iterations; prints the median µs and CPU µs per read.
// Run with `npx tsx bench/organisation-read.ts [--rounds 9] [--n 50000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import { sqliteStore } from '../src/lib/server/db/store';
import { getOrganisation, readOrganisation } from '../src/lib/server/organisation/settings';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 9);
const N = option('n', 50_000);

const dir = mkdtempSync(join(tmpdir(), 'honorboard-organisation-bench-'));
const db = openDatabase(join(dir, 'bench.db'));
const store = sqliteStore(db);

const variants: Variant[] = [
	{
		name: 'getOrganisation(db), before (synchronous)',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++) if (!getOrganisation(db).currency) throw new Error('no currency');
		}
	},
	{
		name: 'readOrganisation(store), now (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				if (!(await readOrganisation(store.db, store)).currency) throw new Error('no currency');
		}
	}
];

console.log(`${ROUNDS - 1} counted rounds; ${N} reads per round`);
await timeInterleaved(variants, ROUNDS);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
