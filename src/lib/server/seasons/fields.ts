import { z } from 'zod';
import { bannerKind } from '../../banner';
import { checkImageDataUrl } from './image-upload';

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
	.regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #2563eb');

function whole(label: string, min: number, max: number, orEmpty = false) {
	const message = `${label} must be a whole number from ${min} to ${max.toLocaleString('en')}${orEmpty ? ', or empty' : ''}`;
	return z.number(message).int(message).min(min, message).max(max, message);
}

export const repeatMessage = (unit: 'week' | 'month') =>
	`Repeat every 1 to ${SEASON_LIMITS.every[unit]} ${unit}s`;

export const seasonFields = {
	name: z
		.string()
		.trim()
		.min(1, 'Give the season a name')
		.max(SEASON_LIMITS.name, `Keep the name under ${SEASON_LIMITS.name} characters`),
	primary: hex,
	accent: hex,
	emoji: z.string().trim().min(1, 'Pick an emoji').max(SEASON_LIMITS.emoji, 'One emoji is enough'),
	tagline: z
		.string()
		.trim()
		.max(SEASON_LIMITS.tagline, `Keep the tagline under ${SEASON_LIMITS.tagline} characters`),
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
	recurrence: z
		.object({
			every: z
				.number(repeatMessage('week'))
				.int(repeatMessage('week'))
				.min(1, repeatMessage('week'))
				.max(SEASON_LIMITS.every.week, repeatMessage('week')),
			unit: z.enum(['week', 'month'])
		})
		.refine((r) => r.every <= SEASON_LIMITS.every[r.unit], {
			message: repeatMessage('month'),
			path: ['every']
		}),
	target: whole('The target', 1, SEASON_LIMITS.target, true),
	tieRule: z.enum(['competition', 'dense']),
	requireConfirmation: z.boolean(),
	multiplierMode: z.enum(['best', 'multiply'], { message: 'Choose how multipliers combine' }),
	graceDays: whole('Grace days', 0, SEASON_LIMITS.graceDays),
	maxSalePoints: whole('The points one sale may score', 1, SEASON_LIMITS.maxSalePoints)
};

const BANNER_RULE =
	'The banner must be an uploaded image (a PNG, JPEG, WebP or GIF data URL) or a path on this site like /uploads/banner.png';

/**
 * theme.banner from the API: it becomes a CSS background on every board, so only an image
 * checked by its bytes or a same-origin path (see $lib/banner.ts); never another site, an SVG
 * or anything that could end the url().
 */
const bannerField = z
	.string()
	.max(450_000, 'The banner image is larger than 300 KB')
	.superRefine((value, ctx) => {
		const kind = bannerKind(value);
		if (kind === 'path') return;
		if (kind === 'data') {
			const check = checkImageDataUrl(value);
			if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message });
			return;
		}
		ctx.addIssue({ code: 'custom', message: BANNER_RULE });
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
