import { inArray } from 'drizzle-orm';
import type { Queryable } from '../db';
import type { StoreDb, Tables } from '../db/store';
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

/** subjectNames on the store (db/store.ts). */
export async function readNames(
	db: StoreDb,
	tables: Tables,
	subject: SubjectType,
	ids: readonly number[]
): Promise<Map<number, string>> {
	if (ids.length === 0) return new Map();
	const { team, user } = tables;
	const unique = [...new Set(ids)];
	const rows =
		subject === 'user'
			? await db
					.select({ id: user.id, name: user.displayName })
					.from(user)
					.where(inArray(user.id, unique))
			: await db
					.select({ id: team.id, name: team.name })
					.from(team)
					.where(inArray(team.id, unique));
	return new Map(rows.map((r) => [r.id, r.name]));
}
