import { and, asc, eq, inArray } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '../db/store';
import { customerKey, lapseDate } from '../../contest/referral';
import { appendEntryInWrite } from '../scoring/ledger';
import { bumpVersionInWrite, markStandingsMoved, type StandingMove } from '../scoring/standings';
import { readLiveSeasonFor, readMembership, readSeason } from '../seasons/queries';
import { notifyLeaderboard } from '../realtime/publish';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { referralSettings } from './programme';
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
async function firstReferralOf(tx: StoreDb, store: Store, key: string) {
	const { referral } = store.tables;
	const [row] = await tx
		.select({ id: referral.id })
		.from(referral)
		.where(and(eq(referral.customerKey, key), inArray(referral.status, ['open', 'confirmed'])))
		.orderBy(asc(referral.id))
		.limit(1);
	return row;
}

/** The live season the person chose, if they take part in it; else their latest live season. */
async function seasonFor(store: Store, userId: number, seasonId?: number) {
	if (seasonId != null) {
		const chosen = await readSeason(store, seasonId);
		if (chosen?.status === 'live') {
			const membership = await readMembership(store, chosen.id, userId);
			if (membership) return { owner: chosen, membership };
		}
	}
	const owner = await readLiveSeasonFor(store, userId);
	const membership = owner && (await readMembership(store, owner.id, userId));
	return owner && membership ? { owner, membership } : undefined;
}

type Recorded = RecordedReferral & { moved: StandingMove[] };

/**
 * Records a rep's referral and its provisional points (the season's referral points, for the
 * person's current team) in one write with the standings and the season's version; the board
 * updates live. The same requestId again, on any node, answers the first referral (two at once:
 * the writes are serializable, so the second one reads the first one's row on its retry). A
 * customer already referred (open or confirmed, by anyone) is recorded but flagged as a
 * possible duplicate for the manager. The season, team and settings are read before the write:
 * a referral counts for the team the person was in when they sent it.
 */
export async function recordReferral(
	store: Store,
	input: RecordReferralInput,
	clock: Clock = systemClock
): Promise<RecordedReferral> {
	const now = clock();
	const found = await seasonFor(store, input.referrerId, input.seasonId);
	const settings = found && (await referralSettings(store, found.owner.id));
	const key = customerKey(input.customerRef);
	const result = await write(store, async (tx): Promise<Recorded> => {
		const { referral } = store.tables;
		const [sent] = await tx
			.select()
			.from(referral)
			.where(eq(referral.requestId, input.requestId))
			.limit(1);
		if (sent) {
			if (sent.referrerId !== input.referrerId)
				throw new AppError(409, 'request_reused', m.referral_error_request_reused());
			return { ...sent, created: false, moved: [] };
		}
		if (!found || !settings)
			throw new AppError(422, 'not_a_member', m.referral_error_not_in_season());
		const { owner, membership } = found;
		const earlier = key ? await firstReferralOf(tx, store, key) : undefined;
		const moved: StandingMove[] = [];
		const ledgerEntryId = await appendEntryInWrite(
			tx,
			store,
			{
				seasonId: owner.id,
				userId: input.referrerId,
				teamId: membership.teamId,
				kind: 'referral',
				points: settings.referralPoints,
				status: 'provisional',
				reason: input.customerName,
				createdById: input.referrerId
			},
			now,
			moved
		);
		const [row] = await tx
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
				points: settings.referralPoints,
				ledgerEntryId,
				duplicateOfId: earlier?.id ?? null,
				expiresAt: lapseDate(now, settings.referralLapseDays),
				requestId: input.requestId,
				createdAt: now
			})
			.returning();
		await bumpVersionInWrite(tx, store, owner.id);
		return { ...row, created: true, moved };
	});
	if (result.created) {
		markStandingsMoved(result.moved);
		notifyLeaderboard(result.seasonId);
	}
	return {
		id: result.id,
		seasonId: result.seasonId,
		points: result.points,
		expiresAt: result.expiresAt,
		duplicateOfId: result.duplicateOfId,
		created: result.created
	};
}
