import { and, eq, inArray, sql } from 'drizzle-orm';
import type { ActivityStatus } from '../db/schema';
import { write, type Store, type StoreDb } from '../db/store';
import { graceEndsAt } from '../../contest/calendar';
import { appendEntryInWrite } from '../scoring/ledger';
import { bumpVersionInWrite, markStandingsMoved, type StandingMove } from '../scoring/standings';
import { withdrawCountedInWrite } from '../badges/counted';
import { publishAwardChanges, type AwardChanges } from '../badges/awards';
import { auditInWrite, type Actor } from '../audit/record';
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
// On the store (db/store.ts): one write per void, the activity's status moved by an update
// guarded by its old one (`… where status = 'counted' returning`), so of two nodes voiding one
// activity at once only one takes its points back and audits it; the other answers "already
// void". The "activities logged" badges it withdraws are withdrawn in the same write
// (badges/counted.ts `withdrawCountedInWrite`), on both dialects.

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

type Activity = Store['tables']['activity']['$inferSelect'];

/** Net points of the activity's ledger entries per status (one confirmed entry today). */
async function activityNet(tx: StoreDb, store: Store, activityId: number) {
	const { ledgerEntry } = store.tables;
	const rows = await tx
		.select({
			status: ledgerEntry.status,
			points: sql<number>`coalesce(sum(${ledgerEntry.points}), 0)`.mapWith(Number)
		})
		.from(ledgerEntry)
		.where(eq(ledgerEntry.activityId, activityId))
		.groupBy(ledgerEntry.status);
	const net = { confirmed: 0, provisional: 0 };
	for (const row of rows)
		if (row.status === 'confirmed' || row.status === 'provisional') net[row.status] = row.points;
	return net;
}

type Voided = VoidedActivity & { badges?: AwardChanges; moved: StandingMove[] };

async function voidInWrite(
	tx: StoreDb,
	store: Store,
	target: Activity,
	actor: Actor,
	reason: string | null,
	now: number
): Promise<Voided> {
	const { activity, activityType, season } = store.tables;
	const moved: StandingMove[] = [];
	const result = (changed: boolean, status = target.status) => ({
		activity: { id: target.id, status, points: target.points },
		seasonId: target.seasonId,
		changed,
		moved
	});
	if (target.status === 'void') return result(false);
	if (actor.userId != null && actor.userId === target.userId)
		throw voidRefused('own_activity', m.activities_void_error_own({ id: target.id }));
	if (!reason) throw voidRefused('reason_required', m.activities_void_error_reason());
	const [owner] = await tx.select().from(season).where(eq(season.id, target.seasonId));
	if (owner.status === 'archived' || now >= graceEndsAt(owner))
		throw voidRefused('season_final', m.review_error_final({ name: owner.name }));

	const [voided] = await tx
		.update(activity)
		.set({ status: 'void', voidedById: actor.userId ?? null, voidedAt: now, voidReason: reason })
		.where(and(eq(activity.id, target.id), eq(activity.status, target.status)))
		.returning({ id: activity.id });
	// Another write voided it since it was read: nothing more to take back.
	if (!voided) return result(false, 'void');
	// Whatever the activity's entries add up to per status (one confirmed entry today) is taken back.
	const net = await activityNet(tx, store, target.id);
	const parts = (['provisional', 'confirmed'] as const)
		.map((status) => ({ status, points: net[status] }))
		.filter((part) => part.points !== 0);
	if (parts.length === 0) parts.push({ status: 'confirmed', points: 0 });
	for (const part of parts)
		await appendEntryInWrite(
			tx,
			store,
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
			now,
			moved
		);
	const [type] = await tx
		.select({ key: activityType.key })
		.from(activityType)
		.where(eq(activityType.id, target.typeId));
	await auditInWrite(
		tx,
		store,
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
	await bumpVersionInWrite(tx, store, target.seasonId);
	const badges = await withdrawCountedInWrite(
		tx,
		store,
		'activities_logged',
		target.seasonId,
		target.userId,
		now
	);
	return { ...result(true, 'void'), badges };
}

/** Voids one activity in one write, then moves the board live. */
export async function voidActivity(
	store: Store,
	activityId: number,
	input: VoidInput,
	clock: Clock = systemClock
): Promise<VoidedActivity> {
	const now = clock();
	const { activity } = store.tables;
	const { badges, moved, ...voided } = await write(store, async (tx) => {
		const [target] = await tx.select().from(activity).where(eq(activity.id, activityId));
		if (!target) throw voidRefused('not_found', m.activities_void_error_none({ id: activityId }));
		return voidInWrite(tx, store, target, input.actor, input.reason?.trim() || null, now);
	});
	if (voided.changed) {
		markStandingsMoved(moved);
		notifyLeaderboard(voided.seasonId);
		if (badges) publishAwardChanges(voided.seasonId, badges);
	}
	return voided;
}

/** The API's way in: an activity by the externalId the API and the imports share. */
export async function voidByExternalId(
	store: Store,
	externalId: string,
	input: VoidInput,
	clock: Clock = systemClock
): Promise<VoidedActivity> {
	const { activity } = store.tables;
	const [target] = await store.db
		.select({ id: activity.id })
		.from(activity)
		.where(and(inArray(activity.source, ['api', 'import']), eq(activity.externalId, externalId)));
	if (!target) throw voidRefused('not_found', m.activities_void_error_no_external({ externalId }));
	return voidActivity(store, target.id, input, clock);
}
