// Sprints ("first to N", issue #17): the pure rules. A sprint's winner is the first subject whose
// measure, counted from the sprint's start, reaches the target before the sprint ends; "first"
// is the instant of the entry that crossed it (a sale counts at the time it was made). Until
// the grace period after the sprint's end is over, the outcome is decided again from the ledger.

export type SprintPhase = 'scheduled' | 'live' | 'won' | 'expired' | 'final';

export interface Crossing {
	id: number;
	/** The instant of the entry that took the measure to the target. */
	reachedAt: number;
	/** The measure just after that entry (a bigger jump past the target wins a same-instant tie). */
	value: number;
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
