import { describe, expect, it } from 'vitest';
import { webhookInput } from './admin';

describe('webhookInput', () => {
	it.each([
		{ url: 'https://example.com/hook', events: ['sale.confirmed'], ok: true },
		{ url: 'http://10.0.0.5:8080/x', events: ['season.ended', 'badge.awarded'], ok: true },
		{ url: 'ftp://example.com/hook', events: ['sale.confirmed'], ok: false },
		{ url: 'javascript:alert(1)', events: ['sale.confirmed'], ok: false },
		{ url: 'example.com', events: ['sale.confirmed'], ok: false },
		{ url: 'https://example.com', events: [], ok: false },
		{ url: 'https://example.com', events: ['sale.created'], ok: false }
	])('$url $events → $ok', ({ url, events, ok }) => {
		expect(webhookInput.safeParse({ url, events }).success).toBe(ok);
	});
});
