import { error, type RequestEvent } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { exportSeason, fileSlug } from '$lib/server/exports/season-csv';

/** The season named by `?season=ID`, else the live one; 404 when there is none. */
export function seasonFor(event: Pick<RequestEvent, 'url'>) {
	const raw = event.url.searchParams.get('season');
	const id = raw == null || raw === '' ? null : Number(raw);
	if (id != null && !(Number.isInteger(id) && id > 0))
		error(400, { message: 'season must be a season id' });
	const found = exportSeason(getDb(), id);
	if (!found)
		error(404, {
			message: id == null ? 'There is no season to export yet.' : 'This season does not exist.'
		});
	return found;
}

export function csvResponse(
	body: string,
	season: { id: number; name: string },
	what: string
): Response {
	const filename = `${fileSlug(season.name, `season-${season.id}`)}-${what}.csv`;
	return new Response(body, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${filename}"`,
			'cache-control': 'private, no-store'
		}
	});
}
