import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { findUserByEmail, normalizeEmail } from '$lib/server/people/users';
import { decoyHash, verifyPassword } from '$lib/server/auth/password';
import { createSession, generateSessionToken } from '$lib/server/auth/session';
import { setSessionTokenCookie } from '$lib/server/auth/cookie';
import { loginLimits } from '$lib/server/auth/rate-limit';
import { refuse } from '$lib/server/shared/form';

/** Only same-site paths, so that the login page cannot be used to redirect elsewhere. */
function safeRedirect(target: string | null): string {
	return target && target.startsWith('/') && !target.startsWith('//') ? target : '/';
}

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeRedirect(url.searchParams.get('redirectTo')));
	return {};
};

const WRONG = 'That email and password do not match an account.';

export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		const email = normalizeEmail(String(form.get('email') ?? ''));
		const password = String(form.get('password') ?? '');
		// The email is shown again, so that only the password needs retyping.
		const values = { email };
		if (!email || !password)
			return refuse(400, 'default', 'Enter your email and password.', { values });
		if (email.length > 254 || password.length > 256)
			return refuse(400, 'default', WRONG, { values });

		const now = Date.now();
		const ip = event.getClientAddress();
		const wait = Math.max(
			loginLimits.account.retryAfter(email, now),
			loginLimits.ip.retryAfter(ip, now)
		);
		if (wait > 0) {
			const minutes = Math.ceil(wait / 60_000);
			return refuse(
				429,
				'default',
				`Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
				{ values }
			);
		}

		const db = getDb();
		const user = findUserByEmail(db, email);
		const valid = user
			? await verifyPassword(user.passwordHash, password)
			: (await verifyPassword(await decoyHash(), password), false);
		if (!user || !valid) {
			loginLimits.account.fail(email, now);
			loginLimits.ip.fail(ip, now);
			return refuse(400, 'default', WRONG, { values });
		}
		loginLimits.account.reset(email);

		const token = generateSessionToken();
		const session = createSession(db, token, user.id);
		setSessionTokenCookie(event, token, session.expiresAt);
		redirect(303, safeRedirect(event.url.searchParams.get('redirectTo')));
	}
};
