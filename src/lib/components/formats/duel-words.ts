import { parseMeasure } from '$lib/contest/measure';
import type { ChallengeState, Duel } from '$lib/contest/challenge';
import { m } from '$lib/paraglide/messages.js';

// How the duel components word a duel's measure and status, in the viewer's language.

/** "Points", "Number of sales", "Points in Phones", "Activity: call". */
export function measureLabel(key: string): string {
	const measure = parseMeasure(key);
	switch (measure?.kind) {
		case 'points':
			return m.challenges_measure_points();
		case 'sales':
			return m.challenges_measure_sales();
		case 'category':
			return m.challenges_measure_category({ category: measure.category });
		case 'activity':
			return m.challenges_measure_activity({ type: measure.type });
		default:
			return key;
	}
}

export const STATUS_LABELS: Record<ChallengeState, () => string> = {
	proposed: m.challenges_status_proposed,
	accepted: m.challenges_status_accepted,
	declined: m.challenges_status_declined,
	cancelled: m.challenges_status_cancelled,
	expired: m.challenges_status_expired,
	live: m.challenges_status_live,
	finished: m.challenges_status_finished,
	final: m.challenges_status_final
};

/** Whether the duel is the viewer's own (as a person, or their team's). */
export function isMine(duel: Duel, viewer: { userId: number; teamId?: number | null }): boolean {
	const id = duel.subject === 'user' ? viewer.userId : viewer.teamId;
	return id != null && (duel.challenger.id === id || duel.opponent.id === id);
}

/** The season's open duels from the live view, or none. */
export function viewDuels(view: unknown): Duel[] {
	const duels = (view as { duels?: Duel[] } | null | undefined)?.duels;
	return Array.isArray(duels) ? duels : [];
}
