import { dayRangeOf, weekRangeOf } from './zone-calendar';
import { rank } from './ranking';
import { localDayRange, type DateKey, type Range } from './calendar';
import type { TieRule } from './types';

// Head-to-head challenges ("duels", #17), free of storage: the period a preset names, when a
// proposal expires, which status a duel is due at a given instant, the outcome of two values
// under the season's tie rule, how big a stake may be, and the manager's automatic pairings.

export type ChallengeState =
	'proposed' | 'accepted' | 'declined' | 'cancelled' | 'expired' | 'live' | 'finished' | 'final';

export type PeriodPreset = 'today' | 'week' | 'custom';

const HOUR = 3_600_000;
/** A proposal whose period has already started waits this long for an answer. */
export const ANSWER_WITHIN_MS = 24 * HOUR;
export const DAY_MS = 24 * HOUR;

/** Today or this ISO week in the season's zone (DST safe), [from, to) in epoch ms. */
export function presetPeriod(preset: 'today' | 'week', now: number, timeZone: string): Range {
	return preset === 'today' ? dayRangeOf(now, timeZone) : weekRangeOf(now, timeZone);
}

/** Whole local days from `first` to `last` (inclusive) in the season's zone. */
export function customPeriod(first: DateKey, last: DateKey, timeZone: string): Range {
	return [localDayRange(first, timeZone)[0], localDayRange(last, timeZone)[1]];
}

/** The longest period a duel may run. */
export const MAX_PERIOD_DAYS = 31;

/**
 * When a proposal made at `createdAt` expires unanswered: before the period starts, or, for a
 * period already under way, within 24 hours — never after the period ends.
 */
export function answerDeadline(createdAt: number, from: number, to: number): number {
	if (from > createdAt) return from;
	return Math.min(createdAt + ANSWER_WITHIN_MS, to);
}

export interface Timeline {
	status: ChallengeState;
	answerBy: number;
	from: number;
	to: number;
	/** The season's grace days: results stay open to late confirmations this long after `to`. */
	graceDays: number;
}

/** When a duel's result freezes: `graceDays` whole days after its period ends. */
export const freezesAt = (to: number, graceDays: number) => to + Math.max(0, graceDays) * DAY_MS;

/**
 * The status a duel is due at `now` (the scheduler moves it there): a proposal expires at its
 * deadline; an accepted duel is live from `from`, finished at `to`, final after the grace days.
 * Declined, cancelled, expired and final duels never move.
 */
export function dueStatus(t: Timeline, now: number): ChallengeState {
	switch (t.status) {
		case 'proposed':
			return now >= t.answerBy ? 'expired' : 'proposed';
		case 'accepted':
		case 'live':
		case 'finished':
			if (now >= freezesAt(t.to, t.graceDays)) return 'final';
			if (now >= t.to) return 'finished';
			if (now >= t.from) return 'live';
			return 'accepted';
		default:
			return t.status;
	}
}

/** The status an accepted duel starts in (a period already under way is live at once). */
export const acceptedStatus = (from: number, now: number): ChallengeState =>
	now >= from ? 'live' : 'accepted';

export interface Side {
	id: number;
	name: string;
	value: number;
}

/**
 * The winner of two values under the season's tie rule: equal values share first place under
 * either rule, so they are a draw (null). Both ranking rules are asked, so a duel can never
 * disagree with how the season's board would place the two.
 */
export function outcome(a: Side, b: Side, tieRule: TieRule): number | null {
	const ranked = rank(
		[a, b].map((s) => ({ ...s, points: s.value, provisionalPoints: 0, reachedAt: 0 })),
		tieRule
	);
	const first = ranked.filter((r) => r.rank === 1);
	return first.length === 1 ? first[0].id : null;
}

/** Who leads now: the outcome as it stands (null: level). */
export const leaderOf = outcome;

export type StakeRefusal = 'negative' | 'team' | 'spendable' | 'budget';

/**
 * Why a stake cannot be offered, or null: never more than the challenger's spendable points
 * (their rewards balance) nor what the season's stake budget has left; team duels have none.
 */
export function stakeRefusal(input: {
	stake: number;
	subject: 'user' | 'team';
	spendable: number;
	budgetLeft: number;
}): StakeRefusal | null {
	const { stake } = input;
	if (!Number.isInteger(stake) || stake < 0) return 'negative';
	if (stake === 0) return null;
	if (input.subject === 'team') return 'team';
	if (stake > input.spendable) return 'spendable';
	if (stake > input.budgetLeft) return 'budget';
	return null;
}

/** Statuses whose stake the budget still holds (it may yet be paid). */
const HOLDING: readonly ChallengeState[] = ['proposed', 'accepted', 'live', 'finished'];

/**
 * What the season's stake budget has left: the budget less the stakes held by open duels and
 * the stakes paid to winners (a draw, a refusal or an expiry gives its stake back).
 */
export function budgetLeft(
	budget: number,
	duels: readonly { status: ChallengeState; stakePoints: number; paid: boolean }[]
): number {
	let used = 0;
	for (const d of duels)
		if (HOLDING.includes(d.status) || (d.status === 'final' && d.paid)) used += d.stakePoints;
	return Math.max(0, budget - used);
}

export type PairingMode = 'random' | 'neighbours';

/**
 * Pairs for a manager's automatic pairing: ranking neighbours (1 v 2, 3 v 4… of `ranked`, in
 * ranking order) or random pairs (`random` in [0, 1) drives a Fisher–Yates shuffle). With an odd
 * count the last one (the lowest ranked, or the one the shuffle leaves) sits this one out.
 */
export function pairUp(
	ranked: readonly number[],
	mode: PairingMode,
	random: () => number = Math.random
): { pairs: [number, number][]; bye: number | null } {
	const order = [...ranked];
	if (mode === 'random')
		for (let i = order.length - 1; i > 0; i--) {
			const j = Math.floor(random() * (i + 1));
			[order[i], order[j]] = [order[j], order[i]];
		}
	const pairs: [number, number][] = [];
	for (let i = 0; i + 1 < order.length; i += 2) pairs.push([order[i], order[i + 1]]);
	return { pairs, bye: order.length % 2 === 1 ? order[order.length - 1] : null };
}

export interface DuelSide {
	id: number;
	name: string;
	emoji: string | null;
	value: number;
}

/** A duel as boards, the TV and the challenges page show it (the format view's rows). */
export interface Duel {
	id: number;
	subject: 'user' | 'team';
	/** A measure key (contest/measure.ts). */
	measure: string;
	from: number;
	to: number;
	status: ChallengeState;
	stake: number;
	answerBy: number;
	/** Set by a manager (accepted at once) rather than proposed by the challenger. */
	byManager: boolean;
	challenger: DuelSide;
	opponent: DuelSide;
	/** Who leads (live, finished) or won (final); null: level, a draw, or not started. */
	leaderId: number | null;
}

/** The state of the format view 'challenges': the season's open duels. */
export interface ChallengesView {
	duels: Duel[];
}
