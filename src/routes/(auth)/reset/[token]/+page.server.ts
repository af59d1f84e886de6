import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { findReset, resetPassword } from '$lib/server/auth/password-reset';
import { readLink, setPasswordAction } from '$lib/server/auth/password-link';

// A password-reset link: no sign-in needed; the token in the URL is the credential. Setting a
// new password uses it (once), ends every other session of the person and signs them in.

export const load: PageServerLoad = async ({ params, locals }) => ({
	reset: await readLink(async () => {
		const found = await findReset(getStore(), params.token);
		return { name: found.name, email: found.email };
	}),
	signedIn: !!locals.user
});

export const actions: Actions = { default: setPasswordAction(resetPassword) };
