import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './rate-limit';

describe('FailureLimiter', () => {
	it('allows up to the limit of failures in the window, then refuses until the oldest expires', () => {
		const limiter = new FailureLimiter(3, 1000);
		for (const at of [0, 100, 200]) {
			expect(limiter.retryAfter('k', at)).toBe(0);
			limiter.fail('k', at);
		}
		expect(limiter.retryAfter('k', 300)).toBe(700);
		expect(limiter.retryAfter('k', 999)).toBe(1);
		expect(limiter.retryAfter('k', 1000)).toBe(0);
		expect(limiter.retryAfter('other', 300)).toBe(0);
	});

	it('forgets a key on reset', () => {
		const limiter = new FailureLimiter(1, 1000);
		limiter.fail('k', 0);
		expect(limiter.retryAfter('k', 1)).toBeGreaterThan(0);
		limiter.reset('k');
		expect(limiter.retryAfter('k', 1)).toBe(0);
	});
});
