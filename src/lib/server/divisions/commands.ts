import { and, desc, eq, lte, ne, or, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import {
	division,
	divisionMember,
	season,
	seasonMember,
	seasonResult,
	user,
	type DivisionPlacedBy,
	type Season
} from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { badRequest, conflict, notFound } from '../shared/errors';
import { placeByLastPlace, placeByTier, type PlacementMethod } from '../../contest/division';
import { DEFAULT_TIERS } from '../../contest/tiers';
import { DIVISION_LIMITS, type DivisionInput } from './division-form';
import { notifyLeaderboard } from '../realtime/publish';
import { m } from '../../paraglide/messages.js';

// The console's division commands: each one transaction that reads and then writes, so two
// managers at once never leave a season half placed. Repeating any of them is harmless.

function seasonOf(tx: Queryable, seasonId: number): Season {
	const s = tx.select().from(season).where(eq(season.id, seasonId)).get();
	if (!s) throw notFound('unknown_season', m.divisions_error_season());
	return s;
}

/** Creates a division at the bottom of the season's ladder, or edits one; returns its id. */
export function saveDivision(db: Db, input: DivisionInput, actor: Actor, now: number): number {
	const id = db.transaction(
		(tx) => {
			seasonOf(tx, input.seasonId);
			const sameName = tx
				.select()
				.from(division)
				.where(and(eq(division.seasonId, input.seasonId), eq(division.name, input.name)))
				.get();
			const values = {
				name: input.name,
				promote: input.promote,
				relegate: input.relegate,
				prizes: input.prizes
			};
			if (input.id === null) {
				// A form sent twice creates one division: the second finds the first by its name.
				if (sameName) {
					if (
						sameName.promote === input.promote &&
						sameName.relegate === input.relegate &&
						JSON.stringify(sameName.prizes ?? []) === JSON.stringify(input.prizes)
					)
						return sameName.id;
					throw conflict('division_name_taken', m.divisions_error_name_taken(), { field: 'name' });
				}
				const count = tx
					.select({ n: sql<number>`count(*)`, last: sql<number | null>`max(${division.position})` })
					.from(division)
					.where(eq(division.seasonId, input.seasonId))
					.get()!;
				if (count.n >= DIVISION_LIMITS.divisions)
					throw badRequest(
						'too_many_divisions',
						m.divisions_error_too_many({ max: DIVISION_LIMITS.divisions })
					);
				const created = tx
					.insert(division)
					.values({
						...values,
						seasonId: input.seasonId,
						position: (count.last ?? 0) + 1,
						createdAt: now
					})
					.returning({ id: division.id })
					.get();
				audit(tx, actor, 'division.create', `season:${input.seasonId}`, values, now);
				return created.id;
			}
			const current = tx
				.select()
				.from(division)
				.where(and(eq(division.id, input.id), eq(division.seasonId, input.seasonId)))
				.get();
			if (!current) throw notFound('unknown_division', m.divisions_error_unknown());
			if (sameName && sameName.id !== current.id)
				throw conflict('division_name_taken', m.divisions_error_name_taken(), { field: 'name' });
			tx.update(division).set(values).where(eq(division.id, current.id)).run();
			audit(tx, actor, 'division.update', `season:${input.seasonId}`, values, now);
			return current.id;
		},
		{ behavior: 'immediate' }
	);
	notifyLeaderboard(input.seasonId);
	return id;
}

/** Removes a division; its people are no longer in any; the ones below move up a position. */
export function deleteDivision(db: Db, id: number, actor: Actor, now: number): void {
	const seasonId = db.transaction(
		(tx) => {
			const d = tx.select().from(division).where(eq(division.id, id)).get();
			if (!d) throw notFound('unknown_division', m.divisions_error_unknown());
			tx.delete(divisionMember).where(eq(divisionMember.divisionId, id)).run();
			tx.delete(division).where(eq(division.id, id)).run();
			// One by one, top down, so the unique position never sees two equal at once.
			const below = tx
				.select({ id: division.id, position: division.position })
				.from(division)
				.where(and(eq(division.seasonId, d.seasonId), sql`${division.position} > ${d.position}`))
				.orderBy(division.position)
				.all();
			for (const b of below)
				tx.update(division)
					.set({ position: b.position - 1 })
					.where(eq(division.id, b.id))
					.run();
			audit(tx, actor, 'division.delete', `season:${d.seasonId}`, { name: d.name }, now);
			return d.seasonId;
		},
		{ behavior: 'immediate' }
	);
	notifyLeaderboard(seasonId);
}

/**
 * The season this one follows: the one it repeats, else the latest season that ended before it
 * started. Null for a first season.
 */
export function lastSeasonOf(tx: Queryable, s: Season): Season | null {
	if (s.previousSeasonId != null)
		return tx.select().from(season).where(eq(season.id, s.previousSeasonId)).get() ?? null;
	return (
		tx
			.select()
			.from(season)
			.where(
				and(
					ne(season.id, s.id),
					or(eq(season.status, 'ended'), eq(season.status, 'archived')),
					lte(season.endsAt, s.startsAt)
				)
			)
			.orderBy(desc(season.endsAt), desc(season.id))
			.limit(1)
			.get() ?? null
	);
}

/** Writes each person's division, replacing where they were. */
export function writePlacement(
	tx: Queryable,
	seasonId: number,
	placed: Map<number, number>,
	placedBy: DivisionPlacedBy,
	now: number
): void {
	for (const [userId, divisionId] of placed)
		tx.insert(divisionMember)
			.values({ seasonId, userId, divisionId, placedBy, updatedAt: now })
			.onConflictDoUpdate({
				target: [divisionMember.seasonId, divisionMember.userId],
				set: { divisionId, placedBy, updatedAt: now }
			})
			.run();
}

/**
 * Places every member of the season into a division: by the level their points reached last
 * season, or by last season's final place (new people start in the bottom division). Moves by
 * hand are replaced. Returns how many people were placed.
 */
export function placeAutomatically(
	db: Db,
	seasonId: number,
	method: PlacementMethod,
	actor: Actor,
	now: number
): number {
	const placed = db.transaction(
		(tx) => {
			const s = seasonOf(tx, seasonId);
			const divisions = tx
				.select({ id: division.id, position: division.position })
				.from(division)
				.where(eq(division.seasonId, seasonId))
				.all();
			if (divisions.length === 0)
				throw badRequest('no_divisions', m.divisions_error_none(), { field: 'method' });
			const last = lastSeasonOf(tx, s);
			const results = new Map(
				last
					? tx
							.select({
								id: seasonResult.subjectId,
								rank: seasonResult.rank,
								points: seasonResult.points
							})
							.from(seasonResult)
							.where(and(eq(seasonResult.seasonId, last.id), eq(seasonResult.subjectType, 'user')))
							.all()
							.map((r) => [r.id, r])
					: []
			);
			const people = tx
				.select({ id: seasonMember.userId, name: user.displayName })
				.from(seasonMember)
				.innerJoin(user, eq(user.id, seasonMember.userId))
				.where(eq(seasonMember.seasonId, seasonId))
				.all();
			const placed =
				method === 'tier'
					? placeByTier(
							people.map((p) => ({ id: p.id, points: results.get(p.id)?.points ?? null })),
							divisions,
							last?.tiers ?? s.tiers ?? DEFAULT_TIERS
						)
					: placeByLastPlace(
							people.map((p) => ({
								id: p.id,
								rank: results.get(p.id)?.rank ?? null,
								name: p.name
							})),
							divisions
						);
			writePlacement(tx, seasonId, placed, method, now);
			audit(
				tx,
				actor,
				'division.place',
				`season:${seasonId}`,
				{ method, people: placed.size, lastSeasonId: last?.id ?? null },
				now
			);
			return placed.size;
		},
		{ behavior: 'immediate' }
	);
	notifyLeaderboard(seasonId);
	return placed;
}

/** Moves one member of the season into a division (or out of every division) by hand. */
export function moveMember(
	db: Db,
	input: { seasonId: number; userId: number; divisionId: number | null },
	actor: Actor,
	now: number
): void {
	db.transaction(
		(tx) => {
			const member = tx
				.select({ id: seasonMember.userId })
				.from(seasonMember)
				.where(
					and(eq(seasonMember.seasonId, input.seasonId), eq(seasonMember.userId, input.userId))
				)
				.get();
			if (!member)
				throw notFound('unknown_member', m.divisions_error_member(), { field: 'userId' });
			if (input.divisionId === null) {
				tx.delete(divisionMember)
					.where(
						and(
							eq(divisionMember.seasonId, input.seasonId),
							eq(divisionMember.userId, input.userId)
						)
					)
					.run();
			} else {
				const d = tx
					.select({ id: division.id })
					.from(division)
					.where(and(eq(division.id, input.divisionId), eq(division.seasonId, input.seasonId)))
					.get();
				if (!d)
					throw notFound('unknown_division', m.divisions_error_unknown(), { field: 'divisionId' });
				writePlacement(tx, input.seasonId, new Map([[input.userId, d.id]]), 'hand', now);
			}
			audit(
				tx,
				actor,
				'division.move',
				`user:${input.userId}`,
				{
					seasonId: input.seasonId,
					divisionId: input.divisionId
				},
				now
			);
		},
		{ behavior: 'immediate' }
	);
	notifyLeaderboard(input.seasonId);
}
