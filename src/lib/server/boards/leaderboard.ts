import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { season, seasonMember, standing, team, user } from '../db/schema';
import { rank } from '../../contest/ranking';
import type { LeaderboardEntry, LeaderboardSnapshot } from '../../realtime/events';

/**
 * The season's rankings as every board shows them. Read in one transaction so that the
 * version always matches the standings it is sent with.
 */
export function getLeaderboard(db: Queryable, seasonId: number): LeaderboardSnapshot | null {
	return db.transaction((tx) => {
		const s = tx
			.select({ version: season.version, tieRule: season.tieRule, rankBy: season.rankBy })
			.from(season)
			.where(eq(season.id, seasonId))
			.get();
		if (!s) return null;
		const people = tx
			.select({
				id: user.id,
				name: user.displayName,
				teamId: team.id,
				teamName: team.name,
				emoji: team.emoji,
				color: team.color,
				confirmed: sql<number>`coalesce(${standing.confirmedPoints}, 0)`,
				provisional: sql<number>`coalesce(${standing.provisionalPoints}, 0)`,
				salesCount: sql<number>`coalesce(${standing.salesCount}, 0)`,
				reachedAt: sql<number>`coalesce(${standing.reachedAt}, ${seasonMember.joinedAt})`,
				// '!' is the unusable hash of an account whose invitation is not accepted yet.
				joined: sql<number>`${user.passwordHash} <> '!'`
			})
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.innerJoin(team, eq(team.id, seasonMember.teamId))
			.leftJoin(
				standing,
				and(
					eq(standing.seasonId, seasonMember.seasonId),
					eq(standing.subjectType, 'user'),
					eq(standing.subjectId, seasonMember.userId)
				)
			)
			.where(eq(seasonMember.seasonId, seasonId))
			.all();
		const teams = tx
			.select({
				id: team.id,
				name: team.name,
				emoji: team.emoji,
				color: team.color,
				confirmed: sql<number>`coalesce(${standing.confirmedPoints}, 0)`,
				provisional: sql<number>`coalesce(${standing.provisionalPoints}, 0)`,
				salesCount: sql<number>`coalesce(${standing.salesCount}, 0)`,
				reachedAt: sql<number>`coalesce(${standing.reachedAt}, 0)`
			})
			.from(team)
			.leftJoin(
				standing,
				and(
					eq(standing.seasonId, team.seasonId),
					eq(standing.subjectType, 'team'),
					eq(standing.subjectId, team.id)
				)
			)
			.where(eq(team.seasonId, seasonId))
			.all();
		// The ranking counts confirmed points, or confirmed + provisional as a season option;
		// entries always show both.
		const toEntry = <T extends { confirmed: number; provisional: number }>(row: T) => ({
			...row,
			points: s.rankBy === 'total' ? row.confirmed + row.provisional : row.confirmed,
			provisionalPoints: row.provisional
		});
		// People invited but not joined yet are not players: they appear once they join (or
		// score, e.g. a sale sent by the API for them).
		const players = people.filter(
			(p) => p.joined || p.salesCount > 0 || p.confirmed !== 0 || p.provisional !== 0
		);
		const individual: LeaderboardEntry[] = rank(players.map(toEntry), s.tieRule).map((r) => ({
			rank: r.rank,
			id: r.id,
			name: r.name,
			points: r.confirmed,
			provisionalPoints: r.provisionalPoints,
			salesCount: r.salesCount,
			teamId: r.teamId,
			teamName: r.teamName,
			emoji: r.emoji,
			color: r.color
		}));
		const teamEntries: LeaderboardEntry[] = rank(teams.map(toEntry), s.tieRule).map((r) => ({
			rank: r.rank,
			id: r.id,
			name: r.name,
			points: r.confirmed,
			provisionalPoints: r.provisionalPoints,
			salesCount: r.salesCount,
			emoji: r.emoji,
			color: r.color
		}));
		return { seasonId, version: s.version, individual, teams: teamEntries };
	});
}
