import type { Queryable } from '../db';
import type { Store } from '../db/store';
import { sprintsView } from '../sprints/view';
import { knockoutsView } from '../knockouts/view';
import { divisionsView } from '../divisions/view';
import { quotasView } from '../quotas/view';
import { challengesView } from '../challenges/view';

// The live views of the contest formats (#17). Each format (challenges/, sprints/, knockouts/,
// divisions/, quotas/) registers one view here: what a board and the TV show of it for one
// season, built from the database. The publisher (realtime/publish.ts) builds every view with
// each leaderboard push and sends the ones that changed in the push's `formats`, synchronously
// on SQLite while they are cheap (`build`); pages, the read thread and PostgreSQL load the same
// views through the store (`read`, readFormatViews). Each view's `build` and `read` run one
// generator (db/reads.ts `readsSync`, `readOn`): one definition of each query.
//
// A view's module must not import realtime/publish.ts (publish.ts imports this file).

export interface FormatView {
	/** The key under which boards find this view's state ('challenges', 'sprints'…). */
	name: string;
	/** The view's state for one season, JSON-serialisable; null when the season has none. */
	build(db: Queryable, seasonId: number, now: number): unknown;
	/** `build` through the store, in one snapshot (db/store.ts `read`): the same state. */
	read(store: Store, seasonId: number, now: number): Promise<unknown>;
}

export const FORMAT_VIEWS: FormatView[] = [
	challengesView,
	sprintsView,
	knockoutsView,
	divisionsView,
	quotasView
];

/** Every format view of a season, synchronously on SQLite (the publisher's push). */
export function formatViewsOf(
	db: Queryable,
	seasonId: number,
	now = Date.now()
): Record<string, unknown> {
	return Object.fromEntries(FORMAT_VIEWS.map((v) => [v.name, v.build(db, seasonId, now) ?? null]));
}

/**
 * Every format view of a season through the store, for a page's first render on either
 * dialect. Each view is one snapshot of its own: the formats are independent of each other.
 */
export async function readFormatViews(
	store: Store,
	seasonId: number,
	now = Date.now()
): Promise<Record<string, unknown>> {
	const views: Record<string, unknown> = {};
	for (const v of FORMAT_VIEWS) views[v.name] = (await v.read(store, seasonId, now)) ?? null;
	return views;
}
