import { and, eq, sql } from 'drizzle-orm';
import type { Db, Queryable } from '$lib/server/db';
import { ledgerEntry, sale, seasonMember, standing, team } from '$lib/server/db/schema';
import { audit, type Actor } from '$lib/server/audit/record';
import { conflict, notFound } from '$lib/server/shared/errors';
import { systemClock, type Clock } from '$lib/server/shared/clock';
import { changeTeams } from './open-season';
import type { TeamInput } from './team-form';
import { m } from '../../paraglide/messages.js';

// A season's teams as the console adds, renames and deletes them.

function uniqueName(tx: Queryable, seasonId: number, name: string, except?: number) {
	const clash = tx
		.select({ id: team.id })
		.from(team)
		.where(and(eq(team.seasonId, seasonId), sql`lower(${team.name}) = lower(${name})`))
		.all()
		.find((t) => t.id !== except);
	if (clash) throw conflict('conflict', m.teams_error_team_exists({ name }), { field: 'name' });
}

export function addTeam(
	db: Db,
	seasonId: number,
	input: TeamInput,
	actor: Actor,
	clock: Clock = systemClock
) {
	return changeTeams(db, seasonId, (tx) => {
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
	return changeTeams(db, seasonId, (tx) => {
		const before = tx
			.select()
			.from(team)
			.where(and(eq(team.id, teamId), eq(team.seasonId, seasonId)))
			.get();
		if (!before) throw notFound('not_found', m.teams_error_this_team_not_in_season());
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
	return changeTeams(db, seasonId, (tx) => {
		const row = tx
			.select()
			.from(team)
			.where(and(eq(team.id, teamId), eq(team.seasonId, seasonId)))
			.get();
		if (!row) throw notFound('not_found', m.teams_error_this_team_not_in_season());
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
		if (used > 0) throw conflict('conflict', m.teams_error_team_used({ name: row.name }));
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
