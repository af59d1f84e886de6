import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../db';
import { award, badge, season, type Badge } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { evaluateAwards, seasonBadges } from './awards';
import { centsToPrice, priceToCents } from '../catalogue/products';
import type { BadgeCriterion } from '../../contest/badges';
import { DEFAULT_TIERS, type Tier } from '../../contest/tiers';

// Managing a season's badges, levels (tiers) and holidays. A badge change applies from now on:
// awards already given stay, and so do the bonus points they added. Saving a badge evaluates
// the season at once, so people who already qualify receive it (and see it celebrated).

export type CriterionKind = BadgeCriterion['kind'];

/** The criteria a manager can choose, in the order the form offers them. */
export const CRITERIA: readonly { kind: CriterionKind; label: string; hint: string }[] = [
	{ kind: 'first_sale', label: 'First sale', hint: 'Once, at the first sale of the season.' },
	{
		kind: 'sales_count',
		label: 'Number of sales',
		hint: 'Once, at the sale that reaches the count.'
	},
	{
		kind: 'points_at_least',
		label: 'Points reached',
		hint: 'Once, when the season points reach the threshold.'
	},
	{
		kind: 'revenue_at_least',
		label: 'Revenue reached',
		hint: 'Once, when the total of the sales reaches the amount.'
	},
	{
		kind: 'streak',
		label: 'Streak of working days',
		hint: 'Once, after a sale on that many working days in a row. Weekends and holidays neither count nor break it.'
	},
	{
		kind: 'cross_sells',
		label: 'Cross-sells',
		hint: 'Once, after that many sales combining products of more than one category.'
	},
	{
		kind: 'top_k_week',
		label: 'Top of the week',
		hint: 'Every week, after the week ends, to everyone ranked in the top K of that week.'
	},
	{
		kind: 'record_sale',
		label: 'Record sale',
		hint: 'Whenever a sale is bigger than every earlier sale of the season; at most once a day per person.'
	},
	{
		kind: 'most_improved_week',
		label: 'Most improved of the week',
		hint: 'Every week, after the week ends, to the biggest increase in points over the week before.'
	},
	{
		kind: 'team_target',
		label: 'Team reached a target',
		hint: 'A team badge: once, when the team’s season total reaches the target.'
	},
	{
		kind: 'season_place',
		label: 'Final place in the season',
		hint: 'When the season ends, to everyone whose final rank is at most this.'
	},
	{
		kind: 'season_best_team',
		label: 'Best team of the season',
		hint: 'A team badge: when the season ends, to the team ranked first.'
	}
];

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
	minPoints: string;
	amount: string;
	days: string;
	k: string;
	target: string;
	metric: string;
	maxRank: string;
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

export class BadgeAdminError extends Error {
	constructor(
		readonly code: 'not_found',
		message: string
	) {
		super(message);
	}
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
		minPoints: '1000',
		amount: '10000',
		days: '3',
		k: '3',
		target: '5000',
		metric: 'points',
		maxRank: '3',
		active: true
	};
}

export function readBadgeValues(form: FormData): BadgeValues {
	const text = (key: keyof BadgeValues) => String(form.get(key) ?? '');
	return {
		name: text('name'),
		emoji: text('emoji'),
		description: text('description'),
		bonus: text('bonus'),
		kind: text('kind'),
		count: text('count'),
		category: text('category'),
		minPoints: text('minPoints'),
		amount: text('amount'),
		days: text('days'),
		k: text('k'),
		target: text('target'),
		metric: text('metric'),
		maxRank: text('maxRank'),
		active: form.get('active') === 'on'
	};
}

const plainAmount = (cents: number) => centsToPrice(cents).replace(/\.00$/, '');

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
			values.count = String(c.count);
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
			values.maxRank = String(c.maxRank);
			break;
	}
	return values;
}

const euros = new Intl.NumberFormat('en', {
	style: 'currency',
	currency: 'EUR',
	maximumFractionDigits: 2,
	minimumFractionDigits: 0
});
const money = (cents: number) => euros.format(cents / 100);
const count = (n: number) => n.toLocaleString('en');

/** What earns the badge, in words: "5 sales in Phones", "Top 3 of a week". */
export function describeCriterion(criterion: BadgeCriterion): string {
	switch (criterion.kind) {
		case 'first_sale':
			return 'First sale of the season';
		case 'sales_count':
			return `${count(criterion.count)} sale${criterion.count === 1 ? '' : 's'}${criterion.category ? ` in ${criterion.category}` : ''}`;
		case 'points_at_least':
			return `${count(criterion.points)} points in the season`;
		case 'revenue_at_least':
			return `${money(criterion.amount)} in sales`;
		case 'streak':
			return `A sale on ${criterion.days} working days in a row`;
		case 'cross_sells':
			return `${count(criterion.count)} cross-sell${criterion.count === 1 ? '' : 's'}`;
		case 'top_k_week':
			return criterion.k === 1 ? 'Best of a week' : `Top ${criterion.k} of a week`;
		case 'record_sale':
			return 'The biggest single sale of the season so far';
		case 'most_improved_week':
			return 'Biggest jump in points over the week before';
		case 'team_target':
			return criterion.metric === 'amount'
				? `Team reaches ${money(criterion.target)} in sales`
				: `Team reaches ${count(criterion.target)} points`;
		case 'season_place':
			return criterion.maxRank === 1
				? 'Finishes the season first'
				: `Finishes the season in the top ${criterion.maxRank}`;
		case 'season_best_team':
			return 'The team that wins the season';
	}
}

function wholeNumber(what: string, min: number, max: number) {
	return z
		.string()
		.trim()
		.regex(/^\d+$/, `Enter ${what} as a whole number`)
		.transform(Number)
		.refine(
			(n) => n >= min && n <= max,
			`${what.charAt(0).toUpperCase()}${what.slice(1)} must be from ${count(min)} to ${count(max)}`
		);
}

const graphemes = (text: string) =>
	[...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].length;

const emojiSchema = z
	.string()
	.trim()
	.min(1, 'Pick an emoji for the badge')
	.refine((text) => graphemes(text) <= 2 && text.length <= 16, 'Use one emoji (or two at most)');

const nameSchema = z
	.string()
	.trim()
	.min(1, 'Give the badge a name, e.g. "Hat-trick"')
	.max(60, 'Keep the name under 60 characters');

const descriptionSchema = z.string().trim().max(200, 'Keep the description under 200 characters');

const bonusSchema = z
	.string()
	.trim()
	.transform((text, ctx) => {
		if (text === '') return 0;
		if (!/^\d+$/.test(text) || Number(text) > 100_000) {
			ctx.addIssue({
				code: 'custom',
				message: 'Enter the bonus as whole points from 0 to 100,000, or leave it empty'
			});
			return z.NEVER;
		}
		return Number(text);
	});

/**
 * Validates the badge form. Errors are per field, in words a manager can act on; an empty
 * description becomes the criterion in words.
 */
export function parseBadge(
	values: BadgeValues,
	ctx: { categories: readonly string[] }
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
			errors[key] = 'Enter an amount in euros, e.g. 10000 or 2499.90';
			return undefined;
		}
		return cents;
	}

	const name = check('name', nameSchema, values.name);
	const emoji = check('emoji', emojiSchema, values.emoji);
	const description = check('description', descriptionSchema, values.description);
	const points = check('bonus', bonusSchema, values.bonus);
	const kind = check(
		'kind',
		z.enum(KINDS, { message: 'Choose what earns the badge' }),
		values.kind
	);

	let criterion: BadgeCriterion | undefined;
	switch (kind) {
		case 'first_sale':
		case 'record_sale':
		case 'most_improved_week':
			criterion = { kind };
			break;
		case 'sales_count': {
			const n = check('count', wholeNumber('the number of sales', 1, 10_000), values.count);
			const category = values.category.trim();
			if (category && !ctx.categories.includes(category)) {
				errors.category = `No product in the catalogue has the category "${category}"`;
			}
			if (n !== undefined) criterion = category ? { kind, count: n, category } : { kind, count: n };
			break;
		}
		case 'cross_sells': {
			const n = check('count', wholeNumber('the number of cross-sells', 1, 10_000), values.count);
			if (n !== undefined) criterion = { kind, count: n };
			break;
		}
		case 'points_at_least': {
			const n = check('minPoints', wholeNumber('the points', 1, 10_000_000), values.minPoints);
			if (n !== undefined) criterion = { kind, points: n };
			break;
		}
		case 'revenue_at_least': {
			const cents = amount('amount', values.amount);
			if (cents !== undefined) criterion = { kind, amount: cents };
			break;
		}
		case 'streak': {
			const days = check('days', wholeNumber('the number of days', 2, 60), values.days);
			if (days !== undefined) criterion = { kind, days };
			break;
		}
		case 'top_k_week': {
			const k = check('k', wholeNumber('the number of places', 1, 100), values.k);
			if (k !== undefined) criterion = { kind, k };
			break;
		}
		case 'team_target': {
			const metric = check(
				'metric',
				z.enum(['points', 'amount'], { message: 'Choose points or sales' }),
				values.metric
			);
			const target =
				metric === 'amount'
					? amount('target', values.target)
					: check('target', wholeNumber('the target', 1, 100_000_000), values.target);
			if (metric && target !== undefined) criterion = { kind, target, metric };
			break;
		}
		case 'season_place': {
			const maxRank = check('maxRank', wholeNumber('the final rank', 1, 100), values.maxRank);
			if (maxRank !== undefined) criterion = { kind, maxRank };
			break;
		}
		case 'season_best_team':
			criterion = { kind };
			break;
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
			errors: Object.keys(errors).length > 0 ? errors : { name: 'Check the form' }
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

export interface BadgeListItem {
	id: number;
	name: string;
	emoji: string;
	description: string;
	criterion: string;
	kind: CriterionKind;
	points: number;
	active: boolean;
	/** All-time badges belong to no season: they are shown, not edited, here. */
	allSeasons: boolean;
	awarded: number;
}

/** The season's badges (and the all-time ones) with how many times each was awarded in it. */
export function listSeasonBadges(db: Queryable, seasonId: number): BadgeListItem[] {
	const counts = new Map(
		db
			.select({ badgeId: award.badgeId, n: sql<number>`count(*)` })
			.from(award)
			.where(eq(award.seasonId, seasonId))
			.groupBy(award.badgeId)
			.all()
			.map((row) => [row.badgeId, row.n])
	);
	return seasonBadges(db, seasonId).map((row) => ({
		id: row.id,
		name: row.name,
		emoji: row.emoji,
		description: row.description,
		criterion: describeCriterion(row.criterion),
		kind: row.criterion.kind,
		points: row.points,
		active: row.active,
		allSeasons: row.seasonId === null,
		awarded: counts.get(row.id) ?? 0
	}));
}

/** A badge of this season (not an all-time one), so that a form cannot reach another season's. */
export function getSeasonBadge(db: Queryable, seasonId: number, id: number): Badge | undefined {
	return db
		.select()
		.from(badge)
		.where(and(eq(badge.id, id), eq(badge.seasonId, seasonId)))
		.get();
}

function findBadge(db: Queryable, seasonId: number, id: number): Badge {
	const row = getSeasonBadge(db, seasonId, id);
	if (!row) throw new BadgeAdminError('not_found', 'This badge does not exist (any more)');
	return row;
}

function snapshot(row: BadgeDraft) {
	const { name, emoji, description, points, criterion, active } = row;
	return { name, emoji, description, points, criterion, active };
}

export interface BadgeSaved {
	badge: Badge;
	/** People (or teams) who already qualified and received it now. */
	awarded: number;
}

/** Awards what the season already earns; only counts the awards of `badgeId`. */
function awardNow(db: Db, seasonId: number, badgeId: number, clock: Clock): number {
	return evaluateAwards(db, seasonId, { clock }).filter((e) => e.badge.id === badgeId).length;
}

export function createBadge(
	db: Db,
	seasonId: number,
	draft: BadgeDraft,
	actor: Actor,
	clock: Clock = systemClock
): BadgeSaved {
	const now = clock();
	const row = db.transaction(
		(tx) => {
			const created = tx
				.insert(badge)
				.values({ ...draft, seasonId, createdAt: now })
				.returning()
				.get();
			audit(
				tx,
				actor,
				'badge.create',
				`badge:${created.id}`,
				{ seasonId, ...snapshot(draft) },
				now
			);
			return created;
		},
		{ behavior: 'immediate' }
	);
	return { badge: row, awarded: row.active ? awardNow(db, seasonId, row.id, clock) : 0 };
}

export function updateBadge(
	db: Db,
	seasonId: number,
	id: number,
	draft: BadgeDraft,
	actor: Actor,
	clock: Clock = systemClock
): BadgeSaved {
	const now = clock();
	const row = db.transaction(
		(tx) => {
			const before = findBadge(tx, seasonId, id);
			const updated = tx.update(badge).set(draft).where(eq(badge.id, id)).returning().get();
			audit(
				tx,
				actor,
				'badge.update',
				`badge:${id}`,
				{ seasonId, name: draft.name, before: snapshot(before), after: snapshot(draft) },
				now
			);
			return updated;
		},
		{ behavior: 'immediate' }
	);
	return { badge: row, awarded: row.active ? awardNow(db, seasonId, row.id, clock) : 0 };
}

export function setBadgeActive(
	db: Db,
	seasonId: number,
	id: number,
	active: boolean,
	actor: Actor,
	clock: Clock = systemClock
): BadgeSaved {
	const now = clock();
	const result = db.transaction(
		(tx) => {
			const before = findBadge(tx, seasonId, id);
			if (before.active === active) return { row: before, changed: false };
			const row = tx.update(badge).set({ active }).where(eq(badge.id, id)).returning().get();
			audit(
				tx,
				actor,
				active ? 'badge.activate' : 'badge.deactivate',
				`badge:${id}`,
				{ seasonId, name: before.name },
				now
			);
			return { row, changed: true };
		},
		{ behavior: 'immediate' }
	);
	const awarded = result.changed && active ? awardNow(db, seasonId, id, clock) : 0;
	return { badge: result.row, awarded };
}

// ---- Levels (tiers) and holidays ----

export interface TierValues {
	name: string;
	minPoints: string;
	emoji: string;
}

export interface LevelsValues {
	tiers: TierValues[];
	/** One date per line, as typed. */
	holidays: string;
}

export interface LevelsErrors {
	/** Per row of `tiers`, by field. */
	rows?: Partial<Record<keyof TierValues, string>>[];
	tiers?: string;
	holidays?: string;
}

export interface Levels {
	tiers: Tier[];
	holidays: string[];
}

export const MAX_TIERS = 12;

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

export function readLevelsValues(form: FormData): LevelsValues {
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
	.min(1, 'Name the level')
	.max(30, 'Keep the name under 30 characters');
const tierPointsSchema = z
	.string()
	.trim()
	.regex(/^\d+$/, 'Enter whole points, e.g. 500')
	.transform(Number)
	.refine((n) => n <= 100_000_000, 'At most 100,000,000 points');
const tierEmojiSchema = z
	.string()
	.trim()
	.refine((text) => graphemes(text) <= 2 && text.length <= 16, 'One emoji (or none)');

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
	const rowErrors: Partial<Record<keyof TierValues, string>>[] = values.tiers.map(() => ({}));
	const tiers: Tier[] = [];
	if (rows.length === 0) errors.tiers = 'Keep at least one level';
	else if (rows.length > MAX_TIERS) errors.tiers = `At most ${MAX_TIERS} levels`;
	const seen = new Map<string, number>();
	let previous: Tier | undefined;
	values.tiers.forEach((row, i) => {
		if (!rows.includes(row)) return;
		const name = tierNameSchema.safeParse(row.name);
		const points = tierPointsSchema.safeParse(row.minPoints);
		const emoji = tierEmojiSchema.safeParse(row.emoji);
		if (!name.success) rowErrors[i].name = name.error.issues[0].message;
		if (!points.success) rowErrors[i].minPoints = points.error.issues[0].message;
		if (!emoji.success) rowErrors[i].emoji = emoji.error.issues[0].message;
		if (!name.success || !points.success || !emoji.success) return;
		const key = name.data.toLocaleLowerCase('en');
		if (seen.has(key)) rowErrors[i].name = `Another level is already called "${name.data}"`;
		seen.set(key, i);
		const tier: Tier = emoji.data
			? { name: name.data, minPoints: points.data, emoji: emoji.data }
			: { name: name.data, minPoints: points.data };
		if (row === rows[0] && tier.minPoints !== 0)
			rowErrors[i].minPoints = 'The first level starts at 0 points';
		else if (previous && tier.minPoints <= previous.minPoints) {
			rowErrors[i].minPoints =
				`Needs more than ${previous.name} (${count(previous.minPoints)} points): list levels from lowest to highest`;
		}
		tiers.push(tier);
		previous = tier;
	});
	if (rowErrors.some((e) => Object.keys(e).length > 0)) errors.rows = rowErrors;

	const holidays = new Set<string>();
	const lines = values.holidays.split(/\r?\n/);
	for (const [i, raw] of lines.entries()) {
		const text = raw.trim();
		if (!text) continue;
		if (!isRealDate(text)) {
			errors.holidays = `Line ${i + 1}: "${text.slice(0, 20)}" is not a date; write one date per line as YYYY-MM-DD`;
			break;
		}
		holidays.add(text);
	}
	if (!errors.holidays && holidays.size > 366) errors.holidays = 'At most 366 holidays';

	if (errors.rows || errors.tiers || errors.holidays) return { ok: false, errors };
	return { ok: true, levels: { tiers, holidays: [...holidays].sort() } };
}

/** The season's levels (the default ones unless it has its own) and holidays. */
export function getLevels(
	db: Queryable,
	seasonId: number
): (Levels & { custom: boolean }) | undefined {
	const row = db
		.select({ tiers: season.tiers, holidays: season.holidays })
		.from(season)
		.where(eq(season.id, seasonId))
		.get();
	if (!row) return undefined;
	return {
		tiers: row.tiers ?? [...DEFAULT_TIERS],
		custom: row.tiers != null,
		holidays: row.holidays ?? []
	};
}

const sameTiers = (a: readonly Tier[], b: readonly Tier[]) =>
	a.length === b.length &&
	a.every(
		(t, i) =>
			t.name === b[i].name &&
			t.minPoints === b[i].minPoints &&
			(t.emoji ?? '') === (b[i].emoji ?? '')
	);

/**
 * Saves the levels and holidays, audited with what changed. Levels equal to the defaults are
 * stored as "default" so that the season follows them. New holidays can complete a streak,
 * so the season's badges are evaluated again when they change.
 */
export function updateLevels(
	db: Db,
	seasonId: number,
	levels: Levels,
	actor: Actor,
	clock: Clock = systemClock
): { changed: ('tiers' | 'holidays')[] } {
	const now = clock();
	const result = db.transaction(
		(tx) => {
			const before = getLevels(tx, seasonId);
			if (!before) throw new Error(`No season ${seasonId}`);
			const tiers = sameTiers(levels.tiers, DEFAULT_TIERS) ? null : levels.tiers;
			const changed: ('tiers' | 'holidays')[] = [];
			if (!sameTiers(before.tiers, levels.tiers) || before.custom !== (tiers !== null))
				changed.push('tiers');
			if (before.holidays.join() !== levels.holidays.join()) changed.push('holidays');
			if (changed.length === 0) return { changed };
			tx.update(season)
				.set({ tiers, holidays: levels.holidays.length > 0 ? levels.holidays : null })
				.where(eq(season.id, seasonId))
				.run();
			const diff: Record<string, unknown> = {};
			if (changed.includes('tiers'))
				diff.tiers = { from: before.custom ? before.tiers : 'default', to: tiers ?? 'default' };
			if (changed.includes('holidays'))
				diff.holidays = { from: before.holidays, to: levels.holidays };
			audit(tx, actor, 'season.levels', `season:${seasonId}`, diff, now);
			return { changed };
		},
		{ behavior: 'immediate' }
	);
	if (result.changed.includes('holidays')) evaluateAwards(db, seasonId, { clock });
	return result;
}
