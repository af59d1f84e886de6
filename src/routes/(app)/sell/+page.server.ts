import type { Actions, PageServerLoad } from './$types';
import { requireUser } from '$lib/server/auth/guards';
import { readProducts } from '$lib/server/seasons/queries';
import { sellingSeason } from '$lib/server/activities/selling-season';
import { getStore } from '$lib/server/db/store';
import { readEngineRules, readSellerDayContext } from '$lib/server/rules/engine';
import { readPlayersCount, readStanding } from '$lib/server/boards/leaderboard';
import { IdempotencyConflictError } from '$lib/server/scoring/sales';
import { recordSaleGrouped } from '$lib/server/scoring/group-commit';
import { refuse, refuseError } from '$lib/server/shared/form';
import { AppError } from '$lib/server/shared/errors';
import { m } from '$lib/paraglide/messages.js';
import {
	FORM_MAX_QUANTITY,
	saleFormEcho,
	saleFormSchema,
	saleFormValues
} from '$lib/server/scoring/sale-form';

/** The seller's words for why the sale service refused a sale from this form (its API words are English). */
function refusal(code: string): string | null {
	if (code === 'not_a_member') return m.sell_error_not_in_season();
	if (code === 'unknown_sku' || code === 'inactive_sku') return m.sell_error_product_gone();
	if (code === 'outside_season' || code === 'in_the_future') return m.sell_error_season_closed();
	if (code === 'empty_sale') return m.sell_pick_at_least_one();
	return null;
}

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const store = getStore();
	const season = await sellingSeason(user, event.url, event.cookies);
	const products = season ? (await readProducts(store, season.id)).filter((p) => p.active) : [];
	const now = Date.now();
	return {
		products: products.map((p) => ({
			sku: p.sku,
			name: p.name,
			category: p.category,
			points: p.points,
			price: p.price,
			active: p.active
		})),
		// The same pure engine scores a preview in the browser; the server's result is what counts.
		rules: season ? await readEngineRules(store, season.id) : [],
		context: season
			? await readSellerDayContext(store, season.id, user.id, now, season.timeZone)
			: { timeZone: 'UTC' },
		requireConfirmation: season?.requireConfirmation ?? false,
		maxQuantity: FORM_MAX_QUANTITY,
		// One id per filled-in form: a double tap or a retried post registers the sale once.
		requestId: crypto.randomUUID()
	};
};

export const actions: Actions = {
	default: async (event) => {
		const user = requireUser(event);
		const form = await event.request.formData();
		// What was typed comes back with a refusal, so that nothing has to be entered again.
		const values = saleFormEcho(form);
		const parsed = saleFormSchema.safeParse(saleFormValues(form));
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			const errors: Record<string, string> = {};
			if (issue.path[0] === 'lines' && typeof issue.path[1] === 'number') {
				// The field to fix: qty_<SKU> as the page names its inputs.
				const line = saleFormValues(form).lines[issue.path[1]];
				if (line) errors[`qty_${line.sku}`] = issue.message;
			}
			return refuse(400, 'default', issue.message, { errors, values });
		}
		const seasonId = (await sellingSeason(user, event.url, event.cookies))?.id;
		try {
			// With the API's sales of this turn of the event loop, in one write of the store (a
			// SQLite database locked by another process is retried there).
			const result = await recordSaleGrouped(getStore(), {
				source: 'web',
				externalId: `${user.id}:${parsed.data.requestId}`,
				seller: { userId: user.id },
				seasonId,
				occurredAt: Date.now(),
				lines: parsed.data.lines,
				customerRef: parsed.data.customerRef,
				createdById: user.id
			});
			// The seller's own place through the rank index: never the whole ranking per sale.
			const standing = await readStanding(getStore(), result.seasonId, user.id);
			const mine = standing?.entry;
			const gap = standing?.gap ?? null;
			return {
				action: 'default' as const,
				success: true as const,
				points: result.sale.points,
				status: result.sale.status,
				flagReason: result.flagReason,
				duplicate: !result.created,
				breakdown: result.breakdown?.items ?? [],
				rank: mine?.rank ?? null,
				of: await readPlayersCount(getStore(), result.seasonId),
				// What the board shows: the confirmed points it ranks, and the pending ones apart.
				confirmed: mine?.points ?? 0,
				pending: mine?.provisionalPoints ?? 0,
				gap
			};
		} catch (error) {
			if (error instanceof IdempotencyConflictError) {
				// The same form sent again with other products: the first one was registered.
				return refuse(409, 'default', m.sell_already_sent(), { values });
			}
			const said = error instanceof AppError && refusal(error.code);
			if (said) return refuse(error.status, 'default', said, { values });
			return refuseError(error, 'default', values);
		}
	}
};
