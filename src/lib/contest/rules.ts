import { TZDate } from '@date-fns/tz';
import { format, startOfDay } from 'date-fns';
import type { CatalogueItem } from './types';

/** Which sale lines a rule looks at. */
export type RuleTarget =
	{ kind: 'any' } | { kind: 'sku'; sku: string } | { kind: 'category'; category: string };

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

/** The setting's name, as the season form offers it. */
export const MULTIPLIER_MODE_LABELS: Record<MultiplierMode, string> = {
	best: 'Best multiplier wins',
	multiply: 'Multipliers multiply'
};

/** How rules combine, in one sentence for sellers and managers (rule preview, /sell, help). */
export function combinationText(mode: MultiplierMode): string {
	return mode === 'multiply'
		? 'Multipliers multiply: ×2 and ×3 on the same product make ×6. Bonuses are added on top and are never multiplied.'
		: 'Multipliers do not stack: when several apply to the same product, only the best one counts (×2 and ×3 make ×3). Bonuses are added on top and are never multiplied.';
}

/** The same, in a few words (the sale form's running total). */
export function combinationShort(mode: MultiplierMode): string {
	return mode === 'multiply'
		? 'Multipliers multiply; bonuses add up.'
		: 'Only the best multiplier counts; bonuses add up.';
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
	return target.kind === 'sku' ? line.sku === target.sku : line.category === target.category;
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
	/** ISO 4217 code for amounts; without it amounts are plain numbers. */
	currency?: string;
}

/**
 * One plain-words sentence for the "how to score" page, e.g. "Triple points on Headset Pro when
 * an accessory is on the same sale, 1–15 March". Dates are the season's local dates.
 */
export function describeRule(rule: Rule, timeZone: string, options: DescribeOptions = {}): string {
	const { effect, target } = rule;
	const on = targetPhrase(target, options.catalogue);
	let sentence: string;
	switch (effect.kind) {
		case 'multiplier':
			sentence = `${factorWords(effect.factor)} on ${on}`;
			break;
		case 'cross_sell_multiplier':
			sentence = `${factorWords(effect.factor)} on ${on} ${companion(effect.withCategory, target)}`;
			break;
		case 'cross_sell_bonus': {
			const each =
				effect.per === 'unit'
					? unitPhrase(target, options.catalogue)
					: target.kind === 'any'
						? 'sale'
						: `sale with ${includes(target, options.catalogue)}`;
			sentence = `${plus(effect.points)} per ${each} ${companion(effect.withCategory, target)}`;
			break;
		}
		case 'amount_bonus': {
			const amount = formatAmount(effect.minAmount, options.currency);
			const of = target.kind === 'any' ? '' : ` of ${amountOf(target, options.catalogue)}`;
			sentence = `${plus(effect.points)} per sale with at least ${amount}${of}`;
			break;
		}
		case 'first_sale_bonus': {
			const condition =
				target.kind === 'any' ? '' : `, if it includes ${includes(target, options.catalogue)}`;
			sentence = `${plus(effect.points)} for your first sale of the day${condition}`;
			break;
		}
	}
	const window = formatWindow(rule.startsAt ?? null, rule.endsAt ?? null, timeZone);
	const cap = rule.dailyCap == null ? '' : ` (up to ${points(rule.dailyCap)} a day)`;
	return `${sentence}${window ? `, ${window}` : ''}${cap}`;
}

const FACTOR_WORDS: Record<number, string> = { 2: 'Double', 3: 'Triple', 4: 'Quadruple' };

function factorWords(factor: number): string {
	return `${FACTOR_WORDS[factor] ?? `${factor}×`} points`;
}

function points(n: number): string {
	return `${n.toLocaleString('en')} ${n === 1 ? 'point' : 'points'}`;
}

function plus(n: number): string {
	return `+${points(n)}`;
}

// Category names are free text: this reads well for nouns like 'accessory' or 'phones' and
// stays understandable for anything else.
function isPlural(category: string): boolean {
	return /[^s]s$/i.test(category);
}

function categoryNoun(category: string): string {
	// Lower-case 'Accessory' mid-sentence but keep names like 'TV' or 'iPhone' as written.
	if (!/^[A-Z][a-z]/.test(category)) return category;
	return category.charAt(0).toLowerCase() + category.slice(1);
}

function withArticle(noun: string): string {
	return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

function productName(sku: string, catalogue?: ReadonlyMap<string, CatalogueItem>): string {
	return catalogue?.get(sku)?.name ?? sku;
}

function targetPhrase(target: RuleTarget, catalogue?: ReadonlyMap<string, CatalogueItem>): string {
	if (target.kind === 'any') return 'everything';
	if (target.kind === 'sku') return productName(target.sku, catalogue);
	const noun = categoryNoun(target.category);
	return isPlural(noun) ? `all ${noun}` : `every ${noun}`;
}

function unitPhrase(target: RuleTarget, catalogue?: ReadonlyMap<string, CatalogueItem>): string {
	if (target.kind === 'any') return 'item';
	if (target.kind === 'sku') return productName(target.sku, catalogue);
	const noun = categoryNoun(target.category);
	return isPlural(noun) ? `item of ${noun}` : noun;
}

/** "a phone", "phones" or "Headset Pro": what a sale includes. */
function includes(target: RuleTarget, catalogue?: ReadonlyMap<string, CatalogueItem>): string {
	if (target.kind === 'any') return 'anything';
	if (target.kind === 'sku') return productName(target.sku, catalogue);
	const noun = categoryNoun(target.category);
	return isPlural(noun) ? noun : withArticle(noun);
}

/** "phones", "audio products" or "Headset Pro": what an amount is made of. */
function amountOf(target: RuleTarget, catalogue?: ReadonlyMap<string, CatalogueItem>): string {
	if (target.kind !== 'category') return includes(target, catalogue);
	const noun = categoryNoun(target.category);
	return isPlural(noun) ? noun : `${noun} products`;
}

function companion(withCategory: string, target: RuleTarget): string {
	const noun = categoryNoun(withCategory);
	const subject = isPlural(noun) ? `${noun} are` : `${withArticle(noun)} is`;
	// With no target the companion is "another line", which "the same sale" would hide.
	return target.kind === 'any'
		? `when ${subject} sold with another product`
		: `when ${subject} on the same sale`;
}

function formatAmount(cents: number, currency?: string): string {
	const whole = cents % 100 === 0;
	return new Intl.NumberFormat('en', {
		...(currency ? { style: 'currency', currency } : {}),
		minimumFractionDigits: whole ? 0 : 2,
		maximumFractionDigits: 2
	}).format(cents / 100);
}

function formatWindow(startsAt: number | null, endsAt: number | null, timeZone: string): string {
	if (startsAt === null && endsAt === null) return '';
	const start = startsAt === null ? null : new TZDate(startsAt, timeZone);
	const end = endsAt === null ? null : new TZDate(endsAt, timeZone);
	const byDay = [start, end].every((d) => d === null || startOfDay(d).getTime() === d.getTime());
	if (!byDay) {
		const stamp = (d: TZDate) => format(d, 'd MMMM HH:mm');
		if (start && end) return `${stamp(start)} – ${stamp(end)}`;
		return start ? `from ${stamp(start)}` : `until ${stamp(end as TZDate)}`;
	}
	// endsAt is exclusive: the last day that counts is the one before it.
	const last = end === null ? null : new TZDate(end.getTime() - 1, timeZone);
	if (start === null) return `until ${format(last as TZDate, 'd MMMM')}`;
	if (last === null) return `from ${format(start, 'd MMMM')}`;
	const day = (d: TZDate) => format(d, 'yyyy-MM-dd');
	if (day(start) === day(last)) return `on ${format(start, 'd MMMM')}`;
	if (start.getFullYear() !== last.getFullYear()) {
		return `${format(start, 'd MMMM yyyy')} – ${format(last, 'd MMMM yyyy')}`;
	}
	if (start.getMonth() !== last.getMonth()) {
		return `${format(start, 'd MMMM')} – ${format(last, 'd MMMM')}`;
	}
	return `${format(start, 'd')}–${format(last, 'd MMMM')}`;
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
	const day = (ms: number, pattern = 'd MMM yyyy') => format(new TZDate(ms, timeZone), pattern);
	const { startsAt, endsAt } = rule;
	if (startsAt == null && endsAt == null) return 'Whole season';
	// endsAt is exclusive: the last day that counts is the one before it.
	if (startsAt == null) return `Until ${day(endsAt! - 1)}`;
	if (endsAt == null) return `From ${day(startsAt)}`;
	const first = day(startsAt);
	const last = day(endsAt - 1);
	if (first === last) return `On ${first}`;
	const sameYear = first.slice(-4) === last.slice(-4);
	return `${sameYear ? day(startsAt, 'd MMM') : first} – ${last}`;
}
