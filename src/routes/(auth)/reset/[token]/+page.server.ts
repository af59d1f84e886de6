import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { findReset, resetPassword } from '$lib/server/auth/password-reset';
import { createSession, generateSessionToken } from '$lib/server/auth/session';
import { setSessionTokenCookie } from '$lib/server/auth/cookie';
import { AppError } from '$lib/server/shared/errors';
import { formText, parseForm, refuseError } from '$lib/server/shared/form';

// A password-reset link: no sign-in needed; the token in the URL is the credential. Setting a
// new password uses it (once), ends every other session of the person and signs them in.

function lookup(token: string) {
	try {
		const found = findReset(getDb(), token);
		return { ok: true as const, name: found.name, email: found.email };
	} catch (e) {
		if (e instanceof AppError) return { ok: false as const, code: e.code, message: e.message };
		throw e;
	}
}

export const load: PageServerLoad = ({ params, locals }) => ({
	reset: lookup(params.token),
	signedIn: !!locals.user
});

const passwordSchema = z
	.object({
		password: z
			.string()
			.min(8, 'Choose a password of at least 8 characters')
			.max(256, 'That password is too long'),
		confirm: z.string()
	})
	.refine((v) => v.password === v.confirm, {
		message: 'The two passwords do not match',
		path: ['confirm']
	});

export const actions: Actions = {
	default: async (event) => {
		const input = formText(await event.request.formData(), ['password', 'confirm']);
		// Passwords are never sent back to the page.
		const parsed = parseForm(passwordSchema, input, 'default');
		if (!parsed.ok) return parsed.failure;
		const db = getDb();
		let userId: number;
		try {
			userId = await resetPassword(db, event.params.token, parsed.data.password);
		} catch (e) {
			return refuseError(e, 'default');
		}
		const token = generateSessionToken();
		const session = createSession(db, token, userId);
		setSessionTokenCookie(event, token, session.expiresAt);
		redirect(303, '/');
	}
};
