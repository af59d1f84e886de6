import { m } from '$lib/paraglide/messages.js';
import type { SprintStatus, KnockoutStatus } from '$lib/server/db/schema';

// Words the sprint and knockout components share.

/** A measure key ("points", "sales", "category:Phones") in the reader's words. */
export function measureLabel(key: string): string {
	if (key === 'points') return m.sprints_measure_points();
	if (key === 'sales') return m.sprints_measure_sales();
	const [kind, ...rest] = key.split(':');
	const name = rest.join(':');
	if (kind === 'category') return m.sprints_measure_category({ name });
	if (kind === 'activity') return m.sprints_measure_activity({ name });
	return key;
}

/** A measure key as a choice in a form: "Points", "Number of sales", "Points in Phones". */
export function measureChoice(key: string): string {
	if (key === 'points') return m.sprints_choice_points();
	if (key === 'sales') return m.sprints_choice_sales();
	if (key.startsWith('category:')) return m.sprints_choice_category({ name: key.slice(9) });
	return measureLabel(key);
}

const SPRINT_STATUS: Record<SprintStatus, () => string> = {
	scheduled: m.sprints_status_scheduled,
	live: m.sprints_status_live,
	won: m.sprints_status_won,
	expired: m.sprints_status_expired,
	final: m.sprints_status_final,
	cancelled: m.sprints_status_cancelled
};
export const sprintStatusLabel = (status: SprintStatus) => SPRINT_STATUS[status]();

const KNOCKOUT_STATUS: Record<KnockoutStatus, () => string> = {
	scheduled: m.sprints_status_scheduled,
	live: m.sprints_status_live,
	final: m.sprints_status_final,
	cancelled: m.sprints_status_cancelled
};
export const knockoutStatusLabel = (status: KnockoutStatus) => KNOCKOUT_STATUS[status]();

/** "Final", "Semi-final", "Quarter-final", else "Round n". */
export function roundLabel(round: number, rounds: number): string {
	const left = rounds - round;
	if (left === 1) return m.knockouts_round_final();
	if (left === 2) return m.knockouts_round_semi();
	if (left === 3) return m.knockouts_round_quarter();
	return m.knockouts_round_n({ n: round + 1 });
}
