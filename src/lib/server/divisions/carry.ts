import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../db';
import { division, divisionMember, season, seasonMember, type Season } from '../db/schema';
import { seasonEndMoves } from '../../contest/division';
import { divisionBoards, listDivisions, type DivisionBoard } from './standings';
import { writePlacement } from './commands';
import { audit, SYSTEM } from '../audit/record';

/**
 * Promotion and relegation into the rerun: called in the scheduler's end-of-season transaction,
 * right after the recurrence created `next` (the standings are the ones just frozen as the
 * results). The next season gets the same divisions; the top `promote` of each move up one,
 * the bottom `relegate` down one (contest/division.ts), everyone else stays, and members who
 * played in no division start in the bottom one. Exactly once: a next season that already has
 * divisions is left alone, so a second run (or a restart) changes nothing. Returns whether it
 * placed anyone.
 */
export function carryDivisions(tx: Queryable, ended: Season, next: Season, now: number): boolean {
	const boards = divisionBoards(tx, ended.id);
	if (!boards) return false;
	if (listDivisions(tx, next.id).length > 0) return false;
	const ids = new Map<number, number>();
	for (const d of boards) {
		const created = tx
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
			.returning({ id: division.id })
			.get();
		ids.set(d.id, created.id);
	}
	const { placed, moves } = carriedPlacement(tx, boards, next.id, ids);
	writePlacement(tx, next.id, placed, 'carry', now);
	const count = (kind: 'up' | 'down') => [...moves.values()].filter((m) => m.move === kind).length;
	audit(
		tx,
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
function carriedPlacement(
	tx: Queryable,
	boards: DivisionBoard[],
	nextId: number,
	ids: Map<number, number>
) {
	const moves = seasonEndMoves(
		boards.map((d) => ({ ...d, ranked: d.entries.map((e) => ({ id: e.id, points: e.counted })) }))
	);
	const members = tx
		.select({ id: seasonMember.userId })
		.from(seasonMember)
		.where(eq(seasonMember.seasonId, nextId))
		.all();
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
 * Returns the rerun's id when someone moved, else null.
 */
export function recarryDivisions(tx: Queryable, ended: Season, now: number): number | null {
	const next = tx.select().from(season).where(eq(season.previousSeasonId, ended.id)).get();
	if (!next) return null;
	const boards = divisionBoards(tx, ended.id);
	if (!boards) return null;
	const nextDivisions = listDivisions(tx, next.id);
	if (nextDivisions.length !== boards.length) return null;
	// The rerun's divisions were created in the same order (carryDivisions): matched by position.
	const ids = new Map(boards.map((d, i) => [d.id, nextDivisions[i].id]));
	const current = new Map(
		tx
			.select({ userId: divisionMember.userId, divisionId: divisionMember.divisionId })
			.from(divisionMember)
			.where(and(eq(divisionMember.seasonId, next.id), eq(divisionMember.placedBy, 'carry')))
			.all()
			.map((r) => [r.userId, r.divisionId])
	);
	const { placed } = carriedPlacement(tx, boards, next.id, ids);
	const changed = new Map(
		[...placed].filter(([userId, divisionId]) => {
			const was = current.get(userId);
			return was !== undefined && was !== divisionId;
		})
	);
	if (changed.size === 0) return null;
	writePlacement(tx, next.id, changed, 'carry', now);
	audit(
		tx,
		SYSTEM,
		'division.recarry',
		`season:${next.id}`,
		{ fromSeasonId: ended.id, moved: changed.size },
		now
	);
	return next.id;
}
