import { error, type RequestEvent } from '@sveltejs/kit';
import { desc, ne } from 'drizzle-orm';
import { getDb, type Queryable } from '../db';
import { season } from '../db/schema';
import { getCurrentSeason, getSeason } from '../seasons/queries';
import { m } from '../../paraglide/messages.js';

// Which season an export is for.

/** The one asked for, else the live one, else the latest that is not a draft. */
export function exportSeason(db: Queryable, id: number | null) {
	if (id != null) return getSeason(db, id) ?? null;
	return (
		getCurrentSeason(db) ??
		db
			.select()
			.from(season)
			.where(ne(season.status, 'draft'))
			.orderBy(desc(season.startsAt))
			.get() ??
		null
	);
}

export function exportableSeasons(db: Queryable) {
	return db
		.select({ id: season.id, name: season.name, status: season.status })
		.from(season)
		.where(ne(season.status, 'draft'))
		.orderBy(desc(season.startsAt), desc(season.id))
		.all();
}

/** The season named by `?season=ID`, else the default one; 400 for a bad id, 404 for none. */
export function seasonFor(event: Pick<RequestEvent, 'url'>) {
	const raw = event.url.searchParams.get('season');
	const id = raw == null || raw === '' ? null : Number(raw);
	if (id != null && !(Number.isInteger(id) && id > 0))
		error(400, { message: 'season must be a season id' });
	const found = exportSeason(getDb(), id);
	if (!found)
		error(404, {
			message: id == null ? m.exports_none() : m.exports_season_missing()
		});
	return found;
}
