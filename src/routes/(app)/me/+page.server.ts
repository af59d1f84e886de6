import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { requireUser } from '$lib/server/auth/guards';
import { readPlayersCount, readStanding } from '$lib/server/boards/leaderboard';
import { readPersonHistory } from '$lib/server/boards/person-history';
import { readLocaleChoice, setOwnLocale } from '$lib/server/people/own-locale';
import { refuse } from '$lib/server/shared/form';
import { isLocale } from '$lib/i18n/locales';
import {
	readReceiveForm,
	receiveChoices,
	saveReceiveChoices
} from '$lib/server/notify/digest/receive-form';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = async ({ parent }) => {
	const { season, user, membership } = await parent();
	const locale = isLocale(user.locale) ? user.locale : null;
	const receive = await receiveChoices(getStore(), user.id, user.role);
	if (!season || !membership)
		return { history: [], me: null, timeZone: season?.timeZone ?? 'UTC', locale, receive };
	// One person's place through the rank index, not the whole ranking.
	return {
		history: await readPersonHistory(getStore(), season.id, user.id),
		me: (await readStanding(getStore(), season.id, user.id))?.entry ?? null,
		of: await readPlayersCount(getStore(), season.id),
		timeZone: season.timeZone,
		locale,
		receive
	};
};

export const actions: Actions = {
	language: async (event) => {
		const user = requireUser(event);
		const choice = readLocaleChoice((await event.request.formData()).get('locale'));
		if (!choice.ok) return refuse(400, 'language', m.me_language_invalid());
		await setOwnLocale(getStore(), user.id, choice.locale);
		// The language of a page is chosen before its action runs: a fresh load speaks the new one.
		redirect(303, '/me');
	},
	receive: async (event) => {
		const user = requireUser(event);
		const choices = readReceiveForm(await event.request.formData());
		if (!choices) return refuse(400, 'receive', m.me_receive_invalid());
		await saveReceiveChoices(getStore(), user.id, choices);
		return { action: 'receive' as const, saved: true };
	}
};
