import * as z from 'zod';
import type { Store } from '../db/store';
import type { SprintStatus } from '../db/schema';
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
import { createSprint } from './commands';
import { readNames } from './names';
import { measureField, nameField, prizeField, requestIdField } from './sprint-form';
import { readSprintCards, type SprintCard } from './view';

// The sprints of the API (GET and POST /api/v1/seasons/{id}/sprints): requests and answers as
// zod schemas, read through the board's cards on the store (readSprintCards) and created through the console's
// createSprint with the console form's fields.

const instant = z.iso.datetime({ offset: true });
const STATUSES = [
	'scheduled',
	'live',
	'won',
	'expired',
	'final'
] as const satisfies readonly SprintStatus[];

export const sprintCreateSchema = z
	.object({
		name: nameField(),
		subject: subjectKind,
		measure: measureField().describe(measureDoc),
		target: z
			.number()
			.int()
			.min(1)
			.max(100_000_000)
			.describe('The value to reach first (points, sales…)'),
		startsAt: instant,
		endsAt: instant.describe('The deadline: nobody has won by then, the sprint expires'),
		prize: prizeField().optional().describe('What the winner gets; left out: glory only'),
		requestId: requestIdField().optional().describe(requestIdDoc)
	})
	.refine((v) => Date.parse(v.endsAt) > Date.parse(v.startsAt), {
		path: ['endsAt'],
		error: 'endsAt must be after startsAt'
	});

const progressEntry = subjectSchema.extend({
	value: z.number().describe('The value of the measure since the start, as boards show it')
});

export const sprintSchema = z.object({
	id: z.number().int(),
	name: z.string(),
	subject: subjectKind,
	measure: z.string().describe(measureDoc),
	target: z.number().int(),
	startsAt: iso,
	endsAt: iso.describe('The deadline'),
	prize: z.string().nullable(),
	status: z.enum(STATUSES),
	winner: subjectSchema.extend({ reachedAt: iso }).nullable(),
	progress: z.array(progressEntry).describe('The leaders, highest value first (at most 200)'),
	progressCut: z.boolean().describe('True when more took part than `progress` lists')
});

export const sprintListSchema = z.object({ entries: z.array(sprintSchema) });

async function sprintJson(store: Store, card: SprintCard) {
	const ranked = Object.entries(card.values)
		.map(([id, value]) => ({ id: Number(id), value }))
		// The board's order: highest first, the lower id on a tie.
		.sort((a, b) => b.value - a.value || a.id - b.id);
	const ids = ranked.map((r) => r.id);
	if (card.winner) ids.push(card.winner.id);
	const names = await readNames(store.db, store.tables, card.subject, ids);
	const emails =
		card.subject === 'user' ? await readPersonEmails(store, ids) : new Map<number, string>();
	const subject = (id: number) => ({
		id,
		name: names.get(id) ?? '?',
		...(emails.has(id) ? { email: emails.get(id) } : {})
	});
	return {
		id: card.id,
		name: card.name,
		subject: card.subject,
		measure: card.measure,
		target: card.target,
		startsAt: isoOf(card.startsAt),
		endsAt: isoOf(card.endsAt),
		prize: card.prize,
		status: shownStatus(card.status),
		winner: card.winner && {
			...subject(card.winner.id),
			name: card.winner.name,
			reachedAt: isoOf(card.winner.reachedAt)
		},
		progress: ranked.map((r) => ({ ...subject(r.id), value: r.value })),
		progressCut: card.valuesCut
	} satisfies z.infer<typeof sprintSchema>;
}

/** A cancelled sprint shows nowhere: readSprintCards leaves it out, so it never gets here. */
function shownStatus(status: SprintStatus): (typeof STATUSES)[number] {
	if (status === 'cancelled') throw new Error('A cancelled sprint is not shown');
	return status;
}

/** Every sprint of the season (finished ones too), latest deadline first. */
export async function listSprintsJson(store: Store, seasonId: number, clock: Clock = systemClock) {
	await formatSeason(store, seasonId);
	const cards = await readSprintCards(store, seasonId, clock(), { all: true });
	const entries = [];
	for (const card of cards) entries.push(await sprintJson(store, card));
	return entries;
}

/** Creates through the console's createSprint; the answer is the card as the API lists it. */
export async function createSprintFor(
	store: Store,
	seasonId: number,
	body: z.infer<typeof sprintCreateSchema>,
	principal: ApiPrincipal,
	clock: Clock = systemClock
) {
	await openSeason(store, seasonId);
	await checkMeasure(store, seasonId, body.measure);
	const endsAt = Date.parse(body.endsAt);
	if (endsAt <= clock())
		throw new AppError(422, 'period_over', 'endsAt is already past', { field: 'endsAt' });
	const made = await createSprint(
		store,
		seasonId,
		{
			name: body.name,
			subject: body.subject,
			measure: body.measure,
			target: body.target,
			startsAt: Date.parse(body.startsAt),
			endsAt,
			prize: body.prize ?? null,
			requestId: apiRequestId(principal, body.requestId)
		},
		{ tokenId: principal.tokenId },
		clock
	);
	const cards = await readSprintCards(store, made.sprint.seasonId, clock(), { all: true });
	const card = cards.find((c) => c.id === made.sprint.id)!;
	return { sprint: await sprintJson(store, card), created: made.created };
}
