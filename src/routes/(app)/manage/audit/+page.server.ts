import type { PageServerLoad } from './$types';
import * as z from 'zod';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { auditLog } from '$lib/server/audit/log';

const querySchema = z.object({
	action: z
		.string()
		.trim()
		.max(64)
		.transform((s) => s || undefined)
		.optional()
		.catch(undefined),
	page: z.coerce.number().int().min(1).max(100_000).catch(1)
});

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const q = event.url.searchParams;
	const { action, page } = querySchema.parse({
		action: q.get('action') ?? undefined,
		page: q.get('page') ?? 1
	});
	// Dates in the live season's zone, like the rest of the console (UTC when none is live).
	const timeZone = (await consoleSeason())?.timeZone ?? 'UTC';
	return {
		action: action ?? null,
		timeZone,
		...(await auditLog(getStore(), { action, page, timeZone }))
	};
};
