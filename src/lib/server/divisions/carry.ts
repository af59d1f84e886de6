import { eq } from 'drizzle-orm';
import type { Queryable } from '../db';
import { division, seasonMember, type Season } from '../db/schema';
import { seasonEndMoves } from '../../contest/division';
import { divisionBoards, listDivisions } from './standings';
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
	const moves = seasonEndMoves(
		boards.map((d) => ({ ...d, ranked: d.entries.map((e) => ({ id: e.id, points: e.counted })) }))
	);
	const members = tx
		.select({ id: seasonMember.userId })
		.from(seasonMember)
		.where(eq(seasonMember.seasonId, next.id))
		.all();
	const bottom = ids.get(boards[boards.length - 1].id)!;
	const placed = new Map<number, number>();
	for (const { id } of members) {
		const move = moves.get(id);
		placed.set(id, move ? ids.get(move.divisionId)! : bottom);
	}
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
