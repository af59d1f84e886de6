import { inArray } from 'drizzle-orm';
import type { StoreDb, Tables } from '../db/store';
import type { SubjectType } from '../db/schema';
import { readsWith, rowsOf, type Reads } from '../db/reads';

// The names sprints and knockouts show for their people or teams.

/** The display names of some people or teams, by id (one body for the push and the store). */
export function* subjectNamesReads(
	db: StoreDb,
	t: Tables,
	subject: SubjectType,
	ids: readonly number[]
): Reads<Map<number, string>> {
	if (ids.length === 0) return new Map();
	const { team, user } = t;
	const unique = [...new Set(ids)];
	const rows =
		subject === 'user'
			? yield* rowsOf(
					db
						.select({ id: user.id, name: user.displayName })
						.from(user)
						.where(inArray(user.id, unique))
				)
			: yield* rowsOf(
					db.select({ id: team.id, name: team.name }).from(team).where(inArray(team.id, unique))
				);
	return new Map(rows.map((r) => [r.id, r.name]));
}

/** subjectNamesReads on the store (db/store.ts). */
export function readNames(
	db: StoreDb,
	tables: Tables,
	subject: SubjectType,
	ids: readonly number[]
): Promise<Map<number, string>> {
	return readsWith(db, tables, (d, t) => subjectNamesReads(d, t, subject, ids));
}
