import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import { referral } from '../db/schema';
import { write, type Store, type StoreDb } from '../db/store';
import { canMove, customerKey, pointsStatus, type ReferralState } from '../../contest/referral';
import { graceEndsAt } from '../../contest/calendar';
import { changeEntryStatusInWrite } from '../scoring/ledger';
import { bumpVersionInWrite, markStandingsMoved, type StandingMove } from '../scoring/standings';
import { auditInWrite, SYSTEM, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { m } from '../../paraglide/messages.js';

type Referral = typeof referral.$inferSelect;

// The ways a referral leaves 'open': confirmed by its customer's first confirmed sale (matched
// by customer reference, or by a manager), rejected by a manager, or lapsed by the clock. Its
// provisional points follow in the same transaction: confirmed, or void. A manager's decision
// and the lapse job are writes of the store (db/store.ts, #20): on PostgreSQL a referral decided
// on two nodes at once is decided once. Confirming by a sale is a step of the write that
// confirms it (confirmReferralBySaleInWrite): a sale recorded confirmed (scoring/sales.ts) or a
// manager's confirmation (scoring/review.ts).

type Settled = { saleId?: number; actor?: Actor; reason?: string | null };

/** What a referral's row records when it is settled. */
function settledFields(to: ReferralState, facts: Settled, now: number) {
	return {
		status: to,
		matchedSaleId: facts.saleId ?? null,
		decidedById: facts.actor?.userId ?? null,
		decidedAt: now,
		decisionReason: facts.reason ?? null
	};
}

/**
 * Settles an open referral inside a store's write: its row, and its provisional points confirmed
 * or void (false when it cannot move there, or another write settled it first). The people whose
 * points moved go into `moved`.
 */
async function settleInWrite(
	tx: StoreDb,
	store: Store,
	target: Pick<Referral, 'id' | 'status' | 'ledgerEntryId'>,
	to: ReferralState,
	facts: Settled,
	now: number,
	moved: StandingMove[]
): Promise<boolean> {
	if (!canMove(target.status, to)) return false;
	const { referral } = store.tables;
	const settled = await tx
		.update(referral)
		.set(settledFields(to, facts, now))
		.where(and(eq(referral.id, target.id), eq(referral.status, 'open')))
		.returning({ id: referral.id });
	if (settled.length !== 1) return false;
	if (target.ledgerEntryId != null)
		await changeEntryStatusInWrite(
			tx,
			store,
			target.ledgerEntryId,
			'provisional',
			pointsStatus(to),
			now,
			moved
		);
	return true;
}

/**
 * Called inside the write where a sale becomes confirmed (recorded in a season that needs no
 * confirmation, scoring/sales.ts, or confirmed by a manager, scoring/review.ts): the customer's
 * first referral in the sale's season, if still open, is confirmed by it. Only the first referral
 * of a customer counts; its duplicates stay for the manager. Cheap for the usual sale: nothing
 * without a customer ref, else one indexed lookup. The caller bumps the season's version (the
 * sale's own change does). The people whose points moved go into `moved`.
 */
export async function confirmReferralBySaleInWrite(
	tx: StoreDb,
	store: Store,
	confirmed: { id: number; seasonId: number; customerRef: string | null },
	now: number,
	moved: StandingMove[]
): Promise<number | null> {
	const key = customerKey(confirmed.customerRef);
	if (!key) return null;
	const { referral } = store.tables;
	const [first] = await tx
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
		.limit(1);
	if (!first || first.status !== 'open') return null;
	const settled = await settleInWrite(
		tx,
		store,
		first,
		'confirmed',
		{ saleId: confirmed.id },
		now,
		moved
	);
	return settled ? first.id : null;
}

function referralRefused(status: number, code: string, message: string) {
	return new AppError(status, code, message);
}

async function openTarget(tx: StoreDb, store: Store, id: number, now: number) {
	const { referral, season } = store.tables;
	const [target] = await tx.select().from(referral).where(eq(referral.id, id)).limit(1);
	if (!target) throw referralRefused(404, 'not_found', m.referral_error_not_found({ id }));
	const [owner] = await tx.select().from(season).where(eq(season.id, target.seasonId)).limit(1);
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

async function findSale(tx: StoreDb, store: Store, ref: SaleRef) {
	const { sale } = store.tables;
	const where =
		'saleId' in ref
			? eq(sale.id, ref.saleId)
			: and(inArray(sale.source, ['api', 'import']), eq(sale.externalId, ref.externalId));
	const [found] = await tx.select().from(sale).where(where).limit(1);
	if (!found) {
		const name = 'saleId' in ref ? `#${ref.saleId}` : ref.externalId;
		throw referralRefused(404, 'sale_not_found', m.referral_error_no_sale({ sale: name }));
	}
	return found;
}

type Decision = DecidedReferral & { seasonId: number; moved: StandingMove[] };

/** After a decision's write: the marks and the board's push when something changed. */
function announce(result: Decision): DecidedReferral {
	if (result.changed) {
		markStandingsMoved(result.moved);
		notifyLeaderboard(result.seasonId);
	}
	return {
		id: result.id,
		status: result.status,
		matchedSaleId: result.matchedSaleId,
		changed: result.changed
	};
}

/** A manager confirms a referral by the confirmed sale it led to. Audited. */
export async function confirmReferral(
	store: Store,
	id: number,
	saleRef: SaleRef,
	actor: Actor,
	clock: Clock = systemClock
): Promise<DecidedReferral> {
	const now = clock();
	const result = await write(store, async (tx): Promise<Decision> => {
		const target = await openTarget(tx, store, id, now);
		const found = await findSale(tx, store, saleRef);
		if (target.status === 'confirmed' && target.matchedSaleId === found.id)
			return { ...target, changed: false, moved: [] };
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
		const moved: StandingMove[] = [];
		await settleInWrite(tx, store, target, 'confirmed', { saleId: found.id, actor }, now, moved);
		await auditInWrite(
			tx,
			store,
			actor,
			'referral.confirm',
			`referral:${id}`,
			{ saleId: found.id, points: target.points },
			now
		);
		await bumpVersionInWrite(tx, store, target.seasonId);
		return { ...target, status: 'confirmed', matchedSaleId: found.id, changed: true, moved };
	});
	return announce(result);
}

/** A manager rejects an open referral with a reason; its provisional points are voided. Audited. */
export async function rejectReferral(
	store: Store,
	id: number,
	reason: string,
	actor: Actor,
	clock: Clock = systemClock
): Promise<DecidedReferral> {
	const now = clock();
	const why = reason.trim();
	if (why.length < 3)
		throw referralRefused(400, 'reason_required', m.referral_error_reason_required());
	const result = await write(store, async (tx): Promise<Decision> => {
		const target = await openTarget(tx, store, id, now);
		if (target.status === 'rejected') return { ...target, changed: false, moved: [] };
		if (target.status !== 'open')
			throw referralRefused(409, 'not_open', m.referral_error_not_open({ id }));
		const moved: StandingMove[] = [];
		await settleInWrite(tx, store, target, 'rejected', { actor, reason: why }, now, moved);
		await auditInWrite(
			tx,
			store,
			actor,
			'referral.reject',
			`referral:${id}`,
			{ reason: why, points: -target.points },
			now
		);
		await bumpVersionInWrite(tx, store, target.seasonId);
		return { ...target, status: 'rejected', changed: true, moved };
	});
	return announce(result);
}

/**
 * The lapse job: open referrals past their lapse date become 'lapsed' and their provisional
 * points void, each exactly once (the status guard; nodes lapsing at once lapse each once), one
 * write per run of at most 500. Returns how many.
 */
export async function lapseReferrals(store: Store, clock: Clock = systemClock): Promise<number> {
	const now = clock();
	const { referral } = store.tables;
	const { count, seasons, moved } = await write(store, async (tx) => {
		const due = await tx
			.select()
			.from(referral)
			.where(and(eq(referral.status, 'open'), lte(referral.expiresAt, now)))
			.orderBy(asc(referral.id))
			.limit(500);
		const seasons = new Set<number>();
		const moved: StandingMove[] = [];
		let count = 0;
		for (const target of due) {
			if (!(await settleInWrite(tx, store, target, 'lapsed', { actor: SYSTEM }, now, moved)))
				continue;
			await auditInWrite(
				tx,
				store,
				SYSTEM,
				'referral.lapse',
				`referral:${target.id}`,
				{ points: -target.points },
				now
			);
			seasons.add(target.seasonId);
			count++;
		}
		for (const seasonId of seasons) await bumpVersionInWrite(tx, store, seasonId);
		return { count, seasons, moved };
	});
	markStandingsMoved(moved);
	for (const seasonId of seasons) notifyLeaderboard(seasonId);
	return count;
}
