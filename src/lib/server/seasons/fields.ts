import * as z from 'zod';
import { bannerKind } from '../../banner';
import { checkImageDataUrl } from './image-upload';
import { m } from '../../paraglide/messages.js';
import { points } from '../../format/numbers';

// A season's settings, each field checked once: the API body (below) and the console form
// (season-form.ts) are both made of these, so a limit or a message is stated here only.

const SEASON_LIMITS = {
	name: 100,
	emoji: 16,
	tagline: 140,
	/** Repeat every 1 to this many weeks or months. */
	every: { week: 52, month: 24 },
	target: 100_000_000,
	graceDays: 90,
	/** Points one sale may score before it waits for a manager (see scoring/sales.ts). */
	maxSalePoints: 100_000_000
} as const;

/** The canonical IANA name ('europe/warsaw' → 'Europe/Warsaw'), or null when unknown. */
export function canonicalZone(value: string): string | null {
	try {
		return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
	} catch {
		return null;
	}
}

const hex = z
	.string()
	.trim()
	.regex(/^#[0-9a-fA-F]{6}$/, { error: () => m.seasons_error_colour() });

/** A whole number in a range; `message` words the range in the reader's language. */
function whole(message: (max: string) => string, min: number, max: number) {
	const error = () => message(points(max));
	return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export const repeatMessage = (unit: 'week' | 'month') =>
	unit === 'week'
		? m.seasons_error_repeat_weeks({ max: SEASON_LIMITS.every.week })
		: m.seasons_error_repeat_months({ max: SEASON_LIMITS.every.month });

export const seasonFields = {
	name: z
		.string()
		.trim()
		.min(1, { error: () => m.seasons_error_name() })
		.max(SEASON_LIMITS.name, {
			error: () => m.seasons_error_name_long({ max: SEASON_LIMITS.name })
		}),
	primary: hex,
	accent: hex,
	emoji: z
		.string()
		.trim()
		.min(1, { error: () => m.seasons_error_emoji() })
		.max(SEASON_LIMITS.emoji, { error: () => m.seasons_error_emoji_long() }),
	tagline: z
		.string()
		.trim()
		.max(SEASON_LIMITS.tagline, {
			error: () => m.seasons_error_tagline_long({ max: SEASON_LIMITS.tagline })
		}),
	timeZone: z
		.string()
		.trim()
		.min(1, { error: () => m.seasons_error_zone() })
		.transform((value, ctx) => {
			const zone = canonicalZone(value);
			if (zone) return zone;
			ctx.addIssue({
				code: 'custom',
				message: m.seasons_error_zone_unknown()
			});
			return z.NEVER;
		}),
	recurrence: z
		.object({
			every: z
				.number({ error: () => repeatMessage('week') })
				.int({ error: () => repeatMessage('week') })
				.min(1, { error: () => repeatMessage('week') })
				.max(SEASON_LIMITS.every.week, { error: () => repeatMessage('week') }),
			unit: z.enum(['week', 'month'])
		})
		.refine((r) => r.every <= SEASON_LIMITS.every[r.unit], {
			error: () => repeatMessage('month'),
			path: ['every']
		}),
	target: whole((max) => m.seasons_error_target({ max }), 1, SEASON_LIMITS.target),
	tieRule: z.enum(['competition', 'dense']),
	requireConfirmation: z.boolean(),
	multiplierMode: z.enum(['best', 'multiply'], { error: () => m.seasons_error_multipliers() }),
	graceDays: whole((max) => m.seasons_error_grace({ max }), 0, SEASON_LIMITS.graceDays),
	maxSalePoints: whole((max) => m.seasons_error_ceiling({ max }), 1, SEASON_LIMITS.maxSalePoints)
};

/**
 * theme.banner from the API: it becomes a CSS background on every board, so only an image
 * checked by its bytes or a same-origin path (see $lib/banner.ts); never another site, an SVG
 * or anything that could end the url().
 */
const bannerField = z
	.string()
	.max(450_000, { error: () => m.seasons_error_banner_big() })
	.superRefine((value, ctx) => {
		const kind = bannerKind(value);
		if (kind === 'path') return;
		if (kind === 'data') {
			const check = checkImageDataUrl(value);
			if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message });
			return;
		}
		ctx.addIssue({ code: 'custom', message: m.seasons_error_banner_rule() });
	});

/** A sale worth more points than this waits for a manager, whatever the rules say. */
export const DEFAULT_MAX_SALE_POINTS = 100_000;

export const DEFAULT_THEME = { primary: '#2563eb', accent: '#f59e0b', emoji: '🏆', tagline: '' };

const f = seasonFields;

/** POST /api/v1/seasons: instants in ISO 8601, defaults for what a script leaves out. */
export const newSeasonSchema = z
	.object({
		name: f.name,
		theme: z
			.object({
				primary: f.primary.default(DEFAULT_THEME.primary),
				accent: f.accent.default(DEFAULT_THEME.accent),
				emoji: f.emoji.default(DEFAULT_THEME.emoji),
				tagline: f.tagline.default(DEFAULT_THEME.tagline),
				banner: bannerField.optional()
			})
			.default(DEFAULT_THEME),
		timeZone: f.timeZone,
		startsAt: z.iso.datetime({ offset: true }),
		endsAt: z.iso.datetime({ offset: true }),
		recurrence: f.recurrence.nullable().optional(),
		requireConfirmation: f.requireConfirmation.default(false),
		multiplierMode: f.multiplierMode.default('best'),
		target: f.target.nullable().optional(),
		tieRule: f.tieRule.default('competition'),
		graceDays: f.graceDays.default(7),
		maxSalePoints: f.maxSalePoints.default(DEFAULT_MAX_SALE_POINTS),
		draft: z.boolean().default(false)
	})
	.refine((s) => Date.parse(s.endsAt) > Date.parse(s.startsAt), {
		message: 'endsAt must be after startsAt',
		path: ['endsAt']
	});

export type NewSeason = z.infer<typeof newSeasonSchema>;
