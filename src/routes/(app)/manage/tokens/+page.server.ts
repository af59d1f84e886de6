import * as z from 'zod';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getStore } from '$lib/server/db/store';
import { ADMINS, requireRole } from '$lib/server/auth/guards';
import { formText, parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { createApiToken, listApiTokens, revokeApiToken } from '$lib/server/auth/api-token';
import { TOKEN_ROLES } from '$lib/server/auth/token-roles';
import { TOKEN_FORM_FIELDS, tokenFormSchema, tokenRefusal } from '$lib/server/auth/token-form';
import { m } from '$lib/paraglide/messages.js';

const admin = (event: RequestEvent) => requireRole(event, ADMINS, m.tokens_admin_only());
const ROLE_HELP = {
	integration: m.tokens_role_help_integration,
	manager: m.tokens_role_help_manager,
	admin: m.tokens_role_help_admin
};

export const load: PageServerLoad = async (event) => {
	admin(event);
	return {
		tokens: await listApiTokens(getStore()),
		roles: TOKEN_ROLES.map((role) => ({ role, help: ROLE_HELP[role]() })),
		now: Date.now()
	};
};

export const actions = {
	create: async (event) => {
		const user = admin(event);
		const values = formText(await event.request.formData(), TOKEN_FORM_FIELDS);
		const parsed = parseForm(tokenFormSchema(), values, 'create', values);
		if (!parsed.ok) return parsed.failure;
		try {
			const { token } = await createApiToken(
				getStore(),
				{ name: parsed.data.name, role: parsed.data.role, expiresAt: parsed.data.expiresOn },
				{ userId: user.id }
			);
			return {
				action: 'create' as const,
				success: true as const,
				created: { name: parsed.data.name, role: parsed.data.role, token }
			};
		} catch (e) {
			return refuseError(tokenRefusal(e), 'create', values);
		}
	},
	revoke: async (event) => {
		const user = admin(event);
		const id = z.coerce
			.number()
			.int()
			.positive()
			.safeParse((await event.request.formData()).get('id'));
		if (!id.success) return refuse(400, 'revoke', m.tokens_choose());
		try {
			const revoked = await revokeApiToken(getStore(), { id: id.data }, { userId: user.id });
			return {
				action: 'revoke' as const,
				success: true as const,
				message: m.tokens_revoked_notice({ name: revoked.name })
			};
		} catch (e) {
			return refuseError(tokenRefusal(e), 'revoke');
		}
	}
} satisfies Actions;
