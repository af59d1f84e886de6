import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { formText, parseForm, refuse } from '$lib/server/shared/form';
import {
	createAuditedDisplay,
	revokeDisplayById,
	seasonDisplays
} from '$lib/server/displays/console';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const db = getDb();
	const season = consoleSeason();
	return {
		season: season ? { id: season.id, name: season.name, timeZone: season.timeZone } : null,
		displays: season ? seasonDisplays(db, season.id) : [],
		now: Date.now()
	};
};

const nameSchema = z.object({
	name: z
		.string()
		.trim()
		.min(1, 'Give the screen a name, e.g. "Lobby" or "Sales floor".')
		.max(60, 'Keep the name under 60 characters.')
});

const idSchema = z.coerce.number().int().positive();

export const actions: Actions = {
	create: async (event) => {
		const user = requireRole(event, MANAGERS);
		const values = formText(await event.request.formData(), ['name']);
		const parsed = parseForm(nameSchema, values, 'create', values);
		if (!parsed.ok) return parsed.failure;
		const { name } = parsed.data;
		const db = getDb();
		const season = consoleSeason();
		if (!season) {
			return refuse(409, 'create', 'No season is live: a display shows a live season.', {
				values
			});
		}
		const { token } = createAuditedDisplay(db, season.id, name, { userId: user.id }, Date.now());
		return {
			action: 'create' as const,
			success: true as const,
			message: `Display "${name}" created`,
			created: { name, url: `${event.url.origin}/tv/${token}` }
		};
	},

	revoke: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const id = idSchema.safeParse(form.get('id'));
		if (!id.success) return refuse(400, 'revoke', 'Choose a display to revoke.');
		const db = getDb();
		const season = consoleSeason();
		if (!season) return refuse(409, 'revoke', 'No season is live.');
		const result = revokeDisplayById(db, season.id, id.data, { userId: user.id }, Date.now());
		if (result.status === 'not_found') {
			return refuse(404, 'revoke', 'This display is not one of the live season.');
		}
		return {
			action: 'revoke' as const,
			success: true as const,
			message:
				result.status === 'revoked'
					? `Display "${result.name}" revoked: the screen goes dark within a few seconds`
					: `Display "${result.name}" was already revoked`
		};
	}
};
