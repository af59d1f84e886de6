import { and, desc, eq, gt, inArray, or, type SQL } from 'drizzle-orm';
import type { Challenge, ChallengeStatus } from '../db/schema';
import type { Store, StoreDb, Tables } from '../db/store';
import { readOn, readsSync, rowsOf, type Reads } from '../db/reads';
import type { FormatView } from '../formats/views';
import { leaderOf, type ChallengesView, type Duel } from '../../contest/challenge';
import {
	countingOf,
	duelSeasonReads,
	duelValuesReads,
	sideNamesReads,
	type SubjectName
} from './standings';

// The format view 'challenges' (formats/views.ts): the season's duels that are coming, live or
// waiting for their grace days, with both values as they stand. One body (`duelsReads`): the
// publisher runs it synchronously with each push, inside the boards' reads; the pages and the
// API on the store (`readDuels`, `readDuelsFor`, `invitationsFor`). Must not import
// realtime/publish.ts.

/** What boards and the TV show: a duel accepted and not yet frozen. */
const OPEN: ChallengeStatus[] = ['accepted', 'live', 'finished'];
const SHOWN = 60;

/** A duel's filter on the store's challenge table (the store's tables differ by dialect). */
export type DuelFilter = (c: Tables['challenge']) => SQL | undefined;

/** Duels as boards show them, values read from the ledger (0 before the period starts). */
function* duelsReads(
	db: StoreDb,
	t: Tables,
	seasonId: number,
	filter: DuelFilter | undefined,
	limit: number
): Reads<Duel[]> {
	const { challenge } = t;
	const s = yield* duelSeasonReads(db, t, seasonId);
	if (!s) return [];
	const rows = yield* rowsOf(
		db
			.select()
			.from(challenge)
			.where(and(eq(challenge.seasonId, seasonId), filter?.(challenge)))
			.orderBy(desc(challenge.periodTo), desc(challenge.id))
			.limit(limit)
	);
	const counting = countingOf(s.rankBy);
	const sides = (subject: 'user' | 'team') =>
		rows.filter((r) => r.subjectType === subject).flatMap((r) => [r.challengerId, r.opponentId]);
	const names = {
		user: yield* sideNamesReads(db, t, 'user', sides('user')),
		team: yield* sideNamesReads(db, t, 'team', sides('team'))
	};
	const duels: Duel[] = [];
	for (const row of rows) {
		const values = counted(row) ? yield* duelValuesReads(db, t, row, counting) : valuesOf(row);
		duels.push(toDuel(row, names[row.subjectType], values, s.tieRule));
	}
	return duels;
}

/** The season's duels (those `filter` keeps, newest first) on the store, in one read. */
export function readDuels(
	store: Store,
	seasonId: number,
	filter?: DuelFilter,
	limit = SHOWN
): Promise<Duel[]> {
	return readOn(store, (d, t) => duelsReads(d, t, seasonId, filter, limit));
}

/** Whether a duel's values are read from the ledger: live, or waiting for its grace days. */
const counted = (row: Challenge) => row.status === 'live' || row.status === 'finished';

/** A duel's values when not read from the ledger: frozen ones, or 0 before its period. */
const valuesOf = (row: Challenge): [number, number] =>
	row.status === 'final' ? [row.challengerValue ?? 0, row.opponentValue ?? 0] : [0, 0];

function toDuel(
	row: Challenge,
	names: Map<number, SubjectName>,
	[a, b]: [number, number],
	tieRule: 'competition' | 'dense'
): Duel {
	const frozen = row.status === 'final';
	const counts = counted(row);
	const side = (id: number, value: number) => ({
		id,
		name: names.get(id)?.name ?? '?',
		emoji: names.get(id)?.emoji ?? null,
		value
	});
	const challenger = side(row.challengerId, a);
	const opponent = side(row.opponentId, b);
	return {
		id: row.id,
		subject: row.subjectType,
		measure: row.measure,
		from: row.periodFrom,
		to: row.periodTo,
		status: row.status,
		stake: row.stakePoints,
		answerBy: row.answerBy,
		// A manager's duel is accepted when made: nobody ever answered it.
		byManager: row.decidedAt === null && row.status !== 'proposed' && row.status !== 'expired',
		challenger,
		opponent,
		leaderId: frozen ? row.winnerId : counts ? leaderOf(challenger, opponent, tieRule) : null
	};
}

/** The season's open duels (coming, live, in their grace days), live ones first. */
function* openDuelsReads(db: StoreDb, t: Tables, seasonId: number): Reads<Duel[]> {
	const duels = yield* duelsReads(db, t, seasonId, (c) => inArray(c.status, OPEN), SHOWN);
	return duels.sort(openFirst);
}

const openRank = (d: Duel) => (d.status === 'live' ? 0 : d.status === 'accepted' ? 1 : 2);
const openFirst = (x: Duel, y: Duel) => openRank(x) - openRank(y) || x.to - y.to || x.id - y.id;

/** A person's duels in the season (their own, or their team's), newest first. */
export function readDuelsFor(
	store: Store,
	seasonId: number,
	userId: number,
	teamId: number | null
): Promise<Duel[]> {
	return readDuels(store, seasonId, (c) => theirs(c, userId, teamId), 100);
}

/** Duels a person is a side of, or their team. */
function theirs(c: Tables['challenge'], userId: number, teamId: number | null) {
	return or(
		and(eq(c.subjectType, 'user'), or(eq(c.challengerId, userId), eq(c.opponentId, userId))),
		teamId === null
			? undefined
			: and(eq(c.subjectType, 'team'), or(eq(c.challengerId, teamId), eq(c.opponentId, teamId)))
	);
}

export const challengesView: FormatView = {
	name: 'challenges',
	build: (db, seasonId) => duelsState(readsSync(db, (d, t) => openDuelsReads(d, t, seasonId))),
	read: async (store, seasonId) =>
		duelsState(await readOn(store, (d, t) => openDuelsReads(d, t, seasonId)))
};

const duelsState = (duels: Duel[]): ChallengesView | null =>
	duels.length === 0 ? null : { duels };

/**
 * Proposals waiting for this person's answer (to them, or to their team), still open. Only the
 * open proposals are read: a proposal has no values yet, so the ledger is not summed (the home
 * page asks on every load).
 */
export async function invitationsFor(
	store: Store,
	seasonId: number,
	userId: number,
	teamId: number | null,
	now = Date.now()
): Promise<Duel[]> {
	const open: DuelFilter = (c) =>
		and(theirs(c, userId, teamId), eq(c.status, 'proposed'), gt(c.answerBy, now));
	return (await readDuels(store, seasonId, open, 100)).filter(
		(d) => d.opponent.id === (d.subject === 'user' ? userId : teamId)
	);
}
