import { and, asc, desc, eq } from 'drizzle-orm';
import type { Store } from '../db/store';
import { measureKey, type Measure } from '../../contest/measure';

// What the console's sprint and knockout pages list and offer. On the store (db/store.ts).

/**
 * The measures a manager can pick: points, number of sales, each category's points, each
 * active activity type's points (the types in name order, as the activities console lists them).
 */
export async function measureChoices(store: Store, seasonId: number): Promise<string[]> {
	const { product, activityType } = store.tables;
	const [products, types] = await Promise.all([
		store.db
			.selectDistinct({ category: product.category })
			.from(product)
			.where(eq(product.seasonId, seasonId)),
		store.db
			.select({ key: activityType.key })
			.from(activityType)
			.where(and(eq(activityType.seasonId, seasonId), eq(activityType.active, true)))
			.orderBy(asc(activityType.name), asc(activityType.id))
	]);
	// Sorted here, not by the database: JavaScript's order, whatever the collation.
	const categories = products.map((p) => p.category).sort();
	const measures: Measure[] = [
		{ kind: 'points' },
		{ kind: 'sales' },
		...categories.map((category) => ({ kind: 'category' as const, category })),
		...types.map((t) => ({ kind: 'activity' as const, type: t.key }))
	];
	return measures.map(measureKey);
}

export function listSprints(store: Store, seasonId: number) {
	const { sprint } = store.tables;
	return store.db
		.select()
		.from(sprint)
		.where(eq(sprint.seasonId, seasonId))
		.orderBy(desc(sprint.startsAt), desc(sprint.id));
}

export function listKnockouts(store: Store, seasonId: number) {
	const { knockout } = store.tables;
	return store.db
		.select()
		.from(knockout)
		.where(eq(knockout.seasonId, seasonId))
		.orderBy(desc(knockout.startsAt), desc(knockout.id));
}

/** A sprint of the season by id (a form's hidden field: anything may come). */
export async function sprintIn(store: Store, seasonId: number, id: number) {
	if (!Number.isInteger(id) || id <= 0) return undefined;
	const { sprint } = store.tables;
	const [row] = await store.db
		.select()
		.from(sprint)
		.where(and(eq(sprint.id, id), eq(sprint.seasonId, seasonId)));
	return row;
}

/** A knockout of the season by id (a form's hidden field: anything may come). */
export async function knockoutIn(store: Store, seasonId: number, id: number) {
	if (!Number.isInteger(id) || id <= 0) return undefined;
	const { knockout } = store.tables;
	const [row] = await store.db
		.select()
		.from(knockout)
		.where(and(eq(knockout.id, id), eq(knockout.seasonId, seasonId)));
	return row;
}
