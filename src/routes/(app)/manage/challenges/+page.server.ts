import type { Actions, PageServerLoad } from './$types';
import { retryWhenBusy } from '$lib/server/db';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { readDuels } from '$lib/server/challenges/view';
import { challengeChoices, stakeBudget } from '$lib/server/challenges/standings';
import { createDuel, pairAutomatically, setStakeBudget } from '$lib/server/challenges/commands';
import {
	DUEL_FORM_FIELDS,
	PAIRING_FORM_FIELDS,
	budgetFormSchema,
	duelFormSchema,
	pairingFormSchema
} from '$lib/server/challenges/challenge-form';
import { formText, parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const season = await consoleSeason();
	if (!season) return { season: null };
	const store = getStore();
	return {
		season: {
			id: season.id,
			name: season.name,
			timeZone: season.timeZone,
			live: season.status === 'live'
		},
		budget: await stakeBudget(store, season.id),
		duels: await readDuels(store, season.id, undefined, 200),
		choices: await challengeChoices(store, season.id, 0, null),
		requestId: crypto.randomUUID()
	};
};

async function season() {
	const s = await consoleSeason();
	return s ?? null;
}

export const actions: Actions = {
	budget: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = formText(await event.request.formData(), ['budget'] as const);
		const parsed = parseForm(budgetFormSchema, values, 'budget', values);
		if (!parsed.ok) return parsed.failure;
		const s = await season();
		if (!s) return refuse(404, 'budget', m.challenges_error_not_found());
		try {
			await retryWhenBusy(() =>
				setStakeBudget(getStore(), { seasonId: s.id, actorId: user.id, budget: parsed.data.budget })
			);
			return { action: 'budget' as const, success: true as const };
		} catch (error) {
			return refuseError(error, 'budget', values);
		}
	},
	pair: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = formText(await event.request.formData(), PAIRING_FORM_FIELDS);
		const parsed = parseForm(pairingFormSchema, values, 'pair', values);
		if (!parsed.ok) return parsed.failure;
		const s = await season();
		if (!s) return refuse(404, 'pair', m.challenges_error_not_found());
		try {
			const made = await retryWhenBusy(() =>
				pairAutomatically(getStore(), {
					...parsed.data,
					requestId: `${user.id}:${parsed.data.requestId}`,
					seasonId: s.id,
					actorId: user.id
				})
			);
			return { action: 'pair' as const, success: true as const, count: made.created.length };
		} catch (error) {
			return refuseError(error, 'pair', values);
		}
	},
	create: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = formText(await event.request.formData(), DUEL_FORM_FIELDS);
		const parsed = parseForm(duelFormSchema, values, 'create', values);
		if (!parsed.ok) return parsed.failure;
		const s = await season();
		if (!s) return refuse(404, 'create', m.challenges_error_not_found());
		try {
			await retryWhenBusy(() =>
				createDuel(getStore(), {
					...parsed.data,
					requestId: `${user.id}:${parsed.data.requestId}`,
					seasonId: s.id,
					actor: { userId: user.id }
				})
			);
			return { action: 'create' as const, success: true as const, count: 1 };
		} catch (error) {
			return refuseError(error, 'create', values);
		}
	}
};
