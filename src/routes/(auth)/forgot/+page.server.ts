import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { normalizeEmail } from '$lib/server/people/users';
import { waitInWords } from '$lib/server/auth/rate-limit';
import { mailConfigured } from '$lib/server/notify/mail/config';
import { requestSelfReset } from '$lib/server/notify/mail/self-reset';
import { refuse } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

// "Forgot your password?": only once mail really leaves (SMTP_URL set); without it, people ask
// a manager for a link, as the sign-in page says.

export const load: PageServerLoad = () => {
	if (!mailConfigured()) error(404, { message: m.forgot_unavailable() });
	return {};
};

export const actions: Actions = {
	default: async (event) => {
		if (!mailConfigured()) error(404, { message: m.forgot_unavailable() });
		const form = await event.request.formData();
		const email = normalizeEmail(String(form.get('email') ?? ''));
		const values = { email };
		if (!email) return refuse(400, 'default', m.forgot_enter_email(), { values });
		if (email.length > 254 || !email.includes('@'))
			return refuse(400, 'default', m.forgot_not_an_email(), { values });
		const answer = await requestSelfReset(
			getStore(),
			{ email, address: event.getClientAddress() },
			Date.now()
		);
		if (!answer.ok) {
			event.setHeaders({ 'retry-after': String(Math.ceil(answer.retryAfter / 1000)) });
			return refuse(429, 'default', m.forgot_too_many({ wait: waitInWords(answer.retryAfter) }), {
				values
			});
		}
		// The same answer whether or not the address has an account.
		return { action: 'default' as const, sent: true, email };
	}
};
