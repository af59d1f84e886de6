import type { Actions, PageServerLoad } from './$types';
import { retryWhenBusy } from '$lib/server/db';
import { getStore } from '$lib/server/db/store';
import { requireUser } from '$lib/server/auth/guards';
import { readBoardTop } from '$lib/server/boards/leaderboard';
import { readMembership } from '$lib/server/seasons/queries';
import { chosenSeason } from '$lib/server/seasons/choice';
import { balanceFor } from '$lib/server/rewards/balances';
import { formatsNow } from '$lib/server/realtime/publish';
import { readDuelsFor } from '$lib/server/challenges/view';
import { challengeChoices, stakeBudget } from '$lib/server/challenges/standings';
import {
	answerChallenge,
	cancelChallenge,
	proposeChallenge
} from '$lib/server/challenges/commands';
import { CHALLENGE_FORM_FIELDS, challengeFormSchema } from '$lib/server/challenges/challenge-form';
import { formText, parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

/** The live season the person duels in: the one chosen on the board, if they take part in it. */
async function duelSeason(
	event: Parameters<PageServerLoad>[0] | Parameters<Actions['propose']>[0]
) {
	const store = getStore();
	const user = requireUser(event);
	const { season } = await chosenSeason(store, user, event.url, event.cookies);
	const membership = season ? await readMembership(store, season.id, user.id) : undefined;
	return season && season.status === 'live' && membership ? { season, membership, user } : null;
}

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const taking = await duelSeason(event);
	if (!taking) return { member: false as const };
	const store = getStore();
	const { season, membership } = taking;
	const { budget, left } = await stakeBudget(store, season.id);
	const balance = (await balanceFor(store.db, store, season.id, user.id)).balance;
	return {
		member: true as const,
		seasonId: season.id,
		timeZone: season.timeZone,
		teamId: membership.teamId,
		duels: await readDuelsFor(store, season.id, user.id, membership.teamId),
		choices: await challengeChoices(store, season.id, user.id, membership.teamId),
		stake: { budget, left, max: Math.max(0, Math.min(balance, left)) },
		board: await readBoardTop(store, season.id, { viewerId: user.id }),
		formats: await formatsNow(store, season.id),
		// One id per filled-in form: a double tap or a retried post makes the challenge once.
		requestId: crypto.randomUUID()
	};
};

const idOf = (form: FormData) => {
	const id = Number(form.get('challengeId'));
	return Number.isInteger(id) && id > 0 ? id : null;
};

export const actions: Actions = {
	propose: async (event) => {
		const values = formText(await event.request.formData(), CHALLENGE_FORM_FIELDS);
		const parsed = parseForm(challengeFormSchema, values, 'propose', values);
		if (!parsed.ok) return parsed.failure;
		const taking = await duelSeason(event);
		if (!taking) return refuse(403, 'propose', m.challenges_error_not_member(), { values });
		try {
			const { user, season } = taking;
			const made = await retryWhenBusy(() =>
				proposeChallenge(getStore(), {
					...parsed.data,
					// Per person: another person's form can never replay this one.
					requestId: `${user.id}:${parsed.data.requestId}`,
					seasonId: season.id,
					userId: user.id
				})
			);
			return { action: 'propose' as const, success: true as const, repeated: !made.created };
		} catch (error) {
			return refuseError(error, 'propose', values);
		}
	},
	answer: async (event) => {
		const user = requireUser(event);
		const form = await event.request.formData();
		const challengeId = idOf(form);
		const decision = form.get('decision');
		if (!challengeId || (decision !== 'accept' && decision !== 'decline'))
			return refuse(400, 'answer', m.challenges_error_not_found());
		try {
			const row = await retryWhenBusy(() =>
				answerChallenge(getStore(), { challengeId, userId: user.id, decision })
			);
			return { action: 'answer' as const, success: true as const, status: row.status };
		} catch (error) {
			return refuseError(error, 'answer');
		}
	},
	cancel: async (event) => {
		const user = requireUser(event);
		const challengeId = idOf(await event.request.formData());
		if (!challengeId) return refuse(400, 'cancel', m.challenges_error_not_found());
		try {
			await retryWhenBusy(() => cancelChallenge(getStore(), { challengeId, userId: user.id }));
			return { action: 'cancel' as const, success: true as const };
		} catch (error) {
			return refuseError(error, 'cancel');
		}
	}
};
