import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { referral, season } from '../db/schema';
import { customerKey, lapseDate } from '../../contest/referral';
import { appendEntry } from '../scoring/ledger';
import { bumpVersion } from '../scoring/standings';
import { getLiveSeasonFor, getMembership } from '../seasons/queries';
import { notifyLeaderboard } from '../realtime/publish';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { referralSettingsInTransaction } from './programme';
import type { ReferralForm } from './referral-form';
import { m } from '../../paraglide/messages.js';

export interface RecordReferralInput extends ReferralForm {
	referrerId: number;
	/** The live season the person chose on the board; by default their latest live season. */
	seasonId?: number;
}

export interface RecordedReferral {
	id: number;
	seasonId: number;
	points: number;
	expiresAt: number;
	/** The earlier referral of the same customer, when this one may be a duplicate. */
	duplicateOfId: number | null;
	/** False when this form was sent before: the first referral, nothing recorded twice. */
	created: boolean;
}

/** The first open or confirmed referral of a customer key: the one a new referral duplicates. */
export function firstReferralOf(tx: Queryable, key: string) {
	return tx
		.select()
		.from(referral)
		.where(and(eq(referral.customerKey, key), inArray(referral.status, ['open', 'confirmed'])))
		.orderBy(asc(referral.id))
		.get();
}

function seasonFor(tx: Queryable, userId: number, seasonId?: number) {
	if (seasonId != null) {
		const chosen = tx.select().from(season).where(eq(season.id, seasonId)).get();
		if (chosen?.status === 'live' && getMembership(tx, chosen.id, userId)) return chosen;
	}
	return getLiveSeasonFor(tx, userId);
}

/**
 * Records a rep's referral and its provisional points (the season's referral points, for the
 * person's current team), in one transaction with the standings; the board updates live. The
 * same requestId again answers the first referral. A customer already referred (open or
 * confirmed, by anyone) is recorded but flagged as a possible duplicate for the manager.
 * A synchronous transaction: the points go on the ledger (scoring/), not on the store yet.
 */
export function recordReferral(
	db: Db,
	input: RecordReferralInput,
	clock: Clock = systemClock
): RecordedReferral {
	const now = clock();
	const result = db.transaction(
		(tx): RecordedReferral => {
			const sent = tx.select().from(referral).where(eq(referral.requestId, input.requestId)).get();
			if (sent) {
				if (sent.referrerId !== input.referrerId)
					throw new AppError(409, 'request_reused', m.referral_error_request_reused());
				return { ...sent, created: false };
			}
			const owner = seasonFor(tx, input.referrerId, input.seasonId);
			const membership = owner && getMembership(tx, owner.id, input.referrerId);
			if (!owner || !membership)
				throw new AppError(422, 'not_a_member', m.referral_error_not_in_season());
			const { referralPoints, referralLapseDays } = referralSettingsInTransaction(tx, owner.id);
			const key = customerKey(input.customerRef);
			const earlier = key ? firstReferralOf(tx, key) : undefined;
			const ledgerEntryId = appendEntry(
				tx,
				{
					seasonId: owner.id,
					userId: input.referrerId,
					teamId: membership.teamId,
					kind: 'referral',
					points: referralPoints,
					status: 'provisional',
					reason: input.customerName,
					createdById: input.referrerId
				},
				now
			);
			const row = tx
				.insert(referral)
				.values({
					seasonId: owner.id,
					referrerId: input.referrerId,
					customerName: input.customerName,
					customerRef: input.customerRef,
					customerKey: key,
					contact: input.contact,
					note: input.note,
					status: 'open',
					points: referralPoints,
					ledgerEntryId,
					duplicateOfId: earlier?.id ?? null,
					expiresAt: lapseDate(now, referralLapseDays),
					requestId: input.requestId,
					createdAt: now
				})
				.returning()
				.get();
			bumpVersion(tx, owner.id);
			return { ...row, created: true };
		},
		{ behavior: 'immediate' }
	);
	if (result.created) notifyLeaderboard(result.seasonId);
	return {
		id: result.id,
		seasonId: result.seasonId,
		points: result.points,
		expiresAt: result.expiresAt,
		duplicateOfId: result.duplicateOfId,
		created: result.created
	};
}
