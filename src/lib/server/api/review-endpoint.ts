import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { getDb } from '../db';
import { apiHandler, invalidBody } from './respond';
import { AppError } from '../shared/errors';
import { reviewByExternalId, ReviewError, type Decision } from '../scoring/review';

const reviewBodySchema = z.object({ reason: z.string().trim().max(500).optional() }).default({});

const STATUS: Record<ReviewError['code'], number> = {
	not_found: 404,
	own_sale: 403,
	not_pending: 409,
	already_final: 409,
	reason_required: 400,
	season_final: 409
};

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
			try {
				const result = reviewByExternalId(getDb(), params.externalId!, {
					decision,
					actor: { tokenId: principal.tokenId },
					reason: parsed.data.reason ?? (decision === 'confirm' ? null : undefined)
				});
				return json({ sale: result.sale, changed: result.changed });
			} catch (error) {
				if (error instanceof ReviewError)
					throw new AppError(STATUS[error.code], error.code, error.message);
				throw error;
			}
		},
		['admin', 'manager']
	);
}
