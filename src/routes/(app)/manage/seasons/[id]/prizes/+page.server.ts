import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { seasonFromParams } from '../../season-param.server';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { bannerFromFile } from '$lib/server/seasons/console';
import {
	listPrizes,
	MAX_PLACE,
	prizeBadgeChoices,
	PrizeError,
	removePrize,
	savePrize
} from '$lib/server/seasons/prizes';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const s = seasonFromParams(event);
	const db = getDb();
	return {
		season: { id: s.id, name: s.name, status: s.status },
		prizes: listPrizes(db, s.id),
		badges: prizeBadgeChoices(db, s.id),
		maxPlace: MAX_PLACE
	};
};

const prizeForm = z
	.object({
		for: z.enum(['place', 'badge'], 'Choose whether the prize is for a place or a badge'),
		place: z.string().trim(),
		badgeId: z.string().trim(),
		title: z
			.string()
			.trim()
			.min(1, 'Give the prize a title')
			.max(120, 'Keep the title under 120 characters'),
		description: z.string().trim().max(400, 'Keep the description under 400 characters'),
		removeImage: z.boolean()
	})
	.transform((v, ctx) => {
		const number = Number(v.for === 'place' ? v.place : v.badgeId);
		if (!Number.isInteger(number) || number < 1) {
			ctx.addIssue({
				code: 'custom',
				path: [v.for === 'place' ? 'place' : 'badgeId'],
				message: v.for === 'place' ? 'Choose a place' : 'Choose a badge'
			});
			return z.NEVER;
		}
		return {
			...v,
			place: v.for === 'place' ? number : undefined,
			badgeId: v.for === 'badge' ? number : undefined
		};
	});

export const actions: Actions = {
	save: async (event) => {
		const user = requireRole(event, MANAGERS);
		const s = seasonFromParams(event);
		const form = await event.request.formData();
		const text = (key: string) => String(form.get(key) ?? '');
		const values = {
			for: text('for'),
			place: text('place'),
			badgeId: text('badgeId'),
			title: text('title'),
			description: text('description')
		};
		const parsed = prizeForm.safeParse({
			...values,
			removeImage: form.get('removeImage') === 'on'
		});
		if (!parsed.success) {
			const errors = Object.fromEntries(
				parsed.error.issues.map((i) => [String(i.path[0]), i.message])
			);
			return fail(400, { form: 'save', message: Object.values(errors)[0], errors, values });
		}
		let image: 'keep' | null | string = parsed.data.removeImage ? null : 'keep';
		const file = form.get('image');
		if (file instanceof File && file.size > 0) {
			const read = await bannerFromFile(file);
			if (!read.ok)
				return fail(400, {
					form: 'save',
					message: read.message,
					errors: { image: read.message },
					values
				});
			image = read.dataUrl;
		}
		try {
			savePrize(getDb(), s.id, { ...parsed.data, image }, { userId: user.id });
		} catch (e) {
			if (e instanceof PrizeError)
				return fail(400, {
					form: 'save',
					message: e.message,
					errors: { [e.field]: e.message },
					values
				});
			throw e;
		}
		return { form: 'save', success: true, message: `Prize "${parsed.data.title}" saved` };
	},
	remove: async (event) => {
		const user = requireRole(event, MANAGERS);
		const s = seasonFromParams(event);
		const key = String((await event.request.formData()).get('key') ?? '');
		try {
			removePrize(getDb(), s.id, key, { userId: user.id });
		} catch (e) {
			if (e instanceof PrizeError) return fail(400, { form: 'remove', message: e.message });
			throw e;
		}
		return { form: 'remove', success: true, message: 'Prize removed' };
	}
};
