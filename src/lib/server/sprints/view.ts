import { and, desc, eq, gte, isNull, ne, or } from 'drizzle-orm';
import type { Queryable } from '../db';
import { season, sprint, type SprintStatus, type SubjectType } from '../db/schema';
import type { FormatView } from '../formats/views';
import { decideSprint } from './decide';
import { subjectNames } from './names';

// What boards, the TV and /sprints show of a season's sprints, built from the ledger each time
// (an unfinished sprint's winner is decided live, so the card shows it the moment a sale crosses
// the line; the scheduler writes it). Registered as the format view 'sprints'.

/** Bars shown by name; everyone else's value is in `values`, for the viewer's own bar. */
const TOP = 5;
/**
 * Values a card carries at most: the push goes to every watcher, and a season of 100,000 people
 * must not send 100,000 values with each one (docs/benchmarks.md: a push stays under 16 KB).
 */
const VALUES_MAX = 200;
/** A finished sprint stays on the board this long. */
const SHOWN_AFTER_END_MS = 3 * 24 * 3_600_000;

export interface SprintBar {
	id: number;
	name: string;
	value: number;
}

export interface SprintCard {
	id: number;
	name: string;
	subject: SubjectType;
	measure: string;
	target: number;
	startsAt: number;
	endsAt: number;
	prize: string | null;
	status: SprintStatus;
	winner: { id: number; name: string; reachedAt: number } | null;
	top: SprintBar[];
	/**
	 * The leading subjects' values by id, at most VALUES_MAX (the viewer finds their own bar
	 * here); when `valuesCut`, a subject not listed is not known to be at 0.
	 */
	values: Record<number, number>;
	valuesCut: boolean;
}

export interface SprintsState {
	sprints: SprintCard[];
}

export function sprintCards(
	db: Queryable,
	seasonId: number,
	now: number,
	options: { all?: boolean } = {}
): SprintCard[] {
	const s = db
		.select({ rankBy: season.rankBy, graceDays: season.graceDays })
		.from(season)
		.where(eq(season.id, seasonId))
		.get();
	if (!s) return [];
	const rows = db
		.select()
		.from(sprint)
		.where(
			and(
				eq(sprint.seasonId, seasonId),
				// A cancelled sprint shows nowhere (the console lists it).
				ne(sprint.status, 'cancelled'),
				options.all
					? undefined
					: or(isNull(sprint.finalizedAt), gte(sprint.endsAt, now - SHOWN_AFTER_END_MS))
			)
		)
		.orderBy(desc(sprint.endsAt), desc(sprint.id))
		.all();
	return rows.map((row) => {
		const frozen = row.status === 'final';
		const outcome = decideSprint(db, row, s, now);
		const winnerId = frozen ? row.winnerId : (outcome.winner?.id ?? null);
		const reachedAt = frozen ? row.reachedAt : (outcome.winner?.reachedAt ?? null);
		const ranked = [...outcome.values].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
		const shown = ranked.slice(0, TOP).map(([id]) => id);
		if (winnerId !== null && !shown.includes(winnerId)) shown.unshift(winnerId);
		const names = subjectNames(db, row.subject, shown);
		return {
			id: row.id,
			name: row.name,
			subject: row.subject,
			measure: row.measure,
			target: row.target,
			startsAt: row.startsAt,
			endsAt: row.endsAt,
			prize: row.prize,
			status: frozen ? 'final' : outcome.phase,
			winner:
				winnerId !== null && reachedAt !== null
					? { id: winnerId, name: names.get(winnerId) ?? '?', reachedAt }
					: null,
			top: shown.map((id) => ({
				id,
				name: names.get(id) ?? '?',
				value: outcome.values.get(id) ?? 0
			})),
			values: Object.fromEntries(ranked.slice(0, VALUES_MAX)),
			valuesCut: ranked.length > VALUES_MAX
		};
	});
}

export const sprintsView: FormatView = {
	name: 'sprints',
	build(db, seasonId, now): SprintsState | null {
		const sprints = sprintCards(db, seasonId, now);
		return sprints.length > 0 ? { sprints } : null;
	}
};
