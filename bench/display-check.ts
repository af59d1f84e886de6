// What the TV's checks cost on SQLite (#20: displays and the sockets' session check ported onto
// the store). `checkDisplayToken` runs on every request of a TV page and its heartbeat
// (i18n/handle.ts, tv/[token]); `sessionAlive` for every signed-in socket at each watch and each
// periodic check (realtime/attach.ts). The ported, awaited functions against the synchronous
// ones of an older checkout (`--old <worktree>`, e.g. `git worktree add /work/wt-old <commit>`;
// its functions take a Db), on one file of 1,000 displays and 1,000 people with a session each,
// taken in turn; variants interleaved, rounds × iterations; prints the median µs and CPU µs per
// check. Run with `npx tsx bench/display-check.ts [--old <worktree>] [--rounds 7] [--n 20000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import { display, season, session, user } from '../src/lib/server/db/schema';
import { sqliteStore } from '../src/lib/server/db/store';
import { generateSessionToken, hashToken, SESSION_LIFETIME } from '../src/lib/server/auth/session';
import { checkDisplayToken } from '../src/lib/server/displays/tokens';
import { sessionAlive } from '../src/lib/server/realtime/access';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 20_000);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);

const dir = mkdtempSync(join(tmpdir(), 'honorboard-display-bench-'));
const file = join(dir, 'bench.db');
const db = openDatabase(file);
const store = sqliteStore(db);
const now = Date.now();
const { id: seasonId } = db
	.insert(season)
	.values({
		name: 'Bench',
		theme: { primary: '#000000', accent: '#ffffff', emoji: '⭐', tagline: '' },
		startsAt: 0,
		endsAt: now + 1e9
	})
	.returning()
	.get();
const displayTokens: string[] = [];
const sessionIds: string[] = [];
for (let i = 0; i < 1000; i++) {
	const token = `tv_${generateSessionToken()}`;
	db.insert(display)
		.values({ seasonId, name: `TV ${i}`, tokenHash: hashToken(token) })
		.run();
	displayTokens.push(token);
	const { id } = db
		.insert(user)
		.values({ email: `p${i}@x`, displayName: `P ${i}`, role: 'participant', passwordHash: 'x' })
		.returning()
		.get();
	const sessionId = hashToken(generateSessionToken());
	db.insert(session)
		.values({ id: sessionId, userId: id, expiresAt: now + SESSION_LIFETIME })
		.run();
	sessionIds.push(sessionId);
}
const tv = (i: number) => displayTokens[i % displayTokens.length];
const sid = (i: number) => sessionIds[i % sessionIds.length];

const variants: Variant[] = [
	{
		name: 'display check, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				if (!(await checkDisplayToken(store, tv(i))).ok) throw new Error('refused');
		}
	},
	{
		name: 'sessionAlive, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++)
				if (!(await sessionAlive(store, sid(i), now))) throw new Error('refused');
		}
	}
];
if (OLD) {
	// The older checkout's own modules, on its own connection to the same file.
	const oldDb = (
		(await import(join(OLD, 'src/lib/server/db/index.ts'))) as {
			openDatabase: (file: string) => unknown;
		}
	).openDatabase(file);
	const oldTokens = (await import(join(OLD, 'src/lib/server/displays/tokens.ts'))) as {
		checkDisplayToken: (db: unknown, token: string) => { ok: boolean };
	};
	const oldAccess = (await import(join(OLD, 'src/lib/server/realtime/access.ts'))) as {
		sessionAlive: (db: unknown, sessionId: string, now: number) => unknown;
	};
	variants.unshift(
		{
			name: 'display check, before (synchronous)',
			ops: N,
			run: () => {
				for (let i = 0; i < N; i++)
					if (!oldTokens.checkDisplayToken(oldDb, tv(i)).ok) throw new Error('refused');
			}
		},
		{
			name: 'sessionAlive, before (synchronous)',
			ops: N,
			run: () => {
				for (let i = 0; i < N; i++)
					if (!oldAccess.sessionAlive(oldDb, sid(i), now)) throw new Error('refused');
			}
		}
	);
}

console.log(`${ROUNDS - 1} counted rounds; ${N} checks per round`);
await timeInterleaved(variants, ROUNDS);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
