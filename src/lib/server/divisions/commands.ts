import { and, eq, sql } from 'drizzle-orm';
import type { DivisionPlacedBy, SeasonPrize } from '../db/schema';
import { write, type Store, type StoreDb } from '../db/store';
import { readsOnStore } from '../db/reads';
import { lastSeasonIdOf } from '../quotas/ranking';
import { auditInWrite, type Actor } from '../audit/record';
import { badRequest, conflict, notFound } from '../shared/errors';
import { placeByLastPlace, placeByTier, type PlacementMethod } from '../../contest/division';
import { DEFAULT_TIERS } from '../../contest/tiers';
import { DIVISION_LIMITS, type DivisionInput } from './division-form';
import { notifyLeaderboard } from '../realtime/publish';
import { m } from '../../paraglide/messages.js';

// The console's division commands: each one write (db/store.ts) that reads and then writes, so
// two managers at once, on one node or two, never leave a season half placed. Repeating any of
// them is harmless. The boards hear of it after the commit.

async function seasonInWrite(tx: StoreDb, store: Store, seasonId: number): Promise<StoreSeason> {
	const { season } = store.tables;
	const [s] = await tx.select().from(season).where(eq(season.id, seasonId));
	if (!s) throw notFound('unknown_season', m.divisions_error_season());
	return s;
}

type StoreSeason = Store['tables']['season']['$inferSelect'];

/**
 * Whether a division's prizes are the ones a form asks for: by title and place, what the form
 * sets (PostgreSQL's jsonb does not keep an object's key order, so the JSON text may differ).
 */
function samePrizes(had: readonly SeasonPrize[] | null, asked: readonly SeasonPrize[]): boolean {
	const prizes = had ?? [];
	return (
		prizes.length === asked.length &&
		prizes.every((p, i) => p.title === asked[i].title && p.place === asked[i].place)
	);
}

/** Creates a division at the bottom of the season's ladder, or edits one; returns its id. */
export async function saveDivision(
	store: Store,
	input: DivisionInput,
	actor: Actor,
	now: number
): Promise<number> {
	const { division } = store.tables;
	const id = await write(store, async (tx) => {
		await seasonInWrite(tx, store, input.seasonId);
		const [sameName] = await tx
			.select()
			.from(division)
			.where(and(eq(division.seasonId, input.seasonId), eq(division.name, input.name)));
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
					samePrizes(sameName.prizes, input.prizes)
				)
					return sameName.id;
				throw conflict('division_name_taken', m.divisions_error_name_taken(), { field: 'name' });
			}
			const [count] = await tx
				.select({
					n: sql<number>`count(*)`.mapWith(Number),
					last: sql<number | null>`max(${division.position})`.mapWith(Number)
				})
				.from(division)
				.where(eq(division.seasonId, input.seasonId));
			if (count.n >= DIVISION_LIMITS.divisions)
				throw badRequest(
					'too_many_divisions',
					m.divisions_error_too_many({ max: DIVISION_LIMITS.divisions })
				);
			const position = (count.last ?? 0) + 1;
			// Read the very key about to be written (none is there): a division made on another
			// node at once then fails this write as a serialization failure, which write() runs
			// again, instead of as a duplicate position or name (PostgreSQL reports a unique
			// violation as a conflict only for a key the transaction has read).
			await tx
				.select({ id: division.id })
				.from(division)
				.where(and(eq(division.seasonId, input.seasonId), eq(division.position, position)));
			const [created] = await tx
				.insert(division)
				.values({
					...values,
					seasonId: input.seasonId,
					position,
					createdAt: now
				})
				.returning({ id: division.id });
			await auditInWrite(
				tx,
				store,
				actor,
				'division.create',
				`season:${input.seasonId}`,
				values,
				now
			);
			return created.id;
		}
		const [current] = await tx
			.select()
			.from(division)
			.where(and(eq(division.id, input.id), eq(division.seasonId, input.seasonId)));
		if (!current) throw notFound('unknown_division', m.divisions_error_unknown());
		if (sameName && sameName.id !== current.id)
			throw conflict('division_name_taken', m.divisions_error_name_taken(), { field: 'name' });
		await tx.update(division).set(values).where(eq(division.id, current.id));
		await auditInWrite(
			tx,
			store,
			actor,
			'division.update',
			`season:${input.seasonId}`,
			values,
			now
		);
		return current.id;
	});
	notifyLeaderboard(input.seasonId);
	return id;
}

/** Removes a division; its people are no longer in any; the ones below move up a position. */
export async function deleteDivision(
	store: Store,
	id: number,
	actor: Actor,
	now: number
): Promise<void> {
	const { division, divisionMember } = store.tables;
	const seasonId = await write(store, async (tx) => {
		const [d] = await tx.select().from(division).where(eq(division.id, id));
		if (!d) throw notFound('unknown_division', m.divisions_error_unknown());
		await tx.delete(divisionMember).where(eq(divisionMember.divisionId, id));
		await tx.delete(division).where(eq(division.id, id));
		// One by one, top down, so the unique position never sees two equal at once.
		const below = await tx
			.select({ id: division.id, position: division.position })
			.from(division)
			.where(and(eq(division.seasonId, d.seasonId), sql`${division.position} > ${d.position}`))
			.orderBy(division.position);
		for (const b of below)
			await tx
				.update(division)
				.set({ position: b.position - 1 })
				.where(eq(division.id, b.id));
		await auditInWrite(
			tx,
			store,
			actor,
			'division.delete',
			`season:${d.seasonId}`,
			{ name: d.name },
			now
		);
		return d.seasonId;
	});
	notifyLeaderboard(seasonId);
}

/**
 * The season this one follows, inside a store's write: the one it repeats, else the latest
 * season that ended before it started (quotas/ranking.ts `lastSeasonIdOf`, which the boards' fair
 * ranking reads). Null for a first season.
 */
export async function lastSeasonInWrite(
	tx: StoreDb,
	store: Store,
	s: StoreSeason
): Promise<StoreSeason | null> {
	const id = await readsOnStore(tx, store, (db, t) => lastSeasonIdOf(db, t, s));
	if (id === null) return null;
	const { season } = store.tables;
	const [last] = await tx.select().from(season).where(eq(season.id, id));
	return last ?? null;
}

/** A few hundred rows to a statement: within both dialects' limits on parameters. */
const PLACEMENT_CHUNK = 500;

/** Writes each person's division inside a store's write, replacing where they were. */
export async function writePlacementInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	placed: Map<number, number>,
	placedBy: DivisionPlacedBy,
	now: number
): Promise<void> {
	const { divisionMember } = store.tables;
	const rows = [...placed].map(([userId, divisionId]) => ({
		seasonId,
		userId,
		divisionId,
		placedBy,
		updatedAt: now
	}));
	for (let from = 0; from < rows.length; from += PLACEMENT_CHUNK)
		await tx
			.insert(divisionMember)
			.values(rows.slice(from, from + PLACEMENT_CHUNK))
			.onConflictDoUpdate({
				target: [divisionMember.seasonId, divisionMember.userId],
				set: { divisionId: sql`excluded.division_id`, placedBy, updatedAt: now }
			});
}

/**
 * Places every member of the season into a division: by the level their points reached last
 * season, or by last season's final place (new people start in the bottom division). Moves by
 * hand are replaced. Returns how many people were placed.
 */
export async function placeAutomatically(
	store: Store,
	seasonId: number,
	method: PlacementMethod,
	actor: Actor,
	now: number
): Promise<number> {
	const { division, seasonMember, seasonResult, user } = store.tables;
	const placed = await write(store, async (tx) => {
		const s = await seasonInWrite(tx, store, seasonId);
		const divisions = await tx
			.select({ id: division.id, position: division.position })
			.from(division)
			.where(eq(division.seasonId, seasonId));
		if (divisions.length === 0)
			throw badRequest('no_divisions', m.divisions_error_none(), { field: 'method' });
		const last = await lastSeasonInWrite(tx, store, s);
		const results = new Map(
			last
				? (
						await tx
							.select({
								id: seasonResult.subjectId,
								rank: seasonResult.rank,
								points: seasonResult.points
							})
							.from(seasonResult)
							.where(and(eq(seasonResult.seasonId, last.id), eq(seasonResult.subjectType, 'user')))
					).map((r) => [r.id, r])
				: []
		);
		const people = await tx
			.select({ id: seasonMember.userId, name: user.displayName })
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.where(eq(seasonMember.seasonId, seasonId));
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
		await writePlacementInWrite(tx, store, seasonId, placed, method, now);
		await auditInWrite(
			tx,
			store,
			actor,
			'division.place',
			`season:${seasonId}`,
			{ method, people: placed.size, lastSeasonId: last?.id ?? null },
			now
		);
		return placed.size;
	});
	notifyLeaderboard(seasonId);
	return placed;
}

/** Moves one member of the season into a division (or out of every division) by hand. */
export async function moveMember(
	store: Store,
	input: { seasonId: number; userId: number; divisionId: number | null },
	actor: Actor,
	now: number
): Promise<void> {
	const { division, divisionMember, seasonMember } = store.tables;
	await write(store, async (tx) => {
		const [member] = await tx
			.select({ id: seasonMember.userId })
			.from(seasonMember)
			.where(and(eq(seasonMember.seasonId, input.seasonId), eq(seasonMember.userId, input.userId)));
		if (!member) throw notFound('unknown_member', m.divisions_error_member(), { field: 'userId' });
		if (input.divisionId === null) {
			await tx
				.delete(divisionMember)
				.where(
					and(eq(divisionMember.seasonId, input.seasonId), eq(divisionMember.userId, input.userId))
				);
		} else {
			const [d] = await tx
				.select({ id: division.id })
				.from(division)
				.where(and(eq(division.id, input.divisionId), eq(division.seasonId, input.seasonId)));
			if (!d)
				throw notFound('unknown_division', m.divisions_error_unknown(), { field: 'divisionId' });
			await writePlacementInWrite(
				tx,
				store,
				input.seasonId,
				new Map([[input.userId, d.id]]),
				'hand',
				now
			);
		}
		await auditInWrite(
			tx,
			store,
			actor,
			'division.move',
			`user:${input.userId}`,
			{ seasonId: input.seasonId, divisionId: input.divisionId },
			now
		);
	});
	notifyLeaderboard(input.seasonId);
}
