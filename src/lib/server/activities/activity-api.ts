import * as z from 'zod';
import { ACTIVITY_LIMITS } from '../../contest/activity';
import type { LoggedActivity } from './record';
import type { VoidedActivity } from './void';

// POST /api/v1/activities and /activities/:externalId/void: requests and answers as zod schemas; the route validates with them
// and the OpenAPI document (api/operations.ts) is generated from them.

export const createActivitySchema = z.object({
	externalId: z
		.string()
		.trim()
		.min(1)
		.max(ACTIVITY_LIMITS.externalId)
		.describe('The idempotency key (shared with CSV imports of activities)'),
	person: z.object({ email: z.email().max(254) }),
	type: z
		.string()
		.trim()
		.min(1)
		.max(ACTIVITY_LIMITS.key)
		.describe("The activity type's key in the person's season, e.g. call"),
	occurredAt: z.iso.datetime({ offset: true }),
	quantity: z
		.number()
		.int('quantity must be a whole number')
		.min(1)
		.max(ACTIVITY_LIMITS.quantity, `quantity must be at most ${ACTIVITY_LIMITS.quantity}`)
		.default(1)
		.describe('How many (3 calls); 1 when left out')
});

export type CreateActivityBody = z.infer<typeof createActivitySchema>;

export const activityResultSchema = z.object({
	activity: z.object({
		id: z.number().int(),
		points: z.number().int().describe('quantity × the type’s points, confirmed at once')
	}),
	seasonId: z.number().int()
});

export function activityAnswer(logged: LoggedActivity): z.infer<typeof activityResultSchema> {
	return { activity: logged.activity, seasonId: logged.seasonId };
}

export const voidActivityResultSchema = z.object({
	activity: z.object({
		id: z.number().int(),
		status: z.enum(['counted', 'void']),
		points: z.number().int().describe('What it earned when logged; the void took them back')
	}),
	seasonId: z.number().int(),
	changed: z.boolean().describe('False when the activity was void already')
});

export function voidAnswer(voided: VoidedActivity): z.infer<typeof voidActivityResultSchema> {
	return { activity: voided.activity, seasonId: voided.seasonId, changed: voided.changed };
}
