import { describe, expect, it } from 'vitest';
import { teamSchema } from './team-form';
import { inviteSchema } from './member-form';
import { prizeSchema } from '../seasons/prize-form';

// Every name a manager types has a limit the server enforces, with a message that says it.

const long = 'x'.repeat(5000);
const messageOf = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
	result.error?.issues[0]?.message;

describe('names typed in the console are limited on the server', () => {
	it('refuses a 5,000-character team name', () => {
		const result = teamSchema.safeParse({ name: long, color: '#ef4444', emoji: '🐺' });
		expect(result.success).toBe(false);
		expect(messageOf(result)).toBe('Keep the name under 40 characters');
		expect(
			teamSchema.safeParse({ name: 'x'.repeat(40), color: '#ef4444', emoji: '🐺' }).success
		).toBe(true);
	});

	it("refuses a 5,000-character person's name", () => {
		const result = inviteSchema.safeParse({ name: long, email: 'ana@example.com', teamId: '1' });
		expect(messageOf(result)).toBe('Keep the name under 100 characters');
	});

	it('refuses a 5,000-character prize title', () => {
		const result = prizeSchema.safeParse({
			for: 'place',
			place: '1',
			badgeId: '',
			title: long,
			description: '',
			removeImage: false
		});
		expect(result.success).toBe(false);
		expect(result.error?.issues.map((i) => i.message)).toContain(
			'Keep the title under 120 characters'
		);
	});
});
