import * as z from 'zod';
import { localDateKey, seasonBounds } from '$lib/contest/calendar';
import type { Season } from '$lib/server/db/schema';
import type { SeasonInput } from './commands';
import {
	canonicalZone,
	DEFAULT_MAX_SALE_POINTS,
	DEFAULT_THEME,
	repeatMessage,
	seasonFields
} from './fields';
import { prizeFields } from './prize-form';
import {
	OTHER_ZONE,
	zoneValues,
	type SeasonErrors,
	type SeasonValues
} from '$lib/components/console/season-values';
import { m } from '../../paraglide/messages.js';

// The season form: what the browser sent (strings) → a validated SeasonInput, or one message
// per field. Shared by the new and the edit page.

export function readSeasonValues(form: FormData): SeasonValues {
	const text = (key: string) => String(form.get(key) ?? '');
	const recurrence = text('recurrence');
	return {
		name: text('name'),
		primary: text('primary'),
		accent: text('accent'),
		emoji: text('emoji'),
		tagline: text('tagline'),
		timeZone: text('timeZone'),
		timeZoneOther: text('timeZoneOther'),
		startDate: text('startDate'),
		endDate: text('endDate'),
		recurrence: recurrence === 'week' || recurrence === 'month' ? recurrence : 'none',
		every: text('every'),
		target: text('target'),
		prize1: text('prize1'),
		prize2: text('prize2'),
		prize3: text('prize3'),
		tieRule: text('tieRule') === 'dense' ? 'dense' : 'competition',
		requireConfirmation: form.get('requireConfirmation') === 'on',
		multipliers: text('multipliers') === 'multiply' ? 'multiply' : 'best',
		graceDays: text('graceDays'),
		maxSalePoints: text('maxSalePoints'),
		removeBanner: form.get('removeBanner') === 'on'
	};
}

/** The form filled with a season's settings (its local dates in its own time zone). */
export function seasonValues(s: Season): SeasonValues {
	const prize = (place: number) => s.prizes?.find((p) => p.place === place)?.title ?? '';
	return {
		name: s.name,
		primary: s.theme.primary,
		accent: s.theme.accent,
		emoji: s.theme.emoji,
		tagline: s.theme.tagline,
		...zoneValues(s.timeZone),
		startDate: localDateKey(s.startsAt, s.timeZone),
		endDate: localDateKey(s.endsAt - 1, s.timeZone),
		recurrence: s.recurrence?.unit ?? 'none',
		every: String(s.recurrence?.every ?? (s.recurrence ? 1 : '')),
		target: s.target == null ? '' : String(s.target),
		prize1: prize(1),
		prize2: prize(2),
		prize3: prize(3),
		tieRule: s.tieRule,
		requireConfirmation: s.requireConfirmation,
		multipliers: s.multiplierMode,
		graceDays: String(s.graceDays),
		maxSalePoints: String(s.maxSalePoints),
		removeBanner: false
	};
}

/** A brand-new form: starting today (in the zone) for four weeks, like most sprints. */
export function blankSeasonValues(timeZone: string, now: number): SeasonValues {
	const today = localDateKey(now, timeZone);
	const [y, m, d] = today.split('-').map(Number);
	const end = new Date(Date.UTC(y, m - 1, d + 27)).toISOString().slice(0, 10);
	return {
		name: '',
		...DEFAULT_THEME,
		...zoneValues(timeZone),
		startDate: today,
		endDate: end,
		recurrence: 'none',
		every: '1',
		target: '',
		prize1: '',
		prize2: '',
		prize3: '',
		tieRule: 'competition',
		requireConfirmation: false,
		multipliers: 'best',
		graceDays: '7',
		maxSalePoints: String(DEFAULT_MAX_SALE_POINTS),
		removeBanner: false
	};
}

const f = seasonFields;
const schema = z.object({
	name: f.name,
	primary: f.primary,
	accent: f.accent,
	emoji: f.emoji,
	tagline: f.tagline,
	timeZone: f.timeZone,
	recurrence: f.recurrence.nullable(),
	target: f.target.nullable(),
	prize1: prizeFields.title,
	prize2: prizeFields.title,
	prize3: prizeFields.title,
	tieRule: f.tieRule,
	requireConfirmation: f.requireConfirmation,
	multipliers: f.multiplierMode,
	graceDays: f.graceDays,
	maxSalePoints: f.maxSalePoints
});

/** A typed whole number as a number; NaN (refused by the field) when it is not one. */
const wholeNumber = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN);

type ParsedSeason = { ok: true; input: SeasonInput } | { ok: false; errors: SeasonErrors };

export function parseSeasonValues(values: SeasonValues): ParsedSeason {
	const otherZone = values.timeZone === OTHER_ZONE;
	const timeZone = otherZone ? values.timeZoneOther : values.timeZone;
	const unit = values.recurrence === 'none' ? null : values.recurrence;
	const parsed = schema.safeParse({
		...values,
		timeZone,
		recurrence: unit ? { every: wholeNumber(values.every), unit } : null,
		target: values.target.trim() === '' ? null : wholeNumber(values.target),
		graceDays: wholeNumber(values.graceDays),
		maxSalePoints: wholeNumber(values.maxSalePoints)
	});
	const errors: SeasonErrors = {};
	if (!parsed.success) {
		for (const issue of parsed.error.issues) {
			const [first, second] = issue.path;
			if (first === 'recurrence' && second === 'every' && unit) {
				errors.every ??= repeatMessage(unit);
				continue;
			}
			const key =
				first === 'timeZone' && otherZone ? 'timeZoneOther' : (first as keyof SeasonErrors);
			errors[key] ??= issue.message;
		}
	}
	const data = parsed.success ? parsed.data : null;

	let bounds: { startsAt: number; endsAt: number } | null = null;
	const zone = data?.timeZone ?? canonicalZone(timeZone);
	if (!/^\d{4}-\d{2}-\d{2}$/.test(values.startDate)) errors.startDate = m.seasons_error_first_day();
	if (!/^\d{4}-\d{2}-\d{2}$/.test(values.endDate)) errors.endDate ??= m.seasons_error_last_day();
	if (zone && !errors.startDate && !errors.endDate) {
		const valid = (key: string) => {
			try {
				seasonBounds({ startDate: key, endDate: key, timeZone: zone });
				return true;
			} catch {
				return false;
			}
		};
		if (!valid(values.startDate)) errors.startDate = m.seasons_error_no_day();
		else if (!valid(values.endDate)) errors.endDate = m.seasons_error_no_day();
		else if (values.endDate < values.startDate) errors.endDate = m.seasons_error_end_before();
		else
			bounds = seasonBounds({
				startDate: values.startDate,
				endDate: values.endDate,
				timeZone: zone
			});
	}

	if (!data || !bounds || Object.keys(errors).length > 0) return { ok: false, errors };
	const prizes = [data.prize1, data.prize2, data.prize3]
		.map((title, i) => ({ place: i + 1, title }))
		.filter((p) => p.title !== '');
	return {
		ok: true,
		input: {
			name: data.name,
			theme: {
				primary: data.primary.toLowerCase(),
				accent: data.accent.toLowerCase(),
				emoji: data.emoji,
				tagline: data.tagline
			},
			timeZone: data.timeZone,
			startDate: values.startDate,
			endDate: values.endDate,
			startsAt: bounds.startsAt,
			endsAt: bounds.endsAt,
			recurrence: data.recurrence,
			target: data.target,
			prizes,
			tieRule: data.tieRule,
			requireConfirmation: data.requireConfirmation,
			multiplierMode: data.multipliers,
			graceDays: data.graceDays,
			maxSalePoints: data.maxSalePoints
		}
	};
}
