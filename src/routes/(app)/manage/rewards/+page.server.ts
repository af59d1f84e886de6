import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { budgetFor, programmeOf } from '$lib/server/rewards/balances';
import {
	consoleSeasons,
	deleteReward,
	listRewards,
	redemptionQueue,
	saveProgramme,
	saveReward
} from '$lib/server/rewards/catalogue';
import {
	approveRedemption,
	fulfilRedemption,
	rejectRedemption
} from '$lib/server/rewards/redemptions';
import {
	decisionFormSchema,
	programmeFormSchema,
	programmeFormValues,
	rejectFormSchema,
	rewardFormSchema,
	rewardFormValues
} from '$lib/server/rewards/reward-form';
import { imageFromFile } from '$lib/server/seasons/image-upload';
import { formText, parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

function chosenSeasonId(url: URL, seasons: { id: number }[]): number | null {
	const asked = Number(url.searchParams.get('season'));
	return seasons.find((s) => s.id === asked)?.id ?? seasons[0]?.id ?? null;
}

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const store = getStore();
	const seasons = await consoleSeasons(store);
	const seasonId = chosenSeasonId(event.url, seasons);
	return {
		seasons,
		seasonId,
		programme: seasonId ? await programmeOf(store.db, store, seasonId) : null,
		budget: seasonId ? await budgetFor(store.db, store, seasonId) : null,
		queue: seasonId ? await redemptionQueue(store, seasonId) : [],
		rewards: await listRewards(store),
		currency: event.locals.currency,
		now: Date.now()
	};
};

/** Runs one decision on a redemption id from the form. */
async function decide(
	event: RequestEvent,
	action: 'approve' | 'fulfil',
	run: (id: number, actor: { userId: number }) => Promise<unknown>
) {
	const user = requireRole(event, MANAGERS);
	const parsed = parseForm(
		decisionFormSchema,
		formText(await event.request.formData(), ['id']),
		action
	);
	if (!parsed.ok) return parsed.failure;
	try {
		await run(parsed.data.id, { userId: user.id });
		return {
			action,
			success: true as const,
			message: action === 'approve' ? m.rewards_approved() : m.rewards_fulfilled()
		};
	} catch (error) {
		return refuseError(error, action);
	}
}

export const actions: Actions = {
	save: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const values = rewardFormValues(form);
		const parsed = parseForm(rewardFormSchema, values, 'save', values);
		if (!parsed.ok) return parsed.failure;
		let picture: string | undefined;
		const file = form.get('picture');
		if (file instanceof File && file.size > 0) {
			const read = await imageFromFile(file);
			if (!read.ok)
				return refuse(400, 'save', read.message, { errors: { picture: read.message }, values });
			picture = read.dataUrl;
		}
		try {
			await saveReward(getStore(), parsed.data, picture, { userId: user.id }, Date.now());
			return { action: 'save' as const, success: true as const, message: m.rewards_saved() };
		} catch (error) {
			return refuseError(error, 'save', values);
		}
	},
	delete: async (event) => {
		const user = requireRole(event, MANAGERS);
		const parsed = parseForm(
			decisionFormSchema,
			formText(await event.request.formData(), ['id']),
			'delete'
		);
		if (!parsed.ok) return parsed.failure;
		try {
			await deleteReward(getStore(), parsed.data.id, { userId: user.id }, Date.now());
			return { action: 'delete' as const, success: true as const, message: m.rewards_deleted() };
		} catch (error) {
			return refuseError(error, 'delete');
		}
	},
	programme: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const values = programmeFormValues(form);
		const seasonId = Number(form.get('seasonId'));
		const parsed = parseForm(programmeFormSchema, values, 'programme', values);
		if (!parsed.ok) return parsed.failure;
		try {
			await saveProgramme(getStore(), seasonId, parsed.data, { userId: user.id }, Date.now());
			return {
				action: 'programme' as const,
				success: true as const,
				message: m.rewards_programme_saved()
			};
		} catch (error) {
			return refuseError(error, 'programme', values);
		}
	},
	approve: (event) =>
		decide(event, 'approve', (id, actor) => approveRedemption(getStore(), id, actor, Date.now())),
	fulfil: (event) =>
		decide(event, 'fulfil', (id, actor) => fulfilRedemption(getStore(), id, actor, Date.now())),
	reject: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = formText(await event.request.formData(), ['id', 'reason']);
		const parsed = parseForm(rejectFormSchema, values, 'reject', values);
		if (!parsed.ok) return parsed.failure;
		try {
			await rejectRedemption(
				getStore(),
				parsed.data.id,
				parsed.data.reason,
				{ userId: user.id },
				Date.now()
			);
			return { action: 'reject' as const, success: true as const, message: m.rewards_rejected() };
		} catch (error) {
			return refuseError(error, 'reject', values);
		}
	}
};
