import { and, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { seasonMember, user } from '../db/schema';
import { appendEntry } from './ledger';
import { bumpVersion } from './standings';
import { audit, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import { badRequest, notFound } from '../shared/errors';
import { m } from '../../paraglide/messages.js';

interface AdjustmentInput {
	seasonId: number;
	userId: number;
	/** Positive to add, negative to remove. */
	points: number;
	reason: string;
	actor: Actor;
}

/** A manager's manual correction: a confirmed ledger entry with a mandatory reason, audited. */
export function adjustPoints(db: Db, input: AdjustmentInput, clock: Clock = systemClock): number {
	const reason = input.reason.trim();
	if (!reason) throw badRequest('reason_required', m.people_error_reason(), { field: 'reason' });
	if (!Number.isInteger(input.points) || input.points === 0) {
		throw badRequest('zero_points', m.people_error_points_zero(), {
			field: 'points'
		});
	}
	if (input.actor.userId === input.userId) {
		throw badRequest('own_points', m.people_adjust_self());
	}
	const now = clock();
	const id = db.transaction(
		(tx) => {
			const member = tx
				.select({ teamId: seasonMember.teamId, name: user.displayName })
				.from(seasonMember)
				.innerJoin(user, eq(user.id, seasonMember.userId))
				.where(
					and(eq(seasonMember.seasonId, input.seasonId), eq(seasonMember.userId, input.userId))
				)
				.get();
			if (!member) throw notFound('not_a_member', m.people_not_in_season());
			const entryId = appendEntry(
				tx,
				{
					seasonId: input.seasonId,
					userId: input.userId,
					teamId: member.teamId,
					kind: 'adjustment',
					points: input.points,
					status: 'confirmed',
					reason,
					createdById: input.actor.userId ?? null
				},
				now
			);
			audit(
				tx,
				input.actor,
				'points.adjust',
				`user:${input.userId}`,
				{ seasonId: input.seasonId, points: input.points, reason },
				now
			);
			bumpVersion(tx, input.seasonId);
			return entryId;
		},
		{ behavior: 'immediate' }
	);
	notifyLeaderboard(input.seasonId);
	return id;
}
