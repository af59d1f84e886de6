import { and, eq } from 'drizzle-orm';
import { write, type Store } from '../db/store';
import { appendEntryInWrite } from './ledger';
import { bumpVersionInWrite, markStandingsMoved, type StandingMove } from './standings';
import { auditInWrite, type Actor } from '../audit/record';
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

/**
 * A manager's manual correction: a confirmed ledger entry with a mandatory reason, audited, in
 * one write of the store (db/store.ts): on PostgreSQL adjustments made on two nodes at once both
 * count, and the season's version moves past both.
 */
export async function adjustPoints(
	store: Store,
	input: AdjustmentInput,
	clock: Clock = systemClock
): Promise<number> {
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
	const { seasonMember, user } = store.tables;
	const { id, moved } = await write(store, async (tx) => {
		const [member] = await tx
			.select({ teamId: seasonMember.teamId, name: user.displayName })
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.where(and(eq(seasonMember.seasonId, input.seasonId), eq(seasonMember.userId, input.userId)))
			.limit(1);
		if (!member) throw notFound('not_a_member', m.people_not_in_season());
		const moved: StandingMove[] = [];
		const entryId = await appendEntryInWrite(
			tx,
			store,
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
			now,
			moved
		);
		await auditInWrite(
			tx,
			store,
			input.actor,
			'points.adjust',
			`user:${input.userId}`,
			{ seasonId: input.seasonId, points: input.points, reason },
			now
		);
		await bumpVersionInWrite(tx, store, input.seasonId);
		return { id: entryId, moved };
	});
	markStandingsMoved(moved);
	notifyLeaderboard(input.seasonId);
	return id;
}
