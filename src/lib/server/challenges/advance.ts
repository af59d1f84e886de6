import { and, desc, eq, inArray, isNotNull, or } from 'drizzle-orm';
import type { Challenge, ChallengeStatus } from '../db/schema';
import { write, type Store, type StoreDb } from '../db/store';
import { dueStatus, outcome } from '../../contest/challenge';
import type { ActivityItem } from '../../realtime/events';
import { appendEntryInWrite } from '../scoring/ledger';
import { bumpVersionInWrite, markStandingsMoved, type StandingMove } from '../scoring/standings';
import { notifyLeaderboard, publishActivity } from '../realtime/publish';
import { publishAwardChanges, merge, type AwardChanges } from '../badges/awards';
import { awardFrozenWinInWrite } from '../badges/counted';
import { systemClock, type Clock } from '../shared/clock';
import {
	countingOf,
	readDuelSeason,
	readDuelValues,
	readSubjectNames,
	type SubjectName
} from './standings';

// The scheduler's duel job: proposals expire, accepted duels go live at their start, finish at
// their end (the result announced, still open to late confirmations and reversals) and become
// final when the season's grace days are over: values and winner frozen, the stake paid (ledger
// kind 'challenge'), the "duels won" badges given (to the winner, or each member of the winning
// team). Every move is an update guarded by the old status (`… where status = old returning`)
// in one write of the store (db/store.ts) with what it writes, so a second run, a second node
// or a restart moves nothing twice and pays nothing twice: of two nodes moving one duel at once,
// one update returns the row and the other returns none (on PostgreSQL the loser's write is run
// again and finds the duel moved).

const MOVING: ChallengeStatus[] = ['proposed', 'accepted', 'live', 'finished'];

export interface Advanced {
	moved: number;
	finalized: number;
}

/** What a write moved, for what follows its commit. */
interface Moves extends Advanced {
	items: ActivityItem[];
	badges: Map<number, AwardChanges>;
	seasons: Set<number>;
	standings: StandingMove[];
}

type DuelSeason = NonNullable<Awaited<ReturnType<typeof readDuelSeason>>>;

/** Moves every duel to the status it is due at the clock's time; returns what moved. */
export async function advanceChallenges(
	store: Store,
	clock: Clock = systemClock
): Promise<Advanced> {
	const now = clock();
	// Every tick asks; the write lock is taken only when some duel is due to move.
	if (!(await anyDue(store, now))) return { moved: 0, finalized: 0 };
	const { challenge } = store.tables;
	const done = await write(store, async (tx) => {
		const moves: Moves = {
			moved: 0,
			finalized: 0,
			items: [],
			badges: new Map(),
			seasons: new Set(),
			standings: []
		};
		const rows = await tx.select().from(challenge).where(inArray(challenge.status, MOVING));
		const seasonOf = new Map<number, DuelSeason | undefined>();
		for (const row of rows) {
			if (!seasonOf.has(row.seasonId))
				seasonOf.set(row.seasonId, await readDuelSeason(tx, store, row.seasonId));
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
				if (!(await freeze(tx, store, row, s, guard, now, moves))) continue;
			} else {
				const [next] = await tx
					.update(challenge)
					.set({ status: due, ...(due === 'finished' && { finishedAt: now }) })
					.where(guard)
					.returning();
				if (!next) continue;
				if (due === 'finished')
					moves.items.push(await readDuelItem(tx, store, next, countingOf(s.rankBy)));
			}
			moves.moved++;
			moves.seasons.add(row.seasonId);
		}
		return moves;
	});
	markStandingsMoved(done.standings);
	for (const item of done.items) publishActivity(item);
	for (const [seasonId, changes] of done.badges) publishAwardChanges(seasonId, changes);
	for (const seasonId of done.seasons) notifyLeaderboard(seasonId);
	return { moved: done.moved, finalized: done.finalized };
}

/**
 * Freezes a duel whose grace days are over (its values and winner), pays the stake and gives
 * the badges, inside the write; false when another write froze it first.
 */
async function freeze(
	tx: StoreDb,
	store: Store,
	row: Challenge,
	s: DuelSeason,
	guard: ReturnType<typeof and>,
	now: number,
	moves: Moves
): Promise<boolean> {
	const { challenge } = store.tables;
	const counting = countingOf(s.rankBy);
	const [a, b] = await readDuelValues(tx, store, row, counting);
	const names = await readSubjectNames(tx, store, row.subjectType, [
		row.challengerId,
		row.opponentId
	]);
	const side = (id: number, value: number) => ({ id, name: names.get(id)?.name ?? '', value });
	const winnerId = outcome(side(row.challengerId, a), side(row.opponentId, b), s.tieRule);
	const [frozen] = await tx
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
		.returning();
	if (!frozen) return false;
	moves.finalized++;
	const paid = await payStake(tx, store, frozen, now, moves.standings);
	if (paid) await bumpVersionInWrite(tx, store, frozen.seasonId);
	if (winnerId !== null) {
		const given = await awardFrozenWinInWrite(
			tx,
			store,
			'duels_won',
			{ ...frozen, subject: frozen.subjectType },
			winnerId,
			now
		);
		moves.badges.set(
			frozen.seasonId,
			merge(moves.badges.get(frozen.seasonId) ?? { awarded: [], withdrawn: [] }, given)
		);
	}
	moves.items.push(
		await readDuelItem(tx, store, paid ? { ...frozen, payoutEntryId: paid } : frozen, counting)
	);
	return true;
}

async function anyDue(store: Store, now: number): Promise<boolean> {
	const { challenge } = store.tables;
	const rows = await store.db.select().from(challenge).where(inArray(challenge.status, MOVING));
	const graceOf = new Map<number, number | undefined>();
	for (const row of rows) {
		if (!graceOf.has(row.seasonId))
			graceOf.set(row.seasonId, (await readDuelSeason(store.db, store, row.seasonId))?.graceDays);
		const graceDays = graceOf.get(row.seasonId);
		if (graceDays === undefined) continue;
		const t = {
			status: row.status,
			answerBy: row.answerBy,
			from: row.periodFrom,
			to: row.periodTo,
			graceDays
		};
		if (dueStatus(t, now) !== row.status) return true;
	}
	return false;
}

/** The stake to the winner, once (the guarded final update came first); the entry's id or null. */
async function payStake(
	tx: StoreDb,
	store: Store,
	row: Challenge,
	now: number,
	moved: StandingMove[]
): Promise<number | null> {
	if (row.stakePoints <= 0 || row.winnerId === null || row.subjectType !== 'user') return null;
	const { challenge, seasonMember } = store.tables;
	const [member] = await tx
		.select({ teamId: seasonMember.teamId })
		.from(seasonMember)
		.where(and(eq(seasonMember.seasonId, row.seasonId), eq(seasonMember.userId, row.winnerId)));
	if (!member) return null;
	const loserId = row.winnerId === row.challengerId ? row.opponentId : row.challengerId;
	const loser = (await readSubjectNames(tx, store, 'user', [loserId])).get(loserId)?.name ?? '';
	const entryId = await appendEntryInWrite(
		tx,
		store,
		{
			seasonId: row.seasonId,
			userId: row.winnerId,
			teamId: member.teamId,
			kind: 'challenge',
			points: row.stakePoints,
			status: 'confirmed',
			reason: loser
		},
		now,
		moved
	);
	await tx.update(challenge).set({ payoutEntryId: entryId }).where(eq(challenge.id, row.id));
	return entryId;
}

/**
 * A duel's result as a feed item: at its end (id `challenge:N`, provisional while the grace days
 * run) and when frozen (`challenge:N:final`). The person is the winner, or for a draw the
 * challenger; `points` the stake paid (or at stake).
 */
async function readDuelItem(
	tx: StoreDb,
	store: Store,
	row: Challenge,
	counting: ReturnType<typeof countingOf>
): Promise<ActivityItem> {
	const { seasonMember, team } = store.tables;
	const final = row.status === 'final';
	const values: [number, number] = final
		? [row.challengerValue ?? 0, row.opponentValue ?? 0]
		: await readDuelValues(tx, store, row, counting);
	const names = await readSubjectNames(tx, store, row.subjectType, [
		row.challengerId,
		row.opponentId
	]);
	const tieRule = (await readDuelSeason(tx, store, row.seasonId))?.tieRule ?? 'competition';
	const first = firstOf(row, values, names, tieRule);
	const [member] =
		row.subjectType === 'user'
			? await tx
					.select({ teamName: team.name })
					.from(seasonMember)
					.innerJoin(team, eq(team.id, seasonMember.teamId))
					.where(and(eq(seasonMember.seasonId, row.seasonId), eq(seasonMember.userId, first)))
			: [];
	return itemOf(row, values, names, tieRule, member?.teamName ?? '');
}

/** The winner, or the challenger of a draw: the feed item's person (or team). */
function firstOf(
	row: Challenge,
	[a, b]: [number, number],
	names: Map<number, SubjectName>,
	tieRule: 'competition' | 'dense'
): number {
	return winnerOf(row, [a, b], names, tieRule) ?? row.challengerId;
}

function winnerOf(
	row: Challenge,
	[a, b]: [number, number],
	names: Map<number, SubjectName>,
	tieRule: 'competition' | 'dense'
): number | null {
	if (row.status === 'final') return row.winnerId;
	const side = (id: number, value: number) => ({ id, name: names.get(id)?.name ?? '', value });
	return outcome(side(row.challengerId, a), side(row.opponentId, b), tieRule);
}

function itemOf(
	row: Challenge,
	[a, b]: [number, number],
	names: Map<number, SubjectName>,
	tieRule: 'competition' | 'dense',
	team: string
): ActivityItem {
	const final = row.status === 'final';
	const winnerId = winnerOf(row, [a, b], names, tieRule);
	const first = winnerId ?? row.challengerId;
	const other = first === row.challengerId ? row.opponentId : row.challengerId;
	const values: [number, number] = first === row.challengerId ? [a, b] : [b, a];
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

/**
 * The season's duel results for the feed, newest first (one item per duel: its latest), inside
 * the caller's `read` (boards/activity.ts).
 */
export async function readChallengeFeed(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	limit: number
): Promise<{ sortAt: number; item: ActivityItem }[]> {
	const s = await readDuelSeason(tx, store, seasonId);
	if (!s) return [];
	const counting = countingOf(s.rankBy);
	const { challenge } = store.tables;
	const rows = await tx
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
		.limit(limit);
	const out = [];
	for (const row of rows) {
		const item = await readDuelItem(tx, store, row, counting);
		out.push({ sortAt: item.at, item });
	}
	return out;
}
