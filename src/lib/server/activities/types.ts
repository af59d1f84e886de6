import { and, asc, eq } from 'drizzle-orm';
import * as z from 'zod';
import type { activityType } from '../db/schema';
import { write, type Store, type StoreDb } from '../db/store';
import { ACTIVITY_LIMITS, isActivityKey, normaliseKey } from '../../contest/activity';
import { auditInWrite, type Actor } from '../audit/record';
import { conflict, notFound } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { m } from '../../paraglide/messages.js';

// A season's activity types: what managers define (key, name, points per unit, emoji) and turn
// on or off. Each change is audited. A type is never deleted: its activities keep counting.
// On the store (db/store.ts): each change is one write with its audit entry, so what one node
// saves every node's sell page, rules and boards read, and two saves of one key at once make one
// type.

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

/** A season's types, by name. */
export async function listActivityTypes(
	store: Store,
	seasonId: number
): Promise<ActivityTypeRow[]> {
	const { activityType } = store.tables;
	return store.db
		.select()
		.from(activityType)
		.where(eq(activityType.seasonId, seasonId))
		.orderBy(asc(activityType.name), asc(activityType.id));
}

/** The types people can log now. */
export async function activeActivityTypes(
	store: Store,
	seasonId: number
): Promise<ActivityTypeRow[]> {
	return (await listActivityTypes(store, seasonId)).filter((t) => t.active);
}

export async function activityTypeByKey(
	store: Store,
	seasonId: number,
	key: string
): Promise<ActivityTypeRow | undefined> {
	return byKey(store.db, store, seasonId, key);
}

async function byKey(
	db: StoreDb,
	store: Store,
	seasonId: number,
	key: string
): Promise<ActivityTypeRow | undefined> {
	const { activityType } = store.tables;
	const [row] = await db
		.select()
		.from(activityType)
		.where(and(eq(activityType.seasonId, seasonId), eq(activityType.key, key)));
	return row;
}

/** Adds a type to a season; its key must be new in the season. */
export async function createActivityType(
	store: Store,
	seasonId: number,
	input: ActivityTypeInput,
	actor: Actor,
	clock: Clock = systemClock
): Promise<ActivityTypeRow> {
	const now = clock();
	const { activityType } = store.tables;
	return write(store, async (tx) => {
		if (await byKey(tx, store, seasonId, input.key))
			throw conflict('activity_type_exists', m.activities_error_key_taken({ key: input.key }), {
				field: 'key'
			});
		const [row] = await tx
			.insert(activityType)
			.values({ seasonId, ...input, active: true, createdAt: now, updatedAt: now })
			.returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'activity_type.create',
			`activity_type:${row.id}`,
			{ seasonId, ...input },
			now
		);
		return row;
	});
}

async function typeOf(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	id: number
): Promise<ActivityTypeRow> {
	const { activityType } = store.tables;
	const [row] = await tx
		.select()
		.from(activityType)
		.where(and(eq(activityType.id, id), eq(activityType.seasonId, seasonId)));
	if (!row) throw notFound('activity_type_not_found', m.activities_error_type_gone());
	return row;
}

/**
 * Changes a type's name, points or emoji (its key stays: integrations send it). New points
 * count for activities logged from now on; those already logged keep what they earned.
 */
export async function updateActivityType(
	store: Store,
	seasonId: number,
	id: number,
	input: Omit<ActivityTypeInput, 'key'>,
	actor: Actor,
	clock: Clock = systemClock
): Promise<ActivityTypeRow> {
	const now = clock();
	const { activityType } = store.tables;
	return write(store, async (tx) => {
		const before = await typeOf(tx, store, seasonId, id);
		const [row] = await tx
			.update(activityType)
			.set({ ...input, updatedAt: now })
			.where(eq(activityType.id, id))
			.returning();
		await auditInWrite(
			tx,
			store,
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
	});
}

/** Turns a type on or off; doing it twice changes nothing the second time. */
export async function setActivityTypeActive(
	store: Store,
	seasonId: number,
	id: number,
	active: boolean,
	actor: Actor,
	clock: Clock = systemClock
): Promise<{ changed: boolean }> {
	const now = clock();
	const { activityType } = store.tables;
	return write(store, async (tx) => {
		const before = await typeOf(tx, store, seasonId, id);
		if (before.active === active) return { changed: false };
		await tx.update(activityType).set({ active, updatedAt: now }).where(eq(activityType.id, id));
		await auditInWrite(
			tx,
			store,
			actor,
			active ? 'activity_type.activate' : 'activity_type.deactivate',
			`activity_type:${id}`,
			{ seasonId, key: before.key },
			now
		);
		return { changed: true };
	});
}

/** The season's type names by key, so that a rule's sentence names "Product demo", not `demo`. */
export async function activityTypeNames(
	store: Store,
	seasonId: number
): Promise<Map<string, string>> {
	return new Map((await listActivityTypes(store, seasonId)).map((t) => [t.key, t.name]));
}
