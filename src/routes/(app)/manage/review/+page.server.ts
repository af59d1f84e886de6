import { m } from '$lib/paraglide/messages.js';
import type { RequestEvent } from '@sveltejs/kit';
import * as z from 'zod';
import { graceEndsAt } from '$lib/contest/calendar';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { getReviewSeason, listReviewableSeasons } from '$lib/server/seasons/queries';
import { reviewSales } from '$lib/server/scoring/review';
import { AppError } from '$lib/server/shared/errors';
import { refuse } from '$lib/server/shared/form';
import {
	QUEUE_LIMIT,
	queueFilterOptions,
	recentDecisions,
	reviewQueue,
	salesOfSeason
} from '$lib/server/scoring/review-queue';

// Query parameters are the filters, so that a filtered queue can be shared as a link. A value
// that does not parse is ignored rather than failing the page.
const id = z.coerce.number().int().positive().optional().catch(undefined);
const filtersSchema = z.object({
	team: id,
	seller: id,
	product: z
		.string()
		.trim()
		.max(64)
		.transform((s) => s || undefined)
		.optional()
		.catch(undefined),
	age: z.coerce.number().int().min(1).max(3650).optional().catch(undefined)
});

export const load: PageServerLoad = async (event) => {
	const user = requireRole(event, MANAGERS);
	const q = event.url.searchParams;
	const now = Date.now();
	// An ended season stays here until its grace period is over, for late confirmations.
	const { season, seasons } = await getReviewSeason(
		getStore(),
		now,
		id.parse(q.get('season') ?? undefined)
	);
	if (!season) return { season: null };
	const filters = filtersSchema.parse({
		team: q.get('team') ?? undefined,
		seller: q.get('seller') ?? undefined,
		product: q.get('product') ?? undefined,
		age: q.get('age') ?? undefined
	});
	const store = getStore();
	const queue = await reviewQueue(
		store,
		season.id,
		{
			teamId: filters.team,
			sellerId: filters.seller,
			sku: filters.product,
			olderThanDays: filters.age
		},
		now
	);
	return {
		season: {
			id: season.id,
			name: season.name,
			timeZone: season.timeZone,
			status: season.status,
			endsAt: season.endsAt,
			finalAt: graceEndsAt(season),
			requireConfirmation: season.requireConfirmation,
			autoConfirmDays: season.autoConfirmDays
		},
		seasons: seasons.map((s) => ({ id: s.id, name: s.name, status: s.status })),
		filters,
		filtered: Object.values(filters).some((v) => v !== undefined),
		options: await queueFilterOptions(store, season.id),
		sales: queue.sales.map((s) => ({ ...s, own: s.sellerId === user.id })),
		matching: queue.matching,
		waiting: queue.waiting,
		limit: QUEUE_LIMIT,
		recent: await recentDecisions(store, season.id, 20),
		now
	};
};

const decisionSchema = z.object({
	ids: z
		.array(z.coerce.number().int().positive())
		.min(1, { error: () => m.review_error_none() })
		.max(QUEUE_LIMIT, { error: () => m.review_error_too_many({ max: QUEUE_LIMIT }) }),
	reason: z
		.string()
		.trim()
		.max(500, { error: () => m.review_error_reason_long({ max: 500 }) })
});

async function decide(event: RequestEvent, decision: 'confirm' | 'reject') {
	const user = requireRole(event, MANAGERS);
	const form = await event.request.formData();
	const values = { reason: String(form.get('reason') ?? '') };
	const parsed = decisionSchema.safeParse({ ids: form.getAll('ids'), reason: values.reason });
	if (!parsed.success) return refuse(400, decision, parsed.error.issues[0].message, { values });
	const { reason } = parsed.data;
	if (decision === 'reject' && !reason) {
		const message = m.review_error_reason();
		return refuse(400, decision, message, { values });
	}

	// Any season still open for review: the queue may show an ended one in its grace period,
	// and a decision names sales, not a season.
	const open = await listReviewableSeasons(getStore(), Date.now());
	if (open.length === 0) return refuse(409, decision, m.review_error_no_season(), { values });
	const ids = [...new Set(parsed.data.ids)];
	const known = new Set<number>();
	for (const s of open) for (const id of await salesOfSeason(getStore(), s.id, ids)) known.add(id);
	const stranger = ids.find((id) => !known.has(id));
	if (stranger) {
		const message = m.review_error_stranger({ id: stranger });
		return refuse(404, decision, message, { values });
	}

	try {
		const results = await reviewSales(getStore(), ids, {
			decision,
			actor: { userId: user.id },
			reason: reason || null
		});
		const changed = results.filter((r) => r.changed);
		const unchanged = results.length - changed.length;
		const count = changed.length;
		const done =
			count === 1 && results.length === 1
				? decision === 'confirm'
					? m.review_confirmed_one({ id: changed[0].sale.id })
					: m.review_rejected_one({ id: changed[0].sale.id })
				: decision === 'confirm'
					? m.review_confirmed({ count, n: count })
					: m.review_rejected({ count, n: count });
		const message =
			unchanged === 0
				? done
				: decision === 'confirm'
					? m.review_already_confirmed({ done, count: unchanged, n: unchanged })
					: m.review_already_rejected({ done, count: unchanged, n: unchanged });
		return {
			action: decision,
			success: true as const,
			message,
			ids: changed.map((r) => r.sale.id)
		};
	} catch (error) {
		if (!(error instanceof AppError)) throw error;
		// A batch is one transaction: say so when one sale stopped the others.
		const message =
			ids.length > 1 ? m.review_error_batch({ reason: error.message }) : error.message;
		return refuse(error.status, decision, message, { values });
	}
}

export const actions: Actions = {
	confirm: (event) => decide(event, 'confirm'),
	reject: (event) => decide(event, 'reject')
};
