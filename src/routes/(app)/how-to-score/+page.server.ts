import type { PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { catalogueOf, getSeason, listProducts } from '$lib/server/seasons/queries';
import { listRules, toEngineRule } from '$lib/server/rules/engine';
import { describeRule } from '$lib/contest/rules';

export const load: PageServerLoad = async ({ parent }) => {
	const { season: current } = await parent();
	if (!current) return { rules: [], products: [], settings: null };
	const db = getDb();
	const season = getSeason(db, current.id)!;
	const products = listProducts(db, season.id).filter((p) => p.active);
	const catalogue = catalogueOf(products);
	const now = Date.now();
	const rules = listRules(db, season.id)
		.filter((r) => r.active && (r.endsAt == null || r.endsAt > now))
		.map((r) => ({
			id: r.id,
			name: r.name,
			text: describeRule(toEngineRule(r), season.timeZone, { catalogue, currency: 'EUR' }),
			live: r.startsAt == null || r.startsAt <= now,
			startsAt: r.startsAt
		}));
	return {
		rules,
		products: products.map((p) => ({
			sku: p.sku,
			name: p.name,
			category: p.category,
			points: p.points
		})),
		settings: {
			requireConfirmation: season.requireConfirmation,
			rankBy: season.rankBy,
			autoConfirmDays: season.autoConfirmDays,
			tieRule: season.tieRule
		}
	};
};
