import { z } from 'zod';
import { localDateKey, seasonBounds } from '$lib/contest/calendar';
import type { Season } from '$lib/server/db/schema';
import type { SeasonInput } from '$lib/server/seasons/console';
import {
	OTHER_ZONE,
	zoneValues,
	type SeasonErrors,
	type SeasonValues
} from '$lib/components/console/season-values';

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
		graceDays: text('graceDays'),
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
		graceDays: String(s.graceDays),
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
		primary: '#2563eb',
		accent: '#f59e0b',
		emoji: '🏆',
		tagline: '',
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
		graceDays: '7',
		removeBanner: false
	};
}

/** The canonical IANA name ('europe/warsaw' → 'Europe/Warsaw'), or null when unknown. */
function canonicalZone(value: string): string | null {
	try {
		return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
	} catch {
		return null;
	}
}

const hex = z
	.string()
	.trim()
	.regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #2563eb');

/** Reads a whole number in a range from a text field; null for an empty optional field. */
function readWhole(
	text: string,
	ctx: z.RefinementCtx,
	label: string,
	min: number,
	max: number,
	optional: boolean
): number | null {
	if (optional && text === '') return null;
	if (/^\d+$/.test(text) && Number(text) >= min && Number(text) <= max) return Number(text);
	const range = `${label} must be a whole number from ${min} to ${max.toLocaleString('en')}`;
	ctx.addIssue({ code: 'custom', message: optional ? `${range}, or empty` : range });
	return null;
}
const whole = (label: string, min: number, max: number) =>
	z
		.string()
		.trim()
		.transform((text, ctx) => readWhole(text, ctx, label, min, max, false) ?? z.NEVER);
const optionalWhole = (label: string, min: number, max: number) =>
	z
		.string()
		.trim()
		.transform((text, ctx) => readWhole(text, ctx, label, min, max, true));

const prize = z.string().trim().max(200, 'Keep a prize under 200 characters');

const schema = z.object({
	name: z
		.string()
		.trim()
		.min(1, 'Give the season a name')
		.max(100, 'Keep the name under 100 characters'),
	primary: hex,
	accent: hex,
	emoji: z.string().trim().min(1, 'Pick an emoji').max(16, 'One emoji is enough'),
	tagline: z.string().trim().max(140, 'Keep the tagline under 140 characters'),
	timeZone: z
		.string()
		.trim()
		.min(1, 'Choose a time zone')
		.transform((value, ctx) => {
			const zone = canonicalZone(value);
			if (zone) return zone;
			ctx.addIssue({
				code: 'custom',
				message: 'Unknown time zone: use an IANA name like Europe/Warsaw'
			});
			return z.NEVER;
		}),
	startDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Choose the first day'),
	endDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Choose the last day'),
	recurrence: z.enum(['none', 'week', 'month']),
	every: z.string().trim(),
	target: optionalWhole('The target', 1, 100_000_000),
	prize1: prize,
	prize2: prize,
	prize3: prize,
	tieRule: z.enum(['competition', 'dense']),
	requireConfirmation: z.boolean(),
	graceDays: whole('Grace days', 0, 90)
});

export type ParsedSeason = { ok: true; input: SeasonInput } | { ok: false; errors: SeasonErrors };

export function parseSeasonValues(values: SeasonValues): ParsedSeason {
	const timeZone = values.timeZone === OTHER_ZONE ? values.timeZoneOther : values.timeZone;
	const parsed = schema.safeParse({ ...values, timeZone });
	const errors: SeasonErrors = {};
	if (!parsed.success) {
		for (const issue of parsed.error.issues) {
			const key =
				issue.path[0] === 'timeZone' && values.timeZone === OTHER_ZONE
					? 'timeZoneOther'
					: (issue.path[0] as keyof SeasonErrors);
			errors[key] ??= issue.message;
		}
	}
	const data = parsed.success ? parsed.data : null;

	let bounds: { startsAt: number; endsAt: number } | null = null;
	const zone = data?.timeZone ?? canonicalZone(timeZone);
	if (zone && !errors.startDate && !errors.endDate) {
		const valid = (key: string) => {
			try {
				seasonBounds({ startDate: key, endDate: key, timeZone: zone });
				return true;
			} catch {
				return false;
			}
		};
		if (!valid(values.startDate)) errors.startDate = 'That day does not exist';
		else if (!valid(values.endDate)) errors.endDate = 'That day does not exist';
		else if (values.endDate < values.startDate)
			errors.endDate = 'The last day must be on or after the first day';
		else
			bounds = seasonBounds({
				startDate: values.startDate,
				endDate: values.endDate,
				timeZone: zone
			});
	}

	let every = 0;
	if (values.recurrence !== 'none') {
		const max = values.recurrence === 'week' ? 52 : 24;
		every = /^\d+$/.test(values.every.trim()) ? Number(values.every.trim()) : NaN;
		if (!(every >= 1 && every <= max))
			errors.every = `Repeat every 1 to ${max} ${values.recurrence}s`;
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
			recurrence: values.recurrence === 'none' ? null : { every, unit: values.recurrence },
			target: data.target,
			prizes,
			tieRule: data.tieRule,
			requireConfirmation: data.requireConfirmation,
			graceDays: data.graceDays
		}
	};
}
