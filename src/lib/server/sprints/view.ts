import { and, desc, eq, gte, isNull, ne, or } from 'drizzle-orm';
import type { Sprint, SprintStatus, SubjectType } from '../db/schema';
import type { Store, StoreDb, Tables } from '../db/store';
import { readOn, readsSync, rowsOf, type Reads } from '../db/reads';
import type { FormatView } from '../formats/views';
import { sprintOutcomeReads, type SprintOutcome } from './decide';
import { subjectNamesReads } from './names';

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

/** The season's sprints as cards, each decided at `now` (one body for the push and the store). */
function* sprintCardsReads(
	db: StoreDb,
	t: Tables,
	seasonId: number,
	now: number,
	options: { all?: boolean }
): Reads<SprintCard[]> {
	const { season, sprint } = t;
	const [s] = yield* rowsOf(
		db
			.select({ rankBy: season.rankBy, graceDays: season.graceDays })
			.from(season)
			.where(eq(season.id, seasonId))
	);
	if (!s) return [];
	const rows = yield* rowsOf(
		db
			.select()
			.from(sprint)
			.where(shownSprints(sprint, seasonId, now, options))
			.orderBy(desc(sprint.endsAt), desc(sprint.id))
	);
	const cards: SprintCard[] = [];
	for (const row of rows) {
		const outcome = yield* sprintOutcomeReads(db, t, row, s, now);
		const ids = shownIds(row, outcome);
		cards.push(cardOf(row, outcome, ids, yield* subjectNamesReads(db, t, row.subject, ids)));
	}
	return cards;
}

/** The season's sprints as cards on the store, in one snapshot: the pages' and the API's read. */
export function readSprintCards(
	store: Store,
	seasonId: number,
	now: number,
	options: { all?: boolean } = {}
): Promise<SprintCard[]> {
	return readOn(store, (d, t) => sprintCardsReads(d, t, seasonId, now, options));
}

function shownSprints(
	t: Tables['sprint'],
	seasonId: number,
	now: number,
	options: { all?: boolean }
) {
	return and(
		eq(t.seasonId, seasonId),
		// A cancelled sprint shows nowhere (the console lists it).
		ne(t.status, 'cancelled'),
		options.all ? undefined : or(isNull(t.finalizedAt), gte(t.endsAt, now - SHOWN_AFTER_END_MS))
	);
}

/** The subjects a card shows by name: the leaders, and the winner wherever they stand. */
function shownIds(row: Sprint, outcome: SprintOutcome): number[] {
	const winnerId = row.status === 'final' ? row.winnerId : (outcome.winner?.id ?? null);
	const shown = ranked(outcome)
		.slice(0, TOP)
		.map(([id]) => id);
	if (winnerId !== null && !shown.includes(winnerId)) shown.unshift(winnerId);
	return shown;
}

const ranked = (outcome: SprintOutcome) =>
	[...outcome.values].sort((a, b) => b[1] - a[1] || a[0] - b[0]);

function cardOf(
	row: Sprint,
	outcome: SprintOutcome,
	shown: number[],
	names: Map<number, string>
): SprintCard {
	const frozen = row.status === 'final';
	const winnerId = frozen ? row.winnerId : (outcome.winner?.id ?? null);
	const reachedAt = frozen ? row.reachedAt : (outcome.winner?.reachedAt ?? null);
	const all = ranked(outcome);
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
		values: Object.fromEntries(all.slice(0, VALUES_MAX)),
		valuesCut: all.length > VALUES_MAX
	};
}

export const sprintsView: FormatView = {
	name: 'sprints',
	build: (db, seasonId, now) =>
		sprintsState(readsSync(db, (d, t) => sprintCardsReads(d, t, seasonId, now, {}))),
	read: async (store, seasonId, now) => sprintsState(await readSprintCards(store, seasonId, now))
};

const sprintsState = (sprints: SprintCard[]): SprintsState | null =>
	sprints.length > 0 ? { sprints } : null;
