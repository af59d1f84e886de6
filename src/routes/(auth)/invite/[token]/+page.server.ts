import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { acceptInvite, findInvite, invitedSeason } from '$lib/server/people/invites';
import { readLink, setPasswordAction } from '$lib/server/auth/password-link';

// An invitation link: no sign-in needed; the token in the URL is the credential. Setting a
// password accepts it (once) and signs the person in.

export const load: PageServerLoad = async ({ params, locals }) => ({
	invite: await readLink(async () => {
		const store = getStore();
		const found = await findInvite(store, params.token);
		const s = await invitedSeason(store, params.token);
		return {
			name: found.name,
			email: found.email,
			season: s
				? {
						name: s.name,
						emoji: s.theme.emoji,
						primary: s.theme.primary,
						accent: s.theme.accent,
						tagline: s.theme.tagline
					}
				: null
		};
	}),
	signedIn: !!locals.user
});

export const actions: Actions = { default: setPasswordAction(acceptInvite) };
