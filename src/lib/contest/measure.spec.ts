import { describe, expect, it } from 'vitest';
import { measureKey, parseMeasure, valueOf, type Measure } from './measure';

describe('measure keys', () => {
	const measures: Measure[] = [
		{ kind: 'points' },
		{ kind: 'sales' },
		{ kind: 'category', category: 'Phones: premium' },
		{ kind: 'activity', type: 'call' }
	];
	it.each(measures)('round-trips %o', (measure) => {
		expect(parseMeasure(measureKey(measure))).toEqual(measure);
	});
	it.each(['', 'revenue', 'category:', ':x', 'team:3'])('refuses %j', (key) => {
		expect(parseMeasure(key)).toBeNull();
	});
});

describe('valueOf', () => {
	it('counts provisional points only when the format counts the total', () => {
		const total = { confirmed: 30, provisional: 12 };
		expect(valueOf(total, 'confirmed')).toBe(30);
		expect(valueOf(total, 'total')).toBe(42);
		expect(valueOf(undefined, 'total')).toBe(0);
	});
});
