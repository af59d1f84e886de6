import { error, type RequestEvent } from '@sveltejs/kit';
import { desc, eq, ne } from 'drizzle-orm';
import type { season as seasonTable } from '../db/schema';
import { getStore, type Store } from '../db/store';
import { m } from '../../paraglide/messages.js';

// Which season an export is for. On the store (db/store.ts): what any node's console lists.

type SeasonRow = typeof seasonTable.$inferSelect;

/** The one asked for, else the live one (the latest started), else the latest that is not a draft. */
export async function exportSeason(store: Store, id: number | null): Promise<SeasonRow | null> {
	const { season } = store.tables;
	if (id != null) {
		const [asked] = await store.db.select().from(season).where(eq(season.id, id));
		return asked ?? null;
	}
	const [live] = await store.db
		.select()
		.from(season)
		.where(eq(season.status, 'live'))
		.orderBy(desc(season.startsAt), desc(season.id))
		.limit(1);
	if (live) return live;
	const [latest] = await store.db
		.select()
		.from(season)
		.where(ne(season.status, 'draft'))
		.orderBy(desc(season.startsAt))
		.limit(1);
	return latest ?? null;
}

export async function exportableSeasons(store: Store) {
	const { season } = store.tables;
	return store.db
		.select({ id: season.id, name: season.name, status: season.status })
		.from(season)
		.where(ne(season.status, 'draft'))
		.orderBy(desc(season.startsAt), desc(season.id));
}

/** The season named by `?season=ID`, else the default one; 400 for a bad id, 404 for none. */
export async function seasonFor(event: Pick<RequestEvent, 'url'>): Promise<SeasonRow> {
	const raw = event.url.searchParams.get('season');
	const id = raw == null || raw === '' ? null : Number(raw);
	if (id != null && !(Number.isInteger(id) && id > 0))
		error(400, { message: 'season must be a season id' });
	const found = await exportSeason(getStore(), id);
	if (!found)
		error(404, {
			message: id == null ? m.exports_none() : m.exports_season_missing()
		});
	return found;
}
