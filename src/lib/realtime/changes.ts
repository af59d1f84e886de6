import type { LeaderboardEntry, LeaderboardSnapshot } from './events';

/** Nothing changed: the initial value of a board's highlight. */
export const NO_CHANGES: Set<string> = new Set(); // never mutated: changedRows returns new sets

const total = (e: LeaderboardEntry) => e.points + e.provisionalPoints;

/**
 * The rows whose points moved from one snapshot to the next ('user:ID', 'team:ID'), for a
 * highlight. Rows that just appeared are not "changed": they have nothing to compare with.
 */
export function changedRows(before: LeaderboardSnapshot, after: LeaderboardSnapshot): Set<string> {
	const changed = new Set<string>();
	const diff = (kind: string, was: LeaderboardEntry[], now: LeaderboardEntry[]) => {
		const old = new Map(was.map((e) => [e.id, total(e)]));
		for (const entry of now) {
			const previous = old.get(entry.id);
			if (previous !== undefined && previous !== total(entry)) changed.add(`${kind}:${entry.id}`);
		}
	};
	diff('user', before.individual, after.individual);
	diff('team', before.teams, after.teams);
	return changed;
}
