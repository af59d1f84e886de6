import { describe, expect, it } from 'vitest';
import { parseActivityForm } from './activity-form';

const NOW = Date.UTC(2026, 2, 10, 12);
const form = (fields: Record<string, string>) => {
	const data = new FormData();
	for (const [k, v] of Object.entries({
		requestId: 'req-12345678',
		type: 'call',
		quantity: '1',
		when: '',
		...fields
	}))
		data.set(k, v);
	return data;
};

describe('the activity form', () => {
	it.each([
		['empty time: now', {}, 'UTC', NOW],
		[
			'a local time in the season zone (winter, UTC+1)',
			{ when: '2026-03-02T09:30' },
			'Europe/Stockholm',
			Date.UTC(2026, 2, 2, 8, 30)
		],
		[
			'summer (UTC+2)',
			{ when: '2026-06-02T09:30' },
			'Europe/Stockholm',
			Date.UTC(2026, 5, 2, 7, 30)
		],
		// DST starts at 02:00 on 29 March: 02:30 does not exist and moves forward to 03:30 CEST.
		[
			'a time the spring change skips',
			{ when: '2026-03-29T02:30' },
			'Europe/Stockholm',
			Date.UTC(2026, 2, 29, 1, 30)
		],
		[
			'just before the change',
			{ when: '2026-03-29T01:59' },
			'Europe/Stockholm',
			Date.UTC(2026, 2, 29, 0, 59)
		],
		[
			'the other side of the world',
			{ when: '2026-03-02T09:30' },
			'America/New_York',
			Date.UTC(2026, 2, 2, 14, 30)
		]
	])('%s', (_, fields, zone, at) => {
		const parsed = parseActivityForm(form(fields), zone, NOW);
		expect(parsed).toEqual({
			ok: true,
			requestId: 'req-12345678',
			type: 'call',
			quantity: 1,
			occurredAt: at
		});
	});

	it.each([
		['no type', { type: '' }, 'type'],
		['quantity 0', { quantity: '0' }, 'quantity'],
		['quantity 100', { quantity: '100' }, 'quantity'],
		['a hex quantity', { quantity: '0x10' }, 'quantity'],
		['a decimal quantity', { quantity: '1.5' }, 'quantity'],
		['a time that is not one', { when: 'yesterday' }, 'when'],
		['month 13', { when: '2026-13-02T09:30' }, 'when'],
		['no request id', { requestId: '' }, 'requestId']
	])('refuses %s', (_, fields, field) => {
		const parsed = parseActivityForm(form(fields), 'UTC', NOW);
		expect(parsed.ok).toBe(false);
		if (!parsed.ok) expect(Object.keys(parsed.errors)).toEqual([field]);
	});
});
