import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { createConsoleSeason } from '$lib/server/seasons/commands';
import { listConsoleSeasons } from '$lib/server/seasons/queries';
import { imageFromFile } from '$lib/server/seasons/image-upload';
import { refuse, refuseError } from '$lib/server/shared/form';
import { nextSeasonName } from '$lib/server/seasons/clone';
import { BUILT_IN_THEMES, findTheme } from '$lib/contest/themes';
import { localDateKey } from '$lib/contest/calendar';
import {
	blankSeasonValues,
	parseSeasonValues,
	readSeasonValues,
	seasonValues
} from '$lib/server/seasons/season-form';
import type { SeasonErrors, SeasonSource } from '$lib/components/console/season-values';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const now = Date.now();
	const seasons = await listConsoleSeasons(getStore());
	// A new season most likely runs where the last one did.
	const zone = seasons[0]?.timeZone ?? 'UTC';
	// Most seasons start from a theme: the first one is picked and filled in.
	const theme = BUILT_IN_THEMES[0];
	const values = {
		...blankSeasonValues(zone, now),
		name: theme.seasonName,
		primary: theme.primary,
		accent: theme.accent,
		emoji: theme.emoji,
		tagline: theme.tagline
	};
	const cloneSources = seasons.map((s) => ({
		id: s.id,
		name: s.name,
		status: s.status,
		teams: s.teams,
		members: s.members,
		suggestedName: nextSeasonName(s.name, now, s.timeZone),
		values: seasonValues(s)
	}));
	const clone = event.url.searchParams.get('clone');
	const preset = cloneSources.find((s) => String(s.id) === clone);
	return {
		values: preset
			? {
					...values,
					...preset.values,
					name: preset.suggestedName,
					startDate: values.startDate,
					endDate: values.endDate
				}
			: values,
		source: (preset ? 'clone' : 'theme') as SeasonSource,
		themeKey: preset ? '' : theme.key,
		cloneFrom: preset ? String(preset.id) : '',
		cloneSources,
		today: localDateKey(now, zone)
	};
};

export const actions: Actions = {
	save: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const sourceText = String(form.get('source') ?? 'scratch');
		const source: SeasonSource =
			sourceText === 'theme' || sourceText === 'clone' ? sourceText : 'scratch';
		const values = {
			...readSeasonValues(form),
			source,
			themeKey: String(form.get('themeKey') ?? ''),
			cloneFrom: String(form.get('cloneFrom') ?? '')
		};
		const status = form.get('intent') === 'draft' ? 'draft' : 'scheduled';

		const parsed = parseSeasonValues(values);
		const errors: SeasonErrors = parsed.ok ? {} : { ...parsed.errors };
		let banner: string | undefined;
		const file = form.get('bannerFile');
		if (file instanceof File && file.size > 0) {
			const read = await imageFromFile(file);
			if (read.ok) banner = read.dataUrl;
			else errors.banner = read.message;
		}
		const cloneId = Number(values.cloneFrom);
		if (source === 'clone' && !(Number.isInteger(cloneId) && cloneId > 0))
			errors.cloneFrom = m.seasons_clone_required();
		if (!parsed.ok || Object.keys(errors).length > 0) {
			const message = banner ? m.seasons_not_saved_banner() : m.seasons_not_saved();
			return refuse(400, 'save', message, {
				errors,
				values
			});
		}
		let created;
		try {
			created = await createConsoleSeason(
				getStore(),
				parsed.input,
				{
					status,
					banner: banner ?? (values.removeBanner ? null : undefined),
					cloneOf: source === 'clone' ? cloneId : undefined,
					themeKey: source === 'theme' && findTheme(values.themeKey) ? values.themeKey : undefined
				},
				{ userId: user.id }
			);
		} catch (error) {
			return refuseError(error, 'save', values);
		}
		redirect(303, `/manage/seasons/${created.id}?created=1`);
	}
};
