import { inArray } from 'drizzle-orm';
import type { Queryable } from '../db';
import { team, type SubjectType } from '../db/schema';
import { personNames } from '../boards/leaderboard';

// The names sprints and knockouts show for their people or teams.

export function subjectNames(
	db: Queryable,
	subject: SubjectType,
	ids: readonly number[]
): Map<number, string> {
	if (ids.length === 0) return new Map();
	if (subject === 'user') return personNames(db, [...ids]);
	const rows = db
		.select({ id: team.id, name: team.name })
		.from(team)
		.where(inArray(team.id, [...ids]))
		.all();
	return new Map(rows.map((r) => [r.id, r.name]));
}
