import { describe, expect, it } from 'vitest';
import { redisQueueMax, RedisUnavailable } from './redis';

describe('redisQueueMax (REDIS_QUEUE_MAX)', () => {
	it('is 10,000 when not set, and the number given otherwise', () => {
		expect(redisQueueMax(undefined)).toBe(10_000);
		expect(redisQueueMax(' ')).toBe(10_000);
		expect(redisQueueMax('50')).toBe(50);
	});

	it('refuses what is not a whole number of 1 or more, with a clear reason', () => {
		for (const bad of ['0', '-3', '2.5', 'lots', '1e400'])
			expect(() => redisQueueMax(bad)).toThrow(RedisUnavailable);
		expect(() => redisQueueMax('lots')).toThrow(/REDIS_QUEUE_MAX "lots"/);
	});
});
