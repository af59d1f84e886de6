import type { DateKey, Range } from './calendar';
import { currentCurrency } from '../format/money';
import { points } from '../format/numbers';
import { intlLocale } from '../i18n/current';
import type { Locale } from '../i18n/locales';
import { m } from '../paraglide/messages.js';
import {
	dayKeyOf as localDateKey,
	isWorkingDay as isWorkingDate,
	nextWorkingDay as nextWorkingDate,
	weekKeyOf as weekKey,
	weekRangeOf as weekRange
} from './zone-calendar';
import { rank } from './ranking';
import type { TieRule } from './types';

// Badge criteria as pure functions over the season's sales. The awarding service stores each
// award under a unique (badge, subject, periodKey), so evaluating again is always safe: the
// evaluator returns every award the subject qualifies for, not only the new ones.

/** One sale that counts (the caller leaves out rejected or reversed ones). */
export interface SaleFact {
	saleId: number;
	userId: number;
	/** The seller's team when the sale was made. */
	teamId: number;
	occurredAt: number;
	/** In cents. */
	amount: number;
	points: number;
	categories: string[];
	crossSell: boolean;
}

export type BadgeCriterion =
	| { kind: 'first_sale' }
	| { kind: 'sales_count'; count: number; category?: string }
	| { kind: 'points_at_least'; points: number }
	| { kind: 'revenue_at_least'; amount: number }
	/** N consecutive working days with a sale; weekends and holidays neither count nor break it. */
	| { kind: 'streak'; days: number }
	| { kind: 'cross_sells'; count: number }
	/** Per ISO week in the season's zone: rank ≤ k in that week's standings. */
	| { kind: 'top_k_week'; k: number }
	/** A sale bigger (by amount) than every earlier sale of the season; once per subject per day. */
	| { kind: 'record_sale' }
	/** Per ISO week: the biggest increase in points over the previous week. */
	| { kind: 'most_improved_week' }
	/** Team badges only: the team's season total reached the target. */
	| { kind: 'team_target'; target: number; metric?: 'points' | 'amount' }
	/** End of season: final rank ≤ maxRank (1: champion, 3: podium); from the frozen results. */
	| { kind: 'season_place'; maxRank: number }
	/** End of season: the team ranked first; from the frozen results. */
	| { kind: 'season_best_team' }
	/** End of season: rank ≤ maxRank in the person's own division (#17); from the final standings. */
	| { kind: 'division_place'; maxRank: number }
	/** End of season: points (as the season ranks them) ≥ percent % of the person's or team's target. */
	| { kind: 'quota_attained'; percent: number }
	/** N training quizzes of the season passed (on their earning attempts); people only. */
	| { kind: 'quizzes_passed'; count: number }
	/** N head-to-head duels of the season won (frozen results, #17); people only. */
	| { kind: 'duels_won'; count: number }
	/** N sprints of the season won (frozen results, #17); people only. */
	| { kind: 'sprints_won'; count: number }
	/** N knockout tournaments of the season won (frozen results, #17); people only. */
	| { kind: 'knockouts_won'; count: number }
	/**
	 * N activities logged in the season, counted in units (quantity 3 counts 3); of one activity
	 * type (its key, `call`) or of any; people only.
	 */
	| { kind: 'activities_logged'; count: number; type?: string };

/**
 * The criteria that count what a person did, one thing at a time, rather than their sales:
 * decided where the thing happens and by the re-evaluation (server/badges/counted.ts).
 */
export const COUNTED_KINDS = [
	'quizzes_passed',
	'duels_won',
	'sprints_won',
	'knockouts_won',
	'activities_logged'
] as const;

export type CountedCriterion = Extract<BadgeCriterion, { kind: (typeof COUNTED_KINDS)[number] }>;

const COUNTED = new Set<string>(COUNTED_KINDS);

export function isCounted(criterion: BadgeCriterion): criterion is CountedCriterion {
	return COUNTED.has(criterion.kind);
}

/** Limits of a badge's texts, in characters (the console form and its check share them). */
export const BADGE_LIMITS = { name: 60, description: 200, emoji: 16 } as const;

export type BadgeSubject = { kind: 'user'; id: number } | { kind: 'team'; id: number };

export interface BadgeContext {
	now: number;
	/** The season's IANA time zone: days and weeks are local to it. */
	timeZone: string;
	/** The season's holidays, 'YYYY-MM-DD'. */
	holidays: readonly DateKey[];
	/** Weekday numbers (0 = Sunday); Saturday and Sunday unless the season says otherwise. */
	weekend?: readonly number[];
	/** How weekly standings share ranks; competition (1, 2, 2, 4) unless the season says dense. */
	tieRule?: TieRule;
}

export interface BadgeAward {
	/** '' for once-only badges, a week key ('2026-W13') or a date key ('2026-03-27') otherwise. */
	periodKey: string;
	/** When the subject earned it: the deciding sale, or the end of the week for weekly badges. */
	at: number;
	/** The deciding sale, for badges a sale earns (none for weekly badges). */
	saleId?: number;
}

const ONCE = '';

type Key = (fact: SaleFact) => number;

function keyOf(subject: BadgeSubject): Key {
	return subject.kind === 'user' ? (fact) => fact.userId : (fact) => fact.teamId;
}

function chronological(facts: readonly SaleFact[], now: number): SaleFact[] {
	return facts
		.filter((fact) => fact.occurredAt <= now)
		.sort((a, b) => a.occurredAt - b.occurredAt || a.saleId - b.saleId);
}

/**
 * The awards `subject` qualifies for under `criterion` as of `ctx.now`.
 *
 * `facts` are the season's sales that count. Record, top-K and most-improved compare the
 * subject with everyone, so they need everyone's sales; the other criteria only look at the
 * subject's own and ignore the rest. Sales after `ctx.now` are ignored, and weekly badges are
 * only given once their week has ended.
 */
export function evaluate(
	criterion: BadgeCriterion,
	subject: BadgeSubject,
	facts: readonly SaleFact[],
	ctx: BadgeContext
): BadgeAward[] {
	const key = keyOf(subject);
	const all = chronological(facts, ctx.now);
	const own = all.filter((fact) => key(fact) === subject.id);
	switch (criterion.kind) {
		case 'first_sale':
			return firstReaching(own, 1, () => 1);
		case 'sales_count': {
			const { category } = criterion;
			return firstReaching(own, criterion.count, (f) =>
				category === undefined || f.categories.includes(category) ? 1 : 0
			);
		}
		case 'points_at_least':
			return firstReaching(own, criterion.points, (f) => f.points);
		case 'revenue_at_least':
			return firstReaching(own, criterion.amount, (f) => f.amount);
		case 'cross_sells':
			return firstReaching(own, criterion.count, (f) => (f.crossSell ? 1 : 0));
		case 'team_target':
			if (subject.kind !== 'team') return [];
			return firstReaching(own, criterion.target, (f) =>
				criterion.metric === 'amount' ? f.amount : f.points
			);
		case 'streak':
			return streak(own, criterion.days, ctx);
		case 'record_sale':
			return recordSales(all, key, subject.id, ctx.timeZone);
		case 'top_k_week':
			return weekly(all, key, subject.id, ctx, (week) => topK(week, criterion.k, ctx.tieRule));
		case 'most_improved_week':
			return weekly(all, key, subject.id, ctx, mostImproved);
		case 'season_place':
		case 'season_best_team':
		case 'division_place':
		case 'quota_attained':
			// Decided once by the scheduler when the season ends, from its frozen results.
			return [];
		case 'quizzes_passed':
		case 'duels_won':
		case 'sprints_won':
		case 'knockouts_won':
		case 'activities_logged':
			// Counted from what the person did, not from sales: countedAwards.
			return [];
	}
}

/** One time a person did a counted thing: passed a quiz, won a duel, logged 3 calls. */
export interface CountedMoment {
	at: number;
	/** What it counts for: an activity's quantity; 1 for a quiz passed or a win. */
	weight: number;
}

/**
 * A counted criterion's award: once, at the moment whose running total (in time order) reaches
 * `count`. Moments at the same instant keep the caller's order.
 */
export function countedAwards(count: number, moments: readonly CountedMoment[]): BadgeAward[] {
	if (count < 1) return [];
	let total = 0;
	for (const moment of [...moments].sort((a, b) => a.at - b.at)) {
		total += moment.weight;
		if (total >= count) return [{ periodKey: ONCE, at: moment.at }];
	}
	return [];
}

/** Awarded once, at the sale that takes the running total to the threshold. */
function firstReaching(
	facts: readonly SaleFact[],
	threshold: number,
	measure: (fact: SaleFact) => number
): BadgeAward[] {
	let total = 0;
	for (const fact of facts) {
		total += measure(fact);
		if (total >= threshold) return [{ periodKey: ONCE, at: fact.occurredAt, saleId: fact.saleId }];
	}
	return [];
}

/** The first sale of each working day with a sale, in order. */
function workingSaleDays(facts: readonly SaleFact[], ctx: BadgeContext): Map<DateKey, SaleFact> {
	const holidays = new Set(ctx.holidays);
	const days = new Map<DateKey, SaleFact>();
	for (const fact of facts) {
		const day = localDateKey(fact.occurredAt, ctx.timeZone);
		if (!days.has(day) && isWorkingDate(day, holidays, ctx.weekend)) days.set(day, fact);
	}
	return days;
}

/** Once per season, at the first sale of the day that completes the run. */
function streak(facts: readonly SaleFact[], days: number, ctx: BadgeContext): BadgeAward[] {
	const holidays = new Set(ctx.holidays);
	let run = 0;
	let previous: DateKey | undefined;
	for (const [day, fact] of workingSaleDays(facts, ctx)) {
		const continues =
			previous !== undefined && nextWorkingDate(previous, holidays, ctx.weekend) === day;
		run = continues ? run + 1 : 1;
		if (run >= days) return [{ periodKey: ONCE, at: fact.occurredAt, saleId: fact.saleId }];
		previous = day;
	}
	return [];
}

/**
 * The season's first sale sets the record without earning the badge; a tie does not break it.
 * Breaking the record again the same local day earns nothing more, so a burst of growing sales
 * celebrates once.
 */
function recordSales(
	all: readonly SaleFact[],
	key: Key,
	id: number,
	timeZone: string
): BadgeAward[] {
	return recordSalesBySubject(all, key, timeZone).get(id) ?? [];
}

/** recordSales for every subject in one pass over the season. */
function recordSalesBySubject(
	all: readonly SaleFact[],
	key: Key,
	timeZone: string
): Map<number, BadgeAward[]> {
	const bySubject = new Map<number, BadgeAward[]>();
	let record: number | undefined;
	for (const fact of all) {
		if (record !== undefined && fact.amount > record) {
			const day = localDateKey(fact.occurredAt, timeZone);
			const awards = bySubject.get(key(fact)) ?? [];
			if (awards.at(-1)?.periodKey !== day)
				awards.push({ periodKey: day, at: fact.occurredAt, saleId: fact.saleId });
			bySubject.set(key(fact), awards);
		}
		if (record === undefined || fact.amount > record) record = fact.amount;
	}
	return bySubject;
}

export interface WeekTotals {
	/** Points per subject id in the week, and when each reached its total. */
	totals: Map<number, { points: number; reachedAt: number }>;
	/** Points per subject id in the week before. */
	previous: Map<number, number>;
}

type WeeklyWinners = (week: WeekTotals) => Set<number>;

/** Runs a weekly rule on every week that has ended and in which the subject sold something. */
function weekly(
	all: readonly SaleFact[],
	key: Key,
	id: number,
	ctx: BadgeContext,
	winners: WeeklyWinners
): BadgeAward[] {
	return weeklyBySubject(all, key, ctx, winners).get(id) ?? [];
}

/** `weekly` for every subject at once: each ended week is ranked once. */
function weeklyBySubject(
	all: readonly SaleFact[],
	key: Key,
	ctx: BadgeContext,
	winners: WeeklyWinners
): Map<number, BadgeAward[]> {
	const byWeek = new Map<string, { range: Range; facts: SaleFact[] }>();
	for (const fact of all) {
		const week = weekKey(fact.occurredAt, ctx.timeZone);
		let entry = byWeek.get(week);
		if (!entry)
			byWeek.set(week, (entry = { range: weekRange(fact.occurredAt, ctx.timeZone), facts: [] }));
		entry.facts.push(fact);
	}
	const bySubject = new Map<number, BadgeAward[]>();
	for (const [week, { range, facts }] of byWeek) {
		if (range[1] > ctx.now) continue;
		const totals = new Map<number, { points: number; reachedAt: number }>();
		for (const fact of facts) {
			const total = totals.get(key(fact)) ?? { points: 0, reachedAt: fact.occurredAt };
			totals.set(key(fact), { points: total.points + fact.points, reachedAt: fact.occurredAt });
		}
		const previousKey = weekKey(range[0] - 1, ctx.timeZone);
		const previous = new Map<number, number>();
		for (const fact of byWeek.get(previousKey)?.facts ?? []) {
			previous.set(key(fact), (previous.get(key(fact)) ?? 0) + fact.points);
		}
		// Only those who sold something that week can win it (totals holds exactly them).
		for (const id of winners({ totals, previous })) {
			if (!totals.has(id)) continue;
			const awards = bySubject.get(id) ?? [];
			awards.push({ periodKey: week, at: range[1] });
			bySubject.set(id, awards);
		}
	}
	return bySubject;
}

/** Who wins a weekly badge in a week, from that week's and the week before's totals. */
export function weeklyWinners(
	criterion: BadgeCriterion,
	week: WeekTotals,
	tieRule?: TieRule
): Set<number> {
	if (criterion.kind === 'top_k_week') return topK(week, criterion.k, tieRule);
	if (criterion.kind === 'most_improved_week') return mostImproved(week);
	return new Set();
}

/** Criteria that compare a subject with the whole season (the others look at its own sales). */
const SEASON_WIDE = new Set<BadgeCriterion['kind']>([
	'record_sale',
	'top_k_week',
	'most_improved_week'
]);

/**
 * `evaluate` for every subject of a kind at once, equal to calling it for each id in `ids`:
 * the season is sorted once, own-sales criteria see each subject's own sales, and records and
 * weeks are computed in one pass for everyone.
 */
export function evaluateSeason(
	criterion: BadgeCriterion,
	kind: BadgeSubject['kind'],
	ids: Iterable<number>,
	facts: readonly SaleFact[],
	ctx: BadgeContext
): Map<number, BadgeAward[]> {
	const key = keyOf({ kind, id: 0 });
	const all = chronological(facts, ctx.now);
	const result = new Map<number, BadgeAward[]>();
	if (SEASON_WIDE.has(criterion.kind)) {
		const bySubject =
			criterion.kind === 'record_sale'
				? recordSalesBySubject(all, key, ctx.timeZone)
				: weeklyBySubject(all, key, ctx, (week) => weeklyWinners(criterion, week, ctx.tieRule));
		for (const id of ids) result.set(id, bySubject.get(id) ?? []);
		return result;
	}
	const own = new Map<number, SaleFact[]>();
	for (const fact of all) {
		const list = own.get(key(fact));
		if (list) list.push(fact);
		else own.set(key(fact), [fact]);
	}
	for (const id of ids) result.set(id, evaluate(criterion, { kind, id }, own.get(id) ?? [], ctx));
	return result;
}

/** Ties share a rank, so everyone tied at rank ≤ k qualifies; a week without points does not. */
function topK(week: WeekTotals, k: number, tieRule: TieRule = 'competition'): Set<number> {
	const entries = [...week.totals].map(([id, total]) => ({
		id,
		name: String(id),
		points: total.points,
		provisionalPoints: 0,
		reachedAt: total.reachedAt
	}));
	return new Set(
		rank(entries, tieRule)
			.filter((entry) => entry.rank <= k && entry.points > 0)
			.map((entry) => entry.id)
	);
}

/**
 * The biggest increase in points over the previous week; all who tie for it win. Someone with
 * nothing the previous week (new, away, or the season's first week) is not eligible: any sale
 * would be an "increase", and topping the week is what top-K badges are for.
 */
function mostImproved(week: WeekTotals): Set<number> {
	let best = 0;
	let winners = new Set<number>();
	for (const [id, { points }] of week.totals) {
		const before = week.previous.get(id) ?? 0;
		if (before <= 0) continue;
		const increase = points - before;
		if (increase > best) {
			best = increase;
			winners = new Set([id]);
		} else if (increase === best && increase > 0) {
			winners.add(id);
		}
	}
	return winners;
}

/** An amount in the organisation's currency, without ",00" when it is whole: "€10,000". */
function money(cents: number, locale?: Locale): string {
	return new Intl.NumberFormat(intlLocale(locale), {
		style: 'currency',
		currency: currentCurrency(),
		maximumFractionDigits: 2,
		minimumFractionDigits: cents % 100 === 0 ? 0 : 2
	}).format(cents / 100);
}

/**
 * What earns the badge, in words and in the reader's language (the current one unless `locale`
 * is given): "5 sales in Phones", "Top 3 of a week".
 */
export function describeCriterion(criterion: BadgeCriterion, locale?: Locale): string {
	const say = { locale };
	const count = (n: number) => ({ count: n, n: points(n, intlLocale(locale)) });
	switch (criterion.kind) {
		case 'first_sale':
			return m.badges_criterion_first_sale({}, say);
		case 'sales_count':
			return criterion.category
				? m.badges_criterion_sales_in(
						{ ...count(criterion.count), category: criterion.category },
						say
					)
				: m.badges_criterion_sales(count(criterion.count), say);
		case 'points_at_least':
			return m.badges_criterion_points(count(criterion.points), say);
		case 'revenue_at_least':
			return m.badges_criterion_revenue({ amount: money(criterion.amount, locale) }, say);
		case 'streak':
			return m.badges_criterion_streak(count(criterion.days), say);
		case 'cross_sells':
			return m.badges_criterion_cross_sells(count(criterion.count), say);
		case 'top_k_week':
			return criterion.k === 1
				? m.badges_criterion_best_of_week({}, say)
				: m.badges_criterion_top_of_week({ k: criterion.k }, say);
		case 'record_sale':
			return m.badges_criterion_record_sale({}, say);
		case 'most_improved_week':
			return m.badges_criterion_most_improved({}, say);
		case 'team_target':
			return criterion.metric === 'amount'
				? m.badges_criterion_team_amount({ amount: money(criterion.target, locale) }, say)
				: m.badges_criterion_team_points(count(criterion.target), say);
		case 'season_place':
			return criterion.maxRank === 1
				? m.badges_criterion_season_first({}, say)
				: m.badges_criterion_season_top({ k: criterion.maxRank }, say);
		case 'season_best_team':
			return m.badges_criterion_best_team({}, say);
		case 'quota_attained':
			return m.quotas_badge_criterion({ percent: criterion.percent }, say);
		case 'division_place':
			return criterion.maxRank === 1
				? m.divisions_badge_criterion_first({}, say)
				: m.divisions_badge_criterion_top({ k: criterion.maxRank }, say);
		case 'quizzes_passed':
			return m.badges_criterion_quizzes_passed(
				{ n: points(criterion.count, intlLocale(locale)) },
				say
			);
		case 'duels_won':
			return m.challenges_badge_criterion({ n: points(criterion.count, intlLocale(locale)) }, say);
		case 'sprints_won':
			return m.badges_criterion_sprints_won(count(criterion.count), say);
		case 'knockouts_won':
			return m.badges_criterion_knockouts_won(count(criterion.count), say);
		case 'activities_logged':
			return criterion.type
				? m.badges_criterion_activities_of({ ...count(criterion.count), type: criterion.type }, say)
				: m.badges_criterion_activities(count(criterion.count), say);
	}
}
