import { json } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseId } from '$lib/server/api/respond';
import { AppError } from '$lib/server/shared/errors';
import { readProducts, readSeason } from '$lib/server/seasons/queries';

export const GET = apiHandler(async ({ params }) => {
	const store = getStore();
	const seasonId = parseId(params.id);
	if (!(await readSeason(store, seasonId)))
		throw new AppError(404, 'not_found', `No season ${seasonId}`);
	const entries = (await readProducts(store, seasonId)).map((p) => ({
		sku: p.sku,
		name: p.name,
		category: p.category,
		points: p.points,
		price: p.price / 100,
		active: p.active
	}));
	return json({ entries });
});
