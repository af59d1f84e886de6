import { and, desc, eq, inArray, or, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db';
import { challenge, type Challenge, type ChallengeStatus } from '../db/schema';
import type { FormatView } from '../formats/views';
import { leaderOf, type ChallengesView, type Duel } from '../../contest/challenge';
import { countingOf, duelSeason, duelValues, subjectNames } from './standings';

// The format view 'challenges' (formats/views.ts): the season's duels that are coming, live or
// waiting for their grace days, with both values as they stand. The publisher builds it with
// each push; pages load it for their first render. Must not import realtime/publish.ts.

/** What boards and the TV show: a duel accepted and not yet frozen. */
const OPEN: ChallengeStatus[] = ['accepted', 'live', 'finished'];
const SHOWN = 60;

/** Duels as boards show them, values read from the ledger (0 before the period starts). */
export function duelsOf(db: Queryable, seasonId: number, where?: SQL, limit = SHOWN): Duel[] {
	const s = duelSeason(db, seasonId);
	if (!s) return [];
	const rows = db
		.select()
		.from(challenge)
		.where(and(eq(challenge.seasonId, seasonId), where))
		.orderBy(desc(challenge.periodTo), desc(challenge.id))
		.limit(limit)
		.all();
	const counting = countingOf(s.rankBy);
	const names = {
		user: subjectNames(
			db,
			'user',
			rows.filter((r) => r.subjectType === 'user').flatMap((r) => [r.challengerId, r.opponentId])
		),
		team: subjectNames(
			db,
			'team',
			rows.filter((r) => r.subjectType === 'team').flatMap((r) => [r.challengerId, r.opponentId])
		)
	};
	return rows.map((row) => toDuel(db, row, names[row.subjectType], counting, s.tieRule));
}

function toDuel(
	db: Queryable,
	row: Challenge,
	names: Map<number, { name: string; emoji: string | null }>,
	counting: ReturnType<typeof countingOf>,
	tieRule: 'competition' | 'dense'
): Duel {
	const frozen = row.status === 'final';
	const counts = row.status === 'live' || row.status === 'finished';
	const [a, b] = frozen
		? [row.challengerValue ?? 0, row.opponentValue ?? 0]
		: counts
			? duelValues(db, row, counting)
			: [0, 0];
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
export function openDuels(db: Queryable, seasonId: number): Duel[] {
	const rank = (d: Duel) => (d.status === 'live' ? 0 : d.status === 'accepted' ? 1 : 2);
	return duelsOf(db, seasonId, inArray(challenge.status, OPEN)).sort(
		(x, y) => rank(x) - rank(y) || x.to - y.to || x.id - y.id
	);
}

/** A person's duels in the season (their own, or their team's), newest first. */
export function duelsFor(db: Queryable, seasonId: number, userId: number, teamId: number | null) {
	const mine = or(
		and(
			eq(challenge.subjectType, 'user'),
			or(eq(challenge.challengerId, userId), eq(challenge.opponentId, userId))
		),
		teamId === null
			? undefined
			: and(
					eq(challenge.subjectType, 'team'),
					or(eq(challenge.challengerId, teamId), eq(challenge.opponentId, teamId))
				)
	);
	return duelsOf(db, seasonId, mine, 100);
}

export const challengesView: FormatView = {
	name: 'challenges',
	build(db, seasonId): ChallengesView | null {
		const duels = openDuels(db, seasonId);
		return duels.length === 0 ? null : { duels };
	}
};

/** Proposals waiting for this person's answer (to them, or to their team), still open. */
export function invitationsFor(
	db: Queryable,
	seasonId: number,
	userId: number,
	teamId: number | null,
	now = Date.now()
): Duel[] {
	return duelsFor(db, seasonId, userId, teamId).filter(
		(d) =>
			d.status === 'proposed' &&
			d.answerBy > now &&
			d.opponent.id === (d.subject === 'user' ? userId : teamId)
	);
}
