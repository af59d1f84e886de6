import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
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

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const db = getDb();
	const season = consoleSeason();
	if (!season)
		return {
			season: null,
			badges: [],
			levels: null,
			custom: false,
			saved: null,
			starter: { missing: [], total: 0 }
		};
	const badges = listSeasonBadges(db, season.id);
	const savedId = Number(event.url.searchParams.get('saved'));
	const saved = badges.find((b) => b.id === savedId);
	const levels = getLevels(db, season.id);
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		badges,
		levels: levels ? levelsToValues(levels) : null,
		custom: levels?.custom ?? false,
		starter: {
			missing: missingStarterBadges(db, season.id).map(({ name, emoji, description }) => ({
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
			return { action: 'toggle', message };
		} catch (e) {
			return refuseError(e, 'toggle');
		}
	},
	starter: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = currentSeason();
		const { added, awarded } = addStarterBadges(getDb(), season.id, { userId: user.id });
		const names = added.map((b) => b.name).join(', ');
		return {
			action: 'starter',
			message:
				added.length === 0
					? 'The season already has every starter badge: nothing added.'
					: `Added ${added.length} ${added.length === 1 ? 'badge' : 'badges'}: ${names}.${awarded > 0 ? ` ${people(awarded)} already qualified.` : ''}`
		};
	},
	levels: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = currentSeason();
		const values = readLevelsForm(await event.request.formData());
		const parsed = parseLevels(values);
		if (!parsed.ok) {
			const message = 'Not saved: fix the highlighted fields.';
			return refuse(400, 'levels', message, { errors: parsed.errors, values });
		}
		const { changed } = updateLevels(getDb(), season.id, parsed.levels, { userId: user.id });
		return {
			action: 'levels',
			values: levelsToValues(parsed.levels),
			errors: {},
			message:
				changed.length === 0
					? 'Nothing to change: the levels and holidays were already like this.'
					: 'Levels and holidays saved.'
		};
	}
} satisfies Actions;
