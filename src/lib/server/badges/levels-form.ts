import * as z from 'zod';
import { graphemes } from './badge-form';
import { BADGE_LIMITS } from '../../contest/badges';
import { MAX_TIERS, TIER_NAME_MAX, type Tier } from '../../contest/tiers';
import { points } from '../../format/numbers';
import { m } from '../../paraglide/messages.js';

// The levels (tiers) and holidays form of the badges page: what is typed, how FormData is read,
// and how it is checked.

const count = (n: number) => points(n);

interface TierValues {
	name: string;
	minPoints: string;
	emoji: string;
}

export interface LevelsValues {
	tiers: TierValues[];
	/** One date per line, as typed. */
	holidays: string;
}

/**
 * Messages by field: `tiers` (the list as a whole), `holidays`, and `tiers.<row>.<field>` for
 * one cell, e.g. `tiers.2.minPoints` (the path style of fieldErrors).
 */
export type LevelsErrors = Record<string, string>;

const cell = (row: number, field: keyof TierValues) => `tiers.${row}.${field}`;

export interface Levels {
	tiers: Tier[];
	holidays: string[];
}

export function levelsToValues(levels: {
	tiers: readonly Tier[];
	holidays: readonly string[];
}): LevelsValues {
	return {
		tiers: levels.tiers.map((t) => ({
			name: t.name,
			minPoints: String(t.minPoints),
			emoji: t.emoji ?? ''
		})),
		holidays: levels.holidays.join('\n')
	};
}

export function readLevelsForm(form: FormData): LevelsValues {
	const all = (key: string) => form.getAll(key).map((v) => String(v));
	const names = all('tierName');
	const points = all('tierPoints');
	const emojis = all('tierEmoji');
	const rows = Array.from(
		{ length: Math.max(names.length, points.length, emojis.length) },
		(_, i) => ({
			name: names[i] ?? '',
			minPoints: points[i] ?? '',
			emoji: emojis[i] ?? ''
		})
	);
	return { tiers: rows, holidays: String(form.get('holidays') ?? '') };
}

const DATE_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(text: string): boolean {
	const match = DATE_KEY.exec(text);
	if (!match) return false;
	const [year, month, day] = match.slice(1).map(Number);
	const date = new Date(Date.UTC(year, month - 1, day));
	return (
		date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
	);
}

const tierNameSchema = z
	.string()
	.trim()
	.min(1, { error: () => m.badges_error_level_name() })
	.max(TIER_NAME_MAX, { error: () => m.rules_error_name_long({ max: TIER_NAME_MAX }) });
const tierPointsSchema = z
	.string()
	.trim()
	.regex(/^\d+$/, { error: () => m.badges_error_level_points({ example: count(500) }) })
	.transform(Number)
	.refine((n) => n <= 100_000_000, {
		error: () => m.badges_error_level_points_max({ max: count(100_000_000) })
	});
const tierEmojiSchema = z
	.string()
	.trim()
	.refine((text) => graphemes(text) <= 2 && text.length <= BADGE_LIMITS.emoji, {
		error: () => m.badges_error_level_emoji()
	});

/**
 * Validates the levels and holidays. Rows left completely empty are dropped; the levels must
 * start at 0 points, climb strictly and have distinct names, so that every score has exactly
 * one level.
 */
export function parseLevels(
	values: LevelsValues
): { ok: true; levels: Levels } | { ok: false; errors: LevelsErrors } {
	const errors: LevelsErrors = {};
	const rows = values.tiers.filter((t) => t.name.trim() || t.minPoints.trim() || t.emoji.trim());
	const tiers: Tier[] = [];
	if (rows.length === 0) errors.tiers = m.badges_error_levels_none();
	else if (rows.length > MAX_TIERS) errors.tiers = m.badges_error_levels_max({ max: MAX_TIERS });
	const seen = new Map<string, number>();
	let previous: Tier | undefined;
	values.tiers.forEach((row, i) => {
		if (!rows.includes(row)) return;
		const name = tierNameSchema.safeParse(row.name);
		const points = tierPointsSchema.safeParse(row.minPoints);
		const emoji = tierEmojiSchema.safeParse(row.emoji);
		if (!name.success) errors[cell(i, 'name')] = name.error.issues[0].message;
		if (!points.success) errors[cell(i, 'minPoints')] = points.error.issues[0].message;
		if (!emoji.success) errors[cell(i, 'emoji')] = emoji.error.issues[0].message;
		if (!name.success || !points.success || !emoji.success) return;
		const key = name.data.toLocaleLowerCase('en');
		if (seen.has(key)) errors[cell(i, 'name')] = m.badges_error_level_twice({ name: name.data });
		seen.set(key, i);
		const tier: Tier = emoji.data
			? { name: name.data, minPoints: points.data, emoji: emoji.data }
			: { name: name.data, minPoints: points.data };
		if (row === rows[0] && tier.minPoints !== 0)
			errors[cell(i, 'minPoints')] = m.badges_error_level_first();
		else if (previous && tier.minPoints <= previous.minPoints) {
			errors[cell(i, 'minPoints')] = m.badges_error_level_order({
				name: previous.name,
				count: previous.minPoints,
				n: count(previous.minPoints)
			});
		}
		tiers.push(tier);
		previous = tier;
	});

	const holidays = new Set<string>();
	const lines = values.holidays.split(/\r?\n/);
	for (const [i, raw] of lines.entries()) {
		const text = raw.trim();
		if (!text) continue;
		if (!isRealDate(text)) {
			errors.holidays = m.badges_error_holiday({ line: i + 1, text: text.slice(0, 20) });
			break;
		}
		holidays.add(text);
	}
	if (!errors.holidays && holidays.size > 366)
		errors.holidays = m.badges_error_holidays_max({ max: 366 });

	if (Object.keys(errors).length > 0) return { ok: false, errors };
	return { ok: true, levels: { tiers, holidays: [...holidays].sort() } };
}
