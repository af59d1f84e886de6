import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { knockout, type Knockout } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import type { KnockoutInput } from './knockout-form';

/**
 * Creates a knockout in a season; it is seeded by the scheduler when it starts. The form's
 * requestId makes a double submit return the knockout it created the first time.
 */
export function createKnockout(
	db: Db,
	seasonId: number,
	input: KnockoutInput,
	actor: Actor,
	clock: Clock = systemClock
): { knockout: Knockout; created: boolean } {
	const now = clock();
	const requestId = `${actor.userId ?? 0}:${input.requestId}`;
	const result = db.transaction(
		(tx) => {
			const existing = tx.select().from(knockout).where(eq(knockout.requestId, requestId)).get();
			if (existing) return { knockout: existing, created: false };
			const row = tx
				.insert(knockout)
				.values({
					seasonId,
					...input,
					requestId,
					createdById: actor.userId ?? null,
					createdAt: now
				})
				.returning()
				.get();
			audit(tx, actor, 'knockout.create', `knockout:${row.id}`, { seasonId, name: row.name }, now);
			return { knockout: row, created: true };
		},
		{ behavior: 'immediate' }
	);
	if (result.created) notifyLeaderboard(seasonId);
	return result;
}
