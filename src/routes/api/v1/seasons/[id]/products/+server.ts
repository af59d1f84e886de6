import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { apiHandler, parseId } from '$lib/server/api/respond';
import { AppError } from '$lib/server/shared/errors';
import { getSeason, listProducts } from '$lib/server/seasons/queries';

export const GET = apiHandler(({ params }) => {
	const db = getDb();
	const seasonId = parseId(params.id);
	if (!getSeason(db, seasonId)) throw new AppError(404, 'not_found', `No season ${seasonId}`);
	const entries = listProducts(db, seasonId).map((p) => ({
		sku: p.sku,
		name: p.name,
		category: p.category,
		points: p.points,
		price: p.price / 100,
		active: p.active
	}));
	return json({ entries });
});
