import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '$lib/server/db';
import {
	invite,
	ledgerEntry,
	sale,
	season,
	seasonMember,
	standing,
	team,
	user
} from '$lib/server/db/schema';
import { audit, type Actor } from '$lib/server/audit/record';
import { bumpVersion } from '$lib/server/scoring/standings';
import { notifyLeaderboard } from '$lib/server/realtime/publish';
import { systemClock, type Clock } from '$lib/server/shared/clock';

// Teams and memberships of one season, as the console changes them. Every change shows on the
// boards (team names, who is in which team), so each one bumps the leaderboard version.
// Note: ledger entries keep the team of the time, so a member who moves leaves their earlier
// points with the old team; only their new points count for the new one.

export class TeamsError extends Error {
	constructor(
		readonly code: 'not_found' | 'locked' | 'conflict',
		message: string,
		readonly field?: 'name' | 'color' | 'emoji'
	) {
		super(message);
	}
}

export const teamSchema = z.object({
	name: z
		.string()
		.trim()
		.min(1, 'Give the team a name')
		.max(40, 'Keep the name under 40 characters'),
	color: z
		.string()
		.trim()
		.regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #ef4444')
		.transform((c) => c.toLowerCase()),
	emoji: z.string().trim().min(1, 'Pick an emoji').max(16, 'One emoji is enough')
});
export type TeamInput = z.infer<typeof teamSchema>;

/** The season, if its teams can still change (not after it ended: results are frozen). */
export function openSeason(tx: Queryable | Db, seasonId: number) {
	const s = tx.select().from(season).where(eq(season.id, seasonId)).get();
	if (!s) throw new TeamsError('not_found', 'This season no longer exists');
	if (s.status === 'ended' || s.status === 'archived')
		throw new TeamsError('locked', 'This season is over: its teams are part of the results now');
	return s;
}

export function teamsOverview(db: Db, seasonId: number) {
	const sales = sql<number>`(select count(*) from ${sale} where ${sale.seasonId} = ${seasonId} and ${sale.sellerId} = ${user.id})`;
	const entries = sql<number>`(select count(*) from ${ledgerEntry} where ${ledgerEntry.seasonId} = ${seasonId} and ${ledgerEntry.userId} = ${user.id})`;
	const members = db
		.select({
			userId: user.id,
			name: user.displayName,
			email: user.email,
			teamId: seasonMember.teamId,
			// '!' is the unusable hash of an account whose invitation is not accepted yet.
			joined: sql<number>`${user.passwordHash} <> '!'`,
			sales,
			entries,
			points: sql<number>`coalesce((select ${standing.confirmedPoints} + ${standing.provisionalPoints} from ${standing} where ${standing.seasonId} = ${seasonId} and ${standing.subjectType} = 'user' and ${standing.subjectId} = ${user.id}), 0)`
		})
		.from(seasonMember)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.where(eq(seasonMember.seasonId, seasonId))
		.orderBy(asc(user.displayName))
		.all()
		.map((m) => ({ ...m, joined: !!m.joined }));
	const teams = db
		.select({
			id: team.id,
			name: team.name,
			color: team.color,
			emoji: team.emoji,
			history: sql<number>`(select count(*) from ${ledgerEntry} where ${ledgerEntry.teamId} = ${team.id}) + (select count(*) from ${sale} where ${sale.teamId} = ${team.id})`
		})
		.from(team)
		.where(eq(team.seasonId, seasonId))
		.orderBy(asc(team.name))
		.all()
		.map((t) => ({
			...t,
			members: members.filter((m) => m.teamId === t.id).length,
			history: t.history > 0
		}));
	return { teams, members };
}

function changed<T>(db: Db, seasonId: number, run: (tx: Queryable) => T): T {
	const result = db.transaction(
		(tx) => {
			const out = run(tx);
			bumpVersion(tx, seasonId);
			return out;
		},
		{ behavior: 'immediate' }
	);
	notifyLeaderboard(seasonId);
	return result;
}

function uniqueName(tx: Queryable, seasonId: number, name: string, except?: number) {
	const clash = tx
		.select({ id: team.id })
		.from(team)
		.where(and(eq(team.seasonId, seasonId), sql`lower(${team.name}) = lower(${name})`))
		.all()
		.find((t) => t.id !== except);
	if (clash) throw new TeamsError('conflict', `There is already a team called ${name}`, 'name');
}

export function addTeam(
	db: Db,
	seasonId: number,
	input: TeamInput,
	actor: Actor,
	clock: Clock = systemClock
) {
	return changed(db, seasonId, (tx) => {
		openSeason(tx, seasonId);
		uniqueName(tx, seasonId, input.name);
		const row = tx
			.insert(team)
			.values({ seasonId, ...input })
			.returning()
			.get();
		audit(tx, actor, 'team.create', `team:${row.id}`, { seasonId, ...input }, clock());
		return row;
	});
}

export function updateTeam(
	db: Db,
	seasonId: number,
	teamId: number,
	input: TeamInput,
	actor: Actor,
	clock: Clock = systemClock
) {
	return changed(db, seasonId, (tx) => {
		openSeason(tx, seasonId);
		const before = tx
			.select()
			.from(team)
			.where(and(eq(team.id, teamId), eq(team.seasonId, seasonId)))
			.get();
		if (!before) throw new TeamsError('not_found', 'This team is not in the season');
		uniqueName(tx, seasonId, input.name, teamId);
		const row = tx.update(team).set(input).where(eq(team.id, teamId)).returning().get();
		const diff = Object.fromEntries(
			(['name', 'color', 'emoji'] as const)
				.filter((k) => before[k] !== input[k])
				.map((k) => [k, { from: before[k], to: input[k] }])
		);
		audit(tx, actor, 'team.update', `team:${teamId}`, { seasonId, ...diff }, clock());
		return row;
	});
}

/** Only an empty team that never scored: points and sales keep their team for good. */
export function deleteTeam(
	db: Db,
	seasonId: number,
	teamId: number,
	actor: Actor,
	clock: Clock = systemClock
) {
	return changed(db, seasonId, (tx) => {
		openSeason(tx, seasonId);
		const row = tx
			.select()
			.from(team)
			.where(and(eq(team.id, teamId), eq(team.seasonId, seasonId)))
			.get();
		if (!row) throw new TeamsError('not_found', 'This team is not in the season');
		const used =
			tx
				.select({ n: sql<number>`count(*)` })
				.from(seasonMember)
				.where(eq(seasonMember.teamId, teamId))
				.get()!.n +
			tx
				.select({ n: sql<number>`count(*)` })
				.from(ledgerEntry)
				.where(eq(ledgerEntry.teamId, teamId))
				.get()!.n +
			tx
				.select({ n: sql<number>`count(*)` })
				.from(sale)
				.where(eq(sale.teamId, teamId))
				.get()!.n;
		if (used > 0)
			throw new TeamsError(
				'conflict',
				`${row.name} has members or points: move its members first; a team that scored stays`
			);
		tx.delete(standing)
			.where(
				and(
					eq(standing.seasonId, seasonId),
					eq(standing.subjectType, 'team'),
					eq(standing.subjectId, teamId)
				)
			)
			.run();
		tx.delete(team).where(eq(team.id, teamId)).run();
		audit(tx, actor, 'team.delete', `team:${teamId}`, { seasonId, name: row.name }, clock());
		return row;
	});
}

export function moveMember(
	db: Db,
	seasonId: number,
	userId: number,
	teamId: number,
	actor: Actor,
	clock: Clock = systemClock
) {
	return changed(db, seasonId, (tx) => {
		openSeason(tx, seasonId);
		const member = tx
			.select()
			.from(seasonMember)
			.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
			.get();
		if (!member) throw new TeamsError('not_found', 'This person is not in the season');
		const target = tx
			.select()
			.from(team)
			.where(and(eq(team.id, teamId), eq(team.seasonId, seasonId)))
			.get();
		if (!target) throw new TeamsError('not_found', 'That team is not in the season');
		if (member.teamId === teamId) return { moved: false as const, team: target.name };
		tx.update(seasonMember)
			.set({ teamId })
			.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
			.run();
		audit(
			tx,
			actor,
			'member.move',
			`user:${userId}`,
			{ seasonId, fromTeamId: member.teamId, toTeamId: teamId },
			clock()
		);
		return { moved: true as const, team: target.name };
	});
}

/** Only someone who has not scored in the season: otherwise the ledger would lose its owner. */
export function removeMember(
	db: Db,
	seasonId: number,
	userId: number,
	actor: Actor,
	clock: Clock = systemClock
) {
	return changed(db, seasonId, (tx) => {
		openSeason(tx, seasonId);
		const member = tx
			.select({ teamId: seasonMember.teamId, name: user.displayName })
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
			.get();
		if (!member) throw new TeamsError('not_found', 'This person is not in the season');
		const sales = tx
			.select({ n: sql<number>`count(*)` })
			.from(sale)
			.where(and(eq(sale.seasonId, seasonId), eq(sale.sellerId, userId)))
			.get()!.n;
		const entries = tx
			.select({ n: sql<number>`count(*)` })
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.seasonId, seasonId), eq(ledgerEntry.userId, userId)))
			.get()!.n;
		if (sales + entries > 0)
			throw new TeamsError(
				'conflict',
				`${member.name} has sales or points in this season and stays in it; move them to another team instead`
			);
		tx.delete(seasonMember)
			.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
			.run();
		// An unused invitation to this season must not outlive the membership.
		tx.delete(invite)
			.where(
				and(eq(invite.userId, userId), eq(invite.seasonId, seasonId), isNull(invite.acceptedAt))
			)
			.run();
		audit(
			tx,
			actor,
			'member.remove',
			`user:${userId}`,
			{ seasonId, teamId: member.teamId },
			clock()
		);
		return member;
	});
}
