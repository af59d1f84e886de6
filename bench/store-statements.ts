// What keeping the store's statements prepared saves on SQLite (#20: db/store.ts prepares each
// query text once per connection, `cachedStatement`; before, Drizzle prepared every query it
// ran again). Two paths the store already serves, each timed three ways in one process:
// - the synchronous code the path had before its port (the anchor: `db.transaction` and
//   `.get()`/`.run()`/`.all()`, as bench/adjust-points.ts and bench/season-choice.ts time it);
// - the store code of an older checkout, whose store prepared every query (`--old <worktree>`,
//   e.g. `git worktree add /work/wt-old aa6e1cb`);
// - the store code of this checkout.
// The paths: a manager's adjustment (`adjustPoints`, one write of six statements) and the
// season a signed-in page shows (`chosenSeason` + `readMembership`, reads outside a write), on
// one file of 5 live seasons and 2,000 people. Variants interleaved, rounds × iterations; prints
// the median µs and CPU µs per operation.
// Run with `npx tsx bench/store-statements.ts [--old <worktree>] [--rounds 7] [--n 5000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../src/lib/server/db';
import { season, seasonMember, team, user } from '../src/lib/server/db/schema';
import { sqliteStore, type Store } from '../src/lib/server/db/store';
import { adjustPoints } from '../src/lib/server/scoring/adjustments';
import { appendEntry } from '../src/lib/server/scoring/ledger';
import { bumpVersion } from '../src/lib/server/scoring/standings';
import { audit } from '../src/lib/server/audit/record';
import { chosenSeason } from '../src/lib/server/seasons/chosen';
import {
	getLiveSeasonFor,
	getMembership,
	getSeason,
	readMembership
} from '../src/lib/server/seasons/queries';
import { option } from './lib/args';
import { timeInterleaved, type Variant } from './lib/interleaved';

const ROUNDS = option('rounds', 7);
const N = option('n', 5_000);
const at = process.argv.indexOf('--old');
const OLD = at === -1 ? null : resolve(process.argv[at + 1]);
const SEASONS = 5;
const PEOPLE = 2_000;

const dir = mkdtempSync(join(tmpdir(), 'honorboard-store-statements-bench-'));
const db = openDatabase(join(dir, 'bench.db'));
const store = sqliteStore(db);
const theme = { primary: '#2563eb', accent: '#f59e0b', emoji: '🏆', tagline: '' };
const seasons: { id: number; teamId: number }[] = [];
for (let s = 0; s < SEASONS; s++) {
	const { id } = db
		.insert(season)
		.values({ name: `Season ${s}`, theme, startsAt: s, endsAt: 1e13, status: 'live' })
		.returning()
		.get();
	const { id: teamId } = db.insert(team).values({ seasonId: id, name: 'Team' }).returning().get();
	seasons.push({ id, teamId });
}
const people: { id: number; seasonId: number; role: 'participant'; cookie?: string }[] = [];
db.transaction((tx) => {
	for (let i = 0; i < PEOPLE; i++) {
		const { id } = tx
			.insert(user)
			.values({ email: `p${i}@x`, displayName: `P ${i}`, role: 'participant', passwordHash: 'x' })
			.returning()
			.get();
		const own = seasons[i % SEASONS];
		tx.insert(seasonMember).values({ seasonId: own.id, userId: id, teamId: own.teamId }).run();
		people.push({
			id,
			seasonId: own.id,
			role: 'participant',
			cookie: i % 2 ? String(own.id) : undefined
		});
	}
});
const { id: managerId } = db
	.insert(user)
	.values({ email: 'boss@x', displayName: 'Boss', role: 'manager', passwordHash: 'x' })
	.returning()
	.get();
const person = (i: number) => people[i % PEOPLE];
const adjustment = (i: number) => ({
	seasonId: person(i).seasonId,
	userId: person(i).id,
	points: (i % 7) + 1,
	reason: 'bench',
	actor: { userId: managerId }
});
const url = new URL('http://127.0.0.1/');
const cookiesOf = (cookie: string | undefined) => ({ get: () => cookie, set: () => {} });

/** adjustPoints' body before its port (its checks left out: every variant passes them). */
function adjustBefore(i: number): number {
	const { seasonId, userId, points, reason, actor } = adjustment(i);
	const now = Date.now();
	return db.transaction(
		(tx) => {
			const member = tx
				.select({ teamId: seasonMember.teamId })
				.from(seasonMember)
				.innerJoin(user, eq(user.id, seasonMember.userId))
				.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
				.get()!;
			const id = appendEntry(
				tx,
				{
					...{ seasonId, userId, teamId: member.teamId, kind: 'adjustment', points },
					...{ status: 'confirmed', reason, createdById: actor.userId }
				},
				now
			);
			audit(tx, actor, 'points.adjust', `user:${userId}`, { seasonId, points, reason }, now);
			bumpVersion(tx, seasonId);
			return id;
		},
		{ behavior: 'immediate' }
	);
}

/** The layout's reads before the port (bench/season-choice.ts). */
function pageBefore(d: Db, p: (typeof people)[number]) {
	const options = d
		.select({ id: season.id, name: season.name, theme: season.theme })
		.from(season)
		.innerJoin(seasonMember, eq(seasonMember.seasonId, season.id))
		.where(and(eq(season.status, 'live'), eq(seasonMember.userId, p.id)))
		.orderBy(desc(season.startsAt), desc(season.id))
		.all();
	const remembered = Number(p.cookie);
	const pick = options.some((o) => o.id === remembered) ? remembered : undefined;
	const chosen = (pick ? getSeason(d, pick) : undefined) ?? getLiveSeasonFor(d, p.id);
	return chosen ? getMembership(d, chosen.id, p.id) : undefined;
}

type StoreCode = {
	name: string;
	store: Store;
	adjust: typeof adjustPoints;
	chosen: typeof chosenSeason;
	membership: typeof readMembership;
};
const codes: StoreCode[] = [];
if (OLD) {
	const load = async <T>(path: string) => (await import(join(OLD, 'src/lib/server', path))) as T;
	const oldStore = await load<{ sqliteStore: typeof sqliteStore }>('db/store.ts');
	codes.push({
		name: 'older store',
		store: oldStore.sqliteStore(db),
		adjust: (await load<{ adjustPoints: typeof adjustPoints }>('scoring/adjustments.ts'))
			.adjustPoints,
		chosen: (await load<{ chosenSeason: typeof chosenSeason }>('seasons/chosen.ts')).chosenSeason,
		membership: (await load<{ readMembership: typeof readMembership }>('seasons/queries.ts'))
			.readMembership
	});
}
codes.push({
	name: 'this store',
	store,
	adjust: adjustPoints,
	chosen: chosenSeason,
	membership: readMembership
});

const variants: Variant[] = [
	{
		name: 'adjust, synchronous',
		ops: N,
		run: () => {
			for (let i = 0; i < N; i++) adjustBefore(i);
		}
	},
	...codes.map((code) => ({
		name: `adjust, ${code.name}`,
		ops: N,
		run: async () => {
			for (let i = 0; i < N; i++) await code.adjust(code.store, adjustment(i));
		}
	})),
	{
		name: 'page, synchronous',
		ops: N * 4,
		run: () => {
			for (let i = 0; i < N * 4; i++) if (!pageBefore(db, person(i))) throw new Error('none');
		}
	},
	...codes.map((code) => ({
		name: `page, ${code.name}`,
		ops: N * 4,
		run: async () => {
			for (let i = 0; i < N * 4; i++) {
				const p = person(i);
				const { season: chosen } = await code.chosen(code.store, p, url, cookiesOf(p.cookie));
				if (!chosen || !(await code.membership(code.store, chosen.id, p.id)))
					throw new Error('none');
			}
		}
	}))
];

console.log(
	`${ROUNDS - 1} counted rounds; ${N} adjustments, ${N * 4} pages per round; ` +
		`${PEOPLE} people, ${SEASONS} seasons`
);
await timeInterleaved(variants, ROUNDS);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
