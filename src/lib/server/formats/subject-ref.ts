import { and, eq } from 'drizzle-orm';
import * as z from 'zod';
import type { SubjectType } from '../db/schema';
import type { Store } from '../db/store';
import { readUserByEmail } from '../people/users';
import { readMembership } from '../seasons/queries';
import { AppError } from '../shared/errors';

// How the API names a side of a format: a person by email (as sales and activities name people),
// a team by id or by name; and the side found among the season's members and teams, or a 422.

export const subjectRefSchema = z
	.object({
		email: z.email().max(254).optional().describe('A person, by email'),
		teamId: z.number().int().positive().optional().describe('A team, by id'),
		teamName: z.string().trim().min(1).max(80).optional().describe('A team, by name')
	})
	.refine((s) => [s.email, s.teamId, s.teamName].filter((v) => v !== undefined).length === 1, {
		error: 'Name the side by exactly one of email, teamId or teamName'
	});

export type SubjectRef = z.infer<typeof subjectRefSchema>;

export const kindOf = (s: SubjectRef): SubjectType => (s.email === undefined ? 'team' : 'user');

/** Both name the same person (emails are case-blind) or the same team the same way. */
export const sameRef = (a: SubjectRef, b: SubjectRef) =>
	(a.email !== undefined && a.email.toLowerCase() === b.email?.toLowerCase()) ||
	(a.teamId !== undefined && a.teamId === b.teamId) ||
	(a.teamName !== undefined && a.teamName === b.teamName);

/** The person's or team's id in the season; `field` names the side in the 422. */
export async function resolveSubject(
	store: Store,
	seasonId: number,
	ref: SubjectRef,
	field: string
): Promise<number> {
	if (ref.email !== undefined) {
		const person = await readUserByEmail(store, ref.email);
		if (!person)
			throw new AppError(422, 'unknown_person', `No user has the email ${ref.email}`, { field });
		if (!(await readMembership(store, seasonId, person.id)))
			throw new AppError(
				422,
				'not_a_member',
				`${person.displayName} is not in season ${seasonId}`,
				{
					field
				}
			);
		return person.id;
	}
	const { team } = store.tables;
	const byIdOrName =
		ref.teamId !== undefined ? eq(team.id, ref.teamId) : eq(team.name, ref.teamName!);
	const [found] = await store.db
		.select({ id: team.id })
		.from(team)
		.where(and(eq(team.seasonId, seasonId), byIdOrName));
	if (!found)
		throw new AppError(
			422,
			'unknown_team',
			`Season ${seasonId} has no team ${ref.teamId ?? ref.teamName}`,
			{ field }
		);
	return found.id;
}
