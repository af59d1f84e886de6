import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../db';
import { activityType } from '../db/schema';
import { ACTIVITY_LIMITS, isActivityKey, normaliseKey } from '../../contest/activity';
import { audit, type Actor } from '../audit/record';
import { conflict, notFound } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { m } from '../../paraglide/messages.js';

// A season's activity types: what managers define (key, name, points per unit, emoji) and turn
// on or off. Each change is audited. A type is never deleted: its activities keep counting.

export type ActivityTypeRow = typeof activityType.$inferSelect;

/** A type's fields, defined once for the console form (and checked again here). */
export const activityTypeFields = z.object({
	key: z
		.string()
		.transform(normaliseKey)
		.refine(isActivityKey, { error: () => m.activities_error_key({ max: ACTIVITY_LIMITS.key }) }),
	name: z
		.string()
		.trim()
		.min(1, { error: () => m.activities_error_name({ max: ACTIVITY_LIMITS.name }) })
		.max(ACTIVITY_LIMITS.name, {
			error: () => m.activities_error_name({ max: ACTIVITY_LIMITS.name })
		}),
	points: z.coerce
		.number({ error: () => m.activities_error_points({ max: ACTIVITY_LIMITS.points }) })
		.int({ error: () => m.activities_error_points({ max: ACTIVITY_LIMITS.points }) })
		.min(0, { error: () => m.activities_error_points({ max: ACTIVITY_LIMITS.points }) })
		.max(ACTIVITY_LIMITS.points, {
			error: () => m.activities_error_points({ max: ACTIVITY_LIMITS.points })
		}),
	emoji: z
		.string()
		.trim()
		.min(1, { error: () => m.activities_error_emoji() })
		.max(ACTIVITY_LIMITS.emoji, { error: () => m.activities_error_emoji() })
});
export type ActivityTypeInput = z.infer<typeof activityTypeFields>;

export function listActivityTypes(db: Queryable, seasonId: number): ActivityTypeRow[] {
	return db
		.select()
		.from(activityType)
		.where(eq(activityType.seasonId, seasonId))
		.orderBy(asc(activityType.name), asc(activityType.id))
		.all();
}

export function activeActivityTypes(db: Queryable, seasonId: number): ActivityTypeRow[] {
	return listActivityTypes(db, seasonId).filter((t) => t.active);
}

export function activityTypeByKey(
	db: Queryable,
	seasonId: number,
	key: string
): ActivityTypeRow | undefined {
	return db
		.select()
		.from(activityType)
		.where(and(eq(activityType.seasonId, seasonId), eq(activityType.key, key)))
		.get();
}

/** Adds a type to a season; its key must be new in the season. */
export function createActivityType(
	db: Db,
	seasonId: number,
	input: ActivityTypeInput,
	actor: Actor,
	clock: Clock = systemClock
): ActivityTypeRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			if (activityTypeByKey(tx, seasonId, input.key))
				throw conflict('activity_type_exists', m.activities_error_key_taken({ key: input.key }), {
					field: 'key'
				});
			const row = tx
				.insert(activityType)
				.values({ seasonId, ...input, active: true, createdAt: now, updatedAt: now })
				.returning()
				.get();
			audit(
				tx,
				actor,
				'activity_type.create',
				`activity_type:${row.id}`,
				{ seasonId, ...input },
				now
			);
			return row;
		},
		{ behavior: 'immediate' }
	);
}

function typeOf(tx: Queryable, seasonId: number, id: number): ActivityTypeRow {
	const row = tx
		.select()
		.from(activityType)
		.where(and(eq(activityType.id, id), eq(activityType.seasonId, seasonId)))
		.get();
	if (!row) throw notFound('activity_type_not_found', m.activities_error_type_gone());
	return row;
}

/**
 * Changes a type's name, points or emoji (its key stays: integrations send it). New points
 * count for activities logged from now on; those already logged keep what they earned.
 */
export function updateActivityType(
	db: Db,
	seasonId: number,
	id: number,
	input: Omit<ActivityTypeInput, 'key'>,
	actor: Actor,
	clock: Clock = systemClock
): ActivityTypeRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const before = typeOf(tx, seasonId, id);
			const row = tx
				.update(activityType)
				.set({ ...input, updatedAt: now })
				.where(eq(activityType.id, id))
				.returning()
				.get();
			audit(
				tx,
				actor,
				'activity_type.update',
				`activity_type:${id}`,
				{
					seasonId,
					key: before.key,
					before: { name: before.name, points: before.points, emoji: before.emoji },
					after: input
				},
				now
			);
			return row;
		},
		{ behavior: 'immediate' }
	);
}

/** Turns a type on or off; doing it twice changes nothing the second time. */
export function setActivityTypeActive(
	db: Db,
	seasonId: number,
	id: number,
	active: boolean,
	actor: Actor,
	clock: Clock = systemClock
): { changed: boolean } {
	const now = clock();
	return db.transaction(
		(tx) => {
			const before = typeOf(tx, seasonId, id);
			if (before.active === active) return { changed: false };
			tx.update(activityType).set({ active, updatedAt: now }).where(eq(activityType.id, id)).run();
			audit(
				tx,
				actor,
				active ? 'activity_type.activate' : 'activity_type.deactivate',
				`activity_type:${id}`,
				{ seasonId, key: before.key },
				now
			);
			return { changed: true };
		},
		{ behavior: 'immediate' }
	);
}

/** The season's type names by key, so that a rule's sentence names "Product demo", not `demo`. */
export function activityTypeNames(db: Queryable, seasonId: number): Map<string, string> {
	return new Map(listActivityTypes(db, seasonId).map((t) => [t.key, t.name]));
}
