import { redirect, type RequestEvent } from '@sveltejs/kit';
import * as z from 'zod';
import { getStore, type Store } from '../db/store';
import { createSession, generateSessionToken } from './session';
import { setSessionTokenCookie } from './cookie';
import { AppError } from '../shared/errors';
import { formText, parseForm, refuseError } from '../shared/form';
import { m } from '../../paraglide/messages.js';

// The pages behind a single-use link that sets a password (an invitation, a reset): the token in
// the URL is the credential. Both read the link the same way and set the password the same way.

/** What the page shows about a link: its details, or why it no longer works. */
export async function readLink<T extends object>(find: () => Promise<T>) {
	try {
		return { ok: true as const, ...(await find()) };
	} catch (e) {
		if (e instanceof AppError) return { ok: false as const, code: e.code, message: e.message };
		throw e;
	}
}

export const newPasswordSchema = z
	.object({
		password: z
			.string()
			.min(8, { error: () => m.auth_password_too_short() })
			.max(256, { error: () => m.auth_password_too_long() }),
		confirm: z.string()
	})
	.refine((v) => v.password === v.confirm, {
		error: () => m.auth_passwords_differ(),
		path: ['confirm']
	});

/**
 * The form action: checks the two passwords, uses the link (`use` sets the password once and
 * returns the person's id), then signs the person in and goes to the board.
 */
export function setPasswordAction(
	use: (store: Store, token: string, password: string) => Promise<number>
) {
	return async (event: RequestEvent<{ token: string }>) => {
		const input = formText(await event.request.formData(), ['password', 'confirm']);
		// Passwords are never sent back to the page.
		const parsed = parseForm(newPasswordSchema, input, 'default');
		if (!parsed.ok) return parsed.failure;
		const store = getStore();
		let userId: number;
		try {
			userId = await use(store, event.params.token, parsed.data.password);
		} catch (e) {
			return refuseError(e, 'default');
		}
		const token = generateSessionToken();
		const session = await createSession(store, token, userId);
		setSessionTokenCookie(event, token, session.expiresAt);
		redirect(303, '/');
	};
}
