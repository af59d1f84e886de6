import { describe, expect, it } from 'vitest';
import { m } from '$lib/paraglide/messages.js';
import { segments } from './marked-text';

describe('segments', () => {
	it('splits a message into its plain and marked runs, in the language’s order', () => {
		const inputs = { count: 21, n: '21', name: 'Sam', rank: 3 };
		expect(segments(m.board_gap.parts(inputs, { locale: 'en' }))).toEqual([
			{ text: '21 pts', tag: 'b' },
			{ text: ' to pass Sam for #3', tag: null }
		]);
		expect(segments(m.board_gap.parts(inputs, { locale: 'ru' }))).toEqual([
			{ text: 'До 3-го места (Sam) не хватает ', tag: null },
			{ text: '21 балла', tag: 'b' }
		]);
	});

	it('keeps a message without markup as one plain run', () => {
		expect(segments([{ type: 'text', value: 'Hello' }])).toEqual([{ text: 'Hello', tag: null }]);
	});
});
