import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { referral, sale, season } from '../db/schema';
import { canMove, customerKey, pointsStatus, type ReferralState } from '../../contest/referral';
import { graceEndsAt } from '../../contest/calendar';
import { changeEntryStatus } from '../scoring/ledger';
import { bumpVersion } from '../scoring/standings';
import { audit, SYSTEM, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { m } from '../../paraglide/messages.js';

type Referral = typeof referral.$inferSelect;

// The ways a referral leaves 'open': confirmed by its customer's first confirmed sale (matched
// by customer reference, or by a manager), rejected by a manager, or lapsed by the clock. Its
// provisional points follow in the same transaction: confirmed, or void. These stay synchronous
// transactions: the points move on the ledger (scoring/), which is not on the store yet.

/**
 * Moves an open referral to a final state with its ledger entry, guarded by its status (a
 * decision racing another changes nothing twice). Returns false when it was no longer open.
 */
function settle(
	tx: Queryable,
	target: Pick<Referral, 'id' | 'status' | 'ledgerEntryId'>,
	to: ReferralState,
	facts: { saleId?: number; actor?: Actor; reason?: string | null },
	now: number
): boolean {
	if (!canMove(target.status, to)) return false;
	const moved = tx
		.update(referral)
		.set({
			status: to,
			matchedSaleId: facts.saleId ?? null,
			decidedById: facts.actor?.userId ?? null,
			decidedAt: now,
			decisionReason: facts.reason ?? null
		})
		.where(and(eq(referral.id, target.id), eq(referral.status, 'open')))
		.run();
	if (moved.changes !== 1) return false;
	if (target.ledgerEntryId != null)
		changeEntryStatus(tx, target.ledgerEntryId, 'provisional', pointsStatus(to), now);
	return true;
}

/**
 * Called where a sale becomes confirmed (recorded in a season that needs no confirmation, or
 * confirmed by a manager), inside that transaction: the customer's first referral in the sale's
 * season, if still open, is confirmed by it. Only the first referral of a customer counts; its
 * duplicates stay for the manager. Cheap for the usual sale: nothing without a customer ref,
 * else one indexed lookup. The caller bumps the season's version (the sale's own change does).
 */
export function confirmReferralBySale(
	tx: Queryable,
	confirmed: { id: number; seasonId: number; customerRef: string | null },
	now: number
): number | null {
	const key = customerKey(confirmed.customerRef);
	if (!key) return null;
	const first = tx
		.select({ id: referral.id, status: referral.status, ledgerEntryId: referral.ledgerEntryId })
		.from(referral)
		.where(
			and(
				eq(referral.seasonId, confirmed.seasonId),
				eq(referral.customerKey, key),
				inArray(referral.status, ['open', 'confirmed'])
			)
		)
		.orderBy(asc(referral.id))
		.get();
	if (!first || first.status !== 'open') return null;
	return settle(tx, first, 'confirmed', { saleId: confirmed.id }, now) ? first.id : null;
}

function referralRefused(status: number, code: string, message: string) {
	return new AppError(status, code, message);
}

function openTarget(tx: Queryable, id: number, now: number) {
	const target = tx.select().from(referral).where(eq(referral.id, id)).get();
	if (!target) throw referralRefused(404, 'not_found', m.referral_error_not_found({ id }));
	const owner = tx.select().from(season).where(eq(season.id, target.seasonId)).get()!;
	if (owner.status === 'archived' || now >= graceEndsAt(owner))
		throw referralRefused(409, 'season_final', m.referral_error_season_final({ name: owner.name }));
	return target;
}

export interface DecidedReferral {
	id: number;
	status: ReferralState;
	matchedSaleId: number | null;
	/** False when the referral already had this outcome: repeating a decision is harmless. */
	changed: boolean;
}

/** The sale a manager names: by id (the console) or by the integrations' externalId (the API). */
export type SaleRef = { saleId: number } | { externalId: string };

function findSale(tx: Queryable, ref: SaleRef) {
	const where =
		'saleId' in ref
			? eq(sale.id, ref.saleId)
			: and(inArray(sale.source, ['api', 'import']), eq(sale.externalId, ref.externalId));
	const found = tx.select().from(sale).where(where).get();
	if (!found) {
		const name = 'saleId' in ref ? `#${ref.saleId}` : ref.externalId;
		throw referralRefused(404, 'sale_not_found', m.referral_error_no_sale({ sale: name }));
	}
	return found;
}

/** A manager confirms a referral by the confirmed sale it led to. Audited. */
export function confirmReferral(
	db: Db,
	id: number,
	saleRef: SaleRef,
	actor: Actor,
	clock: Clock = systemClock
): DecidedReferral {
	const now = clock();
	const result = db.transaction(
		(tx): DecidedReferral & { seasonId: number } => {
			const target = openTarget(tx, id, now);
			const found = findSale(tx, saleRef);
			if (target.status === 'confirmed' && target.matchedSaleId === found.id)
				return { ...target, changed: false };
			if (target.status !== 'open')
				throw referralRefused(409, 'not_open', m.referral_error_not_open({ id }));
			if (found.status !== 'approved')
				throw referralRefused(
					409,
					'sale_not_confirmed',
					m.referral_error_sale_pending({ id: found.id })
				);
			if (found.seasonId !== target.seasonId)
				throw referralRefused(409, 'other_season', m.referral_error_other_season({ id: found.id }));
			settle(tx, target, 'confirmed', { saleId: found.id, actor }, now);
			audit(
				tx,
				actor,
				'referral.confirm',
				`referral:${id}`,
				{ saleId: found.id, points: target.points },
				now
			);
			bumpVersion(tx, target.seasonId);
			return { ...target, status: 'confirmed', matchedSaleId: found.id, changed: true };
		},
		{ behavior: 'immediate' }
	);
	if (result.changed) notifyLeaderboard(result.seasonId);
	return {
		id,
		status: result.status,
		matchedSaleId: result.matchedSaleId,
		changed: result.changed
	};
}

/** A manager rejects an open referral with a reason; its provisional points are voided. Audited. */
export function rejectReferral(
	db: Db,
	id: number,
	reason: string,
	actor: Actor,
	clock: Clock = systemClock
): DecidedReferral {
	const now = clock();
	const why = reason.trim();
	if (why.length < 3)
		throw referralRefused(400, 'reason_required', m.referral_error_reason_required());
	const result = db.transaction(
		(tx): DecidedReferral & { seasonId: number } => {
			const target = openTarget(tx, id, now);
			if (target.status === 'rejected') return { ...target, changed: false };
			if (target.status !== 'open')
				throw referralRefused(409, 'not_open', m.referral_error_not_open({ id }));
			settle(tx, target, 'rejected', { actor, reason: why }, now);
			audit(
				tx,
				actor,
				'referral.reject',
				`referral:${id}`,
				{ reason: why, points: -target.points },
				now
			);
			bumpVersion(tx, target.seasonId);
			return { ...target, status: 'rejected', changed: true };
		},
		{ behavior: 'immediate' }
	);
	if (result.changed) notifyLeaderboard(result.seasonId);
	return {
		id,
		status: result.status,
		matchedSaleId: result.matchedSaleId,
		changed: result.changed
	};
}

/**
 * The lapse job: open referrals past their lapse date become 'lapsed' and their provisional
 * points void, each exactly once (the status guard), one transaction per run. Returns how many.
 */
export function lapseReferrals(db: Db, clock: Clock = systemClock): number {
	const now = clock();
	const seasons = new Set<number>();
	const lapsed = db.transaction(
		(tx) => {
			const due = tx
				.select()
				.from(referral)
				.where(and(eq(referral.status, 'open'), lte(referral.expiresAt, now)))
				.limit(500)
				.all();
			let count = 0;
			for (const target of due) {
				if (!settle(tx, target, 'lapsed', { actor: SYSTEM }, now)) continue;
				audit(
					tx,
					SYSTEM,
					'referral.lapse',
					`referral:${target.id}`,
					{ points: -target.points },
					now
				);
				seasons.add(target.seasonId);
				count++;
			}
			for (const seasonId of seasons) bumpVersion(tx, seasonId);
			return count;
		},
		{ behavior: 'immediate' }
	);
	for (const seasonId of seasons) notifyLeaderboard(seasonId);
	return lapsed;
}
