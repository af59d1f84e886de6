import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getStore } from '$lib/server/db/store';
import { ADMINS, requireRole } from '$lib/server/auth/guards';
import { formText, parseForm, refuseError } from '$lib/server/shared/form';
import { readOrganisation, setOrganisation } from '$lib/server/organisation/settings';
import { SETTINGS_FORM_FIELDS, settingsFormSchema } from '$lib/server/organisation/settings-form';
import { m } from '$lib/paraglide/messages.js';

const admin = (event: RequestEvent) => requireRole(event, ADMINS, m.settings_admin_only());

export const load: PageServerLoad = async (event) => {
	admin(event);
	const store = getStore();
	return { settings: await readOrganisation(store.db, store) };
};

export const actions = {
	save: async (event) => {
		const user = admin(event);
		const values = formText(await event.request.formData(), SETTINGS_FORM_FIELDS);
		const parsed = parseForm(settingsFormSchema, values, 'save', values);
		if (!parsed.ok) return parsed.failure;
		try {
			await setOrganisation(getStore(), parsed.data, { userId: user.id });
			return { action: 'save' as const, success: true as const, message: m.settings_saved() };
		} catch (e) {
			return refuseError(e, 'save', values);
		}
	}
} satisfies Actions;
