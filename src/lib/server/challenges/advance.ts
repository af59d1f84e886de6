import { and, desc, eq, inArray, isNotNull, or } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { challenge, type Challenge, type ChallengeStatus } from '../db/schema';
import { dueStatus, outcome } from '../../contest/challenge';
import type { ActivityItem } from '../../realtime/events';
import { appendEntry } from '../scoring/ledger';
import { bumpVersion } from '../scoring/standings';
import { getMembership } from '../seasons/queries';
import { notifyLeaderboard, publishActivity } from '../realtime/publish';
import { publishAwardChanges, merge, type AwardChanges } from '../badges/awards';
import { systemClock, type Clock } from '../shared/clock';
import { countingOf, duelSeason, duelValues, subjectNames } from './standings';
import { awardFrozenWin } from '../badges/counted';

// The scheduler's duel job: proposals expire, accepted duels go live at their start, finish at
// their end (the result announced, still open to late confirmations and reversals) and become
// final when the season's grace days are over: values and winner frozen, the stake paid (ledger
// kind 'challenge'), the "duels won" badges given (to the winner, or each member of the winning
// team). Every move is an update guarded by the old status in one immediate transaction with
// what it writes, so a second run, a second process or a restart moves nothing twice and pays
// nothing twice.

const MOVING: ChallengeStatus[] = ['proposed', 'accepted', 'live', 'finished'];

export interface Advanced {
	moved: number;
	finalized: number;
}

/** Moves every duel to the status it is due at the clock's time; returns what moved. */
export function advanceChallenges(db: Db, clock: Clock = systemClock): Advanced {
	const now = clock();
	// Every tick asks; the write lock is taken only when some duel is due to move.
	if (!anyDue(db, now)) return { moved: 0, finalized: 0 };
	const items: ActivityItem[] = [];
	const badges = new Map<number, AwardChanges>();
	const seasons = new Set<number>();
	const done = db.transaction(
		(tx) => {
			const rows = tx.select().from(challenge).where(inArray(challenge.status, MOVING)).all();
			let moved = 0;
			let finalized = 0;
			const seasonOf = new Map<number, ReturnType<typeof duelSeason>>();
			for (const row of rows) {
				if (!seasonOf.has(row.seasonId)) seasonOf.set(row.seasonId, duelSeason(tx, row.seasonId));
				const s = seasonOf.get(row.seasonId);
				if (!s) continue;
				const due = dueStatus(
					{
						status: row.status,
						answerBy: row.answerBy,
						from: row.periodFrom,
						to: row.periodTo,
						graceDays: s.graceDays
					},
					now
				);
				if (due === row.status) continue;
				const guard = and(eq(challenge.id, row.id), eq(challenge.status, row.status));
				if (due === 'final') {
					const counting = countingOf(s.rankBy);
					const [a, b] = duelValues(tx, row, counting);
					const names = subjectNames(tx, row.subjectType, [row.challengerId, row.opponentId]);
					const side = (id: number, value: number) => ({
						id,
						name: names.get(id)?.name ?? '',
						value
					});
					const winnerId = outcome(side(row.challengerId, a), side(row.opponentId, b), s.tieRule);
					const frozen = tx
						.update(challenge)
						.set({
							status: 'final',
							challengerValue: a,
							opponentValue: b,
							winnerId,
							finishedAt: row.finishedAt ?? now,
							finalizedAt: now
						})
						.where(guard)
						.returning()
						.get();
					if (!frozen) continue;
					finalized++;
					const paid = payStake(tx, frozen, now);
					if (paid) {
						bumpVersion(tx, frozen.seasonId);
						seasons.add(frozen.seasonId);
					}
					if (winnerId !== null)
						badges.set(
							frozen.seasonId,
							merge(
								badges.get(frozen.seasonId) ?? { awarded: [], withdrawn: [] },
								awardFrozenWin(
									tx,
									'duels_won',
									{ ...frozen, subject: frozen.subjectType },
									winnerId,
									now
								)
							)
						);
					items.push(duelItem(tx, paid ? { ...frozen, payoutEntryId: paid } : frozen, counting));
				} else {
					const next = tx
						.update(challenge)
						.set({ status: due, ...(due === 'finished' && { finishedAt: now }) })
						.where(guard)
						.returning()
						.get();
					if (!next) continue;
					if (due === 'finished') items.push(duelItem(tx, next, countingOf(s.rankBy)));
				}
				moved++;
				seasons.add(row.seasonId);
			}
			return { moved, finalized };
		},
		{ behavior: 'immediate' }
	);
	for (const item of items) publishActivity(item);
	for (const [seasonId, changes] of badges) publishAwardChanges(seasonId, changes);
	for (const seasonId of seasons) notifyLeaderboard(seasonId);
	return done;
}

function anyDue(db: Queryable, now: number): boolean {
	const graceOf = new Map<number, number | undefined>();
	return db
		.select()
		.from(challenge)
		.where(inArray(challenge.status, MOVING))
		.all()
		.some((row) => {
			if (!graceOf.has(row.seasonId))
				graceOf.set(row.seasonId, duelSeason(db, row.seasonId)?.graceDays);
			const graceDays = graceOf.get(row.seasonId);
			if (graceDays === undefined) return false;
			const t = {
				status: row.status,
				answerBy: row.answerBy,
				from: row.periodFrom,
				to: row.periodTo,
				graceDays
			};
			return dueStatus(t, now) !== row.status;
		});
}

/** The stake to the winner, once (the guarded final update came first); the entry's id or null. */
function payStake(tx: Queryable, row: Challenge, now: number): number | null {
	if (row.stakePoints <= 0 || row.winnerId === null || row.subjectType !== 'user') return null;
	const member = getMembership(tx, row.seasonId, row.winnerId);
	if (!member) return null;
	const loserId = row.winnerId === row.challengerId ? row.opponentId : row.challengerId;
	const loser = subjectNames(tx, 'user', [loserId]).get(loserId)?.name ?? '';
	const entryId = appendEntry(
		tx,
		{
			seasonId: row.seasonId,
			userId: row.winnerId,
			teamId: member.teamId,
			kind: 'challenge',
			points: row.stakePoints,
			status: 'confirmed',
			reason: loser
		},
		now
	);
	tx.update(challenge).set({ payoutEntryId: entryId }).where(eq(challenge.id, row.id)).run();
	return entryId;
}

/**
 * A duel's result as a feed item: at its end (id `challenge:N`, provisional while the grace days
 * run) and when frozen (`challenge:N:final`). The person is the winner, or for a draw the
 * challenger; `points` the stake paid (or at stake).
 */
export function duelItem(
	tx: Queryable,
	row: Challenge,
	counting: ReturnType<typeof countingOf>
): ActivityItem {
	const final = row.status === 'final';
	const [a, b] = final
		? [row.challengerValue ?? 0, row.opponentValue ?? 0]
		: duelValues(tx, row, counting);
	const s = duelSeason(tx, row.seasonId);
	const names = subjectNames(tx, row.subjectType, [row.challengerId, row.opponentId]);
	const side = (id: number, value: number) => ({ id, name: names.get(id)?.name ?? '', value });
	const winnerId = final
		? row.winnerId
		: outcome(side(row.challengerId, a), side(row.opponentId, b), s?.tieRule ?? 'competition');
	const first = winnerId ?? row.challengerId;
	const other = first === row.challengerId ? row.opponentId : row.challengerId;
	const values: [number, number] = first === row.challengerId ? [a, b] : [b, a];
	const team =
		row.subjectType === 'user' ? (getMembership(tx, row.seasonId, first)?.teamName ?? '') : '';
	const firstName = names.get(first)?.name ?? '';
	const otherName = names.get(other)?.name ?? '';
	return {
		id: final ? `challenge:${row.id}:final` : `challenge:${row.id}`,
		seasonId: row.seasonId,
		kind: 'challenge',
		userId: row.subjectType === 'user' ? first : 0,
		userName: firstName,
		teamName: team,
		summary: winnerId === null ? `${firstName} = ${otherName}` : `${firstName} > ${otherName}`,
		duel: { id: row.id, otherName, values, draw: winnerId === null, measure: row.measure },
		points: winnerId === null ? 0 : row.stakePoints,
		provisional: !final,
		at: final ? (row.finalizedAt ?? 0) : (row.finishedAt ?? 0)
	};
}

/** The season's duel results for the feed, newest first (one item per duel: its latest). */
export function challengeFeed(
	db: Queryable,
	seasonId: number,
	limit: number
): { sortAt: number; item: ActivityItem }[] {
	const s = duelSeason(db, seasonId);
	if (!s) return [];
	const counting = countingOf(s.rankBy);
	return db
		.select()
		.from(challenge)
		.where(
			and(
				eq(challenge.seasonId, seasonId),
				or(eq(challenge.status, 'finished'), eq(challenge.status, 'final')),
				isNotNull(challenge.finishedAt)
			)
		)
		.orderBy(desc(challenge.finishedAt), desc(challenge.id))
		.limit(limit)
		.all()
		.map((row) => {
			const item = duelItem(db, row, counting);
			return { sortAt: item.at, item };
		});
}
