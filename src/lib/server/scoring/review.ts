import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { sale, season, user, type Sale } from '../db/schema';
import { appendEntry, changeSaleEntriesStatus, saleNet } from './ledger';
import { graceEndsAt } from '../../contest/calendar';
import { saleCounts } from '../../contest/counting';
import { bumpVersion } from './standings';
import { removeSaleFromDay } from './person-day';
import { audit, SYSTEM, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { enqueueWebhooks } from '../webhooks/delivery';
import { AppError } from '../shared/errors';
import {
	confirmSaleAwards,
	publishAwardChanges,
	reconcileAwards,
	type AwardChanges
} from '../badges/awards';
import { reconcileInSlices } from '../badges/reevaluate';
import { systemClock, type Clock } from '../shared/clock';
import { confirmReferralBySale } from '../referrals/decide';
import { m } from '../../paraglide/messages.js';

// Why a decision cannot be made, with the HTTP status the API answers and the page fails with.
const REVIEW_STATUS = {
	not_found: 404,
	own_sale: 403,
	reason_required: 400,
	not_pending: 409,
	already_final: 409,
	season_final: 409
} as const;

function reviewRefused(code: keyof typeof REVIEW_STATUS, message: string): AppError {
	return new AppError(REVIEW_STATUS[code], code, message);
}

/** The seller as sale.confirmed describes them, whichever path confirms the sale. */
function sellerOf(tx: Queryable, userId: number) {
	return tx
		.select({ id: user.id, email: user.email, name: user.displayName })
		.from(user)
		.where(eq(user.id, userId))
		.get()!;
}

export type Decision = 'confirm' | 'reject' | 'reverse';

export interface ReviewedSale {
	sale: { id: number; status: Sale['status']; points: number };
	seasonId: number;
	/** False when the sale already had this outcome: repeating a decision is harmless. */
	changed: boolean;
}

const FINAL_STATUS: Record<Decision, Sale['status']> = {
	confirm: 'approved',
	reject: 'rejected',
	reverse: 'reversed'
};

/**
 * One decision on one sale, inside the caller's transaction:
 * - confirm: a pending sale's provisional entries become confirmed;
 * - reject: a pending sale is cancelled by a compensating provisional entry;
 * - reverse: a sale (pending or approved, e.g. a refund) is cancelled by compensating entries.
 * Nothing is deleted; the sale keeps who decided, when and why.
 */
function decide(
	tx: Queryable,
	target: Sale,
	decision: Decision,
	actor: Actor,
	reason: string | null,
	now: number
): ReviewedSale {
	const result = (changed: boolean, status = target.status) => ({
		sale: { id: target.id, status, points: target.points },
		seasonId: target.seasonId,
		changed
	});
	if (target.status === FINAL_STATUS[decision]) return result(false);
	if (actor.userId != null && actor.userId === target.sellerId) {
		throw reviewRefused('own_sale', m.review_error_own({ id: target.id }));
	}
	if ((decision === 'reject' || decision === 'reverse') && !reason?.trim()) {
		throw reviewRefused('reason_required', m.review_error_reason_short());
	}
	const owner = tx.select().from(season).where(eq(season.id, target.seasonId)).get()!;
	if (owner.status === 'archived' || now >= graceEndsAt(owner)) {
		throw reviewRefused('season_final', m.review_error_final({ name: owner.name }));
	}
	if (decision !== 'reverse' && target.status !== 'pending') {
		throw reviewRefused(
			'not_pending',
			m.review_error_not_pending({ id: target.id, status: target.status })
		);
	}
	if (decision === 'reverse' && !saleCounts(target.status)) {
		throw reviewRefused(
			'already_final',
			m.review_error_already({ id: target.id, status: target.status })
		);
	}

	if (decision === 'confirm') {
		changeSaleEntriesStatus(tx, target.id, 'provisional', 'confirmed', now);
		confirmSaleAwards(tx, target.id, now);
		confirmReferralBySale(tx, target, now);
		enqueueWebhooks(
			tx,
			'sale.confirmed',
			{
				sale: {
					id: target.id,
					externalId: target.externalId,
					source: target.source,
					points: target.points,
					seller: sellerOf(tx, target.sellerId)
				},
				seasonId: target.seasonId,
				reason: reason ?? null
			},
			now
		);
	} else {
		const net = saleNet(tx, target.id);
		const parts = (['provisional', 'confirmed'] as const)
			.map((status) => ({ status, points: net[status] }))
			.filter((part) => part.points !== 0);
		if (parts.length === 0) parts.push({ status: 'confirmed', points: 0 });
		parts.forEach((part, i) =>
			appendEntry(
				tx,
				{
					seasonId: target.seasonId,
					userId: target.sellerId,
					teamId: target.teamId,
					saleId: target.id,
					kind: 'reversal',
					points: -part.points,
					status: part.status,
					reason,
					createdById: actor.userId ?? null
				},
				now,
				// The sale leaves the sales count once, whatever mix of statuses it had.
				i === 0 ? -1 : 0
			)
		);
	}
	const status = FINAL_STATUS[decision];
	tx.update(sale)
		.set({ status, reviewedById: actor.userId ?? null, reviewedAt: now, reviewReason: reason })
		.where(eq(sale.id, target.id))
		.run();
	// A rejected or reversed sale no longer counts on its day (daily rules).
	if (decision !== 'confirm') removeSaleFromDay(tx, target, owner.timeZone);
	audit(tx, actor, `sale.${decision}`, `sale:${target.id}`, { reason, points: target.points }, now);
	bumpVersion(tx, target.seasonId);
	return result(true, status);
}

export interface DecisionInput {
	decision: Decision;
	actor: Actor;
	reason?: string | null;
}

/** Decides on several sales in one transaction; returns each outcome, or throws for all. */
export function reviewSales(
	db: Db,
	saleIds: number[],
	input: DecisionInput,
	clock: Clock = systemClock
): ReviewedSale[] {
	const now = clock();
	let awardChanges = new Map<number, AwardChanges>();
	// Per season, the earliest sale that stopped counting: awards decided since may no longer hold.
	const since = new Map<number, number>();
	const results = db.transaction(
		(tx) => {
			const outcomes = saleIds.map((id) => {
				const target = tx.select().from(sale).where(eq(sale.id, id)).get();
				if (!target) throw reviewRefused('not_found', m.review_error_no_sale({ id }));
				const outcome = decide(
					tx,
					target,
					input.decision,
					input.actor,
					input.reason?.trim() || null,
					now
				);
				if (outcome.changed && input.decision !== 'confirm')
					since.set(
						target.seasonId,
						Math.min(since.get(target.seasonId) ?? Infinity, target.occurredAt)
					);
				return outcome;
			});
			// The badges those sales earned follow them: withdrawn now, and given to whoever earns
			// them now by the season's re-evaluation once this has committed.
			if (since.size > 0) awardChanges = reconcileAwards(tx, now);
			return outcomes;
		},
		{ behavior: 'immediate' }
	);
	for (const seasonId of new Set(results.filter((r) => r.changed).map((r) => r.seasonId))) {
		notifyLeaderboard(seasonId);
	}
	for (const [seasonId, changes] of awardChanges) publishAwardChanges(seasonId, changes);
	for (const [seasonId, from] of since) reconcileInSlices(db, seasonId, from, clock);
	return results;
}

/** The API's way in: a sale by its external id from the API source. */
export function reviewByExternalId(
	db: Db,
	externalId: string,
	input: DecisionInput,
	clock: Clock = systemClock
): ReviewedSale {
	const target = db
		.select({ id: sale.id })
		.from(sale)
		.where(and(eq(sale.source, 'api'), eq(sale.externalId, externalId)))
		.get();
	if (!target) throw reviewRefused('not_found', m.review_error_no_external({ externalId }));
	return reviewSales(db, [target.id], input, clock)[0];
}

/** Confirms pending sales older than their season's auto-confirm delay. Returns how many. */
export function autoConfirm(db: Db, clock: Clock = systemClock): number {
	const now = clock();
	const seasons = db
		.select()
		.from(season)
		.all()
		.filter((s) => s.autoConfirmDays != null);
	let confirmed = 0;
	for (const s of seasons) {
		const due = db
			.select({ id: sale.id })
			.from(sale)
			.where(
				and(
					eq(sale.seasonId, s.id),
					eq(sale.status, 'pending'),
					// A sale flagged above the season's ceiling waits for a person.
					isNull(sale.flagReason),
					lt(sale.occurredAt, now - s.autoConfirmDays! * 24 * 60 * 60 * 1000)
				)
			)
			.all();
		if (due.length === 0) continue;
		reviewSales(
			db,
			due.map((d) => d.id),
			{
				decision: 'confirm',
				actor: SYSTEM,
				reason: `auto-confirmed after ${s.autoConfirmDays} days`
			},
			clock
		);
		confirmed += due.length;
	}
	return confirmed;
}
