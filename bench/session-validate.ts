// What validating a session costs on SQLite, the read hooks.server.ts runs on every request with
// a cookie (#20: sessions ported onto the store, auth/session.ts). The ported, awaited
// `validateSessionToken(store, …)` against the synchronous one of an older checkout (`--old
// <worktree>`, e.g. `git worktree add /work/wt-old <commit>`; its session.ts takes a Db), both on
// one file of 1,000 people with a session each, tokens taken in turn; variants interleaved,
// rounds × iterations; prints the median µs per validation and the CPU µs per validation.
// Run with `npx tsx bench/session-validate.ts [--old <worktree>] [--rounds 7] [--n 20000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import { session, user } from '../src/lib/server/db/schema';
import { sqliteStore } from '../src/lib/server/db/store';
import {
	generateSessionToken,
	hashToken,
	SESSION_LIFETIME,
	validateSessionToken
} from '../src/lib/server/auth/session';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 20_000);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);

const dir = mkdtempSync(join(tmpdir(), 'honorboard-session-bench-'));
const file = join(dir, 'bench.db');
const db = openDatabase(file);
const store = sqliteStore(db);
// Sessions in the first half of their life: validation reads only, as on almost every request.
const now = Date.now();
const tokens: string[] = [];
for (let i = 0; i < 1000; i++) {
	const { id } = db
		.insert(user)
		.values({ email: `p${i}@x`, displayName: `P ${i}`, role: 'participant', passwordHash: 'x' })
		.returning()
		.get();
	const token = generateSessionToken();
	db.insert(session)
		.values({ id: hashToken(token), userId: id, expiresAt: now + SESSION_LIFETIME })
		.run();
	tokens.push(token);
}
const token = (i: number) => tokens[i % tokens.length];

const variants: Variant[] = [
	{
		name: 'validate, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				if (!(await validateSessionToken(store, token(i))).session) throw new Error('refused');
		}
	}
];
if (OLD) {
	// The older checkout's own modules, on its own connection to the same file.
	type OldValidate = (db: unknown, token: string) => { session: unknown };
	const old = (await import(join(OLD, 'src/lib/server/auth/session.ts'))) as {
		validateSessionToken: OldValidate;
	};
	const oldDb = (
		(await import(join(OLD, 'src/lib/server/db/index.ts'))) as {
			openDatabase: (file: string) => unknown;
		}
	).openDatabase(file);
	variants.unshift({
		name: 'validate, before (synchronous)',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++)
				if (!old.validateSessionToken(oldDb, token(i)).session) throw new Error('refused');
		}
	});
}

console.log(`${ROUNDS - 1} counted rounds; ${N} validations per round`);
await timeInterleaved(variants, ROUNDS);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
