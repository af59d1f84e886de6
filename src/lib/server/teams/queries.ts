import { asc, eq, sql } from 'drizzle-orm';
import type { Store } from '$lib/server/db/store';

/** A season's teams and members as the console lists them, with what decides what can change. */
export async function teamsOverview(store: Store, seasonId: number) {
	const { ledgerEntry, sale, seasonMember, standing, team, user } = store.tables;
	const sales = sql<number>`(select count(*) from ${sale} where ${sale.seasonId} = ${seasonId} and ${sale.sellerId} = ${user.id})`;
	const entries = sql<number>`(select count(*) from ${ledgerEntry} where ${ledgerEntry.seasonId} = ${seasonId} and ${ledgerEntry.userId} = ${user.id})`;
	const members = (
		await store.db
			.select({
				userId: user.id,
				name: user.displayName,
				email: user.email,
				teamId: seasonMember.teamId,
				// '!' is the unusable hash of an account whose invitation is not accepted yet (a
				// boolean on PostgreSQL, 0 or 1 on SQLite).
				joined: sql<boolean | number>`${user.passwordHash} <> '!'`,
				sales: sales.mapWith(Number),
				entries: entries.mapWith(Number),
				points:
					sql<number>`coalesce((select ${standing.confirmedPoints} + ${standing.provisionalPoints} from ${standing} where ${standing.seasonId} = ${seasonId} and ${standing.subjectType} = 'user' and ${standing.subjectId} = ${user.id}), 0)`.mapWith(
						Number
					)
			})
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.where(eq(seasonMember.seasonId, seasonId))
			.orderBy(asc(user.displayName))
	).map((m) => ({ ...m, joined: !!m.joined }));
	const teams = (
		await store.db
			.select({
				id: team.id,
				name: team.name,
				color: team.color,
				emoji: team.emoji,
				history:
					sql<number>`(select count(*) from ${ledgerEntry} where ${ledgerEntry.teamId} = ${team.id}) + (select count(*) from ${sale} where ${sale.teamId} = ${team.id})`.mapWith(
						Number
					)
			})
			.from(team)
			.where(eq(team.seasonId, seasonId))
			.orderBy(asc(team.name))
	).map((t) => ({
		...t,
		members: members.filter((m) => m.teamId === t.id).length,
		history: t.history > 0
	}));
	return { teams, members };
}
