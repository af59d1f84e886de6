import { error } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { findPersonSale, personInSeason, personName } from '$lib/server/people/participants';
import { adjustPoints } from '$lib/server/scoring/adjustments';
import { reviewSales } from '$lib/server/scoring/review';
import { formText, parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { accountOf, employeeNumberOf, setEmployeeNumber } from '$lib/server/people/users';
import { issueResetLink, mayReset } from '$lib/server/auth/password-reset';

const userIdSchema = z.coerce.number().int().positive();

function personId(raw: string): number {
	const parsed = userIdSchema.safeParse(raw);
	if (!parsed.success) error(404, { message: 'No such person.' });
	return parsed.data;
}

export const load: PageServerLoad = (event) => {
	const user = requireRole(event, MANAGERS);
	const db = getDb();
	const season = consoleSeason();
	if (!season) error(404, { message: 'No season is live.' });
	const found = personInSeason(db, season.id, personId(event.params.userId));
	if (!found) error(404, { message: `This person does not take part in ${season.name}.` });
	const account = accountOf(db, found.person.id);
	return {
		season: { id: season.id, name: season.name, timeZone: season.timeZone },
		...found,
		self: found.person.id === user.id,
		employeeNumber: employeeNumberOf(db, found.person.id),
		// Whether this manager may issue a password-reset link for the person, and if not, why.
		reset: !account
			? { allowed: false, why: 'No such account.' }
			: !mayReset(user, account)
				? {
						allowed: false,
						why:
							account.id === user.id
								? 'Nobody can reset their own password here: ask another manager or an admin.'
								: `Only an admin can reset the password of a ${account.role}.`
					}
				: !account.hasPassword
					? {
							allowed: false,
							why: 'This person has not set a password yet: send a new invitation from the team page.'
						}
					: { allowed: true, why: null }
	};
};

const adjustSchema = z.object({
	points: z.coerce
		.number({ error: 'Enter a number of points.' })
		.int('Points must be a whole number.')
		.refine((n) => n !== 0, 'Points must not be 0: use a negative number to remove points.')
		.refine((n) => Math.abs(n) <= 100_000, 'That is more than 100,000 points: check the number.'),
	reason: z
		.string()
		.trim()
		.min(1, 'Give a reason: it is shown in the history and the audit log.')
		.max(500, 'Keep the reason under 500 characters.')
});

const reverseSchema = z.object({
	saleId: z.coerce.number().int().positive(),
	reason: z
		.string()
		.trim()
		.min(1, 'Give a reason for reversing: the seller will see it.')
		.max(500, 'Keep the reason under 500 characters.')
});

export const actions: Actions = {
	/** The person's employee number (a sales file's seller column may name them by it). */
	employeeNumber: async (event) => {
		requireRole(event, MANAGERS);
		const userId = personId(event.params.userId);
		const values = formText(await event.request.formData(), ['employeeNumber']);
		const season = consoleSeason();
		if (!season || !personInSeason(getDb(), season.id, userId))
			return refuse(404, 'employeeNumber', 'This person does not take part in the season.', {
				values
			});
		try {
			const number = setEmployeeNumber(getDb(), userId, values.employeeNumber);
			return {
				action: 'employeeNumber',
				message: number ? `Employee number set to ${number}` : 'Employee number removed'
			};
		} catch (e) {
			return refuseError(e, 'employeeNumber', values);
		}
	},

	resetLink: (event) => {
		const user = requireRole(event, MANAGERS);
		const userId = personId(event.params.userId);
		try {
			const { token, expiresAt } = issueResetLink(getDb(), {
				userId,
				issuer: { id: user.id, role: user.role }
			});
			return {
				action: 'resetLink',
				message: 'Reset link ready: hand it over in person or by a channel you trust.',
				link: `${event.url.origin}/reset/${token}`,
				expiresAt
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
		const db = getDb();
		const season = consoleSeason();
		if (!season) return refuse(409, 'adjust', 'No season is live.', { values });
		try {
			adjustPoints(db, {
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
		const name = personName(db, userId);
		return {
			action: 'adjust',
			message:
				n > 0
					? `Added ${n.toLocaleString('en')} points to ${name}`
					: `Removed ${(-n).toLocaleString('en')} points from ${name}`
		};
	},

	reverse: async (event) => {
		const user = requireRole(event, MANAGERS);
		const userId = personId(event.params.userId);
		const values = formText(await event.request.formData(), ['saleId', 'reason']);
		const parsed = parseForm(reverseSchema, values, 'reverse', values);
		if (!parsed.ok) return parsed.failure;
		const db = getDb();
		const season = consoleSeason();
		if (!season) return refuse(409, 'reverse', 'No season is live.', { values });
		// The sale must be this person's in this season: the form names a sale, the server checks whose.
		const target = findPersonSale(db, season.id, userId, parsed.data.saleId);
		if (!target)
			return refuse(
				404,
				'reverse',
				`Sale #${parsed.data.saleId} is not one of this person's sales.`,
				{
					values
				}
			);
		try {
			const [result] = reviewSales(db, [target.id], {
				decision: 'reverse',
				actor: { userId: user.id },
				reason: parsed.data.reason
			});
			return {
				action: 'reverse',
				message: result.changed
					? `Reversed sale #${target.id}`
					: `Sale #${target.id} was already reversed`
			};
		} catch (e) {
			return refuseError(e, 'reverse', values);
		}
	}
};
