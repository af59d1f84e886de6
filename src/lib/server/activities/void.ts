import { and, eq, inArray } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { activity, activityType, season, type ActivityStatus } from '../db/schema';
import { graceEndsAt } from '../../contest/calendar';
import { activityNet, appendEntry } from '../scoring/ledger';
import { bumpVersion } from '../scoring/standings';
import { withdrawCounted } from '../badges/counted';
import { publishAwardChanges, type AwardChanges } from '../badges/awards';
import { audit, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { m } from '../../paraglide/messages.js';

// Voiding a wrongly logged activity, as a sale is reversed (scoring/review.ts): the activity
// stays, with who voided it, when and why; a compensating 'reversal' entry naming it takes its
// points back (the ledger stays append-only), so the standings, the contest formats (which read
// the ledger by the activity's occurredAt, formats/measure.ts) and the "activities logged"
// badges follow. The same people and the same limits as a reversal: not one's own, not once the
// season's results are final.

const VOID_STATUS = {
	not_found: 404,
	own_activity: 403,
	reason_required: 400,
	season_final: 409
} as const;

function voidRefused(code: keyof typeof VOID_STATUS, message: string): AppError {
	return new AppError(VOID_STATUS[code], code, message);
}

export interface VoidInput {
	actor: Actor;
	/** Required: the person sees it in their history. */
	reason?: string | null;
}

export interface VoidedActivity {
	activity: { id: number; status: ActivityStatus; points: number };
	seasonId: number;
	/** False when the activity was void already: voiding again changes nothing. */
	changed: boolean;
}

type Activity = typeof activity.$inferSelect;

function voidInTx(
	tx: Queryable,
	target: Activity,
	actor: Actor,
	reason: string | null,
	now: number
): VoidedActivity & { badges?: AwardChanges } {
	const result = (changed: boolean, status = target.status) => ({
		activity: { id: target.id, status, points: target.points },
		seasonId: target.seasonId,
		changed
	});
	if (target.status === 'void') return result(false);
	if (actor.userId != null && actor.userId === target.userId)
		throw voidRefused('own_activity', m.activities_void_error_own({ id: target.id }));
	if (!reason) throw voidRefused('reason_required', m.activities_void_error_reason());
	const owner = tx.select().from(season).where(eq(season.id, target.seasonId)).get()!;
	if (owner.status === 'archived' || now >= graceEndsAt(owner))
		throw voidRefused('season_final', m.review_error_final({ name: owner.name }));

	// Whatever the activity's entries add up to per status (one confirmed entry today) is taken back.
	const net = activityNet(tx, target.id);
	const parts = (['provisional', 'confirmed'] as const)
		.map((status) => ({ status, points: net[status] }))
		.filter((part) => part.points !== 0);
	if (parts.length === 0) parts.push({ status: 'confirmed', points: 0 });
	for (const part of parts)
		appendEntry(
			tx,
			{
				seasonId: target.seasonId,
				userId: target.userId,
				teamId: target.teamId,
				activityId: target.id,
				kind: 'reversal',
				points: -part.points,
				status: part.status,
				reason,
				createdById: actor.userId ?? null
			},
			now
		);
	tx.update(activity)
		.set({ status: 'void', voidedById: actor.userId ?? null, voidedAt: now, voidReason: reason })
		.where(eq(activity.id, target.id))
		.run();
	const type = tx
		.select({ key: activityType.key })
		.from(activityType)
		.where(eq(activityType.id, target.typeId))
		.get()!;
	audit(
		tx,
		actor,
		'activity.void',
		`activity:${target.id}`,
		{
			seasonId: target.seasonId,
			userId: target.userId,
			type: type.key,
			quantity: target.quantity,
			points: target.points,
			reason
		},
		now
	);
	bumpVersion(tx, target.seasonId);
	const badges = withdrawCounted(tx, 'activities_logged', target.seasonId, target.userId, now);
	return { ...result(true, 'void'), badges };
}

/** Voids one activity in its own transaction, then moves the board live. */
export function voidActivity(
	db: Db,
	activityId: number,
	input: VoidInput,
	clock: Clock = systemClock
): VoidedActivity {
	const now = clock();
	const { badges, ...voided } = db.transaction(
		(tx) => {
			const target = tx.select().from(activity).where(eq(activity.id, activityId)).get();
			if (!target) throw voidRefused('not_found', m.activities_void_error_none({ id: activityId }));
			return voidInTx(tx, target, input.actor, input.reason?.trim() || null, now);
		},
		{ behavior: 'immediate' }
	);
	if (voided.changed) {
		notifyLeaderboard(voided.seasonId);
		if (badges) publishAwardChanges(voided.seasonId, badges);
	}
	return voided;
}

/** The API's way in: an activity by the externalId the API and the imports share. */
export function voidByExternalId(
	db: Db,
	externalId: string,
	input: VoidInput,
	clock: Clock = systemClock
): VoidedActivity {
	const target = db
		.select({ id: activity.id })
		.from(activity)
		.where(and(inArray(activity.source, ['api', 'import']), eq(activity.externalId, externalId)))
		.get();
	if (!target) throw voidRefused('not_found', m.activities_void_error_no_external({ externalId }));
	return voidActivity(db, target.id, input, clock);
}
