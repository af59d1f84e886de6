import { eq } from 'drizzle-orm';
import type { Queryable } from '../db';
import { season } from '../db/schema';
import type { FormatView } from '../formats/views';
import { DIVISION_VIEW_TOP, type DivisionsView } from '../../contest/division';
import { divisionBoards } from './standings';
import { fairValuesOf } from '../quotas/ranking';

/** Every division's board (first DIVISION_VIEW_TOP each), for boards, /divisions and the TV. */
export function buildDivisionsView(
	db: Queryable,
	seasonId: number,
	now: number
): DivisionsView | null {
	const boards = divisionBoards(db, seasonId, { limit: DIVISION_VIEW_TOP });
	if (!boards) return null;
	const s = db.select().from(season).where(eq(season.id, seasonId)).get();
	if (!s) return null;
	const fair = fairValuesOf(
		db,
		s,
		boards.flatMap((d) => d.entries),
		now
	);
	return {
		tieRule: s.tieRule,
		divisions: boards.map((d) => ({
			...d,
			entries: d.entries.map((e) => ({
				...e,
				attainment: fair.get(e.id)?.attainment ?? null,
				target: fair.get(e.id)?.target ?? null,
				improvement: fair.get(e.id)?.improvement ?? null
			}))
		}))
	};
}

export const divisionsView: FormatView = { name: 'divisions', build: buildDivisionsView };
