import * as z from 'zod';
import { formText } from '../shared/form';
import { m } from '../../paraglide/messages.js';

// The prize form: what the browser sent → a prize for savePrize, or one message per field.
// `prizeFields.title` is also the season form's check for the titles of places 1–3.

const PRIZE_LIMITS = { title: 120, description: 400 } as const;

export const prizeFields = {
	title: z
		.string()
		.trim()
		.max(PRIZE_LIMITS.title, {
			error: () => m.seasons_error_prize_title_long({ max: PRIZE_LIMITS.title })
		}),
	description: z
		.string()
		.trim()
		.max(PRIZE_LIMITS.description, {
			error: () => m.seasons_error_prize_description_long({ max: PRIZE_LIMITS.description })
		})
};

export const prizeSchema = z
	.object({
		for: z.enum(['place', 'badge'], { error: () => m.seasons_error_prize_for() }),
		place: z.string().trim(),
		badgeId: z.string().trim(),
		title: prizeFields.title.min(1, { error: () => m.seasons_error_prize_title() }),
		description: prizeFields.description,
		removeImage: z.boolean()
	})
	.transform((v, ctx) => {
		const number = Number(v.for === 'place' ? v.place : v.badgeId);
		if (!Number.isInteger(number) || number < 1) {
			ctx.addIssue({
				code: 'custom',
				path: [v.for === 'place' ? 'place' : 'badgeId'],
				message: v.for === 'place' ? m.seasons_error_choose_place() : m.seasons_error_choose_badge()
			});
			return z.NEVER;
		}
		return {
			...v,
			place: v.for === 'place' ? number : undefined,
			badgeId: v.for === 'badge' ? number : undefined
		};
	});

const KEYS = ['for', 'place', 'badgeId', 'title', 'description'] as const;
export type PrizeValues = Record<(typeof KEYS)[number], string>;

/** The form's text fields (to show again) and what the schema checks. */
export function readPrizeForm(form: FormData) {
	const values: PrizeValues = formText(form, KEYS);
	return { values, input: { ...values, removeImage: form.get('removeImage') === 'on' } };
}
