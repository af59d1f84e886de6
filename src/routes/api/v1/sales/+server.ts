import { json } from '@sveltejs/kit';
import { getDb, retryWhenBusy } from '$lib/server/db';
import { apiHandler, parseJson } from '$lib/server/api/respond';
import { createSaleSchema } from '$lib/server/api/schemas';
import { recordSale } from '$lib/server/scoring/sales';

export const POST = apiHandler(async ({ request }) => {
	const body = await parseJson(request, createSaleSchema);
	// A database locked by another process is retried, yielding between attempts; then 503.
	const result = await retryWhenBusy(() =>
		recordSale(getDb(), {
			source: 'api',
			externalId: body.externalId,
			seller: { email: body.seller.email },
			occurredAt: Date.parse(body.occurredAt),
			lines: body.lines.map((line) => ({
				sku: line.sku,
				quantity: line.quantity,
				unitPrice: Math.round(line.unitPrice * 100)
			})),
			customerRef: body.customerRef
		})
	);
	return json(
		{
			sale: result.sale,
			seasonId: result.seasonId,
			version: result.version,
			// Above the season's points ceiling: recorded, pending until a manager checks it.
			...(result.flagReason && { flagReason: result.flagReason })
		},
		{ status: result.created ? 201 : 200 }
	);
});
