import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { acceptInvite, findInvite, invitedSeason } from '$lib/server/people/invites';
import { readLink, setPasswordAction } from '$lib/server/auth/password-link';

// An invitation link: no sign-in needed; the token in the URL is the credential. Setting a
// password accepts it (once) and signs the person in.

export const load: PageServerLoad = ({ params, locals }) => ({
	invite: readLink(() => {
		const db = getDb();
		const found = findInvite(db, params.token);
		const s = invitedSeason(db, params.token);
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
