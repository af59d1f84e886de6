import { and, desc, eq, gte, isNull, ne, or } from 'drizzle-orm';
import type { Knockout, KnockoutStatus, SubjectType } from '../db/schema';
import type { Store, StoreDb, Tables } from '../db/store';
import { readOn, readsSync, readsWith, rowsOf, type Reads } from '../db/reads';
import type { FormatView } from '../formats/views';
import { subjectNamesReads } from '../sprints/names';
import { bracketReads, bracketSeasonReads, type Bracket } from './bracket';

// What boards, the TV and /knockouts show of a season's knockouts: the bracket as it stands,
// live values for the rounds under way. Registered as the format view 'knockouts'.

const SHOWN_AFTER_END_MS = 3 * 24 * 3_600_000;

export interface MatchCard {
	slot: number;
	a: { id: number; name: string; seed: number | null } | null;
	b: { id: number; name: string; seed: number | null } | null;
	aValue: number | null;
	bValue: number | null;
	winnerId: number | null;
	/** Final (a frozen round, or a bye). */
	decided: boolean;
	bye: boolean;
}

export interface RoundCard {
	round: number;
	startsAt: number;
	endsAt: number;
	started: boolean;
	matches: MatchCard[];
}

export interface KnockoutCard {
	id: number;
	name: string;
	subject: SubjectType;
	measure: string;
	size: number;
	startsAt: number;
	prize: string | null;
	status: KnockoutStatus;
	graceHours: number;
	winner: { id: number; name: string } | null;
	/** The round under way (or the last one), for "Round 2 of 3". */
	current: number;
	rounds: RoundCard[];
}

/** A knockout's card at `now` (one body for the push and the store). */
function* knockoutCardReads(db: StoreDb, t: Tables, k: Knockout, now: number): Reads<KnockoutCard> {
	const s = yield* bracketSeasonReads(db, t, k.seasonId);
	const bracket = s ? yield* bracketReads(db, t, k, s, now) : null;
	return cardOf(k, bracket, yield* subjectNamesReads(db, t, k.subject, cardIds(k, bracket)));
}

/** A knockout's card on the store: `db` a store's database or a read's transaction. */
export function readKnockoutCard(
	db: StoreDb,
	tables: Tables,
	k: Knockout,
	now: number
): Promise<KnockoutCard> {
	return readsWith(db, tables, (d, t) => knockoutCardReads(d, t, k, now));
}

/** Everyone a card names: each side of each match, and the winner. */
function cardIds(k: Knockout, bracket: Bracket | null): number[] {
	const ids = new Set<number>();
	for (const round of bracket?.rounds ?? [])
		for (const m of round) for (const id of [m.aId, m.bId]) if (id !== null) ids.add(id);
	if (k.winnerId !== null) ids.add(k.winnerId);
	return [...ids];
}

function cardOf(k: Knockout, bracket: Bracket | null, names: Map<number, string>): KnockoutCard {
	const side = (id: number | null, seed: number | null) =>
		id === null ? null : { id, name: names.get(id) ?? '?', seed };
	const rounds: RoundCard[] = (bracket?.rounds ?? []).map((matches, r) => ({
		round: r,
		startsAt: bracket!.windows[r][0],
		endsAt: bracket!.windows[r][1],
		started: r < bracket!.roundsStarted,
		matches: matches.map((m) => ({
			slot: m.slot,
			a: side(m.aId, m.aSeed),
			b: side(m.bId, m.bSeed),
			aValue: m.aValue,
			bValue: m.bValue,
			winnerId: m.winnerId,
			decided: m.decided,
			bye: r === 0 && m.aId !== null && m.bId === null
		}))
	}));
	return {
		id: k.id,
		name: k.name,
		subject: k.subject,
		measure: k.measure,
		size: k.size,
		startsAt: k.startsAt,
		prize: k.prize,
		status: k.status,
		graceHours: k.graceHours,
		winner: k.winnerId !== null ? { id: k.winnerId, name: names.get(k.winnerId) ?? '?' } : null,
		current: Math.max(0, (bracket?.roundsStarted ?? 1) - 1),
		rounds
	};
}

type ShownCard = { knockout: Knockout; card: KnockoutCard };

/** The season's knockouts shown at `now`, each with its card. */
function* knockoutCardsReads(
	db: StoreDb,
	t: Tables,
	seasonId: number,
	now: number,
	options: { all?: boolean }
): Reads<ShownCard[]> {
	const { knockout } = t;
	const shown = yield* rowsOf(
		db
			.select()
			.from(knockout)
			.where(shownKnockouts(knockout, seasonId, now, options))
			.orderBy(desc(knockout.startsAt), desc(knockout.id))
	);
	const cards: ShownCard[] = [];
	for (const k of shown) cards.push({ knockout: k, card: yield* knockoutCardReads(db, t, k, now) });
	return cards;
}

/** The season's knockouts as cards, on the store in one snapshot: the pages' and the API's read. */
export function readKnockoutCards(
	store: Store,
	seasonId: number,
	now: number,
	options: { all?: boolean } = {}
): Promise<ShownCard[]> {
	return readOn(store, (d, t) => knockoutCardsReads(d, t, seasonId, now, options));
}

function shownKnockouts(
	t: Tables['knockout'],
	seasonId: number,
	now: number,
	options: { all?: boolean }
) {
	return and(
		eq(t.seasonId, seasonId),
		// A cancelled knockout shows nowhere (the console lists it).
		ne(t.status, 'cancelled'),
		options.all
			? undefined
			: or(isNull(t.finalizedAt), gte(t.finalizedAt, now - SHOWN_AFTER_END_MS))
	);
}

export interface KnockoutsState {
	knockouts: KnockoutCard[];
}

export const knockoutsView: FormatView = {
	name: 'knockouts',
	build: (db, seasonId, now) =>
		knockoutsState(readsSync(db, (d, t) => knockoutCardsReads(d, t, seasonId, now, {}))),
	read: async (store, seasonId, now) =>
		knockoutsState(await readKnockoutCards(store, seasonId, now))
};

const knockoutsState = (shown: ShownCard[]): KnockoutsState | null =>
	shown.length > 0 ? { knockouts: shown.map((s) => s.card) } : null;
