import { json } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseJson, parseQuery } from '$lib/server/api/respond';
import { seasonListQuerySchema } from '$lib/server/api/schemas';
import { seasonJson } from '$lib/server/api/season-json';
import { createSeason } from '$lib/server/seasons/commands';
import { newSeasonSchema } from '$lib/server/seasons/fields';
import { listSeasons } from '$lib/server/seasons/queries';

export const GET = apiHandler(async ({ url }) => {
	const { status } = parseQuery(url, seasonListQuerySchema);
	return json({ entries: (await listSeasons(getStore(), status)).map(seasonJson) });
});

export const POST = apiHandler(
	async ({ request, principal }) => {
		const body = await parseJson(request, newSeasonSchema);
		const created = await createSeason(getStore(), body, { tokenId: principal.tokenId });
		return json({ id: created.id, status: created.status }, { status: 201 });
	},
	['admin', 'manager']
);
