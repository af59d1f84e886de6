import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { adminNames, normalizeEmail, readUserByEmail } from '$lib/server/people/users';
import { decoyHash, verifyPassword } from '$lib/server/auth/password';
import { createSession, generateSessionToken } from '$lib/server/auth/session';
import { setSessionTokenCookie } from '$lib/server/auth/cookie';
import { beginSignIn, signInSucceeded, waitInWords } from '$lib/server/auth/rate-limit';
import { refuse } from '$lib/server/shared/form';
import { log } from '$lib/server/shared/log';
import { mailConfigured } from '$lib/server/notify/mail/config';
import { m } from '$lib/paraglide/messages.js';

/** Only same-site paths, so that the login page cannot be used to redirect elsewhere. */
function safeRedirect(target: string | null): string {
	return target && target.startsWith('/') && !target.startsWith('//') ? target : '/';
}

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, safeRedirect(url.searchParams.get('redirectTo')));
	// With mail configured, people reset their own password (/forgot); else they ask an admin.
	return { admins: await adminNames(getStore()), selfReset: mailConfigured() };
};

export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		const email = normalizeEmail(String(form.get('email') ?? ''));
		const password = String(form.get('password') ?? '');
		// The email is shown again, so that only the password needs retyping.
		const values = { email };
		if (!email || !password) return refuse(400, 'default', m.auth_enter_both(), { values });
		if (email.length > 254 || password.length > 256)
			return refuse(400, 'default', m.auth_wrong(), { values });

		const user = await readUserByEmail(getStore(), email);
		const tooMany = (wait: number) => {
			event.setHeaders({ 'retry-after': String(Math.ceil(wait / 1000)) });
			return refuse(429, 'default', m.auth_too_many({ wait: waitInWords(wait) }), { values });
		};
		// Counted before the slow check, so that simultaneous guesses cannot slip past the limit.
		const attempt = await beginSignIn(
			getStore(),
			{ email, address: event.getClientAddress(), known: !!user },
			Date.now()
		);
		if (!attempt.ok) return tooMany(attempt.retryAfter);

		const valid = user
			? await verifyPassword(user.passwordHash, password)
			: (await verifyPassword(await decoyHash(), password), false);
		// A wrong password that only got checked because its account had not failed before gets the
		// address's wait, as an email without an account would (rate-limit.ts).
		if (!user || !valid)
			return attempt.addressWait > 0
				? tooMany(attempt.addressWait)
				: refuse(400, 'default', m.auth_wrong(), { values });
		await signInSucceeded(getStore(), attempt.keys);
		log.info({ userId: user.id }, 'signed in');

		const token = generateSessionToken();
		const session = await createSession(getStore(), token, user.id);
		setSessionTokenCookie(event, token, session.expiresAt);
		redirect(303, safeRedirect(event.url.searchParams.get('redirectTo')));
	}
};
