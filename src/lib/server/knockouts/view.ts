import { and, desc, eq, gte, isNull, ne, or } from 'drizzle-orm';
import type { Queryable } from '../db';
import { knockout, type Knockout, type KnockoutStatus, type SubjectType } from '../db/schema';
import { read, type Store, type StoreDb, type Tables } from '../db/store';
import type { FormatView } from '../formats/views';
import { readNames, subjectNames } from '../sprints/names';
import { bracketOf, readBracket, readBracketSeason, seasonOf, type Bracket } from './bracket';

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

export function knockoutCard(db: Queryable, k: Knockout, now: number): KnockoutCard {
	const s = seasonOf(db, k.seasonId);
	const bracket = s ? bracketOf(db, k, s, now) : null;
	return cardOf(k, bracket, subjectNames(db, k.subject, cardIds(k, bracket)));
}

/** knockoutCard on the store (db/store.ts): `db` a store's database or a read's transaction. */
export async function readKnockoutCard(
	db: StoreDb,
	tables: Tables,
	k: Knockout,
	now: number
): Promise<KnockoutCard> {
	const s = await readBracketSeason(db, tables, k.seasonId);
	const bracket = s ? await readBracket(db, tables, k, s, now) : null;
	return cardOf(k, bracket, await readNames(db, tables, k.subject, cardIds(k, bracket)));
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

export function knockoutsOf(
	db: Queryable,
	seasonId: number,
	now: number,
	options: { all?: boolean } = {}
): Knockout[] {
	return (
		db
			.select()
			.from(knockout)
			// The SQLite table typed as the store's (formats/measure.ts does the same): same SQL.
			.where(shownKnockouts(knockout as unknown as Tables['knockout'], seasonId, now, options))
			.orderBy(desc(knockout.startsAt), desc(knockout.id))
			.all()
	);
}

/** knockoutsOf on the store. */
export async function readKnockoutsOf(
	db: StoreDb,
	tables: Tables,
	seasonId: number,
	now: number,
	options: { all?: boolean } = {}
): Promise<Knockout[]> {
	const { knockout } = tables;
	return db
		.select()
		.from(knockout)
		.where(shownKnockouts(knockout, seasonId, now, options))
		.orderBy(desc(knockout.startsAt), desc(knockout.id));
}

/**
 * The season's knockouts as cards, on the store in one snapshot: the pages' and the API's read.
 * The boards' pushes and the read thread build the format view synchronously (`knockoutsView`).
 */
export async function readKnockoutCards(
	store: Store,
	seasonId: number,
	now: number,
	options: { all?: boolean } = {}
): Promise<{ knockout: Knockout; card: KnockoutCard }[]> {
	return read(store, async (tx) => {
		const shown = await readKnockoutsOf(tx, store.tables, seasonId, now, options);
		const cards: { knockout: Knockout; card: KnockoutCard }[] = [];
		for (const k of shown)
			cards.push({ knockout: k, card: await readKnockoutCard(tx, store.tables, k, now) });
		return cards;
	});
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
	build(db, seasonId, now): KnockoutsState | null {
		return knockoutsState(knockoutsOf(db, seasonId, now).map((k) => knockoutCard(db, k, now)));
	},
	async read(store, seasonId, now) {
		const cards = await readKnockoutCards(store, seasonId, now);
		return knockoutsState(cards.map((c) => c.card));
	}
};

const knockoutsState = (knockouts: KnockoutCard[]): KnockoutsState | null =>
	knockouts.length > 0 ? { knockouts } : null;
