// What a season's end and its archive cost on SQLite (#20: seasons/scheduler.ts's end and
// archive ported onto the store, one `write` each). Before: the synchronous `endOrArchive` on
// the write's connection (an older checkout's scheduler, `--old <worktree>`, e.g.
// `git worktree add /tmp/se-base 8f91480`, its node_modules a link to this one's and
// src/lib/paraglide copied); after: this tree's. Both run `runScheduler` on the same file, in
// turn: one season of `--people` (1,000) in four teams with standings, a grace period of a day;
// each round puts the season back to live (its results, transitions, awards and deliveries
// removed, outside the timing) and times the end (live → ended: the board read in the write,
// the results, the end-of-season badges, season.ended) and then the archive (ended → archived:
// the results again, the badges). The first round of each is not counted. Prints each round's
// CPU and wall ms and the medians. Run with
// `npx tsx bench/season-end.ts --old /tmp/se-base [--rounds 9] [--people 1000]`.
import { join, resolve } from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import {
	award,
	season,
	seasonResult,
	seasonTransition,
	standing,
	team,
	seasonMember,
	webhook,
	webhookDelivery
} from '../src/lib/server/db/schema';
import { runScheduler } from '../src/lib/server/seasons/scheduler';
import { write, type sqliteStore } from '../src/lib/server/db/store';
import { insertRows } from '../src/lib/server/db/many-rows';
import { option } from './lib/args';
import { benchContest } from './lib/contest-file';

const ROUNDS = option('rounds', 9);
const PEOPLE = option('people', 1_000);
const at = process.argv.indexOf('--old');
if (at === -1) throw new Error('--old <worktree> is needed: the code before, to compare with');
const OLD = resolve(process.argv[at + 1]);
const DAY = 86_400_000;
const END = Date.UTC(2027, 2, 31, 22);

const contest = benchContest('season-end', { people: PEOPLE });
const { db, store } = contest;
const seasonId = contest.seasons[0].id;
// Four teams, the people spread over them, each with a standing (ties every 7 points).
const teams = [contest.seasons[0].teamId];
for (const name of ['U', 'V', 'W'])
	teams.push(db.insert(team).values({ seasonId, name }).returning().get().id);
db.transaction((tx) => {
	for (const [i, p] of contest.people.entries()) {
		tx.update(seasonMember)
			.set({ teamId: teams[i % 4] })
			.where(eq(seasonMember.userId, p.id))
			.run();
		tx.insert(standing)
			.values({
				seasonId,
				subjectType: 'user',
				subjectId: p.id,
				confirmedPoints: (i * 37) % 5000,
				provisionalPoints: i % 3,
				salesCount: 1 + (i % 9),
				reachedAt: i,
				updatedAt: 0
			})
			.run();
	}
	for (const [i, id] of teams.entries())
		tx.insert(standing)
			.values({
				seasonId,
				subjectType: 'team',
				subjectId: id,
				confirmedPoints: 10_000 + i,
				reachedAt: i,
				updatedAt: 0
			})
			.run();
	tx.insert(webhook)
		.values({ url: 'https://example.test/hook', secret: 's', events: ['season.ended'] })
		.run();
});

const old = (await import(join(OLD, 'src/lib/server/seasons/scheduler.ts'))) as {
	runScheduler: typeof runScheduler;
};
const oldStore = (
	(await import(join(OLD, 'src/lib/server/db/store.ts'))) as {
		sqliteStore: typeof sqliteStore;
	}
).sqliteStore(db);

/** The season live again, ending at END, as before its end (outside the timing). */
function reset() {
	db.transaction((tx) => {
		tx.delete(seasonResult).where(eq(seasonResult.seasonId, seasonId)).run();
		tx.delete(seasonTransition).where(eq(seasonTransition.seasonId, seasonId)).run();
		tx.delete(award).where(eq(award.seasonId, seasonId)).run();
		tx.delete(webhookDelivery).run();
		tx.update(season)
			.set({ status: 'live', endsAt: END, graceDays: 1, finalizedAt: null })
			.where(inArray(season.id, [seasonId]))
			.run();
	});
}

const variants = [
	{ name: 'before (synchronous)', run: old.runScheduler, on: oldStore },
	{ name: 'store (one write)', run: runScheduler, on: store }
];
type Times = { cpu: number[]; wall: number[] };
const times = variants.map(() => ({
	end: { cpu: [], wall: [] } as Times,
	archive: { cpu: [], wall: [] } as Times
}));

async function timed(into: Times, count: boolean, step: () => Promise<unknown[]>) {
	const cpuStart = process.cpuUsage();
	const start = process.hrtime.bigint();
	const done = await step();
	const wall = Number(process.hrtime.bigint() - start) / 1e6;
	const used = process.cpuUsage(cpuStart);
	if (done.length !== 1) throw new Error(`expected one transition, got ${done.length}`);
	if (!count) return;
	into.cpu.push((used.user + used.system) / 1000);
	into.wall.push(wall);
}

console.log(`${ROUNDS - 1} counted rounds; ${PEOPLE} people, 4 teams; ms per step`);
for (let round = 0; round < ROUNDS; round++) {
	const line: string[] = [];
	for (const [v, variant] of variants.entries()) {
		reset();
		const options = (clock: number) => ({ clock: () => clock, holder: 'bench' });
		await timed(times[v].end, round > 0, () => variant.run(variant.on, options(END + 1)));
		await timed(times[v].archive, round > 0, () => variant.run(variant.on, options(END + DAY + 1)));
		if (round > 0)
			line.push(
				`${variant.name}: end ${times[v].end.cpu.at(-1)!.toFixed(1)} cpu / ${times[v].end.wall.at(-1)!.toFixed(1)} wall, archive ${times[v].archive.cpu.at(-1)!.toFixed(1)} / ${times[v].archive.wall.at(-1)!.toFixed(1)}`
			);
	}
	if (round > 0) console.log(`round ${round}: ${line.join('; ')}`);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

// The results' insert alone, as the end writes it on SQLite (raw multi-row statements on the
// write's connection, db/many-rows.ts) and as it writes it on PostgreSQL (Drizzle's builder, 500
// rows to a statement), in one write each, interleaved: whether the raw path is still worth it.
const frozen = db.select().from(seasonResult).where(eq(seasonResult.seasonId, seasonId)).all();
const rows = frozen;
const values = rows.flatMap((r) => [
	r.seasonId,
	r.subjectType,
	r.subjectId,
	r.name,
	r.teamName,
	r.rank,
	r.points,
	r.provisionalPoints,
	r.salesCount,
	r.frozenAt
]);
const RESULT_ROWS = {
	table: 'season_result',
	columns: [
		'season_id',
		'subject_type',
		'subject_id',
		'name',
		'team_name',
		'rank',
		'points',
		'provisional_points',
		'sales_count',
		'frozen_at'
	]
};
const inserts = { raw: [] as number[], builder: [] as number[] };
for (let round = 0; round < ROUNDS; round++)
	for (const kind of ['raw', 'builder'] as const) {
		const cpuStart = process.cpuUsage();
		await write(store, async (tx) => {
			await tx
				.delete(store.tables.seasonResult)
				.where(eq(store.tables.seasonResult.seasonId, seasonId));
			if (kind === 'raw') insertRows(db, RESULT_ROWS, values);
			else
				for (let from = 0; from < rows.length; from += 500)
					await tx.insert(store.tables.seasonResult).values(rows.slice(from, from + 500));
		});
		const used = process.cpuUsage(cpuStart);
		if (round > 0) inserts[kind].push((used.user + used.system) / 1000);
	}
console.log(
	`results' insert (${rows.length} rows, with the delete): raw cpu ${median(inserts.raw).toFixed(1)} ms, builder cpu ${median(inserts.builder).toFixed(1)} ms`
);
for (const [v, variant] of variants.entries())
	console.log(
		`${variant.name.padEnd(22)} end cpu ${median(times[v].end.cpu).toFixed(1)} ms (wall ${median(times[v].end.wall).toFixed(1)}), archive cpu ${median(times[v].archive.cpu).toFixed(1)} ms (wall ${median(times[v].archive.wall).toFixed(1)})`
	);
contest.remove();
