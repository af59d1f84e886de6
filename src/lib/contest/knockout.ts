import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns';

// Knockout tournaments (issue #17): the pure rules. Entrants are seeded 1…n by the season's
// ranking when the tournament starts and placed in a bracket of the next power of two, in the
// standard order (1 v last, top seeds meet as late as possible); when there are fewer entrants
// than places the missing seeds are byes, which go to the top seeds. Each round is a fixed
// period; a pairing is won by the higher measure in the round. Equal measures are a tie under
// every tie rule of the season (competition and dense both share the place), so the tie is
// broken by the better (lower) seed.
//
// Late confirmations and reversals: a round stays open to them until `graceHours` after its
// end, then it is frozen and its winners are written. The next round runs on its own schedule
// meanwhile; who plays in it is known for good only when the previous round freezes, and since a
// pairing's values are the round's period totals, a winner who changes during the grace enters
// the next round with everything they did since that round started.

export const MIN_SIZE = 4;
export const MAX_SIZE = 64;
const HOUR = 3_600_000;

/** Places in the bracket: the next power of two of the entrants (at least 2). */
export function bracketSlots(entrants: number): number {
	let slots = 2;
	while (slots < entrants) slots *= 2;
	return slots;
}

export const roundCount = (slots: number): number => Math.round(Math.log2(slots));

/** Seeds in bracket order: [1, 8, 4, 5, 2, 7, 3, 6] for 8 places. */
export function seedOrder(slots: number): number[] {
	let order = [1, 2];
	while (order.length < slots) {
		const n = order.length * 2 + 1;
		order = order.flatMap((seed) => [seed, n - seed]);
	}
	return order;
}

export interface Seeded {
	id: number;
	seed: number;
}

export interface Pairing {
	slot: number;
	a: Seeded;
	/** null: a bye, `a` goes through. */
	b: Seeded | null;
}

/** The first round of entrants given in seed order (best first). */
export function firstRound(entrantIds: readonly number[]): Pairing[] {
	const slots = bracketSlots(entrantIds.length);
	const order = seedOrder(slots);
	const at = (seed: number): Seeded | null =>
		seed <= entrantIds.length ? { id: entrantIds[seed - 1], seed } : null;
	const pairs: Pairing[] = [];
	for (let i = 0; i < slots / 2; i++) {
		const [x, y] = [order[2 * i], order[2 * i + 1]];
		const [hi, lo] = x < y ? [x, y] : [y, x];
		pairs.push({ slot: i, a: at(hi)!, b: at(lo) });
	}
	return pairs;
}

/** Where the winner of `slot` plays next: slot s/2 of the next round, side a when s is even. */
export const nextPlace = (slot: number): { slot: number; side: 'a' | 'b' } => ({
	slot: Math.floor(slot / 2),
	side: slot % 2 === 0 ? 'a' : 'b'
});

export interface RoundPlan {
	startsAt: number;
	roundLength: number;
	roundUnit: 'day' | 'hour';
	timeZone: string;
}

/** When round `round` (0 = first) starts: whole local days (DST safe) or hours after the start. */
export function roundStart(plan: RoundPlan, round: number): number {
	if (plan.roundUnit === 'hour') return plan.startsAt + round * plan.roundLength * HOUR;
	return addDays(new TZDate(plan.startsAt, plan.timeZone), round * plan.roundLength).getTime();
}

/** Round `round`'s period [start, end). */
export function roundWindow(plan: RoundPlan, round: number): [number, number] {
	return [roundStart(plan, round), roundStart(plan, round + 1)];
}

/** When a round's winners are final: `graceHours` after its end. */
export const freezeAt = (plan: RoundPlan & { graceHours: number }, round: number): number =>
	roundStart(plan, round + 1) + plan.graceHours * HOUR;

export interface Side {
	id: number;
	seed: number;
	value: number;
}

/** The pairing's winner: the higher value, a tie to the better seed. */
export function pairingWinner(a: Side, b: Side): Side {
	if (a.value !== b.value) return a.value > b.value ? a : b;
	return a.seed <= b.seed ? a : b;
}

export interface StoredMatch {
	round: number;
	slot: number;
	aId: number | null;
	bId: number | null;
	aSeed: number | null;
	bSeed: number | null;
	aValue: number | null;
	bValue: number | null;
	winnerId: number | null;
}

export interface ResolvedMatch extends StoredMatch {
	/** Frozen (or a bye): the winner is final. */
	decided: boolean;
	/** The round has started: the values are live. */
	started: boolean;
}

/**
 * The whole bracket as it stands: frozen rounds as stored, the later ones filled in from the
 * previous round's current leaders, with live values for rounds that have started. `valueOf`
 * gives a subject's measure in a round. The freeze job writes what this says for its round.
 */
export function resolveBracket(
	stored: readonly StoredMatch[],
	rounds: number,
	roundsFrozen: number,
	roundsStarted: number,
	valueOf: (round: number, id: number) => number
): ResolvedMatch[][] {
	const out: ResolvedMatch[][] = [];
	for (let r = 0; r < rounds; r++) {
		const matches = stored.filter((m) => m.round === r).sort((x, y) => x.slot - y.slot);
		out.push(
			matches.map((m) => {
				if (r < roundsFrozen) return { ...m, decided: true, started: true };
				let { aId, bId, aSeed, bSeed } = m;
				if (r > 0) {
					// Not frozen yet: the sides are the previous round's current leaders.
					const prev = out[r - 1];
					const [x, y] = [prev[2 * m.slot], prev[2 * m.slot + 1]];
					[aId, aSeed] = leaderOf(x);
					[bId, bSeed] = leaderOf(y);
				}
				const started = r < roundsStarted;
				const base = { ...m, aId, bId, aSeed, bSeed, started, decided: false };
				if (r === 0 && aId !== null && bId === null)
					return { ...base, winnerId: aId, aValue: null, bValue: null, decided: true };
				if (!started || aId === null || bId === null)
					return { ...base, aValue: null, bValue: null, winnerId: null };
				const a = { id: aId, seed: aSeed ?? Infinity, value: valueOf(r, aId) };
				const b = { id: bId, seed: bSeed ?? Infinity, value: valueOf(r, bId) };
				return { ...base, aValue: a.value, bValue: b.value, winnerId: pairingWinner(a, b).id };
			})
		);
	}
	return out;
}

function leaderOf(m: ResolvedMatch | undefined): [number | null, number | null] {
	if (!m || m.winnerId === null) return [null, null];
	return m.winnerId === m.aId ? [m.aId, m.aSeed] : [m.bId, m.bSeed];
}

/** How many rounds have started at `now`. */
export function roundsStartedAt(plan: RoundPlan, rounds: number, now: number): number {
	let n = 0;
	while (n < rounds && roundStart(plan, n) <= now) n++;
	return n;
}
