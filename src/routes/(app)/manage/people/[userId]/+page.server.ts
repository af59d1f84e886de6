import { error } from '@sveltejs/kit';
import * as z from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { findPersonSale, personInSeason, personName } from '$lib/server/people/participants';
import { adjustPoints } from '$lib/server/scoring/adjustments';
import { reviewSales } from '$lib/server/scoring/review';
import { formText, parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { accountOf, employeeNumberOf, setEmployeeNumber } from '$lib/server/people/users';
import { issueResetLink, mayReset, resetRefusal } from '$lib/server/auth/password-reset';
import { m } from '$lib/paraglide/messages.js';
import { points } from '$lib/format/numbers';

const userIdSchema = z.coerce.number().int().positive();

function personId(raw: string): number {
	const parsed = userIdSchema.safeParse(raw);
	if (!parsed.success) error(404, { message: m.people_no_person() });
	return parsed.data;
}

export const load: PageServerLoad = async (event) => {
	const user = requireRole(event, MANAGERS);
	const season = await consoleSeason();
	if (!season) error(404, { message: m.console_home_no_season() });
	const found = await personInSeason(getStore(), season.id, personId(event.params.userId));
	if (!found) error(404, { message: m.people_not_in_named_season({ season: season.name }) });
	const account = await accountOf(getStore(), found.person.id);
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		...found,
		self: found.person.id === user.id,
		employeeNumber: await employeeNumberOf(getStore(), found.person.id),
		// Whether this manager may issue a password-reset link for the person, and if not, why.
		reset: !account
			? { allowed: false, why: m.people_no_account() }
			: !mayReset(user, account)
				? {
						allowed: false,
						why: resetRefusal(user.id, account)
					}
				: !account.hasPassword
					? {
							allowed: false,
							why: m.people_reset_no_password()
						}
					: { allowed: true, why: null }
	};
};

const adjustSchema = z.object({
	points: z.coerce
		.number({ error: () => m.people_error_points_number() })
		.int({ error: () => m.people_error_points_whole() })
		.refine((n) => n !== 0, { error: () => m.people_error_points_zero() })
		.refine((n) => Math.abs(n) <= 100_000, {
			error: () => m.people_error_points_big({ max: points(100_000) })
		}),
	reason: z
		.string()
		.trim()
		.min(1, { error: () => m.people_error_reason() })
		.max(500, { error: () => m.people_error_reason_long() })
});

const reverseSchema = z.object({
	saleId: z.coerce.number().int().positive(),
	reason: z
		.string()
		.trim()
		.min(1, { error: () => m.people_error_reverse_reason() })
		.max(500, { error: () => m.people_error_reason_long() })
});

export const actions: Actions = {
	/** The person's employee number (a sales file's seller column may name them by it). */
	employeeNumber: async (event) => {
		requireRole(event, MANAGERS);
		const userId = personId(event.params.userId);
		const values = formText(await event.request.formData(), ['employeeNumber']);
		const season = await consoleSeason();
		if (!season || !(await personInSeason(getStore(), season.id, userId)))
			return refuse(404, 'employeeNumber', m.people_not_in_season(), {
				values
			});
		try {
			const number = await setEmployeeNumber(getStore(), userId, values.employeeNumber);
			return {
				action: 'employeeNumber',
				message: number ? m.people_number_set({ number }) : m.people_number_removed()
			};
		} catch (e) {
			return refuseError(e, 'employeeNumber', values);
		}
	},

	resetLink: async (event) => {
		const user = requireRole(event, MANAGERS);
		const userId = personId(event.params.userId);
		try {
			const { token, expiresAt, email } = await issueResetLink(getStore(), {
				userId,
				issuer: { id: user.id, role: user.role }
			});
			return {
				action: 'resetLink',
				message: m.people_reset_done(),
				link: `${event.url.origin}/reset/${token}`,
				expiresAt,
				mailedTo: email
			};
		} catch (e) {
			return refuseError(e, 'resetLink');
		}
	},

	adjust: async (event) => {
		const user = requireRole(event, MANAGERS);
		const userId = personId(event.params.userId);
		const values = formText(await event.request.formData(), ['points', 'reason']);
		const parsed = parseForm(
			adjustSchema,
			{ points: values.points.trim() === '' ? undefined : values.points, reason: values.reason },
			'adjust',
			values
		);
		if (!parsed.ok) return parsed.failure;
		const season = await consoleSeason();
		if (!season) return refuse(409, 'adjust', m.console_home_no_season(), { values });
		try {
			await adjustPoints(getStore(), {
				seasonId: season.id,
				userId,
				points: parsed.data.points,
				reason: parsed.data.reason,
				actor: { userId: user.id }
			});
		} catch (e) {
			return refuseError(e, 'adjust', values);
		}
		const n = parsed.data.points;
		const name = (await personName(getStore(), userId)) ?? '';
		return {
			action: 'adjust',
			message:
				n > 0
					? m.people_added_points({ count: n, n: points(n), name })
					: m.people_removed_points({ count: -n, n: points(-n), name })
		};
	},

	reverse: async (event) => {
		const user = requireRole(event, MANAGERS);
		const userId = personId(event.params.userId);
		const values = formText(await event.request.formData(), ['saleId', 'reason']);
		const parsed = parseForm(reverseSchema, values, 'reverse', values);
		if (!parsed.ok) return parsed.failure;
		const season = await consoleSeason();
		if (!season) return refuse(409, 'reverse', m.console_home_no_season(), { values });
		// The sale must be this person's in this season: the form names a sale, the server checks whose.
		const target = await findPersonSale(getStore(), season.id, userId, parsed.data.saleId);
		if (!target)
			return refuse(404, 'reverse', m.people_sale_not_theirs({ id: parsed.data.saleId }), {
				values
			});
		try {
			const [result] = await reviewSales(getStore(), [target.id], {
				decision: 'reverse',
				actor: { userId: user.id },
				reason: parsed.data.reason
			});
			return {
				action: 'reverse',
				message: result.changed
					? m.people_sale_reversed({ id: target.id })
					: m.people_sale_already_reversed({ id: target.id })
			};
		} catch (e) {
			return refuseError(e, 'reverse', values);
		}
	}
};
