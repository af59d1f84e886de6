import { and, eq, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { activityTypeByKey } from '../activities/types';
import {
	challenge,
	challengeSettings,
	product,
	seasonMember,
	team,
	type Challenge,
	type SubjectType
} from '../db/schema';
import {
	acceptedStatus,
	answerDeadline,
	customPeriod,
	MAX_PERIOD_DAYS,
	DAY_MS,
	pairUp,
	presetPeriod,
	stakeRefusal,
	type PeriodPreset
} from '../../contest/challenge';
import { parseMeasure } from '../../contest/measure';
import { balanceForInTransaction } from '../rewards/balances';
import { getMembership } from '../seasons/queries';
import { audit, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { m } from '../../paraglide/messages.js';
import { duelSeason, stakeBudget } from './standings';

// Commands on duels: a rep challenges, the other side accepts or declines, the challenger
// withdraws; a manager creates a duel or pairs people automatically (accepted at once) and sets
// the season's stake budget. Each is one immediate transaction (read, check, write), and a
// form's requestId makes a resend the same challenge.

export interface DuelTerms {
	subject: SubjectType;
	measure: string;
	preset: PeriodPreset;
	fromDate: string;
	toDate: string;
	stake: number;
	requestId: string;
}

const refuse = (status: number, code: string, message: string, field?: string) =>
	new AppError(status, code, message, { field });

function liveSeason(tx: Queryable, seasonId: number) {
	const s = duelSeason(tx, seasonId);
	if (!s || s.status !== 'live')
		throw refuse(422, 'season_not_live', m.challenges_error_season_not_live());
	return s;
}

/** The period the terms name, checked: not over, not longer than a month. */
function periodOf(terms: DuelTerms, timeZone: string, now: number): [number, number] {
	let range: [number, number];
	try {
		range =
			terms.preset === 'custom'
				? customPeriod(terms.fromDate, terms.toDate, timeZone)
				: presetPeriod(terms.preset, now, timeZone);
	} catch {
		throw refuse(400, 'bad_period', m.challenges_error_date(), 'fromDate');
	}
	const [from, to] = range;
	if (!(from < to)) throw refuse(400, 'bad_period', m.challenges_error_period_order(), 'toDate');
	if (to <= now) throw refuse(400, 'bad_period', m.challenges_error_period_over(), 'toDate');
	if (to - from > MAX_PERIOD_DAYS * DAY_MS + 2 * 3_600_000)
		throw refuse(
			400,
			'bad_period',
			m.challenges_error_period_long({ days: MAX_PERIOD_DAYS }),
			'toDate'
		);
	return range;
}

function checkMeasure(tx: Queryable, seasonId: number, key: string) {
	const measure = parseMeasure(key);
	if (!measure) throw refuse(400, 'bad_measure', m.challenges_error_measure(), 'measure');
	if (measure.kind === 'category') {
		const known = tx
			.select({ one: sql<number>`1` })
			.from(product)
			.where(and(eq(product.seasonId, seasonId), eq(product.category, measure.category)))
			.get();
		if (!known) throw refuse(400, 'bad_measure', m.challenges_error_measure(), 'measure');
	}
	if (measure.kind === 'activity' && !activityTypeByKey(tx, seasonId, measure.type))
		throw refuse(400, 'bad_measure', m.challenges_error_measure(), 'measure');
}

/** The person's or team's membership of the season, or a refusal naming the field. */
function checkSide(
	tx: Queryable,
	seasonId: number,
	subject: SubjectType,
	id: number,
	field: string
) {
	const ok =
		subject === 'user'
			? tx
					.select({ one: sql<number>`1` })
					.from(seasonMember)
					.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, id)))
					.get()
			: tx
					.select({ one: sql<number>`1` })
					.from(team)
					.where(and(eq(team.seasonId, seasonId), eq(team.id, id)))
					.get();
	if (!ok) throw refuse(400, 'bad_opponent', m.challenges_error_pick_opponent(), field);
}

/** A stake within the challenger's spendable points and the budget left, or a refusal. */
function checkStake(
	tx: Queryable,
	seasonId: number,
	subject: SubjectType,
	stake: number,
	spenderId: number
) {
	if (stake === 0) return;
	const refusal = stakeRefusal({
		stake,
		subject,
		spendable: subject === 'user' ? balanceForInTransaction(tx, seasonId, spenderId).balance : 0,
		budgetLeft: stakeBudget(tx, seasonId).left
	});
	if (!refusal) return;
	const message = {
		negative: m.challenges_error_stake_whole,
		team: m.challenges_error_stake_team,
		spendable: m.challenges_error_stake_spendable,
		budget: m.challenges_error_stake_budget
	}[refusal]();
	throw refuse(422, `stake_${refusal}`, message, 'stake');
}

const byRequest = (tx: Queryable, requestId: string) =>
	tx.select().from(challenge).where(eq(challenge.requestId, requestId)).get();

export interface Proposed {
	challenge: Challenge;
	/** False when this form was sent before: the first challenge, nothing made twice. */
	created: boolean;
}

/**
 * A rep challenges a colleague (subject 'user') or, for their team, another team. The stake,
 * if any, is held from the season's budget until the duel is refused, expires or is decided.
 */
export function proposeChallenge(
	db: Db,
	input: DuelTerms & { seasonId: number; userId: number; opponentId: number },
	clock: Clock = systemClock
): Proposed {
	const now = clock();
	return db.transaction(
		(tx): Proposed => {
			const sent = byRequest(tx, input.requestId);
			if (sent) {
				if (sent.createdById !== input.userId)
					throw refuse(409, 'request_reused', m.challenges_error_request_reused());
				return { challenge: sent, created: false };
			}
			const s = liveSeason(tx, input.seasonId);
			const membership = getMembership(tx, s.id, input.userId);
			if (!membership) throw refuse(403, 'not_a_member', m.challenges_error_not_member());
			const challengerId = input.subject === 'user' ? input.userId : membership.teamId;
			if (input.opponentId === challengerId)
				throw refuse(400, 'self', m.challenges_error_self(), 'opponentId');
			checkSide(tx, s.id, input.subject, input.opponentId, 'opponentId');
			checkMeasure(tx, s.id, input.measure);
			const [from, to] = periodOf(input, s.timeZone, now);
			checkStake(tx, s.id, input.subject, input.stake, input.userId);
			const row = tx
				.insert(challenge)
				.values({
					seasonId: s.id,
					subjectType: input.subject,
					challengerId,
					opponentId: input.opponentId,
					measure: input.measure,
					periodFrom: from,
					periodTo: to,
					stakePoints: input.stake,
					status: 'proposed',
					answerBy: answerDeadline(now, from, to),
					createdById: input.userId,
					requestId: input.requestId,
					createdAt: now
				})
				.returning()
				.get();
			return { challenge: row, created: true };
		},
		{ behavior: 'immediate' }
	);
}

/** Whether `userId` may answer for the challenged side (the person, or any member of the team). */
function answersFor(tx: Queryable, row: Challenge, userId: number): boolean {
	if (row.subjectType === 'user') return row.opponentId === userId;
	return getMembership(tx, row.seasonId, userId)?.teamId === row.opponentId;
}

/** The challenged side accepts or declines a proposal before its deadline. */
export function answerChallenge(
	db: Db,
	input: { challengeId: number; userId: number; decision: 'accept' | 'decline' },
	clock: Clock = systemClock
): Challenge {
	const now = clock();
	const row = db.transaction(
		(tx) => {
			const row = tx.select().from(challenge).where(eq(challenge.id, input.challengeId)).get();
			if (!row || !answersFor(tx, row, input.userId))
				throw refuse(404, 'not_found', m.challenges_error_not_found());
			// Answering twice the same way is harmless (a double tap); anything else is too late.
			const same =
				input.decision === 'accept' ? row.status !== 'declined' : row.status === 'declined';
			if (row.status !== 'proposed' && row.decidedById === input.userId && same) return row;
			if (row.status !== 'proposed' || now >= row.answerBy)
				throw refuse(409, 'not_open', m.challenges_error_not_open());
			const status = input.decision === 'accept' ? acceptedStatus(row.periodFrom, now) : 'declined';
			return tx
				.update(challenge)
				.set({ status, decidedById: input.userId, decidedAt: now })
				.where(and(eq(challenge.id, row.id), eq(challenge.status, 'proposed')))
				.returning()
				.get()!;
		},
		{ behavior: 'immediate' }
	);
	if (row.status !== 'declined') notifyLeaderboard(row.seasonId);
	return row;
}

/** The challenger (or any member of a challenging team) withdraws an unanswered proposal. */
export function cancelChallenge(
	db: Db,
	input: { challengeId: number; userId: number },
	clock: Clock = systemClock
): Challenge {
	const now = clock();
	return db.transaction(
		(tx) => {
			const row = tx.select().from(challenge).where(eq(challenge.id, input.challengeId)).get();
			const mine =
				row &&
				(row.subjectType === 'user'
					? row.challengerId === input.userId
					: getMembership(tx, row.seasonId, input.userId)?.teamId === row.challengerId);
			if (!row || !mine) throw refuse(404, 'not_found', m.challenges_error_not_found());
			if (row.status === 'cancelled') return row;
			if (row.status !== 'proposed') throw refuse(409, 'not_open', m.challenges_error_not_open());
			return tx
				.update(challenge)
				.set({ status: 'cancelled', decidedById: input.userId, decidedAt: now })
				.where(and(eq(challenge.id, row.id), eq(challenge.status, 'proposed')))
				.returning()
				.get()!;
		},
		{ behavior: 'immediate' }
	);
}

/** One duel a manager sets (or pairs): accepted at once, no answer needed. */
function insertManagerDuel(
	tx: Queryable,
	s: { id: number },
	v: { subject: SubjectType; challengerId: number; opponentId: number; measure: string },
	period: [number, number],
	stake: number,
	actorId: number | null,
	requestId: string,
	now: number
): Challenge {
	const [from, to] = period;
	return tx
		.insert(challenge)
		.values({
			seasonId: s.id,
			subjectType: v.subject,
			challengerId: v.challengerId,
			opponentId: v.opponentId,
			measure: v.measure,
			periodFrom: from,
			periodTo: to,
			stakePoints: stake,
			status: acceptedStatus(from, now),
			answerBy: now,
			createdById: actorId,
			requestId,
			createdAt: now
		})
		.returning()
		.get();
}

/** A manager's duel between two chosen people or teams (in the console, or by an API token). */
export function createDuel(
	db: Db,
	input: DuelTerms & {
		seasonId: number;
		actor: Actor;
		challengerId: number;
		opponentId: number;
	},
	clock: Clock = systemClock
): Proposed {
	const now = clock();
	const result = db.transaction(
		(tx): Proposed => {
			const sent = byRequest(tx, input.requestId);
			if (sent) return { challenge: sent, created: false };
			const s = liveSeason(tx, input.seasonId);
			if (input.challengerId === input.opponentId)
				throw refuse(400, 'self', m.challenges_error_self(), 'opponentId');
			checkSide(tx, s.id, input.subject, input.challengerId, 'challengerId');
			checkSide(tx, s.id, input.subject, input.opponentId, 'opponentId');
			checkMeasure(tx, s.id, input.measure);
			const period = periodOf(input, s.timeZone, now);
			checkStake(tx, s.id, input.subject, input.stake, input.challengerId);
			const row = insertManagerDuel(
				tx,
				s,
				input,
				period,
				input.stake,
				input.actor.userId ?? null,
				input.requestId,
				now
			);
			audit(
				tx,
				input.actor,
				'challenge.create',
				`challenge:${row.id}`,
				{
					challengerId: row.challengerId,
					opponentId: row.opponentId,
					measure: row.measure,
					stake: row.stakePoints
				},
				now
			);
			return { challenge: row, created: true };
		},
		{ behavior: 'immediate' }
	);
	if (result.created) notifyLeaderboard(input.seasonId);
	return result;
}

/** The season's people (or teams) in ranking order, as the board ranks them now. */
export function rankedSubjects(tx: Queryable, seasonId: number, subject: SubjectType): number[] {
	const s = duelSeason(tx, seasonId);
	if (!s) return [];
	const points =
		s.rankBy === 'confirmed'
			? sql<number>`coalesce(st.confirmed_points, 0)`
			: sql<number>`coalesce(st.confirmed_points, 0) + coalesce(st.provisional_points, 0)`;
	const subjects =
		subject === 'user'
			? sql`select user_id as id from season_member where season_id = ${seasonId}`
			: sql`select id from team where season_id = ${seasonId}`;
	return tx
		.all<{ id: number }>(
			sql`select x.id from (${subjects}) x
				left join standing st on st.season_id = ${seasonId} and st.subject_type = ${subject} and st.subject_id = x.id
				order by ${points} desc, coalesce(st.reached_at, 0) asc, x.id asc`
		)
		.map((r) => r.id);
}

export interface Pairing {
	created: Challenge[];
	/** Who sat this one out (odd count). */
	bye: number | null;
}

/**
 * A manager pairs everyone automatically for one period and measure: random pairs, or ranking
 * neighbours (1 v 2, 3 v 4…). The duels are accepted at once; a pairing sent again is not made
 * twice (its requestId marks the first duel).
 */
export function pairAutomatically(
	db: Db,
	input: Omit<DuelTerms, 'stake'> & {
		seasonId: number;
		actorId: number;
		mode: 'random' | 'neighbours';
		random?: () => number;
	},
	clock: Clock = systemClock
): Pairing {
	const now = clock();
	const result = db.transaction(
		(tx): Pairing & { fresh: boolean } => {
			if (byRequest(tx, `${input.requestId}:0`)) return { created: [], bye: null, fresh: false };
			const s = liveSeason(tx, input.seasonId);
			checkMeasure(tx, s.id, input.measure);
			const period = periodOf({ ...input, stake: 0 }, s.timeZone, now);
			const { pairs, bye } = pairUp(
				rankedSubjects(tx, s.id, input.subject),
				input.mode,
				input.random
			);
			if (pairs.length === 0) throw refuse(422, 'too_few', m.challenges_error_too_few());
			const created = pairs.map(([a, b], i) =>
				insertManagerDuel(
					tx,
					s,
					{ subject: input.subject, challengerId: a, opponentId: b, measure: input.measure },
					period,
					0,
					input.actorId,
					`${input.requestId}:${i}`,
					now
				)
			);
			audit(
				tx,
				{ userId: input.actorId },
				'challenge.pair',
				`season:${s.id}`,
				{
					mode: input.mode,
					subject: input.subject,
					measure: input.measure,
					duels: created.length
				},
				now
			);
			return { created, bye, fresh: true };
		},
		{ behavior: 'immediate' }
	);
	if (result.fresh) notifyLeaderboard(input.seasonId);
	return { created: result.created, bye: result.bye };
}

/** The manager sets the season's stake budget (points; 0 turns stakes off). */
export function setStakeBudget(
	db: Db,
	input: { seasonId: number; actorId: number; budget: number },
	clock: Clock = systemClock
): void {
	const now = clock();
	db.transaction(
		(tx) => {
			if (!duelSeason(tx, input.seasonId))
				throw refuse(404, 'not_found', m.challenges_error_not_found());
			tx.insert(challengeSettings)
				.values({ seasonId: input.seasonId, stakeBudgetPoints: input.budget, updatedAt: now })
				.onConflictDoUpdate({
					target: challengeSettings.seasonId,
					set: { stakeBudgetPoints: input.budget, updatedAt: now }
				})
				.run();
			audit(
				tx,
				{ userId: input.actorId },
				'challenge.budget',
				`season:${input.seasonId}`,
				{
					budget: input.budget
				},
				now
			);
		},
		{ behavior: 'immediate' }
	);
}
