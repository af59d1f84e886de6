import type { Actions, PageServerLoad } from './$types';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeasons } from '$lib/server/rewards/catalogue';
import { getStore } from '$lib/server/db/store';
import { retryWhenBusy } from '$lib/server/db';
import { importQuotas, quotaSheet, removeQuota, setQuota } from '$lib/server/quotas/commands';
import { parseQuotaCsv } from '$lib/server/quotas/quota-csv';
import { quotaFormSchema, quotaFormValues, removeFormSchema } from '$lib/server/quotas/quota-form';
import { formText, parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

const MAX_FILE = 2 * 1024 * 1024;

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const store = getStore();
	const seasons = await consoleSeasons(store);
	const asked = Number(event.url.searchParams.get('season'));
	const seasonId = seasons.find((s) => s.id === asked)?.id ?? seasons[0]?.id ?? null;
	return { seasons, seasonId, sheet: seasonId ? await quotaSheet(store, seasonId) : [] };
};

export const actions: Actions = {
	set: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = quotaFormValues(await event.request.formData());
		const parsed = parseForm(quotaFormSchema, values, 'set', values);
		if (!parsed.ok) return parsed.failure;
		try {
			await retryWhenBusy(() => setQuota(getStore(), parsed.data, { userId: user.id }, Date.now()));
			return { action: 'set' as const, success: true as const, message: m.quotas_saved() };
		} catch (error) {
			return refuseError(error, 'set', values);
		}
	},
	remove: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = formText(await event.request.formData(), ['seasonId', 'subject']);
		const parsed = parseForm(removeFormSchema, values, 'remove');
		if (!parsed.ok) return parsed.failure;
		try {
			await retryWhenBusy(() =>
				removeQuota(getStore(), parsed.data, { userId: user.id }, Date.now())
			);
			return { action: 'remove' as const, success: true as const, message: m.quotas_removed() };
		} catch (error) {
			return refuseError(error, 'remove');
		}
	},
	import: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const seasonId = Number(form.get('seasonId'));
		const file = form.get('file');
		if (!(file instanceof File) || file.size === 0)
			return refuse(400, 'import', m.quotas_import_no_file(), {
				errors: { file: m.quotas_import_no_file() }
			});
		if (file.size > MAX_FILE)
			return refuse(400, 'import', m.quotas_import_too_big(), {
				errors: { file: m.quotas_import_too_big() }
			});
		const store = getStore();
		const { quotas, errors } = await parseQuotaCsv(store, seasonId, await file.text());
		if (errors.length > 0)
			return refuse(400, 'import', m.quotas_import_refused({ n: errors.length }), {
				problems: errors
			});
		try {
			const n = await retryWhenBusy(() =>
				importQuotas(store, seasonId, quotas, { userId: user.id }, Date.now())
			);
			return {
				action: 'import' as const,
				success: true as const,
				message: m.quotas_imported({ n })
			};
		} catch (error) {
			return refuseError(error, 'import');
		}
	}
};
