import { describe, expect, it } from 'vitest';
import { readSettingsForm, settingsSchema } from './settings-form';
import { readSeasonValues } from './season-form';

// "Sales need confirmation" is a setting of the season (its page); the rules page's settings
// are only auto-confirmation and what the ranking counts.

const form = (entries: Record<string, string>) => {
	const data = new FormData();
	for (const [key, value] of Object.entries(entries)) data.set(key, value);
	return data;
};

describe('the rules page settings form', () => {
	it('does not carry "Sales need confirmation" (the season form does)', () => {
		const values = readSettingsForm(
			form({ requireConfirmation: 'on', autoConfirmDays: '5', rankBy: 'total' })
		);
		expect(values).toEqual({ autoConfirmDays: '5', rankBy: 'total' });
		expect(settingsSchema.parse(values)).toEqual({ autoConfirmDays: 5, rankBy: 'total' });
		expect(readSeasonValues(form({ requireConfirmation: 'on' })).requireConfirmation).toBe(true);
	});
});
