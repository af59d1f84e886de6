import type {
	BreakdownItem,
	BreakdownWords,
	CatalogueItem,
	LineScore,
	SaleInput,
	ScoreBreakdown
} from './types';
import { isInWindow, matchesTarget, type MultiplierMode, type Rule } from './rules';

export interface ScoreContext {
	/**
	 * IANA time zone of the season. score() does not read it today: windows are epoch ms and the
	 * caller counts "today" for the fields below in this zone.
	 */
	timeZone: string;
	/**
	 * The seller's sales earlier on the sale's local day. Missing means unknown, and then no
	 * first-sale bonus is given rather than one given by mistake.
	 */
	priorSalesToday?: number;
	/** Points each rule (by id) already gave this seller on the sale's local day; missing = 0. */
	ruleAwardsToday?: Readonly<Record<number, number>>;
	/** How multipliers on the same line combine (the season's setting); missing = 'best'. */
	multipliers?: MultiplierMode;
}

export class ScoringError extends Error {
	constructor(
		readonly code: 'unknown_sku' | 'inactive_sku' | 'empty_sale',
		message: string,
		readonly sku?: string
	) {
		super(message);
	}
}

/**
 * Scores one sale: base points (unit points × quantity per line), then the season's rules.
 *
 * How rules combine — the same for every order of `rules`:
 * - Only active rules whose window holds `sale.occurredAt` count.
 * - Multipliers (plain and cross-sell), with `multipliers: 'best'` (the default), do not stack:
 *   each line takes the one multiplier worth most to the seller after daily caps (ties: higher
 *   factor, then lower rule id). It adds (factor − 1) × the line's base points.
 *   With `multipliers: 'multiply'` every matching multiplier applies in rule-id order, each to
 *   the line's points so far (×2 then ×3 make ×6); each adds what it multiplied, after its cap.
 *   A factor of 1 or less never applies.
 * - Bonuses (cross-sell, amount, first sale) all add up, and no multiplier scales them.
 * - Cross-sell needs the companion category on a line other than the one that qualifies, so a
 *   lone accessory does not cross-sell with itself.
 * - A daily cap limits what one rule adds: cap − `ruleAwardsToday[id]`, used up line by line
 *   in sale order. A capped rule still gets an item (maybe 0 points) so the seller sees why.
 * - Each item is rounded on its own, half up; total = the sum of the items, all integers as
 *   long as catalogue points and quantities are.
 *
 * `items` lists each line's base in sale order, then rule items by rule id and line order; sum
 * them by `ruleId` to update `ruleAwardsToday`.
 */
export function score(
	sale: SaleInput,
	rules: readonly Rule[],
	catalogue: ReadonlyMap<string, CatalogueItem>,
	context: ScoreContext
): ScoreBreakdown {
	const lines = baseLines(sale, catalogue);
	const base = lines.reduce((sum, line) => sum + line.points, 0);
	const items: BreakdownItem[] = lines.map((line) => ({
		label: `${line.quantity} × ${line.name}`,
		points: line.points,
		sku: line.sku
	}));
	const live = rules
		.filter((rule) => rule.active && isInWindow(rule, sale.occurredAt))
		.sort((a, b) => a.id - b.id);
	if (live.length === 0) return { total: base, base, lines, items };

	const caps = new DailyCaps(context.ruleAwardsToday ?? {});
	const awards: Award[] = [];
	const categories = new Map<string, number>();
	for (const line of lines) categories.set(line.category, (categories.get(line.category) ?? 0) + 1);
	// True when a line other than `line` is in `category`.
	const hasCompanion = (line: LineScore, category: string) =>
		(categories.get(category) ?? 0) - (line.category === category ? 1 : 0) > 0;

	const multipliersOf = (line: LineScore) =>
		live.filter((rule) => {
			const { effect } = rule;
			if (effect.kind !== 'multiplier' && effect.kind !== 'cross_sell_multiplier') return false;
			if (effect.factor <= 1 || !matchesTarget(rule.target, line)) return false;
			return effect.kind !== 'cross_sell_multiplier' || hasCompanion(line, effect.withCategory);
		});
	lines.forEach((line, index) => {
		const applied = applyMultipliers(line.points, multipliersOf(line), caps, context.multipliers);
		for (const { rule, factor, raw, points } of applied) {
			const label = `${rule.name}: ×${factor} on ${line.name}`;
			const words = multiplierWords(rule, factor, line.name);
			awards.push({ rule, index, raw, points, label, words, sku: line.sku });
		}
	});

	for (const rule of live) {
		const { effect, target } = rule;
		if (effect.kind === 'multiplier' || effect.kind === 'cross_sell_multiplier') continue;
		const matching = lines.filter((line) => matchesTarget(target, line));
		if (matching.length === 0) continue;
		const award = (
			raw: number,
			index: number,
			label: string,
			words: BreakdownWords = { kind: 'rule', rule: rule.name },
			sku?: string
		) => {
			if (raw <= 0) return;
			const points = caps.allow(rule, raw);
			caps.take(rule, points);
			awards.push({ rule, index, raw, points, label, words, sku });
		};
		switch (effect.kind) {
			case 'cross_sell_bonus': {
				const qualifying = matching.filter((line) => hasCompanion(line, effect.withCategory));
				if (qualifying.length === 0) break;
				if (effect.per === 'sale') award(effect.points, lines.length, rule.name);
				else {
					for (const line of qualifying) {
						const label = `${rule.name}: +${effect.points} × ${line.quantity} ${line.name}`;
						const words: BreakdownWords = {
							kind: 'unit_bonus',
							rule: rule.name,
							points: effect.points,
							quantity: line.quantity,
							product: line.name
						};
						award(effect.points * line.quantity, lines.indexOf(line), label, words, line.sku);
					}
				}
				break;
			}
			case 'amount_bonus': {
				let amount = 0;
				sale.lines.forEach((input, i) => {
					if (matchesTarget(target, lines[i])) amount += input.quantity * input.unitPrice;
				});
				if (amount >= effect.minAmount) award(effect.points, lines.length, rule.name);
				break;
			}
			case 'first_sale_bonus':
				if (context.priorSalesToday === 0) award(effect.points, lines.length, rule.name);
				break;
		}
	}

	awards.sort((a, b) => a.rule.id - b.rule.id || a.index - b.index);
	for (const award of awards) items.push(ruleItem(award));
	const total = items.reduce((sum, item) => sum + item.points, 0);
	return { total, base, lines, items };
}

interface Award extends RuleAward {
	/** Line index, or lines.length for a per-sale bonus, so items sort by line. */
	index: number;
}

/** What one rule added to a sale line, a sale or an activity, before and after its daily cap. */
export interface RuleAward {
	rule: Rule;
	/** What the rule would add without its daily cap. */
	raw: number;
	points: number;
	/** English, stored with the sale for readers of older rows; `words` is what pages show. */
	label: string;
	words: BreakdownWords;
	sku?: string;
}

/** A rule's breakdown item, saying so when its daily cap cut it. */
export function ruleItem(award: RuleAward): BreakdownItem {
	const capped = award.points < award.raw;
	const cap = !capped ? undefined : award.points === 0 ? 'reached' : 'partial';
	const note = cap === undefined ? '' : cap === 'reached' ? ' (daily cap reached)' : ' (daily cap)';
	const item: BreakdownItem = {
		label: award.label + note,
		points: award.points,
		ruleId: award.rule.id,
		words: cap === undefined ? award.words : { ...award.words, cap }
	};
	if (award.sku !== undefined) item.sku = award.sku;
	return item;
}

/** A multiplier's words: `product` names what it multiplied (a product, an activity type). */
export function multiplierWords(rule: Rule, factor: number, product: string): BreakdownWords {
	return { kind: 'multiplier', rule: rule.name, factor, product };
}

const factorOf = (rule: Rule) => ('factor' in rule.effect ? rule.effect.factor : 1);

/**
 * The multipliers among `rules` (all matching, factor above 1, in id order) applied to `base`
 * points (a sale line's, an activity's), the way `score()` documents: the one worth most after
 * daily caps ('best'), or each in turn on the points so far ('multiply'). Takes what each adds
 * from `caps`.
 */
export function applyMultipliers(
	base: number,
	rules: readonly Rule[],
	caps: DailyCaps,
	mode: MultiplierMode = 'best'
): { rule: Rule; factor: number; raw: number; points: number }[] {
	if (mode === 'multiply') {
		const applied: { rule: Rule; factor: number; raw: number; points: number }[] = [];
		let running = base;
		for (const rule of rules) {
			const factor = factorOf(rule);
			const raw = roundPoints((factor - 1) * running);
			if (raw <= 0) continue;
			const points = caps.allow(rule, raw);
			caps.take(rule, points);
			running += points;
			applied.push({ rule, factor, raw, points });
		}
		return applied;
	}
	let best: { rule: Rule; factor: number; raw: number; points: number } | undefined;
	for (const rule of rules) {
		const factor = factorOf(rule);
		const raw = roundPoints((factor - 1) * base);
		const points = caps.allow(rule, raw);
		// `rules` are in id order, so strict comparisons leave ties with the lower id.
		if (!best || points > best.points || (points === best.points && factor > best.factor)) {
			best = { rule, factor, raw, points };
		}
	}
	if (!best || best.raw <= 0) return [];
	caps.take(best.rule, best.points);
	return [best];
}

/** What each rule may still add today for this seller. */
export class DailyCaps {
	private readonly used = new Map<number, number>();

	constructor(private readonly today: Readonly<Record<number, number>>) {}

	allow(rule: Rule, raw: number): number {
		if (rule.dailyCap == null) return raw;
		const used = this.used.get(rule.id) ?? this.today[rule.id] ?? 0;
		return Math.max(0, Math.min(raw, rule.dailyCap - used));
	}

	take(rule: Rule, points: number): void {
		if (rule.dailyCap == null) return;
		this.used.set(rule.id, (this.used.get(rule.id) ?? this.today[rule.id] ?? 0) + points);
	}
}

/** Half up, after trimming float noise so that (1.15 − 1) × 10 rounds like 1.5 does. */
export function roundPoints(value: number): number {
	return Math.round(Math.round(value * 1e6) / 1e6);
}

function baseLines(sale: SaleInput, catalogue: ReadonlyMap<string, CatalogueItem>): LineScore[] {
	if (sale.lines.length === 0) {
		throw new ScoringError('empty_sale', 'A sale needs at least one line');
	}
	return sale.lines.map((line) => {
		const item = catalogue.get(line.sku);
		if (!item) throw new ScoringError('unknown_sku', `Unknown SKU ${line.sku}`, line.sku);
		if (!item.active) {
			throw new ScoringError('inactive_sku', `SKU ${line.sku} is not on sale`, line.sku);
		}
		return {
			sku: item.sku,
			name: item.name,
			category: item.category,
			quantity: line.quantity,
			unitPoints: item.points,
			points: item.points * line.quantity
		};
	});
}
