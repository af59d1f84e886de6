// What choosing the season a page shows costs on SQLite (#20: seasons/choice.ts and
// seasons/queries.ts ported onto the store). The app's layout runs it on every signed-in page:
// the person's live seasons (the switcher), the chosen season, then the person's team in it.
// Before: the synchronous reads the layout ran (the same queries with `.all()`/`.get()`: the
// options query as choice.ts had it, and the synchronous twins getSeason, getLiveSeasonFor and
// getMembership that the sales path keeps); after: the awaited `chosenSeason(store, …)` and
// `readMembership(store, …)`. One file of 5 live seasons and 2,000 people (each in one season,
// every tenth in two); people taken in turn, half with a remembered choice (the cookie), half
// without; variants interleaved, rounds × iterations; prints the median µs and CPU µs per page.
// Run with `npx tsx bench/season-choice.ts [--rounds 9] [--n 20000]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../src/lib/server/db';
import { season, seasonMember, team, user } from '../src/lib/server/db/schema';
import { sqliteStore } from '../src/lib/server/db/store';
import { chosenSeason } from '../src/lib/server/seasons/chosen';
import {
	getLiveSeasonFor,
	getMembership,
	getSeason,
	readMembership
} from '../src/lib/server/seasons/queries';
import { option } from './lib/args';
import { timeInterleaved } from './lib/interleaved';

const ROUNDS = option('rounds', 9);
const N = option('n', 20_000);
const SEASONS = 5;
const PEOPLE = 2_000;

const dir = mkdtempSync(join(tmpdir(), 'honorboard-season-choice-bench-'));
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
const people: { id: number; role: 'participant'; cookie: string | undefined }[] = [];
db.transaction((tx) => {
	for (let i = 0; i < PEOPLE; i++) {
		const { id } = tx
			.insert(user)
			.values({ email: `p${i}@x`, displayName: `P ${i}`, role: 'participant', passwordHash: 'x' })
			.returning()
			.get();
		const own = seasons[i % SEASONS];
		tx.insert(seasonMember).values({ seasonId: own.id, userId: id, teamId: own.teamId }).run();
		if (i % 10 === 0) {
			const second = seasons[(i + 1) % SEASONS];
			tx.insert(seasonMember)
				.values({ seasonId: second.id, userId: id, teamId: second.teamId })
				.run();
		}
		people.push({ id, role: 'participant', cookie: i % 2 ? String(own.id) : undefined });
	}
});
const url = new URL('http://127.0.0.1/');
const cookiesOf = (cookie: string | undefined) => ({
	get: () => cookie,
	set: () => {}
});

/** The layout's reads before the port, as choice.ts and +layout.server.ts ran them. */
function before(d: Db, person: (typeof people)[number]) {
	const options = d
		.select({ id: season.id, name: season.name, theme: season.theme })
		.from(season)
		.innerJoin(seasonMember, eq(seasonMember.seasonId, season.id))
		.where(and(eq(season.status, 'live'), eq(seasonMember.userId, person.id)))
		.orderBy(desc(season.startsAt), desc(season.id))
		.all()
		.map((r) => ({ id: r.id, name: r.name, emoji: r.theme.emoji }));
	const remembered = Number(person.cookie);
	const pick = options.some((o) => o.id === remembered) ? remembered : undefined;
	const chosen = (pick ? getSeason(d, pick) : undefined) ?? getLiveSeasonFor(d, person.id);
	return chosen ? getMembership(d, chosen.id, person.id) : undefined;
}

async function after(person: (typeof people)[number]) {
	const { season: chosen } = await chosenSeason(store, person, url, cookiesOf(person.cookie));
	return chosen ? readMembership(store, chosen.id, person.id) : undefined;
}

const at = (i: number) => people[i % PEOPLE];
console.log(
	`${ROUNDS - 1} counted rounds; ${N} pages per round; ${PEOPLE} people, ${SEASONS} seasons`
);
await timeInterleaved(
	[
		{
			name: 'layout reads, before (synchronous)',
			ops: N,
			run: () => {
				for (let i = 0; i < N; i++) if (!before(db, at(i))) throw new Error('no season');
			}
		},
		{
			name: 'layout reads, store (awaited)',
			ops: N,
			run: async () => {
				for (let i = 0; i < N; i++) if (!(await after(at(i)))) throw new Error('no season');
			}
		}
	],
	ROUNDS
);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
