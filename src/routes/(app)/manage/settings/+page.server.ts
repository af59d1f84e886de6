import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getDb } from '$lib/server/db';
import { ADMINS, requireRole } from '$lib/server/auth/guards';
import { formText, parseForm, refuseError } from '$lib/server/shared/form';
import { getOrganisation, setOrganisation } from '$lib/server/organisation/settings';
import { SETTINGS_FORM_FIELDS, settingsFormSchema } from '$lib/server/organisation/settings-form';
import { m } from '$lib/paraglide/messages.js';

const admin = (event: RequestEvent) => requireRole(event, ADMINS, m.settings_admin_only());

export const load: PageServerLoad = (event) => {
	admin(event);
	return { settings: getOrganisation(getDb()) };
};

export const actions = {
	save: async (event) => {
		const user = admin(event);
		const values = formText(await event.request.formData(), SETTINGS_FORM_FIELDS);
		const parsed = parseForm(settingsFormSchema, values, 'save', values);
		if (!parsed.ok) return parsed.failure;
		try {
			setOrganisation(getDb(), parsed.data, { userId: user.id });
			return { action: 'save' as const, success: true as const, message: m.settings_saved() };
		} catch (e) {
			return refuseError(e, 'save', values);
		}
	}
} satisfies Actions;
