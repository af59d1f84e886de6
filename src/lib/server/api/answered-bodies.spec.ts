import { describe, expect, it } from 'vitest';
import { AnsweredBodies } from './answered-bodies';

describe('AnsweredBodies', () => {
	it('keeps bodies until their text passes the budget, then drops the oldest first', () => {
		const kept = new AnsweredBodies<number>(10, 4);
		kept.remember('aaa', 1);
		kept.remember('bbb', 2);
		kept.remember('ccc', 3);
		expect(kept.size).toEqual({ bodies: 3, characters: 9 });
		kept.remember('dd', 4);
		expect(kept.get('aaa')).toBeUndefined();
		expect([kept.get('bbb'), kept.get('ccc'), kept.get('dd')]).toEqual([2, 3, 4]);
		expect(kept.size).toEqual({ bodies: 3, characters: 8 });
	});

	it.each([
		{ name: 'a body longer than the longest kept', text: 'eeeee', kept: false },
		{ name: 'a body of the longest length kept', text: 'eeee', kept: true }
	])('$name', ({ text, kept }) => {
		const bodies = new AnsweredBodies<number>(100, 4);
		bodies.remember(text, 1);
		expect(bodies.get(text) !== undefined).toBe(kept);
	});

	it('keeps the first value of a body remembered twice and counts its text once', () => {
		const kept = new AnsweredBodies<number>(100, 10);
		kept.remember('same', 1);
		kept.remember('same', 2);
		expect(kept.get('same')).toBe(1);
		expect(kept.size).toEqual({ bodies: 1, characters: 4 });
	});

	it('gives a forgotten body’s room back, and forgetting an unknown one changes nothing', () => {
		const kept = new AnsweredBodies<number>(8, 8);
		kept.remember('aaaa', 1);
		kept.remember('bbbb', 2);
		kept.forget('aaaa');
		kept.forget('zzzz');
		expect(kept.size).toEqual({ bodies: 1, characters: 4 });
		kept.remember('cccc', 3);
		expect([kept.get('bbbb'), kept.get('cccc')]).toEqual([2, 3]);
	});
});
