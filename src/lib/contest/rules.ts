import { TZDate } from '@date-fns/tz';
import { startOfDay } from 'date-fns';
import { formatAt } from '../format/dates';
import { points } from '../format/numbers';
import { currentCurrency } from '../format/money';
import { intlLocale } from '../i18n/current';
import type { Locale } from '../i18n/locales';
import { m } from '../paraglide/messages.js';
import type { CatalogueItem } from './types';

/**
 * What a rule looks at: sale lines (`any`, `sku`, `category`), or logged activities (`activity`:
 * of one type, by its key, or of every type when `type` is missing). A sale-line target never
 * matches an activity, nor an activity target a sale line.
 */
export type RuleTarget =
	| { kind: 'any' }
	| { kind: 'sku'; sku: string }
	| { kind: 'category'; category: string }
	| { kind: 'activity'; type?: string };

/**
 * What a rule does to the lines its target matches. Multipliers only ever scale base points;
 * bonuses are flat points that no multiplier scales. See `score()` for how they combine.
 */
export type RuleEffect =
	| { kind: 'multiplier'; factor: number }
	/** The factor applies when another line of the sale is in `withCategory`. */
	| { kind: 'cross_sell_multiplier'; withCategory: string; factor: number }
	/** Points per unit of each qualifying line, or once per sale that has one. */
	| { kind: 'cross_sell_bonus'; withCategory: string; points: number; per: 'unit' | 'sale' }
	/** Points once when the matching lines add up to at least `minAmount` cents. */
	| { kind: 'amount_bonus'; minAmount: number; points: number }
	/** Points for the seller's first sale of the local day, when it has a matching line. */
	| { kind: 'first_sale_bonus'; points: number };

/**
 * How several multipliers on the same sale line combine (a season setting): the one worth most
 * wins ('best', the default), or they all apply, one after the other ('multiply').
 */
export type MultiplierMode = 'best' | 'multiply';

export const MULTIPLIER_MODES: readonly MultiplierMode[] = ['best', 'multiply'];

/** The setting's name, as the season form offers it, in the reader's language. */
export const MULTIPLIER_MODE_LABELS: Readonly<Record<MultiplierMode, string>> = {
	get best() {
		return m.rules_mode_best();
	},
	get multiply() {
		return m.rules_mode_multiply();
	}
};

/** How rules combine, in one sentence for sellers and managers (rule preview, /sell, help). */
export function combinationText(mode: MultiplierMode): string {
	return mode === 'multiply' ? m.rules_combination_multiply() : m.rules_combination_best();
}

/** The same, in a few words (the sale form's running total). */
export function combinationShort(mode: MultiplierMode): string {
	return mode === 'multiply'
		? m.rules_combination_multiply_short()
		: m.rules_combination_best_short();
}

/** Longest rule name, in characters (the console form and its check share it). */
export const RULE_NAME_MAX = 80;

/** A season-scoped scoring rule or campaign. */
export interface Rule {
	/** Unique within the season; also the deterministic tie-breaker between rules. */
	id: number;
	name: string;
	active: boolean;
	/** Window on the sale's occurredAt: [startsAt, endsAt); a missing bound is open. */
	startsAt?: number | null;
	endsAt?: number | null;
	target: RuleTarget;
	effect: RuleEffect;
	/** Most points this rule may add per seller per local day; missing means no cap. */
	dailyCap?: number | null;
}

export interface TimeWindow {
	startsAt: number;
	endsAt: number;
}

export function isInWindow(rule: Rule, at: number): boolean {
	const { startsAt, endsAt } = rule;
	return (startsAt == null || at >= startsAt) && (endsAt == null || at < endsAt);
}

export function matchesTarget(target: RuleTarget, line: Pick<CatalogueItem, 'sku' | 'category'>) {
	if (target.kind === 'any') return true;
	if (target.kind === 'activity') return false;
	return target.kind === 'sku' ? line.sku === target.sku : line.category === target.category;
}

/** Whether a rule's target takes an activity of the type `typeKey`. */
export function matchesActivity(target: RuleTarget, typeKey: string): boolean {
	return target.kind === 'activity' && (target.type == null || target.type === typeKey);
}

/** The one effect an activity rule may have: activities are multiplied, never given bonuses. */
export function isActivityEffect(effect: RuleEffect): boolean {
	return effect.kind === 'multiplier';
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The instant a local calendar day starts: usually midnight, 01:00 where DST skips midnight. */
function localMidnight(date: string, timeZone: string): TZDate {
	const match = ISO_DATE.exec(date);
	if (!match) throw new RangeError(`Expected a YYYY-MM-DD date, got ${date}`);
	const [year, month, day] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
	const start = new TZDate(year, month, day, timeZone);
	if (Number.isNaN(start.getTime())) throw new RangeError(`Unknown time zone ${timeZone}`);
	if (start.getFullYear() !== year || start.getMonth() !== month || start.getDate() !== day) {
		throw new RangeError(`No such date ${date}`);
	}
	return start;
}

/**
 * Turns inclusive local dates ('2026-03-01'..'2026-03-15') into [startsAt, endsAt): endsAt is
 * the start of the day after `to`, so the whole last local day counts, whatever DST does to it.
 */
export function localDateWindow(from: string, to: string, timeZone: string): TimeWindow {
	const start = localMidnight(from, timeZone);
	const last = localMidnight(to, timeZone);
	if (last.getTime() < start.getTime()) throw new RangeError(`${from} is after ${to}`);
	return { startsAt: start.getTime(), endsAt: nextDayStart(last, timeZone) };
}

function nextDayStart(day: TZDate, timeZone: string): number {
	return new TZDate(day.getFullYear(), day.getMonth(), day.getDate() + 1, timeZone).getTime();
}

export interface DescribeOptions {
	/** Lets sentences name products instead of SKUs. */
	catalogue?: ReadonlyMap<string, CatalogueItem>;
	/** Lets sentences name activity types (by key) instead of their keys. */
	activityTypes?: ReadonlyMap<string, string>;
	/** ISO 4217 code for amounts; without it amounts are plain numbers. */
	currency?: string;
	/** The reader's language; the current one (the request's or the page's) when missing. */
	locale?: Locale;
}

/**
 * One plain-words sentence for the "how to score" page, e.g. "Triple points on Headset Pro when
 * an accessory is on the same sale, 1–15 March", in the reader's language. Dates are the
 * season's local dates. Each language words a whole sentence per effect and target; English
 * also picks "all phones" / "every phone" / "an accessory" from how the category is written.
 */
export function describeRule(rule: Rule, timeZone: string, options: DescribeOptions = {}): string {
	const locale = options.locale;
	const say = { locale };
	const sentence = effectSentence(rule, options);
	const window = formatWindow(rule.startsAt ?? null, rule.endsAt ?? null, timeZone, locale);
	const dated = window ? m.rules_describe_window({ rule: sentence, window }, say) : sentence;
	if (rule.dailyCap == null) return dated;
	const n = points(rule.dailyCap, intlLocale(locale));
	return m.rules_describe_capped({ count: rule.dailyCap, n, rule: dated }, say);
}

function effectSentence(rule: Rule, options: DescribeOptions): string {
	const { effect, target } = rule;
	const say = { locale: options.locale };
	const number = (n: number) => points(n, intlLocale(options.locale));
	if (target.kind === 'activity') {
		// parseRule refuses any other effect on activities, so stored rules never reach the throw.
		if (effect.kind !== 'multiplier')
			throw new RangeError(`An activity rule multiplies; ${effect.kind} cannot apply`);
		const factor = m.rules_factor_points({ factor: effect.factor, x: number(effect.factor) }, say);
		if (target.type == null) return m.rules_describe_multiplier_activity_any({ factor }, say);
		const type = options.activityTypes?.get(target.type) ?? target.type;
		return m.rules_describe_multiplier_activity_type({ factor, type }, say);
	}
	const on = targetInputs(target, options.catalogue);
	switch (effect.kind) {
		case 'multiplier': {
			const factor = m.rules_factor_points(
				{ factor: effect.factor, x: number(effect.factor) },
				say
			);
			if (on.kind === 'any') return m.rules_describe_multiplier_any({ factor }, say);
			if (on.kind === 'product')
				return m.rules_describe_multiplier_product({ factor, product: on.product }, say);
			return m.rules_describe_multiplier_category({ factor, ...on.category }, say);
		}
		case 'cross_sell_multiplier': {
			const factor = m.rules_factor_points(
				{ factor: effect.factor, x: number(effect.factor) },
				say
			);
			const w = companionInputs(effect.withCategory);
			if (on.kind === 'any') return m.rules_describe_cross_multiplier_any({ factor, ...w }, say);
			if (on.kind === 'product')
				return m.rules_describe_cross_multiplier_product(
					{ factor, product: on.product, ...w },
					say
				);
			return m.rules_describe_cross_multiplier_category({ factor, ...on.category, ...w }, say);
		}
		case 'cross_sell_bonus': {
			const bonus = plus(effect.points, options.locale);
			const w = companionInputs(effect.withCategory);
			if (effect.per === 'unit') {
				if (on.kind === 'any') return m.rules_describe_cross_bonus_unit_any({ bonus, ...w }, say);
				if (on.kind === 'product')
					return m.rules_describe_cross_bonus_unit_product(
						{ bonus, product: on.product, ...w },
						say
					);
				return m.rules_describe_cross_bonus_unit_category({ bonus, ...on.category, ...w }, say);
			}
			if (on.kind === 'any') return m.rules_describe_cross_bonus_sale_any({ bonus, ...w }, say);
			if (on.kind === 'product')
				return m.rules_describe_cross_bonus_sale_product({ bonus, product: on.product, ...w }, say);
			return m.rules_describe_cross_bonus_sale_category({ bonus, ...on.category, ...w }, say);
		}
		case 'amount_bonus': {
			const bonus = plus(effect.points, options.locale);
			const amount = formatAmount(effect.minAmount, options.currency, options.locale);
			if (on.kind === 'any') return m.rules_describe_amount_any({ bonus, amount }, say);
			if (on.kind === 'product')
				return m.rules_describe_amount_product({ bonus, amount, product: on.product }, say);
			return m.rules_describe_amount_category({ bonus, amount, ...on.category }, say);
		}
		case 'first_sale_bonus': {
			const bonus = plus(effect.points, options.locale);
			if (on.kind === 'any') return m.rules_describe_first_sale_any({ bonus }, say);
			if (on.kind === 'product')
				return m.rules_describe_first_sale_product({ bonus, product: on.product }, say);
			return m.rules_describe_first_sale_category({ bonus, ...on.category }, say);
		}
	}
}

function plus(n: number, locale?: Locale): string {
	return m.rules_plus_points({ count: n, n: points(n, intlLocale(locale)) }, { locale });
}

/** How English writes a category mid-sentence: "phones" (all phones), "an accessory", "a phone". */
type NounShape = 'plural' | 'an' | 'a';

// Category names are free text: this reads well for nouns like 'accessory' or 'phones' and
// stays understandable for anything else. Other languages quote the name as entered instead.
function shapeOf(noun: string): NounShape {
	if (/[^s]s$/i.test(noun)) return 'plural';
	return /^[aeiou]/i.test(noun) ? 'an' : 'a';
}

function categoryNoun(category: string): string {
	// Lower-case 'Accessory' mid-sentence but keep names like 'TV' or 'iPhone' as written.
	if (!/^[A-Z][a-z]/.test(category)) return category;
	return category.charAt(0).toLowerCase() + category.slice(1);
}

type TargetInputs =
	| { kind: 'any' }
	| { kind: 'product'; product: string }
	| { kind: 'category'; category: { noun: string; shape: NounShape } };

function targetInputs(
	target: Exclude<RuleTarget, { kind: 'activity' }>,
	catalogue?: ReadonlyMap<string, CatalogueItem>
): TargetInputs {
	if (target.kind === 'any') return { kind: 'any' };
	if (target.kind === 'sku')
		return { kind: 'product', product: catalogue?.get(target.sku)?.name ?? target.sku };
	const noun = categoryNoun(target.category);
	return { kind: 'category', category: { noun, shape: shapeOf(noun) } };
}

function companionInputs(withCategory: string): { withNoun: string; with: NounShape } {
	const withNoun = categoryNoun(withCategory);
	return { withNoun, with: shapeOf(withNoun) };
}

function formatAmount(cents: number, currency: string | undefined, locale?: Locale): string {
	const whole = cents % 100 === 0;
	return new Intl.NumberFormat(intlLocale(locale), {
		style: 'currency',
		currency: currency ?? currentCurrency(),
		minimumFractionDigits: whole ? 0 : 2,
		maximumFractionDigits: 2
	}).format(cents / 100);
}

const DAY_MONTH: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long' };

function formatWindow(
	startsAt: number | null,
	endsAt: number | null,
	timeZone: string,
	locale?: Locale
): string {
	if (startsAt === null && endsAt === null) return '';
	const say = { locale };
	const intl = intlLocale(locale);
	const fmt = (ms: number, options: Intl.DateTimeFormatOptions) =>
		new Intl.DateTimeFormat(intl, { ...options, timeZone }).format(ms);
	const dayMonth = (ms: number) => fmt(ms, DAY_MONTH);
	const byDay = [startsAt, endsAt].every(
		(ms) => ms === null || startOfDay(new TZDate(ms, timeZone)).getTime() === ms
	);
	if (!byDay) {
		const stamp = (ms: number) =>
			m.rules_window_moment(
				{ date: dayMonth(ms), time: fmt(ms, { hour: '2-digit', minute: '2-digit' }) },
				say
			);
		if (startsAt !== null && endsAt !== null)
			return m.rules_window_range({ from: stamp(startsAt), to: stamp(endsAt) }, say);
		return startsAt !== null
			? m.rules_window_from({ date: stamp(startsAt) }, say)
			: m.rules_window_until({ date: stamp(endsAt as number) }, say);
	}
	// endsAt is exclusive: the last day that counts is the one before it.
	const last = endsAt === null ? null : endsAt - 1;
	if (startsAt === null) return m.rules_window_until({ date: dayMonth(last as number) }, say);
	if (last === null) return m.rules_window_from({ date: dayMonth(startsAt) }, say);
	const start = new TZDate(startsAt, timeZone);
	const end = new TZDate(last, timeZone);
	if (start.toDateString() === end.toDateString())
		return m.rules_window_on({ date: dayMonth(startsAt) }, say);
	if (start.getFullYear() !== end.getFullYear()) {
		const withYear = { ...DAY_MONTH, year: 'numeric' } as const;
		return m.rules_window_range({ from: fmt(startsAt, withYear), to: fmt(last, withYear) }, say);
	}
	if (start.getMonth() !== end.getMonth())
		return m.rules_window_range({ from: dayMonth(startsAt), to: dayMonth(last) }, say);
	return m.rules_window_days(
		{ first: fmt(startsAt, { day: 'numeric' }), last: dayMonth(last) },
		say
	);
}

export type RuleStatus = 'active' | 'scheduled' | 'over' | 'off';

/** Where a rule stands at `now`, as the console lists it. */
export function ruleStatus(
	rule: Pick<Rule, 'active' | 'startsAt' | 'endsAt'>,
	now: number
): RuleStatus {
	if (!rule.active) return 'off';
	if (rule.startsAt != null && now < rule.startsAt) return 'scheduled';
	if (rule.endsAt != null && now >= rule.endsAt) return 'over';
	return 'active';
}

/** A rule's dates as a manager reads them: "1 Nov – 15 Nov 2026", "From 1 Nov 2026", … */
export function ruleWindowText(rule: Pick<Rule, 'startsAt' | 'endsAt'>, timeZone: string): string {
	const { startsAt, endsAt } = rule;
	if (startsAt == null && endsAt == null) return m.rules_window_whole_season();
	const day = (ms: number) => formatAt(ms, 'date', timeZone);
	// endsAt is exclusive: the last day that counts is the one before it.
	if (startsAt == null) return m.rules_window_until_date({ date: day(endsAt! - 1) });
	if (endsAt == null) return m.rules_window_from_date({ date: day(startsAt) });
	const first = day(startsAt);
	const last = day(endsAt - 1);
	if (first === last) return m.rules_window_on_date({ date: first });
	const sameYear = formatAt(startsAt, 'year', timeZone) === formatAt(endsAt - 1, 'year', timeZone);
	return m.rules_window_range({
		from: sameYear ? formatAt(startsAt, 'dayMonth', timeZone) : first,
		to: last
	});
}
