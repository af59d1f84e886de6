import { describe, expect, it } from 'vitest';
import { AnsweredBodies, bodyKey } from './answered-bodies';

describe('AnsweredBodies', () => {
	it('keeps at most its count of bodies, dropping the oldest first', () => {
		const kept = new AnsweredBodies<number>(3);
		kept.remember('a', 1);
		kept.remember('b', 2);
		kept.remember('c', 3);
		expect(kept.size).toBe(3);
		kept.remember('d', 4);
		expect(kept.get('a')).toBeUndefined();
		expect([kept.get('b'), kept.get('c'), kept.get('d')]).toEqual([2, 3, 4]);
		expect(kept.size).toBe(3);
	});

	it('keeps the first value of a body remembered twice and counts it once', () => {
		const kept = new AnsweredBodies<number>(10);
		kept.remember('same', 1);
		kept.remember('same', 2);
		expect(kept.get('same')).toBe(1);
		expect(kept.size).toBe(1);
	});

	it('gives a forgotten body’s room back, and forgetting an unknown one changes nothing', () => {
		const kept = new AnsweredBodies<number>(2);
		kept.remember('a', 1);
		kept.remember('b', 2);
		kept.forget('a');
		kept.forget('z');
		expect(kept.size).toBe(1);
		kept.remember('c', 3);
		expect([kept.get('b'), kept.get('c')]).toEqual([2, 3]);
	});

	it('keeps nothing with room for none', () => {
		const kept = new AnsweredBodies<number>(0);
		kept.remember('a', 1);
		expect(kept.get('a')).toBeUndefined();
		expect(kept.size).toBe(0);
	});
});

describe('bodyKey', () => {
	it('is 32 characters whatever the length of the text, and differs for texts one byte apart', () => {
		const long = 'x'.repeat(100_000);
		expect(bodyKey('')).toHaveLength(32);
		expect(bodyKey(long)).toHaveLength(32);
		expect(bodyKey('{"externalId":"a-1"}')).toBe(bodyKey('{"externalId":"a-1"}'));
		expect(bodyKey('{"externalId":"a-1"}')).not.toBe(bodyKey('{"externalId":"a-2"}'));
		// The text's UTF-8 bytes, not its UTF-16 code units cut to one byte each.
		expect(bodyKey('é')).not.toBe(bodyKey('\u00e9'.normalize('NFD')));
		expect(bodyKey('\u0101')).not.toBe(bodyKey('\u0001'));
	});
});
