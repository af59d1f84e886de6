import { and, eq, sql } from 'drizzle-orm';
import type { Store, StoreDb } from '$lib/server/db/store';
import { auditInWrite, type Actor } from '$lib/server/audit/record';
import { conflict, notFound } from '$lib/server/shared/errors';
import { systemClock, type Clock } from '$lib/server/shared/clock';
import { changeTeams } from './open-season';
import type { TeamInput } from './team-form';
import { m } from '../../paraglide/messages.js';

// A season's teams as the console adds, renames and deletes them, through the store: a team
// added on one node is refused as a duplicate on every other.

async function uniqueName(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	name: string,
	except?: number
) {
	const { team } = store.tables;
	const clash = (
		await tx
			.select({ id: team.id })
			.from(team)
			.where(and(eq(team.seasonId, seasonId), sql`lower(${team.name}) = lower(${name})`))
	).find((t) => t.id !== except);
	if (clash) throw conflict('conflict', m.teams_error_team_exists({ name }), { field: 'name' });
}

export function addTeam(
	store: Store,
	seasonId: number,
	input: TeamInput,
	actor: Actor,
	clock: Clock = systemClock
) {
	const { team } = store.tables;
	return changeTeams(store, seasonId, async (tx) => {
		await uniqueName(tx, store, seasonId, input.name);
		const [row] = await tx
			.insert(team)
			.values({ seasonId, ...input })
			.returning();
		const at = clock();
		await auditInWrite(
			tx,
			store,
			actor,
			'team.create',
			`team:${row.id}`,
			{ seasonId, ...input },
			at
		);
		return row;
	});
}

export function updateTeam(
	store: Store,
	seasonId: number,
	teamId: number,
	input: TeamInput,
	actor: Actor,
	clock: Clock = systemClock
) {
	const { team } = store.tables;
	return changeTeams(store, seasonId, async (tx) => {
		const [before] = await tx
			.select()
			.from(team)
			.where(and(eq(team.id, teamId), eq(team.seasonId, seasonId)));
		if (!before) throw notFound('not_found', m.teams_error_this_team_not_in_season());
		await uniqueName(tx, store, seasonId, input.name, teamId);
		const [row] = await tx.update(team).set(input).where(eq(team.id, teamId)).returning();
		const diff = Object.fromEntries(
			(['name', 'color', 'emoji'] as const)
				.filter((k) => before[k] !== input[k])
				.map((k) => [k, { from: before[k], to: input[k] }])
		);
		await auditInWrite(
			tx,
			store,
			actor,
			'team.update',
			`team:${teamId}`,
			{ seasonId, ...diff },
			clock()
		);
		return row;
	});
}

/** Only an empty team that never scored: points and sales keep their team for good. */
export function deleteTeam(
	store: Store,
	seasonId: number,
	teamId: number,
	actor: Actor,
	clock: Clock = systemClock
) {
	const { ledgerEntry, sale, seasonMember, standing, team } = store.tables;
	return changeTeams(store, seasonId, async (tx) => {
		const [row] = await tx
			.select()
			.from(team)
			.where(and(eq(team.id, teamId), eq(team.seasonId, seasonId)));
		if (!row) throw notFound('not_found', m.teams_error_this_team_not_in_season());
		const count = async (rows: Promise<{ n: number }[]>) => (await rows)[0].n;
		const used =
			(await count(
				tx
					.select({ n: sql<number>`count(*)` })
					.from(seasonMember)
					.where(eq(seasonMember.teamId, teamId))
			)) +
			(await count(
				tx
					.select({ n: sql<number>`count(*)` })
					.from(ledgerEntry)
					.where(eq(ledgerEntry.teamId, teamId))
			)) +
			(await count(
				tx
					.select({ n: sql<number>`count(*)` })
					.from(sale)
					.where(eq(sale.teamId, teamId))
			));
		if (used > 0) throw conflict('conflict', m.teams_error_team_used({ name: row.name }));
		await tx
			.delete(standing)
			.where(
				and(
					eq(standing.seasonId, seasonId),
					eq(standing.subjectType, 'team'),
					eq(standing.subjectId, teamId)
				)
			);
		await tx.delete(team).where(eq(team.id, teamId));
		await auditInWrite(
			tx,
			store,
			actor,
			'team.delete',
			`team:${teamId}`,
			{ seasonId, name: row.name },
			clock()
		);
		return row;
	});
}
