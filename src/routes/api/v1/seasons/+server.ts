import { json } from '@sveltejs/kit';
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '$lib/server/db';
import { season } from '$lib/server/db/schema';
import { apiHandler, parseJson, parseQuery } from '$lib/server/api/respond';
import { seasonJson } from '$lib/server/api/season-json';
import { createSeason, newSeasonSchema } from '$lib/server/seasons/commands';

const listQuery = z.object({
	status: z.enum(['draft', 'scheduled', 'live', 'ended', 'archived']).optional()
});

export const GET = apiHandler(({ url }) => {
	const { status } = parseQuery(url, listQuery);
	const rows = getDb()
		.select()
		.from(season)
		.where(status ? eq(season.status, status) : undefined)
		.orderBy(desc(season.startsAt), desc(season.id))
		.all();
	return json({ entries: rows.map(seasonJson) });
});

export const POST = apiHandler(
	async ({ request, principal }) => {
		const body = await parseJson(request, newSeasonSchema);
		const created = createSeason(getDb(), body, { tokenId: principal.tokenId });
		return json({ id: created.id, status: created.status }, { status: 201 });
	},
	['admin', 'manager']
);
