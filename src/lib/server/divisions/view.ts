import { eq } from 'drizzle-orm';
import type { Queryable } from '../db';
import type { StoreDb, Tables } from '../db/store';
import { readOn, readsSync, rowsOf, type Reads } from '../db/reads';
import type { FormatView } from '../formats/views';
import { DIVISION_VIEW_TOP, type DivisionsView } from '../../contest/division';
import { divisionBoardsReads } from './standings';
import { fairValuesOf } from '../quotas/ranking';

/** Every division's board (first DIVISION_VIEW_TOP each), for boards, /divisions and the TV. */
function* divisionsViewReads(
	db: StoreDb,
	t: Tables,
	seasonId: number,
	now: number
): Reads<DivisionsView | null> {
	const boards = yield* divisionBoardsReads(db, t, seasonId, DIVISION_VIEW_TOP);
	if (!boards) return null;
	const [s] = yield* rowsOf(db.select().from(t.season).where(eq(t.season.id, seasonId)));
	if (!s) return null;
	const fair = yield* fairValuesOf(
		db,
		t,
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

/** The divisions' view on a SQLite connection, synchronously (the boards' pushes, the read thread). */
export function buildDivisionsView(
	db: Queryable,
	seasonId: number,
	now: number
): DivisionsView | null {
	return readsSync(db, (d, t) => divisionsViewReads(d, t, seasonId, now));
}

export const divisionsView: FormatView = {
	name: 'divisions',
	build: buildDivisionsView,
	read: (store, seasonId, now) => readOn(store, (d, t) => divisionsViewReads(d, t, seasonId, now))
};
