// The knockout's due round read at size (issue #13): readDueRound → readBracket → readPeriodTotals for
// the demo knockout's entrants, on a copy of bench:restart's 200,000-sale template (run
// `npm run bench:restart` once to make it), 15 times each, with one round's periodTotals alone.
//   npx tsx bench/knockout-due.mts [template dir]
// It runs on the read thread in the server: this times the read, not the event loop.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/lib/server/db';
import { readDueRound } from '../src/lib/server/knockouts/advance';
import { read, sqliteStore } from '../src/lib/server/db/store';
import { periodTotals } from '../src/lib/server/formats/measure';

const template = process.argv[2] ?? 'bench/results/restart-template-200000';
const dir = mkdtempSync(join(tmpdir(), 'honorboard-bench-knockout-'));
for (const suffix of ['', '-wal'])
	if (existsSync(join(template, `honorboard.db${suffix}`)))
		copyFileSync(join(template, `honorboard.db${suffix}`), join(dir, `honorboard.db${suffix}`));
const db = openDatabase(join(dir, 'honorboard.db'));
const DAY = 86_400_000;
const k = db.$client.prepare('select * from knockout order by id limit 1').get() as {
	id: number;
	season_id: number;
	starts_at: number;
};
// After the second round's grace period: round 1 is due, with round 0 summed again before it.
const now = k.starts_at + 2 * DAY + 3 * 3_600_000;
const ids = (
	db.$client
		.prepare('select a_id, b_id from knockout_match where knockout_id = ? and round = 0')
		.all(k.id) as { a_id: number | null; b_id: number | null }[]
)
	.flatMap((m) => [m.a_id, m.b_id])
	.filter((id): id is number => id !== null);

async function timed(work: () => unknown): Promise<number[]> {
	const times: number[] = [];
	for (let i = 0; i < 15; i++) {
		const started = performance.now();
		await work();
		times.push(performance.now() - started);
	}
	return times;
}
const store = sqliteStore(db);
// As the read thread reads it: one snapshot.
const dueRound = () => read(store, (tx) => readDueRound(tx, store.tables, k.id, now));
const due = await timed(dueRound);
const round = await timed(() =>
	periodTotals(db, {
		seasonId: k.season_id,
		subject: 'user',
		from: k.starts_at + DAY,
		to: k.starts_at + 2 * DAY,
		measure: { kind: 'points' },
		ids
	})
);
const text = (times: number[]) => {
	const sorted = [...times].sort((a, b) => a - b);
	return `median ${sorted[7].toFixed(1)} ms, min ${sorted[0].toFixed(1)} ms`;
};
const frozen = await dueRound();
console.log(`${ids.length} entrants; due round ${frozen?.round}: ${text(due)}`);
console.log(`one round's periodTotals: ${text(round)}`);
console.log(
	`winners ${JSON.stringify(frozen?.matches.map((m) => [m.aId, m.aValue, m.bId, m.bValue, m.winnerId]))}`
);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
