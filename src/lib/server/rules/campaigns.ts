import type { Store } from '../db/store';
import { catalogueOf, readProducts } from '../seasons/queries';
import { activityTypeNames } from '../activities/types';
import { describeRule } from '../../contest/rules';
import { currentCurrency } from '../../format/money';
import { isCampaignAt, readRules } from './queries';
import { toEngineRule } from './engine';

// The campaigns the honor board and the TV announce: the rules live at `now` and highlighted,
// each described in the viewer's language with the season's catalogue and activity names.

export interface Campaign {
	id: number;
	name: string;
	text: string;
}

export async function readCampaigns(
	store: Store,
	season: { id: number; timeZone: string },
	now: number
): Promise<Campaign[]> {
	const live = (await readRules(store, season.id)).filter((r) => isCampaignAt(r, now));
	// Most seasons announce nothing: the catalogue is read only for a campaign to describe.
	if (live.length === 0) return [];
	const catalogue = catalogueOf(await readProducts(store, season.id));
	const activityTypes = await activityTypeNames(store, season.id);
	return live.map((rule) => ({
		id: rule.id,
		name: rule.name,
		text: describeRule(toEngineRule(rule), season.timeZone, {
			catalogue,
			activityTypes,
			currency: currentCurrency()
		})
	}));
}
