import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import {
	addStarterBadges,
	missingStarterBadges,
	setBadgeActive,
	STARTER_BADGES
} from '$lib/server/badges/commands';
import { getLevels, updateLevels } from '$lib/server/badges/levels';
import { levelsToValues, parseLevels, readLevelsForm } from '$lib/server/badges/levels-form';
import { listSeasonBadges } from '$lib/server/badges/queries';
import { refuse, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';
import { intlLocale } from '$lib/i18n/current';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const store = getStore();
	const season = await consoleSeason();
	if (!season)
		return {
			season: null,
			badges: [],
			levels: null,
			custom: false,
			saved: null,
			starter: { missing: [], total: 0 }
		};
	const [badges, levels, missing] = await Promise.all([
		listSeasonBadges(store, season.id),
		getLevels(store, season.id),
		missingStarterBadges(store, season.id)
	]);
	const savedId = Number(event.url.searchParams.get('saved'));
	const saved = badges.find((b) => b.id === savedId);
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		badges,
		levels: levels ? levelsToValues(levels) : null,
		custom: levels?.custom ?? false,
		starter: {
			missing: missing.map(({ name, emoji, description }) => ({
				name,
				emoji,
				description
			})),
			total: STARTER_BADGES.length
		},
		saved: saved
			? { name: saved.name, awarded: Number(event.url.searchParams.get('awarded') ?? 0) }
			: null
	};
};

async function currentSeason() {
	const season = await consoleSeason();
	if (!season) error(404, { message: m.badges_page_no_season() });
	return season;
}

export const actions = {
	toggle: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const form = await event.request.formData();
		const active = form.get('active') === 'true';
		try {
			const { badge, awarded } = await setBadgeActive(
				getStore(),
				season.id,
				Number(form.get('id')),
				active,
				{ userId: user.id }
			);
			const message = !active
				? m.badges_toggle_off({ name: badge.name })
				: awarded > 0
					? m.badges_toggle_on_awarded({ name: badge.name, count: awarded, n: awarded })
					: m.badges_toggle_on({ name: badge.name });
			return { action: 'toggle', message };
		} catch (e) {
			return refuseError(e, 'toggle');
		}
	},
	starter: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const { added, awarded } = await addStarterBadges(getStore(), season.id, { userId: user.id });
		const names = new Intl.ListFormat(intlLocale(), { type: 'conjunction' }).format(
			added.map((b) => b.name)
		);
		return {
			action: 'starter',
			message:
				added.length === 0
					? m.badges_starter_none()
					: awarded > 0
						? m.badges_starter_added_awarded({
								count: added.length,
								n: added.length,
								names,
								people: m.badges_people_qualified({ count: awarded, n: awarded })
							})
						: m.badges_starter_added({ count: added.length, n: added.length, names })
		};
	},
	levels: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const values = readLevelsForm(await event.request.formData());
		const parsed = parseLevels(values);
		if (!parsed.ok) {
			const message = m.badges_levels_refused();
			return refuse(400, 'levels', message, { errors: parsed.errors, values });
		}
		const { changed } = await updateLevels(getStore(), season.id, parsed.levels, {
			userId: user.id
		});
		return {
			action: 'levels',
			values: levelsToValues(parsed.levels),
			errors: {},
			message: changed.length === 0 ? m.badges_levels_unchanged() : m.badges_levels_saved()
		};
	}
} satisfies Actions;
