import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { seasonFromParams } from '../season-param.server';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { publishDraft } from '$lib/server/seasons/commands';
import {
	announcementForm,
	setAnnouncement,
	ANNOUNCEMENT_MAX
} from '$lib/server/seasons/announcements';
import { editable, updateConsoleSeason, type BannerChange } from '$lib/server/seasons/edit';
import { listConsoleSeasons, seasonHistory } from '$lib/server/seasons/queries';
import { imageFromFile } from '$lib/server/seasons/image-upload';
import { formText, parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { localDateKey } from '$lib/contest/calendar';
import { launchState } from '$lib/server/seasons/launch';
import { runScheduler } from '$lib/server/seasons/scheduler';
import { parseSeasonValues, readSeasonValues, seasonValues } from '$lib/server/seasons/season-form';
import type { SeasonErrors, SeasonValues } from '$lib/components/console/season-values';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	// A season waiting for people or products goes live as soon as they are there: checked
	// here too, so the manager does not wait for the scheduler's next round.
	await runScheduler(getStore());
	const s = await seasonFromParams(event);
	const now = Date.now();
	const counts = (await listConsoleSeasons(getStore())).find((row) => row.id === s.id);
	return {
		season: {
			id: s.id,
			name: s.name,
			status: s.status,
			theme: {
				primary: s.theme.primary,
				accent: s.theme.accent,
				emoji: s.theme.emoji,
				tagline: s.theme.tagline
			},
			timeZone: s.timeZone,
			startsAt: s.startsAt,
			endsAt: s.endsAt,
			graceDays: s.graceDays,
			recurrence: s.recurrence,
			announcement: s.announcement,
			teams: counts?.teams ?? 0,
			members: counts?.members ?? 0
		},
		banner: s.theme.banner ?? null,
		values: seasonValues(s),
		can: editable(s.status),
		history: await seasonHistory(getStore(), s.id),
		launch:
			s.status === 'ended' || s.status === 'archived'
				? null
				: await launchState(getStore(), s, now),
		created: event.url.searchParams.has('created'),
		today: localDateKey(now, s.timeZone),
		announcementMax: ANNOUNCEMENT_MAX
	};
};

const RULE_KEYS = [
	'recurrence',
	'every',
	'target',
	'tieRule',
	'requireConfirmation',
	'multipliers',
	'graceDays',
	'maxSalePoints'
] as const;
const DATE_KEYS = ['timeZone', 'timeZoneOther', 'startDate', 'endDate'] as const;

/** What a published season still waits for, in a sentence. */
function waitingMessage(name: string, missing: string[]): string {
	if (missing.length > 1) return m.seasons_published_waiting_both({ name });
	return missing[0] === 'people'
		? m.seasons_published_waiting_people({ name })
		: m.seasons_published_waiting_products({ name });
}

export const actions: Actions = {
	save: async (event) => {
		const user = requireRole(event, MANAGERS);
		const s = await seasonFromParams(event);
		const form = await event.request.formData();
		const sent = readSeasonValues(form);
		// Locked fields are disabled in the form (not sent): they keep the season's values.
		const current = seasonValues(s);
		const can = editable(s.status);
		const values: SeasonValues = { ...sent };
		if (!can.dates) for (const key of DATE_KEYS) Object.assign(values, { [key]: current[key] });
		if (!can.rules) for (const key of RULE_KEYS) Object.assign(values, { [key]: current[key] });

		const parsed = parseSeasonValues(values);
		const errors: SeasonErrors = parsed.ok ? {} : { ...parsed.errors };
		let banner: BannerChange = values.removeBanner ? { kind: 'remove' } : { kind: 'keep' };
		const file = form.get('bannerFile');
		if (file instanceof File && file.size > 0) {
			const read = await imageFromFile(file);
			if (read.ok) banner = { kind: 'set', dataUrl: read.dataUrl };
			else errors.banner = read.message;
		}
		if (!parsed.ok || Object.keys(errors).length > 0) {
			return refuse(400, 'save', m.seasons_not_saved(), {
				errors,
				values
			});
		}
		try {
			const { changed } = await updateConsoleSeason(getStore(), s.id, parsed.input, banner, {
				userId: user.id
			});
			return {
				action: 'save',
				message: changed.length === 0 ? m.seasons_nothing_changed() : m.seasons_settings_saved()
			};
		} catch (error) {
			return refuseError(error, 'save', values);
		}
	},

	publish: async (event) => {
		const user = requireRole(event, MANAGERS);
		const s = await seasonFromParams(event);
		if (s.status !== 'draft') return refuse(409, 'publish', m.seasons_only_draft());
		const store = getStore();
		let after;
		try {
			after = await publishDraft(store, s.id, { userId: user.id });
		} catch (error) {
			return refuseError(error, 'publish');
		}
		const { waiting, missing } = await launchState(store, after, Date.now());
		return {
			action: 'publish',
			message:
				after.status === 'live'
					? m.seasons_published_live({ name: after.name })
					: waiting
						? waitingMessage(after.name, missing)
						: m.seasons_published_scheduled({ name: after.name })
		};
	},

	announce: async (event) => {
		const user = requireRole(event, MANAGERS);
		const s = await seasonFromParams(event);
		const values = formText(await event.request.formData(), ['announcement']);
		const parsed = parseForm(announcementForm, values, 'announce', values);
		if (!parsed.ok) return parsed.failure;
		try {
			await setAnnouncement(getStore(), s.id, parsed.data.announcement, { userId: user.id });
		} catch (error) {
			return refuseError(error, 'announce', values);
		}
		return {
			action: 'announce',
			message: s.status === 'live' ? m.seasons_announce_posted() : m.seasons_announce_saved()
		};
	},

	clearAnnouncement: async (event) => {
		const user = requireRole(event, MANAGERS);
		const s = await seasonFromParams(event);
		try {
			await setAnnouncement(getStore(), s.id, null, { userId: user.id });
		} catch (error) {
			return refuseError(error, 'announce', { announcement: '' });
		}
		return { action: 'announce', message: m.seasons_announce_removed() };
	}
};
