import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import {
	BadgeAdminError,
	getLevels,
	levelsToValues,
	listSeasonBadges,
	parseLevels,
	readLevelsValues,
	setBadgeActive,
	updateLevels
} from '$lib/server/badges/admin';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const db = getDb();
	const season = consoleSeason();
	if (!season) return { season: null, badges: [], levels: null, custom: false, saved: null };
	const badges = listSeasonBadges(db, season.id);
	const savedId = Number(event.url.searchParams.get('saved'));
	const saved = badges.find((b) => b.id === savedId);
	const levels = getLevels(db, season.id);
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		badges,
		levels: levels ? levelsToValues(levels) : null,
		custom: levels?.custom ?? false,
		saved: saved
			? { name: saved.name, awarded: Number(event.url.searchParams.get('awarded') ?? 0) }
			: null
	};
};

function currentSeason() {
	const season = consoleSeason();
	if (!season) error(404, { message: 'No season is live.' });
	return season;
}

const people = (n: number) => `${n} ${n === 1 ? 'person' : 'people'}`;

export const actions = {
	toggle: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = currentSeason();
		const form = await event.request.formData();
		const active = form.get('active') === 'true';
		try {
			const { badge, awarded } = setBadgeActive(
				getDb(),
				season.id,
				Number(form.get('id')),
				active,
				{ userId: user.id }
			);
			const message = active
				? `“${badge.name}” is active again${awarded > 0 ? `: ${people(awarded)} received it just now` : ''}.`
				: `“${badge.name}” is off: nobody new earns it. Badges already given stay.`;
			return { kind: 'toggle' as const, message };
		} catch (e) {
			if (e instanceof BadgeAdminError)
				return fail(404, { kind: 'toggle' as const, message: e.message });
			throw e;
		}
	},
	levels: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = currentSeason();
		const values = readLevelsValues(await event.request.formData());
		const parsed = parseLevels(values);
		if (!parsed.ok) {
			return fail(400, {
				kind: 'levels' as const,
				values,
				errors: parsed.errors,
				message: 'Not saved: fix the highlighted fields.'
			});
		}
		const { changed } = updateLevels(getDb(), season.id, parsed.levels, { userId: user.id });
		return {
			kind: 'levels' as const,
			values: levelsToValues(parsed.levels),
			errors: {},
			message:
				changed.length === 0
					? 'Nothing to change: the levels and holidays were already like this.'
					: 'Levels and holidays saved.'
		};
	}
} satisfies Actions;
