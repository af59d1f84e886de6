import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
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

const nameSchema = z
	.string()
	.trim()
	.min(1, 'Give the screen a name, e.g. "Lobby" or "Sales floor".')
	.max(60, 'Keep the name under 60 characters.');

const idSchema = z.coerce.number().int().positive();

export const actions: Actions = {
	create: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const values = { name: String(form.get('name') ?? '') };
		const parsed = nameSchema.safeParse(values.name);
		if (!parsed.success) {
			return fail(400, {
				form: 'create' as const,
				message: parsed.error.issues[0].message,
				values
			});
		}
		const db = getDb();
		const season = consoleSeason();
		if (!season) {
			const message = 'No season is live: a display shows a live season.';
			return fail(409, { form: 'create' as const, message, values });
		}
		const { token } = createAuditedDisplay(
			db,
			season.id,
			parsed.data,
			{ userId: user.id },
			Date.now()
		);
		return {
			form: 'create' as const,
			success: true as const,
			message: `Display "${parsed.data}" created`,
			created: { name: parsed.data, url: `${event.url.origin}/tv/${token}` }
		};
	},

	revoke: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const id = idSchema.safeParse(form.get('id'));
		if (!id.success)
			return fail(400, { form: 'revoke' as const, message: 'Choose a display to revoke.' });
		const db = getDb();
		const season = consoleSeason();
		if (!season) return fail(409, { form: 'revoke' as const, message: 'No season is live.' });
		const result = revokeDisplayById(db, season.id, id.data, { userId: user.id }, Date.now());
		if (result.status === 'not_found') {
			return fail(404, {
				form: 'revoke' as const,
				message: 'This display is not one of the live season.'
			});
		}
		return {
			form: 'revoke' as const,
			success: true as const,
			message:
				result.status === 'revoked'
					? `Display "${result.name}" revoked: the screen goes dark within a few seconds`
					: `Display "${result.name}" was already revoked`
		};
	}
};
