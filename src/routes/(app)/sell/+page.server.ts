import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guards';
import { getLiveSeasonFor, getMembership, listProducts } from '$lib/server/seasons/queries';
import { chosenSeason } from '$lib/server/seasons/choice';
import { engineRules, sellerDayContext } from '$lib/server/rules/engine';
import { getLeaderboard } from '$lib/server/boards/leaderboard';
import { recordSale } from '$lib/server/scoring/sales';
import { refuse, refuseError } from '$lib/server/shared/form';
import { FORM_MAX_QUANTITY, saleFormSchema, saleFormValues } from '$lib/server/scoring/sale-form';
import { gapToNext } from '$lib/contest/ranking';

/** The live season the person sells into: the one they chose on the board, if they take part in it. */
function sellingSeason(
	event: Parameters<PageServerLoad>[0] | Parameters<Actions['default']>[0],
	userId: number
) {
	const db = getDb();
	const user = requireUser(event);
	const { season } = chosenSeason(db, user, event.url, event.cookies);
	return season && season.status === 'live' && getMembership(db, season.id, userId)
		? season
		: getLiveSeasonFor(db, userId);
}

export const load: PageServerLoad = (event) => {
	const user = requireUser(event);
	const db = getDb();
	const season = sellingSeason(event, user.id);
	const products = season ? listProducts(db, season.id).filter((p) => p.active) : [];
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
		rules: season ? engineRules(db, season.id) : [],
		context: season
			? sellerDayContext(db, season.id, user.id, now, season.timeZone)
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
		const parsed = saleFormSchema.safeParse(saleFormValues(form));
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			const message =
				issue.path[0] === 'lines' && issue.path.length > 1
					? `Quantities must be whole numbers from 1 to ${FORM_MAX_QUANTITY}.`
					: issue.message;
			return refuse(400, 'default', message);
		}
		const db = getDb();
		try {
			const result = recordSale(db, {
				source: 'web',
				externalId: `${user.id}:${parsed.data.requestId}`,
				seller: { userId: user.id },
				seasonId: sellingSeason(event, user.id)?.id,
				occurredAt: Date.now(),
				lines: parsed.data.lines,
				customerRef: parsed.data.customerRef,
				createdById: user.id
			});
			const board = getLeaderboard(db, result.seasonId)!;
			const mine = board.individual.find((e) => e.id === user.id);
			const gap = gapToNext(
				board.individual.map((e) => ({ ...e, reachedAt: 0 })),
				user.id
			);
			return {
				action: 'default' as const,
				success: true as const,
				points: result.sale.points,
				status: result.sale.status,
				duplicate: !result.created,
				breakdown: result.breakdown?.items ?? [],
				rank: mine?.rank ?? null,
				of: board.individual.length,
				// What the board shows: the confirmed points it ranks, and the pending ones apart.
				confirmed: mine?.points ?? 0,
				pending: mine?.provisionalPoints ?? 0,
				gap
			};
		} catch (error) {
			return refuseError(error, 'default');
		}
	}
};
