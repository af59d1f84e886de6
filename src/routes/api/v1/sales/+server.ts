import { json } from '@sveltejs/kit';
import { apiHandler, parseJson } from '$lib/server/api/respond';
import { createSaleSchema } from '$lib/server/api/schemas';
import { createSaleAnswer } from '$lib/server/api/fast-sales';

// In production server.ts answers this endpoint before SvelteKit (api/fast-sales.ts), with the
// same core; this route answers it under `vite dev` and when HONORBOARD_FAST_SALES=0.
export const POST = apiHandler(async ({ request }) => {
	const answer = await createSaleAnswer(await parseJson(request, createSaleSchema));
	return json(answer.body, { status: answer.status });
});
