import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { SubjectType } from '../db/schema';
import { write, type Store, type StoreDb, type Tables } from '../db/store';
import {
	acceptedStatus,
	answerDeadline,
	budgetLeft,
	customPeriod,
	MAX_PERIOD_DAYS,
	DAY_MS,
	pairUp,
	presetPeriod,
	stakeRefusal,
	type PeriodPreset
} from '../../contest/challenge';
import { parseMeasure } from '../../contest/measure';
import { balanceFor } from '../rewards/balances';
import { auditInWrite, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { m } from '../../paraglide/messages.js';

// Commands on duels: a rep challenges, the other side accepts or declines, the challenger
// withdraws; a manager creates a duel or pairs people automatically (accepted at once) and sets
// the season's stake budget. Each is one write on the store (db/store.ts: read, check, write),
// and a form's requestId makes a resend the same challenge.

type Challenge = Tables['challenge']['$inferSelect'];

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

/** The season's fields a duel's command needs (standings.ts `duelSeasonReads`, in a write). */
async function seasonOf(tx: StoreDb, store: Store, seasonId: number) {
	const { season } = store.tables;
	const [s] = await tx
		.select({
			id: season.id,
			timeZone: season.timeZone,
			status: season.status,
			rankBy: season.rankBy
		})
		.from(season)
		.where(eq(season.id, seasonId));
	return s;
}

async function liveSeason(tx: StoreDb, store: Store, seasonId: number) {
	const s = await seasonOf(tx, store, seasonId);
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

async function checkMeasure(tx: StoreDb, store: Store, seasonId: number, key: string) {
	const { product, activityType } = store.tables;
	const measure = parseMeasure(key);
	if (!measure) throw refuse(400, 'bad_measure', m.challenges_error_measure(), 'measure');
	if (measure.kind === 'category') {
		const [known] = await tx
			.select({ one: sql<number>`1` })
			.from(product)
			.where(and(eq(product.seasonId, seasonId), eq(product.category, measure.category)))
			.limit(1);
		if (!known) throw refuse(400, 'bad_measure', m.challenges_error_measure(), 'measure');
	}
	if (measure.kind === 'activity') {
		const [known] = await tx
			.select({ one: sql<number>`1` })
			.from(activityType)
			.where(and(eq(activityType.seasonId, seasonId), eq(activityType.key, measure.type)));
		if (!known) throw refuse(400, 'bad_measure', m.challenges_error_measure(), 'measure');
	}
}

/** The person's team in the season (seasons/queries.ts `readMembership`'s read, on `tx`). */
async function teamOf(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	userId: number
): Promise<number | undefined> {
	const { seasonMember } = store.tables;
	const [row] = await tx
		.select({ teamId: seasonMember.teamId })
		.from(seasonMember)
		.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)));
	return row?.teamId;
}

/** The person's or team's membership of the season, or a refusal naming the field. */
async function checkSide(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	subject: SubjectType,
	id: number,
	field: string
) {
	const { seasonMember, team } = store.tables;
	const [ok] =
		subject === 'user'
			? await tx
					.select({ one: sql<number>`1` })
					.from(seasonMember)
					.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, id)))
			: await tx
					.select({ one: sql<number>`1` })
					.from(team)
					.where(and(eq(team.seasonId, seasonId), eq(team.id, id)));
	if (!ok) throw refuse(400, 'bad_opponent', m.challenges_error_pick_opponent(), field);
}

/** A stake within the challenger's spendable points and the budget left, or a refusal. */
async function checkStake(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	subject: SubjectType,
	stake: number,
	spenderId: number
) {
	if (stake === 0) return;
	const refusal = stakeRefusal({
		stake,
		subject,
		spendable: subject === 'user' ? (await balanceFor(tx, store, seasonId, spenderId)).balance : 0,
		budgetLeft: await stakeBudgetLeft(tx, store, seasonId)
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

/** What is left of the season's stake budget (standings.ts `stakeBudget`, on the store). */
async function stakeBudgetLeft(tx: StoreDb, store: Store, seasonId: number): Promise<number> {
	const { challenge, challengeSettings } = store.tables;
	const [settings] = await tx
		.select({ points: challengeSettings.stakeBudgetPoints })
		.from(challengeSettings)
		.where(eq(challengeSettings.seasonId, seasonId));
	const duels = await tx
		.select({
			status: challenge.status,
			stakePoints: challenge.stakePoints,
			payoutEntryId: challenge.payoutEntryId
		})
		.from(challenge)
		.where(eq(challenge.seasonId, seasonId));
	return budgetLeft(
		settings?.points ?? 0,
		duels.filter((d) => d.stakePoints > 0).map((d) => ({ ...d, paid: d.payoutEntryId !== null }))
	);
}

async function byRequest(tx: StoreDb, store: Store, requestId: string) {
	const { challenge } = store.tables;
	const [row] = await tx.select().from(challenge).where(eq(challenge.requestId, requestId));
	return row;
}

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
	store: Store,
	input: DuelTerms & { seasonId: number; userId: number; opponentId: number },
	clock: Clock = systemClock
): Promise<Proposed> {
	const now = clock();
	const { challenge } = store.tables;
	return write(store, async (tx): Promise<Proposed> => {
		const sent = await byRequest(tx, store, input.requestId);
		if (sent) {
			if (sent.createdById !== input.userId)
				throw refuse(409, 'request_reused', m.challenges_error_request_reused());
			return { challenge: sent, created: false };
		}
		const s = await liveSeason(tx, store, input.seasonId);
		const teamId = await teamOf(tx, store, s.id, input.userId);
		if (teamId === undefined) throw refuse(403, 'not_a_member', m.challenges_error_not_member());
		const challengerId = input.subject === 'user' ? input.userId : teamId;
		if (input.opponentId === challengerId)
			throw refuse(400, 'self', m.challenges_error_self(), 'opponentId');
		await checkSide(tx, store, s.id, input.subject, input.opponentId, 'opponentId');
		await checkMeasure(tx, store, s.id, input.measure);
		const [from, to] = periodOf(input, s.timeZone, now);
		await checkStake(tx, store, s.id, input.subject, input.stake, input.userId);
		const [row] = await tx
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
			.returning();
		return { challenge: row, created: true };
	});
}

/** Whether `userId` may answer for the challenged side (the person, or any member of the team). */
async function answersFor(
	tx: StoreDb,
	store: Store,
	row: Challenge,
	userId: number
): Promise<boolean> {
	if (row.subjectType === 'user') return row.opponentId === userId;
	return (await teamOf(tx, store, row.seasonId, userId)) === row.opponentId;
}

/** The challenged side accepts or declines a proposal before its deadline. */
export async function answerChallenge(
	store: Store,
	input: { challengeId: number; userId: number; decision: 'accept' | 'decline' },
	clock: Clock = systemClock
): Promise<Challenge> {
	const now = clock();
	const { challenge } = store.tables;
	const row = await write(store, async (tx) => {
		const [row] = await tx.select().from(challenge).where(eq(challenge.id, input.challengeId));
		if (!row || !(await answersFor(tx, store, row, input.userId)))
			throw refuse(404, 'not_found', m.challenges_error_not_found());
		// Answering twice the same way is harmless (a double tap); anything else is too late.
		const same =
			input.decision === 'accept' ? row.status !== 'declined' : row.status === 'declined';
		if (row.status !== 'proposed' && row.decidedById === input.userId && same) return row;
		if (row.status !== 'proposed' || now >= row.answerBy)
			throw refuse(409, 'not_open', m.challenges_error_not_open());
		const status = input.decision === 'accept' ? acceptedStatus(row.periodFrom, now) : 'declined';
		const [answered] = await tx
			.update(challenge)
			.set({ status, decidedById: input.userId, decidedAt: now })
			.where(and(eq(challenge.id, row.id), eq(challenge.status, 'proposed')))
			.returning();
		return answered;
	});
	if (row.status !== 'declined') notifyLeaderboard(row.seasonId);
	return row;
}

/** The challenger (or any member of a challenging team) withdraws an unanswered proposal. */
export function cancelChallenge(
	store: Store,
	input: { challengeId: number; userId: number },
	clock: Clock = systemClock
): Promise<Challenge> {
	const now = clock();
	const { challenge } = store.tables;
	return write(store, async (tx) => {
		const [row] = await tx.select().from(challenge).where(eq(challenge.id, input.challengeId));
		const mine =
			row &&
			(row.subjectType === 'user'
				? row.challengerId === input.userId
				: (await teamOf(tx, store, row.seasonId, input.userId)) === row.challengerId);
		if (!row || !mine) throw refuse(404, 'not_found', m.challenges_error_not_found());
		if (row.status === 'cancelled') return row;
		if (row.status !== 'proposed') throw refuse(409, 'not_open', m.challenges_error_not_open());
		const [cancelled] = await tx
			.update(challenge)
			.set({ status: 'cancelled', decidedById: input.userId, decidedAt: now })
			.where(and(eq(challenge.id, row.id), eq(challenge.status, 'proposed')))
			.returning();
		return cancelled;
	});
}

/** One duel a manager sets (or pairs): accepted at once, no answer needed. */
async function insertManagerDuel(
	tx: StoreDb,
	store: Store,
	s: { id: number },
	v: { subject: SubjectType; challengerId: number; opponentId: number; measure: string },
	period: [number, number],
	stake: number,
	actorId: number | null,
	requestId: string,
	now: number
): Promise<Challenge> {
	const [from, to] = period;
	const { challenge } = store.tables;
	const [row] = await tx
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
		.returning();
	return row;
}

/** A manager's duel between two chosen people or teams (in the console, or by an API token). */
export async function createDuel(
	store: Store,
	input: DuelTerms & {
		seasonId: number;
		actor: Actor;
		challengerId: number;
		opponentId: number;
	},
	clock: Clock = systemClock
): Promise<Proposed> {
	const now = clock();
	const result = await write(store, async (tx): Promise<Proposed> => {
		const sent = await byRequest(tx, store, input.requestId);
		if (sent) return { challenge: sent, created: false };
		const s = await liveSeason(tx, store, input.seasonId);
		if (input.challengerId === input.opponentId)
			throw refuse(400, 'self', m.challenges_error_self(), 'opponentId');
		await checkSide(tx, store, s.id, input.subject, input.challengerId, 'challengerId');
		await checkSide(tx, store, s.id, input.subject, input.opponentId, 'opponentId');
		await checkMeasure(tx, store, s.id, input.measure);
		const period = periodOf(input, s.timeZone, now);
		await checkStake(tx, store, s.id, input.subject, input.stake, input.challengerId);
		const row = await insertManagerDuel(
			tx,
			store,
			s,
			input,
			period,
			input.stake,
			input.actor.userId ?? null,
			input.requestId,
			now
		);
		await auditInWrite(
			tx,
			store,
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
	});
	if (result.created) notifyLeaderboard(input.seasonId);
	return result;
}

/** The season's people (or teams) in ranking order, as the board ranks them now. */
export async function rankedSubjects(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	subject: SubjectType
): Promise<number[]> {
	const { seasonMember, standing, team } = store.tables;
	const s = await seasonOf(tx, store, seasonId);
	if (!s) return [];
	const points =
		s.rankBy === 'confirmed'
			? sql<number>`coalesce(${standing.confirmedPoints}, 0)`
			: sql<number>`coalesce(${standing.confirmedPoints}, 0) + coalesce(${standing.provisionalPoints}, 0)`;
	const joined = (id: typeof seasonMember.userId | typeof team.id) =>
		and(
			eq(standing.seasonId, seasonId),
			eq(standing.subjectType, subject),
			eq(standing.subjectId, id)
		);
	const order = (id: typeof seasonMember.userId | typeof team.id) => [
		desc(points),
		asc(sql`coalesce(${standing.reachedAt}, 0)`),
		asc(id)
	];
	const rows =
		subject === 'user'
			? await tx
					.select({ id: seasonMember.userId })
					.from(seasonMember)
					.leftJoin(standing, joined(seasonMember.userId))
					.where(eq(seasonMember.seasonId, seasonId))
					.orderBy(...order(seasonMember.userId))
			: await tx
					.select({ id: team.id })
					.from(team)
					.leftJoin(standing, joined(team.id))
					.where(eq(team.seasonId, seasonId))
					.orderBy(...order(team.id));
	return rows.map((r) => r.id);
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
export async function pairAutomatically(
	store: Store,
	input: Omit<DuelTerms, 'stake'> & {
		seasonId: number;
		actorId: number;
		mode: 'random' | 'neighbours';
		random?: () => number;
	},
	clock: Clock = systemClock
): Promise<Pairing> {
	const now = clock();
	const result = await write(store, async (tx): Promise<Pairing & { fresh: boolean }> => {
		if (await byRequest(tx, store, `${input.requestId}:0`))
			return { created: [], bye: null, fresh: false };
		const s = await liveSeason(tx, store, input.seasonId);
		await checkMeasure(tx, store, s.id, input.measure);
		const period = periodOf({ ...input, stake: 0 }, s.timeZone, now);
		const { pairs, bye } = pairUp(
			await rankedSubjects(tx, store, s.id, input.subject),
			input.mode,
			input.random
		);
		if (pairs.length === 0) throw refuse(422, 'too_few', m.challenges_error_too_few());
		const created: Challenge[] = [];
		for (const [i, [a, b]] of pairs.entries())
			created.push(
				await insertManagerDuel(
					tx,
					store,
					s,
					{ subject: input.subject, challengerId: a, opponentId: b, measure: input.measure },
					period,
					0,
					input.actorId,
					`${input.requestId}:${i}`,
					now
				)
			);
		await auditInWrite(
			tx,
			store,
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
	});
	if (result.fresh) notifyLeaderboard(input.seasonId);
	return { created: result.created, bye: result.bye };
}

/** The manager sets the season's stake budget (points; 0 turns stakes off). */
export async function setStakeBudget(
	store: Store,
	input: { seasonId: number; actorId: number; budget: number },
	clock: Clock = systemClock
): Promise<void> {
	const now = clock();
	const { challengeSettings } = store.tables;
	await write(store, async (tx) => {
		if (!(await seasonOf(tx, store, input.seasonId)))
			throw refuse(404, 'not_found', m.challenges_error_not_found());
		await tx
			.insert(challengeSettings)
			.values({ seasonId: input.seasonId, stakeBudgetPoints: input.budget, updatedAt: now })
			.onConflictDoUpdate({
				target: challengeSettings.seasonId,
				set: { stakeBudgetPoints: input.budget, updatedAt: now }
			});
		await auditInWrite(
			tx,
			store,
			{ userId: input.actorId },
			'challenge.budget',
			`season:${input.seasonId}`,
			{
				budget: input.budget
			},
			now
		);
	});
}
