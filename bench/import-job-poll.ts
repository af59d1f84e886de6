// What answering an import job's poll costs on SQLite: the read /manage/import/jobs/[id] and the
// API's /api/v1/imports/jobs/[id] run on every poll while a job runs (#20: import jobs ported
// onto the store, imports/jobs.ts). The ported, awaited `getImportJob(store, …)` against the
// synchronous one of an older checkout (`--old <worktree>`, e.g. `git worktree add /work/wt-old
// <commit>`; its jobs.ts takes a Db), both on one file of 1,000 people with a running job each
// (its checkpoint and kept results as a window leaves them), jobs taken in turn; variants
// interleaved, rounds × iterations; prints the median µs per poll and the CPU µs per poll.
// Run with `npx tsx bench/import-job-poll.ts [--old <worktree>] [--rounds 7] [--n 20000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import { importJob, user } from '../src/lib/server/db/schema';
import { sqliteStore } from '../src/lib/server/db/store';
import { getImportJob, type JobOwner } from '../src/lib/server/imports/jobs';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 20_000);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);

const dir = mkdtempSync(join(tmpdir(), 'honorboard-job-poll-bench-'));
const file = join(dir, 'bench.db');
const db = openDatabase(file);
const store = sqliteStore(db);
const now = Date.now();
const jobs: { id: string; owner: JobOwner }[] = [];
// A running job mid-file, as a window's commit leaves it: the counts and the first results kept.
const results = Array.from({ length: 50 }, (_, row) => ({ row, status: 'new', points: 10 }));
for (let i = 0; i < 1000; i++) {
	const { id: userId } = db
		.insert(user)
		.values({ email: `p${i}@x`, displayName: `P ${i}`, role: 'manager', passwordHash: 'x' })
		.returning()
		.get();
	const id = `job-${i}`;
	db.insert(importJob)
		.values({
			id,
			ownerUserId: userId,
			dryRun: false,
			exclusive: true,
			options: { encoding: 'utf-8' },
			status: 'running',
			done: 40_000,
			total: 100_000,
			checkpoint: { rows: 40_000, totals: { new: 39_000, duplicate: 0, rejected: 10 } },
			kept: { errors: [], results },
			startedAt: now,
			holder: 'bench',
			heartbeatAt: now
		})
		.run();
	jobs.push({ id, owner: { userId } });
}
const job = (i: number) => jobs[i % jobs.length];

const variants: Variant[] = [
	{
		name: 'poll, store (awaited)',
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) {
				const { id, owner } = job(i);
				if (!(await getImportJob(store, id, owner))) throw new Error('no job');
			}
		}
	}
];
if (OLD) {
	// The older checkout's own modules, on its own connection to the same file.
	type OldGet = (db: unknown, id: string, owner: JobOwner) => unknown;
	const old = (await import(join(OLD, 'src/lib/server/imports/jobs.ts'))) as {
		getImportJob: OldGet;
	};
	const oldDb = (
		(await import(join(OLD, 'src/lib/server/db/index.ts'))) as {
			openDatabase: (file: string) => unknown;
		}
	).openDatabase(file);
	variants.unshift({
		name: 'poll, before (synchronous)',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++) {
				const { id, owner } = job(i);
				if (!old.getImportJob(oldDb, id, owner)) throw new Error('no job');
			}
		}
	});
}

console.log(`${ROUNDS - 1} counted rounds; ${N} polls per round`);
await timeInterleaved(variants, ROUNDS);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
