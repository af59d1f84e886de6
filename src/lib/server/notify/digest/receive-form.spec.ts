import { describe, expect, it } from 'vitest';
import { readReceiveForm } from './receive-form';

const form = (entries: [string, string][]) => {
	const data = new FormData();
	for (const [k, v] of entries) data.append(k, v);
	return data;
};

describe('readReceiveForm', () => {
	it('turns the shown pairs on or off by whether they are ticked', () => {
		expect(
			readReceiveForm(
				form([
					['shown', 'email:overtaken'],
					['shown', 'email:weekly_digest'],
					['shown', 'push:badge'],
					['on', 'email:weekly_digest']
				])
			)
		).toEqual([
			{ channel: 'email', kind: 'overtaken', on: false },
			{ channel: 'email', kind: 'weekly_digest', on: true },
			{ channel: 'push', kind: 'badge', on: false }
		]);
	});

	it.each([
		{ name: 'nothing shown', entries: [] },
		{ name: 'an unknown channel', entries: [['shown', 'sms:overtaken']] },
		{ name: 'an unknown kind', entries: [['shown', 'email:everything']] },
		{ name: 'a kind the channel does not have', entries: [['shown', 'push:weekly_digest']] },
		{ name: 'a malformed pair', entries: [['shown', 'email:overtaken:x']] },
		{
			name: 'a ticked pair that was not shown',
			entries: [
				['shown', 'email:overtaken'],
				['on', 'email:badge']
			]
		},
		{
			name: 'a ticked value that is no pair',
			entries: [
				['shown', 'email:overtaken'],
				['on', 'on']
			]
		}
	] as { name: string; entries: [string, string][] }[])('refuses $name', ({ entries }) => {
		expect(readReceiveForm(form(entries))).toBeNull();
	});
});
