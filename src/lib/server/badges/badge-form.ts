import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { listProducts } from '$lib/server/seasons/queries';
import { consoleSeason } from '$lib/server/seasons/choice';
import {
	BadgeAdminError,
	CRITERIA,
	createBadge,
	emptyBadgeValues,
	parseBadge,
	readBadgeValues,
	updateBadge,
	type BadgeErrors,
	type BadgeValues
} from '$lib/server/badges/admin';

// The new and edit pages share one form and its save action. `editing` names the badge being
// edited (read after the role check); none for a new one.

function currentSeason() {
	const season = consoleSeason();
	if (!season) error(404, { message: 'No season is live, so there are no badges to manage.' });
	return season;
}

function categoriesOf(seasonId: number): string[] {
	return [...new Set(listProducts(getDb(), seasonId).map((p) => p.category))].sort();
}

export function badgeFormData(values?: BadgeValues) {
	const season = currentSeason();
	return {
		season: { id: season.id, name: season.name },
		criteria: CRITERIA,
		categories: categoriesOf(season.id),
		values: values ?? emptyBadgeValues()
	};
}

export function badgeFormActions(editing?: (event: RequestEvent) => number) {
	return {
		save: async (event: RequestEvent) => {
			const user = requireRole(event, MANAGERS);
			const editingId = editing?.(event);
			const season = currentSeason();
			const values = readBadgeValues(await event.request.formData());
			const parsed = parseBadge(values, { categories: categoriesOf(season.id) });
			if (!parsed.ok) {
				return fail(400, {
					values,
					errors: parsed.errors as BadgeErrors,
					message: 'Nothing was saved: fix the highlighted fields.'
				});
			}
			const db = getDb();
			let saved;
			try {
				saved =
					editingId === undefined
						? createBadge(db, season.id, parsed.draft, { userId: user.id })
						: updateBadge(db, season.id, editingId, parsed.draft, { userId: user.id });
			} catch (e) {
				if (e instanceof BadgeAdminError)
					return fail(404, { values, errors: {} as BadgeErrors, message: e.message });
				throw e;
			}
			redirect(303, `/manage/badges?saved=${saved.badge.id}&awarded=${saved.awarded}`);
		}
	};
}
