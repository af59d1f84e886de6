import { and, eq } from 'drizzle-orm';
import type { Store, StoreDb } from '../db/store';
import type { Season } from '../db/schema';
import { seasonEndMoves } from '../../contest/division';
import { divisionBoardsOn, type DivisionBoard } from './standings';
import { writePlacementInWrite } from './commands';
import { auditInWrite, SYSTEM } from '../audit/record';

/**
 * Promotion and relegation into the rerun: called in the scheduler's end-of-season write,
 * right after the recurrence created `next` (the standings are the ones just frozen as the
 * results). The next season gets the same divisions; the top `promote` of each move up one,
 * the bottom `relegate` down one (contest/division.ts), everyone else stays, and members who
 * played in no division start in the bottom one. Exactly once: a next season that already has
 * divisions is left alone, so a second run (or a restart) changes nothing. Returns whether it
 * placed anyone.
 */
export async function carryDivisionsInWrite(
	tx: StoreDb,
	store: Store,
	ended: Season,
	next: Season,
	now: number
): Promise<boolean> {
	const { division } = store.tables;
	const boards = await divisionBoardsOn(tx, store, ended.id);
	if (!boards) return false;
	const [already] = await tx
		.select({ id: division.id })
		.from(division)
		.where(eq(division.seasonId, next.id))
		.limit(1);
	if (already) return false;
	const ids = new Map<number, number>();
	for (const d of boards) {
		const [created] = await tx
			.insert(division)
			.values({
				seasonId: next.id,
				name: d.name,
				position: d.position,
				promote: d.promote,
				relegate: d.relegate,
				prizes: d.prizes,
				createdAt: now
			})
			.returning({ id: division.id });
		ids.set(d.id, created.id);
	}
	const { placed, moves } = await carriedPlacement(tx, store, boards, next.id, ids);
	await writePlacementInWrite(tx, store, next.id, placed, 'carry', now);
	const count = (kind: 'up' | 'down') => [...moves.values()].filter((m) => m.move === kind).length;
	await auditInWrite(
		tx,
		store,
		SYSTEM,
		'division.carry',
		`season:${next.id}`,
		{ fromSeasonId: ended.id, promoted: count('up'), relegated: count('down') },
		now
	);
	return true;
}

/**
 * Where the season-end moves put each member of `next`: division ids of `next` by the ended
 * season's division ids (`ids`); members who played in no division go to the bottom one.
 */
async function carriedPlacement(
	tx: StoreDb,
	store: Store,
	boards: DivisionBoard[],
	nextId: number,
	ids: Map<number, number>
) {
	const { seasonMember } = store.tables;
	const moves = seasonEndMoves(
		boards.map((d) => ({ ...d, ranked: d.entries.map((e) => ({ id: e.id, points: e.counted })) }))
	);
	const members = await tx
		.select({ id: seasonMember.userId })
		.from(seasonMember)
		.where(eq(seasonMember.seasonId, nextId));
	const bottom = ids.get(boards[boards.length - 1].id)!;
	const placed = new Map<number, number>();
	for (const { id } of members) {
		const move = moves.get(id);
		placed.set(id, move ? ids.get(move.divisionId)! : bottom);
	}
	return { placed, moves };
}

/**
 * The ended season's results became final (its grace period is over): late confirmations and
 * reversals may have changed who goes up or down. The rerun's placements that are still the
 * carried ones are decided again from the final standings; people a manager placed by hand
 * (or by an automatic placement) since are left where they are, and nothing changes when the
 * rerun's divisions no longer match the ended season's (a manager added or removed one).
 * Returns the rerun's id when someone moved, else null. Inside the archive's write.
 */
export async function recarryDivisionsInWrite(
	tx: StoreDb,
	store: Store,
	ended: Season,
	now: number
): Promise<number | null> {
	const { division, divisionMember, season } = store.tables;
	const [next] = await tx.select().from(season).where(eq(season.previousSeasonId, ended.id));
	if (!next) return null;
	const boards = await divisionBoardsOn(tx, store, ended.id);
	if (!boards) return null;
	const nextDivisions = await tx
		.select({ id: division.id })
		.from(division)
		.where(eq(division.seasonId, next.id))
		.orderBy(division.position);
	if (nextDivisions.length !== boards.length) return null;
	// The rerun's divisions were created in the same order (carryDivisionsInWrite): matched by
	// position.
	const ids = new Map(boards.map((d, i) => [d.id, nextDivisions[i].id]));
	const current = new Map(
		(
			await tx
				.select({ userId: divisionMember.userId, divisionId: divisionMember.divisionId })
				.from(divisionMember)
				.where(and(eq(divisionMember.seasonId, next.id), eq(divisionMember.placedBy, 'carry')))
		).map((r) => [r.userId, r.divisionId])
	);
	const { placed } = await carriedPlacement(tx, store, boards, next.id, ids);
	const changed = new Map(
		[...placed].filter(([userId, divisionId]) => {
			const was = current.get(userId);
			return was !== undefined && was !== divisionId;
		})
	);
	if (changed.size === 0) return null;
	await writePlacementInWrite(tx, store, next.id, changed, 'carry', now);
	await auditInWrite(
		tx,
		store,
		SYSTEM,
		'division.recarry',
		`season:${next.id}`,
		{ fromSeasonId: ended.id, moved: changed.size },
		now
	);
	return next.id;
}
