// Sprints ("first to N", issue #17): the pure rules. A sprint's winner is the first subject whose
// measure, counted from the sprint's start, reaches the target before the sprint ends; "first"
// is the instant of the entry that crossed it (a sale counts at the time it was made). Until
// the grace period after the sprint's end is over, the outcome is decided again from the ledger.

import { valueOf, type Counting, type PeriodTotal } from './measure';

export type SprintPhase = 'scheduled' | 'live' | 'won' | 'expired' | 'final';

export interface Crossing {
	id: number;
	/** The instant of the entry that took the measure to the target. */
	reachedAt: number;
	/** The measure just after that entry (a bigger jump past the target wins a same-instant tie). */
	value: number;
}

/** One entry of a subject's measure: what it adds, at the instant it counts. */
export interface TimedTotal extends PeriodTotal {
	id: number;
	at: number;
}

/**
 * Each subject's crossing of `target` within [from, …), from the entries of the window in time
 * order: the instant of the entry after which the subject's measure first stood at the target,
 * and the measure just after that instant (every entry of that instant counted). Where the
 * measure only grows (points and sales do: a reversal voids its sale's entries, which removes
 * them from the whole window), that is the first instant t with the measure over [from, t + 1)
 * at the target; a negative manual adjustment is the exception, and then it is the first time
 * the measure stood there. One pass over the entries, where a search over time would sum the
 * period again at every step. A target of 0 or less is reached at `from` by anyone with entries.
 */
export function crossingsOf(
	entries: readonly TimedTotal[],
	from: number,
	target: number,
	counting: Counting
): Crossing[] {
	const sums = new Map<number, PeriodTotal>();
	const add = (entry: TimedTotal) => {
		const sum = sums.get(entry.id) ?? { confirmed: 0, provisional: 0 };
		sums.set(entry.id, {
			confirmed: sum.confirmed + entry.confirmed,
			provisional: sum.provisional + entry.provisional
		});
	};
	if (target <= 0) {
		for (const entry of entries) {
			if (entry.at === from) add(entry);
			else if (!sums.has(entry.id)) sums.set(entry.id, { confirmed: 0, provisional: 0 });
		}
		return [...sums].map(([id, sum]) => ({ id, reachedAt: from, value: valueOf(sum, counting) }));
	}
	const crossed = new Map<number, Crossing>();
	for (let i = 0; i < entries.length;) {
		const at = entries[i].at;
		const touched = new Set<number>();
		for (; i < entries.length && entries[i].at === at; i += 1) {
			if (crossed.has(entries[i].id)) continue;
			add(entries[i]);
			touched.add(entries[i].id);
		}
		for (const id of touched) {
			const value = valueOf(sums.get(id), counting);
			if (value >= target) crossed.set(id, { id, reachedAt: at, value });
		}
	}
	return [...crossed.values()];
}

/** The winner among subjects that crossed: earliest, then the bigger value, then the lower id. */
export function firstToCross(crossings: readonly Crossing[]): Crossing | null {
	let best: Crossing | null = null;
	for (const c of crossings) {
		if (
			!best ||
			c.reachedAt < best.reachedAt ||
			(c.reachedAt === best.reachedAt &&
				(c.value > best.value || (c.value === best.value && c.id < best.id)))
		)
			best = c;
	}
	return best;
}

export interface SprintWindow {
	startsAt: number;
	endsAt: number;
}

/**
 * Where a sprint stands at `now`, given its current winner (null: nobody has reached the
 * target): ended at the winner or at the deadline, and final once `graceMs` after that end.
 */
export function sprintPhase(
	sprint: SprintWindow,
	winner: Pick<Crossing, 'reachedAt'> | null,
	now: number,
	graceMs: number
): SprintPhase {
	if (now < sprint.startsAt) return 'scheduled';
	const endedAt = winner ? winner.reachedAt : sprint.endsAt;
	if (!winner && now < sprint.endsAt) return 'live';
	return now >= endedAt + graceMs ? 'final' : winner ? 'won' : 'expired';
}

/** The window a sprint's crossings are looked for in at `now`: [startsAt, min(endsAt, now]). */
export function searchWindow(sprint: SprintWindow, now: number): [number, number] {
	return [sprint.startsAt, Math.min(sprint.endsAt, now + 1)];
}

/** Progress toward the target, 0…1. */
export const progressOf = (value: number, target: number): number =>
	target > 0 ? Math.max(0, Math.min(1, value / target)) : 0;
