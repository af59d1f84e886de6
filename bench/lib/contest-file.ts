// A temp SQLite file with live seasons (a team each), participants and a manager, for the
// benchmarks of the store's commands and reads (bench/review.ts, store-statements.ts,
// log-activity.ts, …).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/lib/server/db';
import { season, seasonMember, team, user } from '../../src/lib/server/db/schema';
import { sqliteStore, type Store } from '../../src/lib/server/db/store';

export interface BenchPerson {
	id: number;
	/** The season the person sells in (the first of theirs), and their team in it. */
	seasonId: number;
	teamId: number;
}

export interface BenchContest {
	/** The SQLite file, for a second connection (an older checkout's code, bench/review.ts). */
	file: string;
	db: Db;
	store: Store;
	seasons: { id: number; teamId: number }[];
	/** Person i is in season i % seasons; with `alsoNextEvery`, every such person in the next too. */
	people: BenchPerson[];
	managerId: number;
	/** Closes the connection and deletes the file. */
	remove(): void;
}

export function benchContest(
	name: string,
	options: {
		seasons?: number;
		people?: number;
		alsoNextEvery?: number;
		/** Settings every season gets (e.g. `requireConfirmation`). */
		season?: Partial<typeof season.$inferInsert>;
	} = {}
): BenchContest {
	const { seasons: seasonCount = 1, people: peopleCount = 200, alsoNextEvery = 0 } = options;
	const dir = mkdtempSync(join(tmpdir(), `honorboard-${name}-bench-`));
	const file = join(dir, 'bench.db');
	const db = openDatabase(file);
	const theme = { primary: '#2563eb', accent: '#f59e0b', emoji: '🏆', tagline: '' };
	const seasons: BenchContest['seasons'] = [];
	const people: BenchPerson[] = [];
	let managerId = 0;
	db.transaction((tx) => {
		for (let s = 0; s < seasonCount; s++) {
			const { id } = tx
				.insert(season)
				.values({
					name: `Season ${s}`,
					theme,
					startsAt: s,
					endsAt: 1e13,
					status: 'live',
					...options.season
				})
				.returning()
				.get();
			const { id: teamId } = tx.insert(team).values({ seasonId: id, name: 'T' }).returning().get();
			seasons.push({ id, teamId });
		}
		for (let i = 0; i < peopleCount; i++) {
			const { id } = tx
				.insert(user)
				.values({ email: `p${i}@x`, displayName: `P ${i}`, role: 'participant', passwordHash: 'x' })
				.returning()
				.get();
			const own = seasons[i % seasonCount];
			tx.insert(seasonMember).values({ seasonId: own.id, userId: id, teamId: own.teamId }).run();
			if (alsoNextEvery && i % alsoNextEvery === 0) {
				const next = seasons[(i + 1) % seasonCount];
				tx.insert(seasonMember)
					.values({ seasonId: next.id, userId: id, teamId: next.teamId })
					.run();
			}
			people.push({ id, seasonId: own.id, teamId: own.teamId });
		}
		managerId = tx
			.insert(user)
			.values({ email: 'boss@x', displayName: 'Boss', role: 'manager', passwordHash: 'x' })
			.returning()
			.get().id;
	});
	return {
		file,
		db,
		store: sqliteStore(db),
		seasons,
		people,
		managerId,
		remove() {
			db.$client.close();
			rmSync(dir, { recursive: true, force: true });
		}
	};
}
