import * as z from 'zod';
import type { WebhookEvent } from '../db/schema';

// The one data shape of each event, whichever path emits it (the API, the review queue, the
// badge job, the scheduler). enqueueWebhooksInWrite parses every payload with these schemas, so an
// emitter that drifts fails its tests; docs/webhooks.md is written from them.

const id = z.number().int().positive();
const iso = z.string().describe('ISO 8601 date and time, UTC');

export const saleConfirmedData = z.object({
	seasonId: id,
	sale: z.object({
		id,
		externalId: z.string().describe('The sale id in its source system'),
		source: z.string().describe('Where the sale came from: api, import or web'),
		points: z.number().describe('Points of the sale, now confirmed'),
		seller: z.object({ id, email: z.string(), name: z.string() })
	}),
	reason: z
		.string()
		.nullable()
		.describe('The note given when a manager confirmed it; null when it counted at once')
});

export const badgeAwardedData = z.object({
	seasonId: id,
	subjectType: z.enum(['user', 'team']),
	subjectId: id,
	subjectName: z.string(),
	badge: z.object({
		id,
		name: z.string(),
		emoji: z.string(),
		description: z.string(),
		points: z.number().describe('Bonus points the badge gives (0 for most)')
	}),
	provisional: z
		.boolean()
		.default(false)
		.describe('True while the sale that earned it awaits confirmation'),
	periodKey: z.string().describe('The period of a repeatable badge (e.g. 2026-W48), else ""'),
	at: iso
});

const podiumEntry = z.object({ rank: z.number().int(), id, name: z.string(), points: z.number() });

export const seasonEndedData = z.object({
	season: z.object({ id, name: z.string(), endsAt: iso }),
	podium: z.array(podiumEntry).describe('People ranked 1 to 3'),
	teams: z.array(podiumEntry).describe('Teams ranked 1 to 3'),
	nextSeasonId: id.nullable().describe('The next season of a recurring one')
});

export const webhookTestData = z.object({ test: z.literal(true), message: z.string() });

export const WEBHOOK_EVENT_DATA = {
	'sale.confirmed': saleConfirmedData,
	'badge.awarded': badgeAwardedData,
	'season.ended': seasonEndedData,
	'webhook.test': webhookTestData
} satisfies Record<WebhookEvent, z.ZodType>;

/** The events an admin can subscribe to ("webhook.test" goes only where it is asked for). */
export const WEBHOOK_EVENTS = ['sale.confirmed', 'badge.awarded', 'season.ended'] as const;
export type SubscribableEvent = (typeof WEBHOOK_EVENTS)[number];

export type WebhookData<E extends WebhookEvent> = z.input<(typeof WEBHOOK_EVENT_DATA)[E]>;

/** The body of every delivery (Standard Webhooks' recommended envelope). */
export function envelopeSchema<E extends WebhookEvent>(type: E) {
	return z.object({
		type: z.literal(type),
		timestamp: iso.describe('When the event happened'),
		data: WEBHOOK_EVENT_DATA[type]
	});
}
export type WebhookEnvelope = { type: WebhookEvent; timestamp: string; data: unknown };

/** Checks an event's data against its schema and wraps it (throws on a shape that drifted). */
export function envelope<E extends WebhookEvent>(
	type: E,
	data: WebhookData<E>,
	at: number
): WebhookEnvelope {
	return {
		type,
		timestamp: new Date(at).toISOString(),
		data: WEBHOOK_EVENT_DATA[type].parse(data)
	};
}

export const EVENT_SUMMARIES: Record<WebhookEvent, string> = {
	'sale.confirmed':
		'A sale counts for good: registered in a season that needs no confirmation, or confirmed by a manager (console or API).',
	'badge.awarded':
		'A person or team earned a badge: as a sale is recorded, by the periodic badge job or when a season ends.',
	'season.ended':
		'A season ended: its results are frozen (late confirmations may still change them).',
	'webhook.test': 'Sent by "Send test event" on the webhooks page: answer 2xx and ignore it.'
};
