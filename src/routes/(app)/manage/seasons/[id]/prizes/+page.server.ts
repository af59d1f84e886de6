import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { seasonFromParams } from '../../season-param.server';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { imageFromFile } from '$lib/server/seasons/image-upload';
import { readPrizeForm, prizeSchema } from '$lib/server/seasons/prize-form';
import { formText, parseForm, refuse, refuseError } from '$lib/server/shared/form';
import {
	MAX_PLACE,
	prizeBadgeChoices,
	readPrizes,
	removePrize,
	savePrize
} from '$lib/server/seasons/prizes';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const s = await seasonFromParams(event);
	const store = getStore();
	return {
		season: { id: s.id, name: s.name, status: s.status },
		prizes: await readPrizes(store, s.id),
		badges: await prizeBadgeChoices(store, s.id),
		maxPlace: MAX_PLACE
	};
};

export const actions: Actions = {
	save: async (event) => {
		const user = requireRole(event, MANAGERS);
		const s = await seasonFromParams(event);
		const form = await event.request.formData();
		const { values, input } = readPrizeForm(form);
		const parsed = parseForm(prizeSchema, input, 'save', values);
		if (!parsed.ok) return parsed.failure;
		let image: 'keep' | null | string = parsed.data.removeImage ? null : 'keep';
		const file = form.get('image');
		if (file instanceof File && file.size > 0) {
			const read = await imageFromFile(file);
			if (!read.ok)
				return refuse(400, 'save', read.message, { errors: { image: read.message }, values });
			image = read.dataUrl;
		}
		try {
			await savePrize(getStore(), s.id, { ...parsed.data, image }, { userId: user.id });
		} catch (error) {
			return refuseError(error, 'save', values);
		}
		return { action: 'save', message: m.seasons_prize_saved({ title: parsed.data.title }) };
	},
	remove: async (event) => {
		const user = requireRole(event, MANAGERS);
		const s = await seasonFromParams(event);
		const { key } = formText(await event.request.formData(), ['key']);
		try {
			await removePrize(getStore(), s.id, key, { userId: user.id });
		} catch (error) {
			return refuseError(error, 'remove', { key });
		}
		return { action: 'remove', message: m.seasons_prize_removed() };
	}
};
