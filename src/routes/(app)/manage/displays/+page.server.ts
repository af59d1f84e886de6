import * as z from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { readOrganisation } from '$lib/server/organisation/settings';
import { LOCALES } from '$lib/i18n/locales';
import { m } from '$lib/paraglide/messages.js';
import { formText, parseForm, refuse } from '$lib/server/shared/form';
import {
	createAuditedDisplay,
	revokeDisplayById,
	seasonDisplays
} from '$lib/server/displays/console';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const store = getStore();
	const season = await consoleSeason();
	return {
		season: season ? { id: season.id, name: season.name, timeZone: season.timeZone } : null,
		displays: season ? await seasonDisplays(store, season.id) : [],
		// A new TV speaks the organisation's language unless the manager picks another.
		defaultLocale: (await readOrganisation(store.db, store)).defaultLocale,
		now: Date.now()
	};
};

// Built per request: its messages are in the manager's language.
const displaySchema = () =>
	z.object({
		name: z.string().trim().min(1, m.displays_name_required()).max(60, m.displays_name_too_long()),
		// Only a tampered form sends a language the select does not offer.
		locale: z.enum(LOCALES, m.common_error_generic())
	});

const idSchema = z.coerce.number().int().positive();

export const actions: Actions = {
	create: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = formText(await event.request.formData(), ['name', 'locale']);
		const store = getStore();
		// No language sent (an old form, a script): the organisation's.
		values.locale ||= (await readOrganisation(store.db, store)).defaultLocale;
		const parsed = parseForm(displaySchema(), values, 'create', values);
		if (!parsed.ok) return parsed.failure;
		const { name, locale } = parsed.data;
		const season = await consoleSeason();
		if (!season) {
			return refuse(409, 'create', m.displays_no_live_create(), { values });
		}
		const { token } = await createAuditedDisplay(
			store,
			season.id,
			name,
			{ userId: user.id },
			Date.now(),
			locale
		);
		return {
			action: 'create' as const,
			success: true as const,
			message: m.displays_created({ name }),
			created: { name, url: `${event.url.origin}/tv/${token}` }
		};
	},

	revoke: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const id = idSchema.safeParse(form.get('id'));
		if (!id.success) return refuse(400, 'revoke', m.displays_choose_revoke());
		const season = await consoleSeason();
		if (!season) return refuse(409, 'revoke', m.displays_no_live());
		const result = await revokeDisplayById(
			getStore(),
			season.id,
			id.data,
			{ userId: user.id },
			Date.now()
		);
		if (result.status === 'not_found') {
			return refuse(404, 'revoke', m.displays_not_in_season());
		}
		return {
			action: 'revoke' as const,
			success: true as const,
			message:
				result.status === 'revoked'
					? m.displays_revoked_done({ name: result.name })
					: m.displays_already_revoked({ name: result.name })
		};
	}
};
