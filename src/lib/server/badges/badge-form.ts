import * as z from 'zod';
import type { Badge } from '../db/schema';
import { formText } from '../shared/form';
import { priceInput, priceToCents } from '../../format/money';
import { points as pointsText } from '../../format/numbers';
import { m } from '../../paraglide/messages.js';
import {
	BADGE_LIMITS,
	describeCriterion,
	type BadgeCriterion,
	type CountedCriterion
} from '../../contest/badges';
import { CRITERIA, type CriterionKind } from './criteria';

// The badge form: what a manager types (strings, so that a refused form comes back as it was
// sent), the criteria it offers, how a stored badge fills it, and how it is checked.

const KINDS = CRITERIA.map((c) => c.kind) as [CriterionKind, ...CriterionKind[]];

/** The badge form as typed: strings, so that a refused form comes back as it was sent. */
export interface BadgeValues {
	name: string;
	emoji: string;
	description: string;
	bonus: string;
	kind: string;
	count: string;
	category: string;
	/** An activity type's key (activities logged); empty: any type. */
	activityType: string;
	minPoints: string;
	amount: string;
	days: string;
	k: string;
	target: string;
	metric: string;
	maxRank: string;
	/** % of the target (quota attained). */
	percent: string;
	active: boolean;
}

export type BadgeErrors = Partial<Record<keyof BadgeValues, string>>;

export interface BadgeDraft {
	name: string;
	emoji: string;
	description: string;
	points: number;
	criterion: BadgeCriterion;
	active: boolean;
}

export function emptyBadgeValues(): BadgeValues {
	return {
		name: '',
		emoji: '🏅',
		description: '',
		bonus: '',
		kind: 'sales_count',
		count: '5',
		category: '',
		activityType: '',
		minPoints: '1000',
		amount: '10000',
		days: '3',
		k: '3',
		target: '5000',
		metric: 'points',
		maxRank: '3',
		percent: '100',
		active: true
	};
}

const TEXT_KEYS = [
	'name',
	'emoji',
	'description',
	'bonus',
	'kind',
	'count',
	'category',
	'activityType',
	'minPoints',
	'amount',
	'days',
	'k',
	'target',
	'metric',
	'maxRank',
	'percent'
] as const satisfies readonly (keyof BadgeValues)[];

export function readBadgeForm(form: FormData): BadgeValues {
	return { ...formText(form, TEXT_KEYS), active: form.get('active') === 'on' };
}

const plainAmount = (cents: number) => priceInput(cents).replace(/[.,]00$/, '');

/** A stored badge as the form shows it; amounts in the currency's main units. */
export function badgeToValues(row: Badge): BadgeValues {
	const values = {
		...emptyBadgeValues(),
		name: row.name,
		emoji: row.emoji,
		description: row.description,
		active: row.active
	};
	values.bonus = row.points === 0 ? '' : String(row.points);
	const c = row.criterion;
	values.kind = c.kind;
	switch (c.kind) {
		case 'sales_count':
			values.count = String(c.count);
			values.category = c.category ?? '';
			break;
		case 'cross_sells':
		case 'quizzes_passed':
		case 'duels_won':
		case 'sprints_won':
		case 'knockouts_won':
			values.count = String(c.count);
			break;
		case 'activities_logged':
			values.count = String(c.count);
			values.activityType = c.type ?? '';
			break;
		case 'points_at_least':
			values.minPoints = String(c.points);
			break;
		case 'revenue_at_least':
			values.amount = plainAmount(c.amount);
			break;
		case 'streak':
			values.days = String(c.days);
			break;
		case 'top_k_week':
			values.k = String(c.k);
			break;
		case 'team_target':
			values.metric = c.metric ?? 'points';
			values.target = c.metric === 'amount' ? plainAmount(c.target) : String(c.target);
			break;
		case 'season_place':
		case 'division_place':
			values.maxRank = String(c.maxRank);
			break;
		case 'quota_attained':
			values.percent = String(c.percent);
			break;
	}
	return values;
}

/** Which number a field holds, for its messages. */
type NumberField = 'sales' | 'cross_sells' | 'points' | 'days' | 'places' | 'target' | 'rank';

function wholeNumber(field: NumberField, min: number, max: number) {
	return z
		.string()
		.trim()
		.regex(/^\d+$/, { error: () => m.badges_error_whole_number({ field }) })
		.transform(Number)
		.refine((n) => n >= min && n <= max, {
			error: () => m.badges_error_range({ field, min: pointsText(min), max: pointsText(max) })
		});
}

/** A counted criterion's N, from 1 to `max`, refused in the criterion's own words. */
function countOf(max: number, error: () => string) {
	return z
		.string()
		.trim()
		.regex(/^\d+$/, { error })
		.transform(Number)
		.refine((n) => n >= 1 && n <= max, { error });
}

const MAX_ACTIVITIES = 100_000;

const COUNTS = {
	quizzes_passed: countOf(100, () => m.badges_error_quizzes()),
	duels_won: countOf(100, () => m.challenges_badge_error_count()),
	sprints_won: countOf(100, () => m.badges_error_sprints()),
	knockouts_won: countOf(100, () => m.badges_error_knockouts()),
	activities_logged: countOf(MAX_ACTIVITIES, () =>
		m.badges_error_activities({ max: pointsText(MAX_ACTIVITIES) })
	)
} as const satisfies Record<CountedCriterion['kind'], z.ZodType<number, string>>;

export const graphemes = (text: string) =>
	[...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].length;

const emojiSchema = z
	.string()
	.trim()
	.min(1, { error: () => m.badges_error_emoji() })
	.refine((text) => graphemes(text) <= 2 && text.length <= BADGE_LIMITS.emoji, {
		error: () => m.badges_error_emoji_count()
	});

const nameSchema = z
	.string()
	.trim()
	.min(1, { error: () => m.badges_error_name() })
	.max(BADGE_LIMITS.name, { error: () => m.rules_error_name_long({ max: BADGE_LIMITS.name }) });

const descriptionSchema = z
	.string()
	.trim()
	.max(BADGE_LIMITS.description, {
		error: () => m.badges_error_description_long({ max: BADGE_LIMITS.description })
	});

const bonusSchema = z
	.string()
	.trim()
	.transform((text, ctx) => {
		if (text === '') return 0;
		if (!/^\d+$/.test(text) || Number(text) > 100_000) {
			ctx.addIssue({
				code: 'custom',
				message: m.badges_error_bonus({ max: pointsText(100_000) })
			});
			return z.NEVER;
		}
		return Number(text);
	});

/**
 * Validates the badge form. Errors are per field, in words a manager can act on; an empty
 * description becomes the criterion in words. `ctx` holds the season's product categories and
 * activity type keys.
 */
export function parseBadge(
	values: BadgeValues,
	ctx: { categories: readonly string[]; activityTypes: readonly string[] }
): { ok: true; draft: BadgeDraft } | { ok: false; errors: BadgeErrors } {
	const errors: BadgeErrors = {};
	function check<T>(key: keyof BadgeValues, schema: z.ZodType<T>, value: unknown): T | undefined {
		const result = schema.safeParse(value);
		if (result.success) return result.data;
		errors[key] ??= result.error.issues[0].message;
		return undefined;
	}
	function amount(key: 'amount' | 'target', text: string): number | undefined {
		const cents = priceToCents(text);
		if (cents === null || cents === 0) {
			errors[key] = m.badges_error_amount({
				whole: plainAmount(1_000_000),
				cents: priceInput(249_990)
			});
			return undefined;
		}
		return cents;
	}

	const name = check('name', nameSchema, values.name);
	const emoji = check('emoji', emojiSchema, values.emoji);
	const description = check('description', descriptionSchema, values.description);
	const points = check('bonus', bonusSchema, values.bonus);
	const kind = check('kind', z.enum(KINDS, { error: () => m.badges_error_kind() }), values.kind);

	let criterion: BadgeCriterion | undefined;
	switch (kind) {
		case 'first_sale':
		case 'record_sale':
		case 'most_improved_week':
			criterion = { kind };
			break;
		case 'sales_count': {
			const n = check('count', wholeNumber('sales', 1, 10_000), values.count);
			const category = values.category.trim();
			if (category && !ctx.categories.includes(category)) {
				errors.category = m.rules_error_no_category({ category });
			}
			if (n !== undefined) criterion = category ? { kind, count: n, category } : { kind, count: n };
			break;
		}
		case 'cross_sells': {
			const n = check('count', wholeNumber('cross_sells', 1, 10_000), values.count);
			if (n !== undefined) criterion = { kind, count: n };
			break;
		}
		case 'quizzes_passed':
		case 'duels_won':
		case 'sprints_won':
		case 'knockouts_won': {
			const n = check('count', COUNTS[kind], values.count);
			if (n !== undefined) criterion = { kind, count: n };
			break;
		}
		case 'activities_logged': {
			const n = check('count', COUNTS[kind], values.count);
			const type = values.activityType.trim();
			if (type && !ctx.activityTypes.includes(type))
				errors.activityType = m.badges_error_activity_type({ type });
			if (n !== undefined) criterion = type ? { kind, count: n, type } : { kind, count: n };
			break;
		}
		case 'points_at_least': {
			const n = check('minPoints', wholeNumber('points', 1, 10_000_000), values.minPoints);
			if (n !== undefined) criterion = { kind, points: n };
			break;
		}
		case 'revenue_at_least': {
			const cents = amount('amount', values.amount);
			if (cents !== undefined) criterion = { kind, amount: cents };
			break;
		}
		case 'streak': {
			const days = check('days', wholeNumber('days', 2, 60), values.days);
			if (days !== undefined) criterion = { kind, days };
			break;
		}
		case 'top_k_week': {
			const k = check('k', wholeNumber('places', 1, 100), values.k);
			if (k !== undefined) criterion = { kind, k };
			break;
		}
		case 'team_target': {
			const metric = check(
				'metric',
				z.enum(['points', 'amount'], { error: () => m.badges_error_metric() }),
				values.metric
			);
			const target =
				metric === 'amount'
					? amount('target', values.target)
					: check('target', wholeNumber('target', 1, 100_000_000), values.target);
			if (metric && target !== undefined) criterion = { kind, target, metric };
			break;
		}
		case 'season_place':
		case 'division_place': {
			const maxRank = check('maxRank', wholeNumber('rank', 1, 100), values.maxRank);
			if (maxRank !== undefined) criterion = { kind, maxRank };
			break;
		}
		case 'season_best_team':
			criterion = { kind };
			break;
		case 'quota_attained': {
			const percent = check('percent', countOf(1000, m.quotas_badge_error_percent), values.percent);
			if (percent !== undefined) criterion = { kind, percent };
			break;
		}
	}

	if (
		Object.keys(errors).length > 0 ||
		name === undefined ||
		emoji === undefined ||
		description === undefined ||
		points === undefined ||
		!criterion
	) {
		return {
			ok: false,
			errors: Object.keys(errors).length > 0 ? errors : { name: m.rules_error_check() }
		};
	}
	return {
		ok: true,
		draft: {
			name,
			emoji,
			description: description || describeCriterion(criterion),
			points,
			criterion,
			active: values.active
		}
	};
}
