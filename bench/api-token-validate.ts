// What checking an API token costs on SQLite, the check every API request and socket handshake
// runs (#20: API tokens ported onto the store, auth/api-token.ts). The ported, awaited
// `validateApiToken(store, …)` against the synchronous one of an older checkout (`--old
// <worktree>`, e.g. `git worktree add /work/wt-old <commit>`; its api-token.ts takes a Db), both
// on one file of 100 tokens, taken in turn; two cases: tokens held in the verified cache (an
// integration's every call after its first) and not held (the cache forgotten before each call:
// the hash and the row's read). Variants interleaved, rounds × iterations; prints the median µs
// per check and the CPU µs per check.
// Run with `npx tsx bench/api-token-validate.ts [--old <worktree>] [--rounds 7] [--n 20000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import { sqliteStore } from '../src/lib/server/db/store';
import {
	createApiToken,
	forgetVerifiedTokens,
	validateApiToken
} from '../src/lib/server/auth/api-token';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 20_000);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);

const dir = mkdtempSync(join(tmpdir(), 'honorboard-token-bench-'));
const file = join(dir, 'bench.db');
const db = openDatabase(file);
const store = sqliteStore(db);
const tokens: string[] = [];
for (let i = 0; i < 100; i++)
	tokens.push((await createApiToken(store, { name: `t${i}`, role: 'integration' })).token);
const token = (i: number) => tokens[i % tokens.length];

const variants: Variant[] = [
	{
		name: 'held, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				if (!(await validateApiToken(store, token(i)))) throw new Error('refused');
		}
	},
	{
		name: 'not held, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) {
				forgetVerifiedTokens();
				if (!(await validateApiToken(store, token(i)))) throw new Error('refused');
			}
		}
	}
];
if (OLD) {
	// The older checkout's own modules, on its own connection to the same file. Its verified
	// cache lives on globalThis under the same key in another shape: it gets its own.
	const KEY = Symbol.for('honorboard.verifiedApiTokens');
	delete (globalThis as Record<symbol, unknown>)[KEY];
	type OldValidate = (db: unknown, token: string) => unknown;
	const old = (await import(join(OLD, 'src/lib/server/auth/api-token.ts'))) as {
		validateApiToken: OldValidate;
		forgetVerifiedTokens: () => void;
	};
	const oldDb = (
		(await import(join(OLD, 'src/lib/server/db/index.ts'))) as {
			openDatabase: (file: string) => unknown;
		}
	).openDatabase(file);
	// In pairs: each case's before and after run next to each other.
	variants.splice(
		0,
		2,
		{
			name: 'held, before (synchronous)',
			ops: N,
			run: () => {
				for (let i = 0; i < N; i++)
					if (!old.validateApiToken(oldDb, token(i))) throw new Error('refused');
			}
		},
		variants[0],
		{
			name: 'not held, before (synchronous)',
			ops: N,
			run: () => {
				for (let i = 0; i < N; i++) {
					old.forgetVerifiedTokens();
					if (!old.validateApiToken(oldDb, token(i))) throw new Error('refused');
				}
			}
		},
		variants[1]
	);
}

console.log(`${ROUNDS - 1} counted rounds; ${N} checks per round`);
await timeInterleaved(variants, ROUNDS);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
