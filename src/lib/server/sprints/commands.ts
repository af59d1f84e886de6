import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { sprint, type Sprint } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import type { SprintInput } from './sprint-form';

/**
 * Creates a sprint in a season. The form's requestId makes a double submit (or a resend after a
 * lost answer) return the sprint it created the first time.
 */
export function createSprint(
	db: Db,
	seasonId: number,
	input: SprintInput,
	actor: Actor,
	clock: Clock = systemClock
): { sprint: Sprint; created: boolean } {
	const now = clock();
	const requestId = `${actor.userId ?? 0}:${input.requestId}`;
	const result = db.transaction(
		(tx) => {
			const existing = tx.select().from(sprint).where(eq(sprint.requestId, requestId)).get();
			if (existing) return { sprint: existing, created: false };
			const row = tx
				.insert(sprint)
				.values({
					seasonId,
					name: input.name,
					subject: input.subject,
					measure: input.measure,
					target: input.target,
					startsAt: input.startsAt,
					endsAt: input.endsAt,
					prize: input.prize,
					status: input.startsAt <= now ? 'live' : 'scheduled',
					requestId,
					createdById: actor.userId ?? null,
					createdAt: now
				})
				.returning()
				.get();
			audit(tx, actor, 'sprint.create', `sprint:${row.id}`, { seasonId, name: row.name }, now);
			return { sprint: row, created: true };
		},
		{ behavior: 'immediate' }
	);
	if (result.created) notifyLeaderboard(seasonId);
	return result;
}
