import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { acceptInvite, findInvite, InviteError } from '$lib/server/people/invites';
import { createSession, generateSessionToken } from '$lib/server/auth/session';
import { setSessionTokenCookie } from '$lib/server/auth/cookie';
import { invitedSeason } from '$lib/server/people/invites';

// An invitation link: no sign-in needed; the token in the URL is the credential. Setting a
// password accepts it (once) and signs the person in.

function lookup(token: string) {
	const db = getDb();
	try {
		const found = findInvite(db, token);
		const s = invitedSeason(db, token);
		return {
			ok: true as const,
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
	} catch (e) {
		if (e instanceof InviteError) return { ok: false as const, code: e.code, message: e.message };
		throw e;
	}
}

export const load: PageServerLoad = ({ params, locals }) => ({
	invite: lookup(params.token),
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
		const form = await event.request.formData();
		const parsed = passwordSchema.safeParse({
			password: String(form.get('password') ?? ''),
			confirm: String(form.get('confirm') ?? '')
		});
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			return fail(400, { message: issue.message, field: String(issue.path[0]) });
		}
		const db = getDb();
		let userId: number;
		try {
			userId = await acceptInvite(db, event.params.token, parsed.data.password);
		} catch (e) {
			if (e instanceof InviteError)
				return fail(e.code === 'weak_password' ? 400 : 410, {
					message: e.message,
					field: e.code === 'weak_password' ? 'password' : null
				});
			throw e;
		}
		const token = generateSessionToken();
		const session = createSession(db, token, userId);
		setSessionTokenCookie(event, token, session.expiresAt);
		redirect(303, '/');
	}
};
