import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getStore } from '$lib/server/db/store';
import { requireUser } from '$lib/server/auth/guards';
import { prizeImage } from '$lib/server/seasons/prizes';
import { m } from '$lib/paraglide/messages.js';

/** A prize's picture. The URL carries a version (?v=), so the browser may keep it. */
export const GET: RequestHandler = async (event) => {
	requireUser(event);
	const image = await prizeImage(getStore(), Number(event.params.seasonId), event.params.key);
	if (!image) error(404, { message: m.board_prize_no_picture() });
	return new Response(new Uint8Array(image.bytes), {
		headers: {
			'content-type': image.type,
			'cache-control': 'private, max-age=604800, immutable',
			'x-content-type-options': 'nosniff'
		}
	});
};
