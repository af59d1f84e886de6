import { and, eq, isNull, isNotNull, lt } from 'drizzle-orm';
import type { Sale } from '../db/schema';
import { write, type Store, type StoreDb } from '../db/store';
import { appendEntryInWrite, changeEntryStatusInWrite } from './ledger';
import { graceEndsAt } from '../../contest/calendar';
import { saleCounts } from '../../contest/counting';
import { bumpVersionInWrite, markStandingsMoved, type StandingMove } from './standings';
import { removeSaleFromDayInWrite } from './person-day';
import { auditInWrite, SYSTEM, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { enqueueWebhooksInWrite } from '../webhooks/delivery';
import { AppError } from '../shared/errors';
import { publishAwardChanges } from '../badges/awards';
import { reconcileAwardsInWrite } from '../badges/decide-in-write';
import { reevaluateOnStoreInBackground } from '../badges/reevaluate';
import { systemClock, type Clock } from '../shared/clock';
import { confirmReferralBySaleInWrite } from '../referrals/decide';
import { m } from '../../paraglide/messages.js';

// Reviewing a sale on the store (db/store.ts, #20): every decision of one call, with its ledger
// entries, standings, day totals, referral, webhooks and audit entry, is one write, so a sale
// confirmed on two nodes at once is confirmed and counted once. What a rejection or reversal
// withdraws is reconciled by the badges' engine inside the write on both dialects (the facts'
// cursor moves with the entries, badges/decide-in-write.ts); then the season is re-evaluated
// in the background.

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
async function sellerOf(tx: StoreDb, store: Store, userId: number) {
	const { user } = store.tables;
	const [seller] = await tx
		.select({ id: user.id, email: user.email, name: user.displayName })
		.from(user)
		.where(eq(user.id, userId))
		.limit(1);
	return seller;
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
 * A confirmed sale's badges: the awards it earned, and their points, are confirmed with it
 * (what badges/awards.ts confirmSaleAwards did before the port). Each entry's move is guarded by
 * its status.
 */
async function confirmSaleAwardsInWrite(
	tx: StoreDb,
	store: Store,
	saleId: number,
	now: number,
	moved: StandingMove[]
): Promise<void> {
	const { award, ledgerEntry } = store.tables;
	const confirmed = await tx
		.update(award)
		.set({ status: 'confirmed' })
		.where(and(eq(award.saleId, saleId), eq(award.status, 'provisional')))
		.returning({ id: award.id });
	for (const a of confirmed) {
		const entries = await tx
			.select({ id: ledgerEntry.id })
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.awardId, a.id), eq(ledgerEntry.status, 'provisional')));
		for (const entry of entries)
			await changeEntryStatusInWrite(tx, store, entry.id, 'provisional', 'confirmed', now, moved);
	}
}

/** Net points of a sale's entries per status. */
async function saleNetInWrite(tx: StoreDb, store: Store, saleId: number) {
	const { ledgerEntry } = store.tables;
	const entries = await tx
		.select({ status: ledgerEntry.status, points: ledgerEntry.points })
		.from(ledgerEntry)
		.where(eq(ledgerEntry.saleId, saleId));
	const net = { confirmed: 0, provisional: 0 };
	for (const e of entries)
		if (e.status === 'confirmed' || e.status === 'provisional') net[e.status] += e.points;
	return net;
}

/**
 * One decision on one sale, inside the caller's write:
 * - confirm: a pending sale's provisional entries become confirmed;
 * - reject: a pending sale is cancelled by a compensating provisional entry;
 * - reverse: a sale (pending or approved, e.g. a refund) is cancelled by compensating entries.
 * Nothing is deleted; the sale keeps who decided, when and why. The people whose points moved go
 * into `moved`.
 */
async function decide(
	tx: StoreDb,
	store: Store,
	target: Sale,
	decision: Decision,
	actor: Actor,
	reason: string | null,
	now: number,
	moved: StandingMove[]
): Promise<ReviewedSale> {
	const { sale, season } = store.tables;
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
	const [owner] = await tx.select().from(season).where(eq(season.id, target.seasonId)).limit(1);
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
		const { ledgerEntry } = store.tables;
		const entries = await tx
			.select({ id: ledgerEntry.id })
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.saleId, target.id), eq(ledgerEntry.status, 'provisional')));
		for (const entry of entries)
			await changeEntryStatusInWrite(tx, store, entry.id, 'provisional', 'confirmed', now, moved);
		await confirmSaleAwardsInWrite(tx, store, target.id, now, moved);
		await confirmReferralBySaleInWrite(tx, store, target, now, moved);
		await enqueueWebhooksInWrite(
			tx,
			store,
			'sale.confirmed',
			{
				sale: {
					id: target.id,
					externalId: target.externalId,
					source: target.source,
					points: target.points,
					seller: await sellerOf(tx, store, target.sellerId)
				},
				seasonId: target.seasonId,
				reason: reason ?? null
			},
			now
		);
	} else {
		const net = await saleNetInWrite(tx, store, target.id);
		const parts = (['provisional', 'confirmed'] as const)
			.map((status) => ({ status, points: net[status] }))
			.filter((part) => part.points !== 0);
		if (parts.length === 0) parts.push({ status: 'confirmed', points: 0 });
		for (const [i, part] of parts.entries())
			await appendEntryInWrite(
				tx,
				store,
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
				moved,
				// The sale leaves the sales count once, whatever mix of statuses it had.
				i === 0 ? -1 : 0
			);
	}
	const status = FINAL_STATUS[decision];
	await tx
		.update(sale)
		.set({ status, reviewedById: actor.userId ?? null, reviewedAt: now, reviewReason: reason })
		.where(eq(sale.id, target.id));
	// A rejected or reversed sale no longer counts on its day (daily rules).
	if (decision !== 'confirm') await removeSaleFromDayInWrite(tx, store, target, owner.timeZone);
	await auditInWrite(
		tx,
		store,
		actor,
		`sale.${decision}`,
		`sale:${target.id}`,
		{ reason, points: target.points },
		now
	);
	await bumpVersionInWrite(tx, store, target.seasonId);
	return result(true, status);
}

export interface DecisionInput {
	decision: Decision;
	actor: Actor;
	reason?: string | null;
}

/**
 * Decides on several sales in one write of the store; returns each outcome, or throws for all.
 * The write reads each sale inside it: a decision racing another on a second node sees the
 * other's outcome (serializable on both dialects), so the points move once.
 */
export async function reviewSales(
	store: Store,
	saleIds: number[],
	input: DecisionInput,
	clock: Clock = systemClock
): Promise<ReviewedSale[]> {
	const now = clock();
	const reason = input.reason?.trim() || null;
	const { sale } = store.tables;
	const { outcomes, since, moved, awards } = await write(store, async (tx) => {
		// Per season, the earliest sale that stopped counting: awards decided since may no longer
		// hold.
		const since = new Map<number, number>();
		const moved: StandingMove[] = [];
		const outcomes: ReviewedSale[] = [];
		for (const id of saleIds) {
			const [target] = await tx.select().from(sale).where(eq(sale.id, id)).limit(1);
			if (!target) throw reviewRefused('not_found', m.review_error_no_sale({ id }));
			const outcome = await decide(
				tx,
				store,
				target,
				input.decision,
				input.actor,
				reason,
				now,
				moved
			);
			if (outcome.changed && input.decision !== 'confirm')
				since.set(
					target.seasonId,
					Math.min(since.get(target.seasonId) ?? Infinity, target.occurredAt)
				);
			outcomes.push(outcome);
		}
		// The facts take the sales out and the awards they earned are withdrawn, with the decision.
		const awards = since.size > 0 ? await reconcileAwardsInWrite(tx, store, now) : null;
		return { outcomes, since, moved, awards };
	});
	markStandingsMoved(moved);
	if (awards) for (const [seasonId, changes] of awards) publishAwardChanges(seasonId, changes);
	for (const seasonId of new Set(outcomes.filter((r) => r.changed).map((r) => r.seasonId))) {
		notifyLeaderboard(seasonId);
	}
	reconcileAfterReview(since, store, clock);
	return outcomes;
}

/**
 * The badges the rejected or reversed sales earned were withdrawn in the review's write; each
 * goes to whoever earns it now by the season's re-evaluation, in the background.
 */
function reconcileAfterReview(since: Map<number, number>, store: Store, clock: Clock): void {
	for (const [seasonId, from] of since)
		reevaluateOnStoreInBackground(store, seasonId, { since: from, weekly: true, clock });
}

/** The API's way in: a sale by its external id from the API source. */
export async function reviewByExternalId(
	store: Store,
	externalId: string,
	input: DecisionInput,
	clock: Clock = systemClock
): Promise<ReviewedSale> {
	const { sale } = store.tables;
	const [target] = await store.db
		.select({ id: sale.id })
		.from(sale)
		.where(and(eq(sale.source, 'api'), eq(sale.externalId, externalId)))
		.limit(1);
	if (!target) throw reviewRefused('not_found', m.review_error_no_external({ externalId }));
	return (await reviewSales(store, [target.id], input, clock))[0];
}

/** Confirms pending sales older than their season's auto-confirm delay. Returns how many. */
export async function autoConfirm(store: Store, clock: Clock = systemClock): Promise<number> {
	const now = clock();
	const { sale, season } = store.tables;
	const seasons = await store.db
		.select({ id: season.id, autoConfirmDays: season.autoConfirmDays })
		.from(season)
		.where(isNotNull(season.autoConfirmDays));
	let confirmed = 0;
	for (const s of seasons) {
		const days = s.autoConfirmDays!;
		const due = await store.db
			.select({ id: sale.id })
			.from(sale)
			.where(
				and(
					eq(sale.seasonId, s.id),
					eq(sale.status, 'pending'),
					// A sale flagged above the season's ceiling waits for a person.
					isNull(sale.flagReason),
					lt(sale.occurredAt, now - days * 24 * 60 * 60 * 1000)
				)
			);
		if (due.length === 0) continue;
		const outcomes = await reviewSales(
			store,
			due.map((d) => d.id),
			{ decision: 'confirm', actor: SYSTEM, reason: `auto-confirmed after ${days} days` },
			clock
		);
		confirmed += outcomes.filter((o) => o.changed).length;
	}
	return confirmed;
}
