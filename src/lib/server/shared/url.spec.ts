import { describe, expect, it } from 'vitest';
import { withoutPassword } from './url';

describe('withoutPassword', () => {
	it.each([
		['redis://:secret@redis.internal:6379', 'redis://:***@redis.internal:6379'],
		['redis://user:secret@redis.internal:6379/2', 'redis://user:***@redis.internal:6379/2'],
		['smtp://user:secret@mail.example.com:587', 'smtp://user:***@mail.example.com:587'],
		['postgres://app@db/honorboard', 'postgres://app@db/honorboard'],
		['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379']
	])('shows %s as %s', (url, shown) => {
		expect(withoutPassword(url)).toBe(shown);
	});

	it('shows what does not parse as its stand-in, never the text itself', () => {
		expect(withoutPassword('secret-without-scheme')).toBe('(not a URL)');
		expect(withoutPassword('secret', 'smtp://…')).toBe('smtp://…');
	});
});
