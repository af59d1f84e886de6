import type { Queryable } from '../db';
import { sprintsView } from '../sprints/view';
import { knockoutsView } from '../knockouts/view';
import { divisionsView } from '../divisions/view';
import { quotasView } from '../quotas/view';
import { challengesView } from '../challenges/view';

// The live views of the contest formats (#17). Each format (challenges/, sprints/, knockouts/,
// divisions/, quotas/) registers one view here: what a board and the TV show of it for one
// season, built from the database. The publisher (realtime/publish.ts) builds every view with
// each leaderboard push and sends the ones that changed in the push's `formats`; pages load the
// same views (formatViewsOf) for their first render.
//
// A view's module must not import realtime/publish.ts (publish.ts imports this file).

export interface FormatView {
	/** The key under which boards find this view's state ('challenges', 'sprints'…). */
	name: string;
	/** The view's state for one season, JSON-serialisable; null when the season has none. */
	build(db: Queryable, seasonId: number, now: number): unknown;
}

export const FORMAT_VIEWS: FormatView[] = [
	challengesView,
	sprintsView,
	knockoutsView,
	divisionsView,
	quotasView
];

/** Every format view of a season, for a page's first render. */
export function formatViewsOf(
	db: Queryable,
	seasonId: number,
	now = Date.now()
): Record<string, unknown> {
	return Object.fromEntries(FORMAT_VIEWS.map((v) => [v.name, v.build(db, seasonId, now) ?? null]));
}
