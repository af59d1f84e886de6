import { eq } from 'drizzle-orm';
import * as z from 'zod';
import type { Store } from '../db/store';
import type { ChallengeStatus } from '../db/schema';
import type { ApiPrincipal } from '../auth/api-token';
import type { Duel } from '../../contest/challenge';
import { AppError } from '../shared/errors';
import {
	apiRequestId,
	checkMeasure,
	formatSeason,
	iso,
	isoOf,
	measureDoc,
	readPersonEmails,
	requestIdDoc,
	subjectKind,
	subjectSchema
} from '../formats/format-api';
import { kindOf, resolveSubject, sameRef, subjectRefSchema } from '../formats/subject-ref';
import { duelFormSchema } from './challenge-form';
import { createDuel } from './commands';
import { readDuels } from './view';

// The duels of the API (GET and POST /api/v1/seasons/{id}/challenges): requests and answers as
// zod schemas (the OpenAPI document is generated from them), read as the board counts them (view.ts readDuels) and
// created through the console's createDuel.

const STATUSES = [
	'proposed',
	'accepted',
	'declined',
	'cancelled',
	'expired',
	'live',
	'finished',
	'final'
] as const satisfies readonly ChallengeStatus[];

export const challengeListQuerySchema = z.object({
	status: z.enum(STATUSES).optional(),
	limit: z.coerce.number().int().min(1).max(1000).default(200)
});

const form = duelFormSchema.shape;

/** A manager's duel, as the console's form makes it: two people or two teams, accepted at once. */
export const challengeCreateSchema = z
	.object({
		challenger: subjectRefSchema,
		opponent: subjectRefSchema,
		measure: form.measure.describe(measureDoc),
		preset: form.preset
			.default('week')
			.describe("The period: today or this week in the season's zone, or custom dates"),
		fromDate: form.fromDate.optional().describe('First day (YYYY-MM-DD) of a custom period'),
		toDate: form.toDate.optional().describe('Last day (YYYY-MM-DD) of a custom period'),
		stake: form.stake
			.default(0)
			.describe("Points the winner gets from the season's stake budget; 0: none"),
		requestId: z.string().trim().min(8).max(100).optional().describe(requestIdDoc)
	})
	.refine((v) => kindOf(v.challenger) === kindOf(v.opponent), {
		error: 'Both sides are people (email) or both are teams (teamId or teamName)',
		path: ['opponent']
	})
	.refine((v) => !sameRef(v.challenger, v.opponent), {
		error: 'A side cannot duel itself',
		path: ['opponent']
	})
	.refine((v) => v.preset !== 'custom' || (!!v.fromDate && !!v.toDate), {
		error: 'A custom period needs fromDate and toDate',
		path: ['fromDate']
	});

const duelSide = subjectSchema.extend({
	value: z.number().describe("The side's value of the measure over the period, as boards show it")
});

export const challengeSchema = z.object({
	id: z.number().int(),
	subject: subjectKind,
	measure: z.string().describe(measureDoc),
	startsAt: iso,
	endsAt: iso,
	status: z.enum(STATUSES),
	stake: z.number().int().describe('Points the winner gets; 0: none'),
	answerBy: iso.describe('A proposal not answered by then expires'),
	byManager: z.boolean().describe('Set by a manager (or a token): accepted at once'),
	challenger: duelSide,
	opponent: duelSide,
	leaderId: z
		.number()
		.int()
		.nullable()
		.describe('Who leads now (or won, once final); null before the start or when level'),
	outcome: z
		.enum(['challenger', 'opponent', 'draw'])
		.nullable()
		.describe('Once final: who won, or a draw; null before')
});

export const challengeListSchema = z.object({ entries: z.array(challengeSchema) });

export function challengeJson(duel: Duel, emails: Map<number, string>) {
	const sideOf = (s: Duel['challenger']) => ({
		id: s.id,
		name: s.name,
		...(duel.subject === 'user' && emails.has(s.id) ? { email: emails.get(s.id) } : {}),
		value: s.value
	});
	const final = duel.status === 'final';
	return {
		id: duel.id,
		subject: duel.subject,
		measure: duel.measure,
		startsAt: isoOf(duel.from),
		endsAt: isoOf(duel.to),
		status: duel.status,
		stake: duel.stake,
		answerBy: isoOf(duel.answerBy),
		byManager: duel.byManager,
		challenger: sideOf(duel.challenger),
		opponent: sideOf(duel.opponent),
		leaderId: duel.leaderId,
		outcome: !final
			? null
			: duel.leaderId === duel.challenger.id
				? 'challenger'
				: duel.leaderId === duel.opponent.id
					? 'opponent'
					: 'draw'
	} satisfies z.infer<typeof challengeSchema>;
}

/** The season's duels as the board counts them, newest period first. */
export async function listChallenges(
	store: Store,
	seasonId: number,
	query: z.infer<typeof challengeListQuerySchema>
) {
	await formatSeason(store, seasonId);
	const { status } = query;
	const duels = await readDuels(
		store,
		seasonId,
		status ? (c) => eq(c.status, status) : undefined,
		query.limit
	);
	const emails = await readPersonEmails(
		store,
		duels.filter((d) => d.subject === 'user').flatMap((d) => [d.challenger.id, d.opponent.id])
	);
	return duels.map((d) => challengeJson(d, emails));
}

async function challengeById(store: Store, seasonId: number, id: number) {
	const [duel] = await readDuels(store, seasonId, (c) => eq(c.id, id), 1);
	const emails = await readPersonEmails(
		store,
		duel.subject === 'user' ? [duel.challenger.id, duel.opponent.id] : []
	);
	return challengeJson(duel, emails);
}

/**
 * Creates a manager's duel for a token. Past its schema the body is well formed, so whatever the
 * service still refuses (a period already over, a stake over the budget) is a 422.
 */
export async function createChallengeFor(
	store: Store,
	seasonId: number,
	body: z.infer<typeof challengeCreateSchema>,
	principal: ApiPrincipal
): Promise<{ challenge: ReturnType<typeof challengeJson>; created: boolean }> {
	await formatSeason(store, seasonId);
	const challengerId = await resolveSubject(store, seasonId, body.challenger, 'challenger');
	const opponentId = await resolveSubject(store, seasonId, body.opponent, 'opponent');
	await checkMeasure(store, seasonId, body.measure);
	let made: Awaited<ReturnType<typeof createDuel>>;
	try {
		made = await createDuel(store, {
			seasonId,
			actor: { tokenId: principal.tokenId },
			subject: kindOf(body.challenger),
			challengerId,
			opponentId,
			measure: body.measure,
			preset: body.preset,
			fromDate: body.fromDate ?? '',
			toDate: body.toDate ?? '',
			stake: body.stake,
			requestId: apiRequestId(principal, body.requestId)
		});
	} catch (error) {
		if (error instanceof AppError && error.status === 400)
			throw new AppError(422, error.code, error.message, {
				field: error.field,
				details: error.details
			});
		throw error;
	}
	return {
		challenge: await challengeById(store, made.challenge.seasonId, made.challenge.id),
		created: made.created
	};
}
