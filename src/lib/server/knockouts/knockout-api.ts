import * as z from 'zod';
import type { Store } from '../db/store';
import type { Knockout, KnockoutStatus, RoundUnit } from '../db/schema';
import type { ApiPrincipal } from '../auth/api-token';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import {
	apiRequestId,
	checkMeasure,
	formatSeason,
	iso,
	isoOf,
	measureDoc,
	openSeason,
	readPersonEmails,
	requestIdDoc,
	subjectKind,
	subjectSchema
} from '../formats/format-api';
import { measureField, nameField, prizeField, requestIdField } from '../sprints/sprint-form';
import { MAX_SIZE, MIN_SIZE } from '../../contest/knockout';
import { readKnockout } from './bracket';
import { createKnockout } from './commands';
import { readKnockoutCard, readKnockoutCards, type KnockoutCard } from './view';

// The knockouts of the API (GET and POST /api/v1/seasons/{id}/knockouts, GET
// /api/v1/knockouts/{id}): requests and answers as zod schemas, read through the board's
// card (readKnockoutCard) and created through the console's createKnockout with the console
// form's fields.

const ROUND_UNITS = ['day', 'hour'] as const satisfies readonly RoundUnit[];

/** The console form's bounds and defaults (its size, round length and grace hours). */
export const knockoutCreateSchema = z.object({
	name: nameField(),
	subject: subjectKind,
	measure: measureField().describe(measureDoc),
	size: z
		.number()
		.int()
		.min(MIN_SIZE)
		.max(MAX_SIZE)
		.describe('The most entrants, seeded from the ranking at the start; fewer if fewer take part'),
	roundLength: z.number().int().min(1).max(60).default(1),
	roundUnit: z.enum(ROUND_UNITS).default('day'),
	graceHours: z
		.number()
		.int()
		.min(0)
		.max(72)
		.default(2)
		.describe("Hours after a round's end in which late confirmations still count"),
	startsAt: z.iso.datetime({ offset: true }).describe('When the entrants are seeded'),
	prize: prizeField().optional().describe('What the winner gets; left out: glory only'),
	requestId: requestIdField().optional().describe(requestIdDoc)
});

const entrant = subjectSchema.extend({
	seed: z.number().int().nullable().describe('1 = the best placed at the start')
});

// A cancelled knockout shows nowhere (readKnockoutCards leaves it out, its bracket answers 404).
const SHOWN_STATUSES = ['scheduled', 'live', 'final'] as const satisfies readonly KnockoutStatus[];

function shownStatus(status: KnockoutStatus): (typeof SHOWN_STATUSES)[number] {
	if (status === 'cancelled') throw new Error('A cancelled knockout is not shown');
	return status;
}

const summaryShape = {
	id: z.number().int(),
	seasonId: z.number().int(),
	name: z.string(),
	subject: subjectKind,
	measure: z.string().describe(measureDoc),
	size: z.number().int(),
	roundLength: z.number().int(),
	roundUnit: z.enum(ROUND_UNITS),
	graceHours: z.number().int(),
	startsAt: iso,
	prize: z.string().nullable(),
	status: z.enum(SHOWN_STATUSES),
	winner: subjectSchema.nullable(),
	rounds: z.number().int().describe('How many rounds the bracket has; 0 before it is seeded'),
	currentRound: z
		.number()
		.int()
		.nullable()
		.describe('The round under way (or the last one), 1 for the first; null before seeding')
};

export const knockoutSummarySchema = z.object(summaryShape);
export const knockoutListSchema = z.object({ entries: z.array(knockoutSummarySchema) });

export const knockoutBracketSchema = z.object({
	...summaryShape,
	bracket: z.array(
		z.object({
			round: z.number().int().describe('1 for the first round'),
			startsAt: iso,
			endsAt: iso,
			started: z.boolean(),
			matches: z.array(
				z.object({
					slot: z.number().int(),
					a: entrant.nullable(),
					b: entrant.nullable().describe('Null for a bye (or a side still to come)'),
					aValue: z.number().nullable(),
					bValue: z.number().nullable(),
					winnerId: z.number().int().nullable(),
					decided: z.boolean().describe('Final: a frozen round, or a bye'),
					bye: z.boolean()
				})
			)
		})
	)
});

async function withEmails(store: Store, card: KnockoutCard) {
	const ids = card.rounds.flatMap((r) =>
		r.matches.flatMap((m) => [m.a?.id, m.b?.id].filter((id): id is number => id !== undefined))
	);
	if (card.winner) ids.push(card.winner.id);
	const emails =
		card.subject === 'user' ? await readPersonEmails(store, ids) : new Map<number, string>();
	return <T extends { id: number }>(s: T) =>
		emails.has(s.id) ? { ...s, email: emails.get(s.id)! } : s;
}

type WithEmail = Awaited<ReturnType<typeof withEmails>>;

function summaryJson(k: Knockout, card: KnockoutCard, email: WithEmail) {
	return {
		id: k.id,
		seasonId: k.seasonId,
		name: card.name,
		subject: card.subject,
		measure: card.measure,
		size: card.size,
		roundLength: k.roundLength,
		roundUnit: k.roundUnit,
		graceHours: card.graceHours,
		startsAt: isoOf(card.startsAt),
		prize: card.prize,
		status: shownStatus(card.status),
		winner: card.winner && email(card.winner),
		rounds: card.rounds.length,
		currentRound: card.rounds.length === 0 ? null : card.current + 1
	} satisfies z.infer<typeof knockoutSummarySchema>;
}

async function bracketJson(store: Store, k: Knockout, now: number) {
	const card = await readKnockoutCard(store.db, store.tables, k, now);
	const email = await withEmails(store, card);
	return {
		...summaryJson(k, card, email),
		bracket: card.rounds.map((r) => ({
			round: r.round + 1,
			startsAt: isoOf(r.startsAt),
			endsAt: isoOf(r.endsAt),
			started: r.started,
			matches: r.matches.map((m) => ({
				...m,
				a: m.a && email(m.a),
				b: m.b && email(m.b)
			}))
		}))
	} satisfies z.infer<typeof knockoutBracketSchema>;
}

/** Every knockout of the season (finished ones too), latest start first. */
export async function listKnockoutsJson(
	store: Store,
	seasonId: number,
	clock: Clock = systemClock
) {
	await formatSeason(store, seasonId);
	const entries = [];
	for (const { knockout, card } of await readKnockoutCards(store, seasonId, clock(), {
		all: true
	}))
		entries.push(summaryJson(knockout, card, await withEmails(store, card)));
	return entries;
}

export async function knockoutJson(store: Store, id: number, clock: Clock = systemClock) {
	const k = await readKnockout(store.db, store.tables, id);
	// A cancelled knockout shows nowhere, as its bracket page answers 404.
	if (!k || k.status === 'cancelled') throw new AppError(404, 'not_found', `No knockout ${id}`);
	return bracketJson(store, k, clock());
}

/** Creates through the console's createKnockout; the answer is its bracket as the API shows it. */
export async function createKnockoutFor(
	store: Store,
	seasonId: number,
	body: z.infer<typeof knockoutCreateSchema>,
	principal: ApiPrincipal,
	clock: Clock = systemClock
) {
	await openSeason(store, seasonId);
	await checkMeasure(store, seasonId, body.measure);
	const made = await createKnockout(
		store,
		seasonId,
		{
			name: body.name,
			subject: body.subject,
			measure: body.measure,
			size: body.size,
			roundLength: body.roundLength,
			roundUnit: body.roundUnit,
			graceHours: body.graceHours,
			startsAt: Date.parse(body.startsAt),
			prize: body.prize ?? null,
			requestId: apiRequestId(principal, body.requestId)
		},
		{ tokenId: principal.tokenId },
		clock
	);
	return { knockout: await bracketJson(store, made.knockout, clock()), created: made.created };
}
