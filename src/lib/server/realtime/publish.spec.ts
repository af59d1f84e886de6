import { describe, expect, it } from 'vitest';
import { Publisher, type RealtimeServer } from './publish';
import type { Store } from '../db/store';

// The push window adapts to what a push costs (the flush itself runs against a real database
// in tests/integration/realtime.test.ts); here only the rule that sizes it.
describe('Publisher window', () => {
	const io = {} as RealtimeServer;
	const store = {} as Store;

	it('is twice the smoothed cost of a push, from 0 (the first change goes at once) to 1 s', () => {
		const publisher = new Publisher(io, store);
		expect(publisher.windowMs({ costMs: 0 })).toBe(0);
		expect(publisher.windowMs({ costMs: 2.5 })).toBe(5);
		expect(publisher.windowMs({ costMs: 40 })).toBe(80);
		expect(publisher.windowMs({ costMs: 400 })).toBe(800);
		expect(publisher.windowMs({ costMs: 900 })).toBe(1000);
	});

	it("is the push's smoothed cost with a factor of 1 (the fan-out process), to 1 s", () => {
		const publisher = new Publisher(io, store, { windowFactor: 1 });
		expect(publisher.windowMs({ costMs: 0 })).toBe(0);
		expect(publisher.windowMs({ costMs: 40 })).toBe(40);
		expect(publisher.windowMs({ costMs: 400 })).toBe(400);
		expect(publisher.windowMs({ costMs: 1200 })).toBe(1000);
	});

	it('uses a fixed interval when one is given', () => {
		expect(new Publisher(io, store, { intervalMs: 250 }).windowMs({ costMs: 1 })).toBe(250);
	});

	it('builds the format views at most once per ten times their cost, up to 5 s', () => {
		const publisher = new Publisher(io, store);
		expect(publisher.formatsWindowMs({ formatsCostMs: 0 })).toBe(0);
		expect(publisher.formatsWindowMs({ formatsCostMs: 2 })).toBe(20);
		expect(publisher.formatsWindowMs({ formatsCostMs: 300 })).toBe(3000);
		expect(publisher.formatsWindowMs({ formatsCostMs: 900 })).toBe(5000);
		// A fixed push interval builds them with every push…
		expect(
			new Publisher(io, store, { intervalMs: 250 }).formatsWindowMs({ formatsCostMs: 300 })
		).toBe(0);
		// …unless their own interval is given.
		expect(
			new Publisher(io, store, { intervalMs: 0, formatsIntervalMs: 400 }).formatsWindowMs({
				formatsCostMs: 1
			})
		).toBe(400);
	});
});
