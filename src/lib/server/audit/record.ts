import { auditEvent } from '../db/schema';
import type { Queryable } from '../db';

/** Who did something: a signed-in user, an API token, or the system itself (both null). */
export interface Actor {
	userId?: number | null;
	tokenId?: number | null;
}

export const SYSTEM: Actor = {};

export function audit(
	tx: Queryable,
	actor: Actor,
	action: string,
	subject: string,
	data: Record<string, unknown>,
	now: number
): void {
	tx.insert(auditEvent)
		.values({
			actorUserId: actor.userId ?? null,
			actorTokenId: actor.tokenId ?? null,
			action,
			subject,
			data,
			createdAt: now
		})
		.run();
}
