import { json } from '@sveltejs/kit';
import { getStore } from '../db/store';
import { apiHandler, invalidBody } from './respond';
import { reviewBodySchema } from './schemas';
import { AppError } from '../shared/errors';
import { reviewByExternalId, type Decision } from '../scoring/review';

/** POST /api/v1/sales/:externalId/confirm|reverse — repeating a decision answers the same. */
export function reviewEndpoint(decision: Decision) {
	return apiHandler(
		async ({ request, params, principal }) => {
			const text = await request.text();
			let body: unknown = {};
			if (text.trim()) {
				try {
					body = JSON.parse(text);
				} catch {
					throw new AppError(400, 'invalid_json', 'The request body is not valid JSON');
				}
			}
			const parsed = reviewBodySchema.safeParse(body);
			if (!parsed.success) {
				throw invalidBody(parsed.error);
			}
			const result = await reviewByExternalId(getStore(), params.externalId!, {
				decision,
				actor: { tokenId: principal.tokenId },
				reason: parsed.data.reason ?? (decision === 'confirm' ? null : undefined)
			});
			return json({ sale: result.sale, changed: result.changed });
		},
		['admin', 'manager']
	);
}
