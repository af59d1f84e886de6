import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { WebhookEvent } from '../db/schema';
import { envelope, WEBHOOK_EVENT_DATA } from './events';
import { WEBHOOK_EXAMPLES } from './examples';
import { WEBHOOK_DOCS_PATH, webhookDocs } from './docs';

describe('webhook event schemas', () => {
	it.each(Object.keys(WEBHOOK_EVENT_DATA) as WebhookEvent[])(
		'the documented example of %s fits its schema',
		(type) => {
			expect(WEBHOOK_EVENT_DATA[type].safeParse(WEBHOOK_EXAMPLES[type]).error).toBeUndefined();
		}
	);

	it('wraps data in { type, timestamp, data }, dropping fields that are not in the schema', () => {
		const at = Date.UTC(2026, 11, 1, 12);
		const data = { ...WEBHOOK_EXAMPLES['badge.awarded'], userId: 17, userName: 'Ana' };
		expect(envelope('badge.awarded', data, at)).toEqual({
			type: 'badge.awarded',
			timestamp: '2026-12-01T12:00:00.000Z',
			data: WEBHOOK_EXAMPLES['badge.awarded']
		});
	});

	it('refuses data that drifted from the schema (an emitter bug), before anything is queued', () => {
		const drifted = {
			...WEBHOOK_EXAMPLES['sale.confirmed'],
			sale: { id: 1, externalId: 'x', source: 'web', points: 5, sellerId: 3 }
		};
		// @ts-expect-error: the old review-queue shape no longer type-checks either
		expect(() => envelope('sale.confirmed', drifted, 0)).toThrow();
	});

	it('docs/webhooks.md is generated from these schemas (run `npx tsx scripts/webhook-docs.ts`)', async () => {
		const path = resolve(import.meta.dirname, '../../../..', WEBHOOK_DOCS_PATH);
		const current = readFileSync(path, 'utf8');
		expect(current).toBe(await webhookDocs(current, path));
	}, 30_000);
});
