import type { PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { catalogueOf, readProducts, readSeason } from '$lib/server/seasons/queries';
import { toEngineRule } from '$lib/server/rules/engine';
import { readRules } from '$lib/server/rules/queries';
import { describeRule, ruleStatus } from '$lib/contest/rules';
import { activityTypeNames } from '$lib/server/activities/types';
import { currentCurrency } from '$lib/format/money';

export const load: PageServerLoad = async ({ parent }) => {
	const { season: current } = await parent();
	if (!current) return { rules: [], products: [], settings: null };
	const store = getStore();
	const season = (await readSeason(store, current.id))!;
	const products = (await readProducts(store, season.id)).filter((p) => p.active);
	const catalogue = catalogueOf(products);
	const activityTypes = await activityTypeNames(store, season.id);
	const now = Date.now();
	// Rules that are over or switched off are not shown; scheduled ones are, as coming soon.
	const rules = (await readRules(store, season.id)).flatMap((r) => {
		const status = ruleStatus(r, now);
		if (status === 'off' || status === 'over') return [];
		const text = describeRule(toEngineRule(r), season.timeZone, {
			catalogue,
			activityTypes,
			currency: currentCurrency()
		});
		return [{ id: r.id, name: r.name, text, live: status === 'active', startsAt: r.startsAt }];
	});
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
			tieRule: season.tieRule,
			multipliers: season.multiplierMode
		}
	};
};
