import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { makeSeason, makeTeam } from '../helpers/factories';
import { seasonMember, standing, user } from '../../src/lib/server/db/schema';
import {
	readLeaderboard,
	readPlayersCount,
	readRankingPage,
	readStanding
} from '../../src/lib/server/boards/leaderboard';
import { sqliteStore } from '../../src/lib/server/db/store';
import type { LeaderboardEntry } from '../../src/lib/realtime/events';

// The indexed window queries must give exactly the ranking readLeaderboard builds in full: the
// same rows in the same order with the same ranks, for every page and every person, with ties
// on points, on reachedAt and on names (accents and case sort by localeCompare, not SQLite),
// zero and negative scores, members without a standing row and invitees who never joined.

function random(seed: number) {
	let state = seed;
	return () => {
		state = (state * 1103515245 + 12345) % 2147483648;
		return state / 2147483648;
	};
}

const NAMES = ['Émile', 'emile', 'Zoë', 'anna', 'Anna', 'Ålex', 'bob', 'Bob', 'Ça', 'Dan'];

type Setup = { seasonId: number; tieRule: 'competition' | 'dense'; rankBy: 'confirmed' | 'total' };

describe('rank window queries equal the full ranking', () => {
	const t = tempDb();
	const setups: Setup[] = [];

	beforeAll(() => {
		const rng = random(42);
		let n = 0;
		for (const tieRule of ['competition', 'dense'] as const)
			for (const rankBy of ['confirmed', 'total'] as const) {
				const s = makeSeason(t.db, { tieRule, rankBy });
				const teams = [makeTeam(t.db, s.id), makeTeam(t.db, s.id)];
				for (let i = 0; i < 90; i++) {
					n += 1;
					const joined = rng() > 0.15;
					const u = t.db
						.insert(user)
						.values({
							email: `p${n}@example.com`,
							displayName: NAMES[Math.floor(rng() * NAMES.length)],
							passwordHash: joined ? 'hash' : '!'
						})
						.returning()
						.get();
					const joinedAt = 1000 + Math.floor(rng() * 3);
					t.db
						.insert(seasonMember)
						.values({ seasonId: s.id, userId: u.id, teamId: teams[i % 2].id, joinedAt })
						.run();
					const kind = rng();
					if (kind < 0.25) continue; // no standing row: 0 points, reachedAt = joinedAt
					const confirmed =
						kind < 0.35 ? 0 : kind < 0.4 ? -Math.floor(rng() * 5) : Math.floor(rng() * 8);
					const provisional = rng() < 0.3 ? Math.floor(rng() * 4) : 0;
					t.db
						.insert(standing)
						.values({
							seasonId: s.id,
							subjectType: 'user',
							subjectId: u.id,
							confirmedPoints: confirmed,
							provisionalPoints: provisional,
							salesCount: kind < 0.3 ? 0 : 1 + Math.floor(rng() * 3),
							reachedAt: 1000 + Math.floor(rng() * 3),
							updatedAt: 1
						})
						.run();
				}
				setups.push({ seasonId: s.id, tieRule, rankBy });
			}
	});
	afterAll(() => t.cleanup());

	const store = () => sqliteStore(t.db);
	const strip = (e: LeaderboardEntry) => ({ ...e });

	it('pages through the whole ranking in order, with the same ranks', async () => {
		for (const s of setups) {
			const full = (await readLeaderboard(store(), s.seasonId))!.individual;
			expect(full.length).toBeGreaterThan(50);
			for (const size of [1, 7, 50]) {
				const seen: LeaderboardEntry[] = [];
				let after: string | undefined;
				for (let guard = 0; guard < 400; guard++) {
					const page = (await readRankingPage(store(), s.seasonId, { after, limit: size }))!;
					seen.push(...page.entries);
					if (!page.next) break;
					after = page.next;
				}
				expect(seen.map(strip), `${s.tieRule}/${s.rankBy} pages of ${size}`).toEqual(
					full.map(strip)
				);
			}
			expect(await readPlayersCount(store(), s.seasonId)).toBe(full.length);
		}
	});

	it('gives every player the rank, neighbours and gap of the full ranking', async () => {
		for (const s of setups) {
			const full = (await readLeaderboard(store(), s.seasonId))!.individual;
			const value = (e: LeaderboardEntry) =>
				s.rankBy === 'total' ? e.points + e.provisionalPoints : e.points;
			for (const [index, entry] of full.entries()) {
				const mine = (await readStanding(store(), s.seasonId, entry.id, 2))!;
				expect(mine.entry).toEqual(entry);
				// Neighbours are people with points (everyone at 0 or below: the viewer alone).
				const scored = (e: LeaderboardEntry) => value(e) > 0;
				expect(mine.neighbours).toEqual(
					scored(entry) ? full.slice(Math.max(0, index - 2), index + 3).filter(scored) : [entry]
				);
				// As gapToNext computes it: the nearest player above with strictly more points.
				const above = full
					.slice(0, index)
					.reverse()
					.find((e) => value(e) > value(entry));
				expect(mine.gap).toEqual(
					above
						? {
								nextRank: above.rank,
								nextName: above.name,
								pointsNeeded: value(above) - value(entry) + 1
							}
						: null
				);
			}
		}
	});

	it('has no standing for someone who is not a player', async () => {
		const s = setups[0];
		expect(await readStanding(store(), s.seasonId, 999_999)).toBeNull();
	});
});
