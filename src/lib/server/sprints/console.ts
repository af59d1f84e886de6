import { and, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db';
import { knockout, sprint } from '../db/schema';
import { listProducts } from '../seasons/queries';
import { activeActivityTypes } from '../activities/types';
import { measureKey, type Measure } from '../../contest/measure';

// What the console's sprint and knockout pages list and offer.

/**
 * The measures a manager can pick: points, number of sales, each category's points, each
 * active activity type's points.
 */
export function measureChoices(db: Queryable, seasonId: number): string[] {
	const categories = [...new Set(listProducts(db, seasonId).map((p) => p.category))].sort();
	const measures: Measure[] = [
		{ kind: 'points' },
		{ kind: 'sales' },
		...categories.map((category) => ({ kind: 'category' as const, category })),
		...activeActivityTypes(db, seasonId).map((t) => ({ kind: 'activity' as const, type: t.key }))
	];
	return measures.map(measureKey);
}

export const listSprints = (db: Queryable, seasonId: number) =>
	db
		.select()
		.from(sprint)
		.where(eq(sprint.seasonId, seasonId))
		.orderBy(desc(sprint.startsAt), desc(sprint.id))
		.all();

export const listKnockouts = (db: Queryable, seasonId: number) =>
	db
		.select()
		.from(knockout)
		.where(eq(knockout.seasonId, seasonId))
		.orderBy(desc(knockout.startsAt), desc(knockout.id))
		.all();

/** A sprint of the season by id (a form's hidden field: anything may come). */
export function sprintIn(db: Queryable, seasonId: number, id: number) {
	if (!Number.isInteger(id) || id <= 0) return undefined;
	return db
		.select()
		.from(sprint)
		.where(and(eq(sprint.id, id), eq(sprint.seasonId, seasonId)))
		.get();
}

/** A knockout of the season by id (a form's hidden field: anything may come). */
export function knockoutIn(db: Queryable, seasonId: number, id: number) {
	if (!Number.isInteger(id) || id <= 0) return undefined;
	return db
		.select()
		.from(knockout)
		.where(and(eq(knockout.id, id), eq(knockout.seasonId, seasonId)))
		.get();
}
