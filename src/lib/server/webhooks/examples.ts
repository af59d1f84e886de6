import type { WebhookEvent } from '../db/schema';
import type { WebhookData } from './events';

// One example of each event's data, shown in docs/webhooks.md; events.spec.ts checks each against
// its schema, so the documentation cannot show a shape the emitters do not send.

export const WEBHOOK_EXAMPLES: { [E in WebhookEvent]: WebhookData<E> } = {
	'sale.confirmed': {
		seasonId: 3,
		sale: {
			id: 1842,
			externalId: 'SF-0061X00000abcde',
			source: 'api',
			points: 150,
			seller: { id: 17, email: 'ana.kowalska@example.com', name: 'Ana Kowalska' }
		},
		reason: null
	},
	'badge.awarded': {
		seasonId: 3,
		subjectType: 'user',
		subjectId: 17,
		subjectName: 'Ana Kowalska',
		badge: {
			id: 9,
			name: 'Hat trick',
			emoji: '🎩',
			description: 'Three sales in one day',
			points: 50
		},
		provisional: false,
		periodKey: '2026-12-01',
		at: '2026-12-01T14:03:11.000Z'
	},
	'season.ended': {
		season: { id: 3, name: 'Winter Sprint', endsAt: '2026-12-31T23:00:00.000Z' },
		podium: [
			{ rank: 1, id: 17, name: 'Ana Kowalska', points: 4200 },
			{ rank: 2, id: 22, name: 'Jonas Berg', points: 3900 },
			{ rank: 3, id: 5, name: 'Claire Martin', points: 3650 }
		],
		teams: [{ rank: 1, id: 2, name: 'North', points: 11800 }],
		nextSeasonId: 4
	},
	'webhook.test': { test: true, message: 'A test delivery from Honorboard: no action needed.' }
};
