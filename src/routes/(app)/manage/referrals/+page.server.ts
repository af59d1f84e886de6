import * as z from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { getReviewSeason } from '$lib/server/seasons/queries';
import { confirmReferral, rejectReferral } from '$lib/server/referrals/decide';
import { referralSettings, saveReferralSettings } from '$lib/server/referrals/programme';
import { confirmedSalesFor, listReferrals, referralCounts } from '$lib/server/referrals/queries';
import {
	confirmFormSchema,
	REFERRAL_STATUSES,
	rejectFormSchema,
	settingsFormSchema
} from '$lib/server/referrals/referral-form';
import { formText, parseForm, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

// The filters are query parameters, so that a filtered list can be shared as a link; a value
// that does not parse shows the open referrals.
const filtersSchema = z.object({
	season: z.coerce.number().int().positive().optional().catch(undefined),
	status: z.enum([...REFERRAL_STATUSES, 'all']).catch('open')
});

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const store = getStore();
	const q = event.url.searchParams;
	const filters = filtersSchema.parse({
		season: q.get('season') ?? undefined,
		status: q.get('status') ?? 'open'
	});
	const { season, seasons } = await getReviewSeason(store, Date.now(), filters.season);
	if (!season) return { season: null, status: filters.status };
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		seasons: seasons.map((s) => ({ id: s.id, name: s.name })),
		status: filters.status,
		settings: await referralSettings(store, season.id),
		counts: await referralCounts(store, season.id),
		referrals: await listReferrals(store, {
			seasonId: season.id,
			status: filters.status === 'all' ? undefined : filters.status
		}),
		sales: await confirmedSalesFor(store, season.id)
	};
};

export const actions: Actions = {
	confirm: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = formText(await event.request.formData(), ['id', 'saleId']);
		const parsed = parseForm(confirmFormSchema, values, 'confirm', values);
		if (!parsed.ok) return parsed.failure;
		try {
			await confirmReferral(
				getStore(),
				parsed.data.id,
				{ saleId: parsed.data.saleId },
				{ userId: user.id }
			);
			return {
				action: 'confirm' as const,
				success: true as const,
				message: m.referral_confirmed_notice({ id: parsed.data.id })
			};
		} catch (error) {
			return refuseError(error, 'confirm', values);
		}
	},
	reject: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = formText(await event.request.formData(), ['id', 'reason']);
		const parsed = parseForm(rejectFormSchema, values, 'reject', values);
		if (!parsed.ok) return parsed.failure;
		try {
			await rejectReferral(getStore(), parsed.data.id, parsed.data.reason, { userId: user.id });
			return {
				action: 'reject' as const,
				success: true as const,
				message: m.referral_rejected_notice({ id: parsed.data.id })
			};
		} catch (error) {
			return refuseError(error, 'reject', values);
		}
	},
	settings: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = formText(await event.request.formData(), [
			'seasonId',
			'referralPoints',
			'referralLapseDays'
		]);
		const parsed = parseForm(settingsFormSchema, values, 'settings', values);
		if (!parsed.ok) return parsed.failure;
		try {
			const { seasonId, ...settings } = parsed.data;
			await saveReferralSettings(getStore(), seasonId, settings, { userId: user.id });
			return {
				action: 'settings' as const,
				success: true as const,
				message: m.referral_settings_saved()
			};
		} catch (error) {
			return refuseError(error, 'settings', values);
		}
	}
};
