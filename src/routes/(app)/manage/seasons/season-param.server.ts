import { error, type RequestEvent } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { getSeason } from '$lib/server/seasons/queries';

/** The season named by the route's `[id]`, or a 404. */
export function seasonFromParams(event: Pick<RequestEvent, 'params'>) {
	const id = Number((event.params as { id?: string }).id);
	const found = Number.isInteger(id) && id > 0 ? getSeason(getDb(), id) : undefined;
	if (!found) error(404, { message: 'There is no such season.' });
	return found;
}
