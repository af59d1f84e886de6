import { error, type RequestEvent } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { readSeason } from '$lib/server/seasons/queries';

/** The season named by the route's `[id]`, or a 404. */
export async function seasonFromParams(event: Pick<RequestEvent, 'params'>) {
	const id = Number((event.params as { id?: string }).id);
	const found = Number.isInteger(id) && id > 0 ? await readSeason(getStore(), id) : undefined;
	if (!found) error(404, { message: 'There is no such season.' });
	return found;
}
