// The read thread's requests, the built thread of this checkout against another's
// (`--old <worktree>`, its build/read-thread.js: `node scripts/build-server.mjs` or `npm run
// build` there), both on one seeded file (bench/lib/seed-sales.ts: 1,000 people, `--sales`
// sales, with a live week-long sprint that hundreds have crossed). Each request is asked of each
// thread in turn, round after round (bench/lib/interleaved.ts): wall µs per request and the
// process's CPU, which counts the worker threads'. The answers of the two threads are compared
// first (the same data must give the same answers).
//
//   npx tsx bench/read-thread.ts --old /work/wt-old [--sales 50000] [--rounds 7]
import { isDeepStrictEqual } from 'node:util';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/lib/server/db';
import { sqliteStore } from '../src/lib/server/db/store';
import { ReadThread } from '../src/lib/server/reads/thread';
import { createSprint } from '../src/lib/server/sprints/commands';
import { liveSeasons } from '../src/lib/server/notify/digest/seasons';
import { parseFilters } from '../src/lib/server/dashboard/filters';
import { option, textOption } from './lib/args';
import { NOW, seedSales } from './lib/seed-sales';
import { ROOT } from './lib/server';
import { timeInterleaved, type Variant } from './lib/interleaved';

const SALES = option('sales', 50_000);
const ROUNDS = option('rounds', 7);
const oldRoot = textOption('old');
if (!oldRoot) throw new Error('--old <worktree> names the checkout to compare with');
const entries = {
	old: join(resolve(oldRoot), 'build/read-thread.js'),
	new: join(ROOT, 'build/read-thread.js')
};
for (const entry of Object.values(entries))
	if (!existsSync(entry)) throw new Error(`${entry} is missing: build it first`);
const DAY = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-read-thread-'));
const threads: ReadThread[] = [];
try {
	const path = join(dir, 'bench.db');
	const { seasonId } = await seedSales(path, SALES);
	const db = openDatabase(path);
	const store = sqliteStore(db);
	const { sprint } = await createSprint(
		store,
		seasonId,
		{
			name: 'Bench week',
			subject: 'user',
			measure: 'points',
			target: 2_000,
			startsAt: NOW - 7 * DAY,
			endsAt: NOW + DAY,
			prize: null,
			requestId: 'bench-read-thread'
		},
		{ userId: null },
		() => NOW - 8 * DAY
	);
	const live = (await liveSeasons(store)).find((s) => s.id === seasonId)!;
	const ranking = { id: seasonId, rankBy: live.rankBy, tieRule: live.tieRule };
	const filters = parseFilters(new URLSearchParams());
	const date = new Date(NOW).toISOString().slice(0, 10);
	const requests: Record<string, (thread: ReadThread) => Promise<unknown>> = {
		views: (t) => t.views(seasonId, NOW),
		sprint: (t) => t.decideSprint(sprint.id, NOW),
		dashboard: (t) => t.dashboard(seasonId, filters, NOW),
		board: (t) => t.finalBoard(seasonId),
		rankings: (t) => t.rankingsAt([NOW - 7 * DAY, NOW].map((at) => ({ season: ranking, at }))),
		summaries: (t) => t.summaries([{ season: live, date, now: NOW }])
	};
	const old = new ReadThread(entries.old, path);
	const now = new ReadThread(entries.new, path);
	threads.push(old, now);
	for (const [name, ask] of Object.entries(requests))
		if (!isDeepStrictEqual(await ask(old), await ask(now)))
			throw new Error(`${name}: the two threads answer differently`);
	console.log(`${SALES.toLocaleString('en')} sales, ${ROUNDS} rounds (the first not counted)`);
	for (const [name, ask] of Object.entries(requests)) {
		const load = loadavg().map((l) => l.toFixed(1));
		console.log(`— ${name} (load ${load.join(' ')})`);
		const variants: Variant[] = [
			{
				name: `${name}: before`,
				ops: 3,
				run: async () => [await ask(old), await ask(old), await ask(old)]
			},
			{
				name: `${name}: now`,
				ops: 3,
				run: async () => [await ask(now), await ask(now), await ask(now)]
			}
		];
		await timeInterleaved(variants, ROUNDS);
	}
	db.$client.close();
} finally {
	for (const thread of threads) await thread.close();
	rmSync(dir, { recursive: true, force: true });
}
