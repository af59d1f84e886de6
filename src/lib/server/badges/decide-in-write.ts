import { and, eq, ne } from 'drizzle-orm';
import { isSerializationFailure, type Store, type StoreDb, type Tables } from '../db/store';
import type { HeldEntry } from '../scoring/sale-rows';
import { systemClock, type Clock } from '../shared/clock';
import { log } from '../shared/log';
import { saleCounts } from '../../contest/counting';
import { applyPlanInWrite, withdrawAwardInWrite, type PlanInWrite } from './apply-in-write';
import {
	decideNewSales,
	decidingWeek,
	ENTRIES_PER_CALL,
	merge,
	publishAwardChanges,
	type AwardChanges,
	type DecidedAwards,
	type DecisionAhead
} from './awards';
import {
	catchingUpFacts,
	lastTeamReads,
	pendingReads,
	type LedgerStart,
	type NewSale
} from './facts';
import { inStepSavepoint, runInWrite, type Opening } from './steps';
import { continueCatchUp, stepLimit } from './catch-up';

// The badges' engine inside a store's write, on either dialect (#20 step 2): the facts' and the
// decision's bodies are facts.ts's and awards.ts's generators (steps.ts), run on the write's
// transaction; the awards are written by apply-in-write.ts. The sales' and the imports' badge
// step (scoring/sale-awards.ts), the catch-up, the reviews' reconciliation and the weeks run
// here on both dialects; what a step decided is published once its write has committed
// (publishDecidedOnStore).
//
// On PostgreSQL every step that takes ledger entries in reads and moves the one badge_cursor
// row, so two writes that both do (two nodes' sales) are serialized by it: the second fails
// with a serialization failure and `write` runs it again, after the first's entries are there.

/** The new sales' awards, per season, inside a store's write. */
export async function applyNewSalesInWrite(
	tx: StoreDb,
	store: Store,
	added: NewSale[],
	now: number,
	ahead?: DecisionAhead,
	opening?: Opening
): Promise<Map<number, AwardChanges>> {
	const changes = new Map<number, AwardChanges>();
	const decided = await runInWrite(tx, store, decideNewSales(added, now, ahead), opening);
	for (const [seasonId, found] of decided) {
		if (found.candidates.length === 0) continue;
		const plan: PlanInWrite = {
			...found,
			isPending: (id) => runInWrite(tx, store, pendingReads(id)),
			teamOf: (userId) => runInWrite(tx, store, lastTeamReads(seasonId, userId))
		};
		changes.set(seasonId, await applyPlanInWrite(tx, store, plan, now));
	}
	return changes;
}

/**
 * The badge step inside a store's write: the facts take in at most `limit` ledger entries
 * (`held`: those the caller just wrote, as written) and the sales they took in decide their
 * awards. Publish the result once the write has committed (publishDecidedOnStore).
 */
export async function decideAwardsInWrite(
	tx: StoreDb,
	store: Store,
	now: number,
	limit = ENTRIES_PER_CALL,
	held: readonly HeldEntry[] = [],
	// The step's savepoint, sent with the step's first statement (inStepSavepoint).
	opening?: Opening,
	ahead?: StepAhead
): Promise<DecidedAwards> {
	const { added, done } = await runInWrite(
		tx,
		store,
		catchingUpFacts(limit, held, ahead?.start),
		opening
	);
	return {
		changes: await applyNewSalesInWrite(tx, store, added, now, ahead?.decision, opening),
		backlog: !done
	};
}

/**
 * What a group's step reads, read ahead by its sellers' read (scoring/sale-lookups.ts) before the
 * group's rows were written: the cursor and the ledger's end, and the decision's reads.
 */
export interface StepAhead {
	start?: LedgerStart;
	decision: DecisionAhead;
}

/**
 * `ahead` with the write's `held` entries in it, as the step would read them after the write: the
 * ledger's end at least their last id, each season's first sale that counts the earliest of the
 * one read and theirs.
 */
function withHeld(ahead: StepAhead, held: readonly HeldEntry[]): StepAhead {
	const first = new Map(ahead.decision.first);
	let lastId = ahead.start?.lastId ?? null;
	for (const e of held) {
		lastId = Math.max(lastId ?? 0, e.id);
		if (!first.has(e.seasonId) || !saleCounts(e.status)) continue;
		const known = first.get(e.seasonId);
		if (
			!known ||
			e.occurredAt < known.occurredAt ||
			(e.occurredAt === known.occurredAt && e.saleId < known.id)
		)
			first.set(e.seasonId, { occurredAt: e.occurredAt, id: e.saleId });
	}
	return {
		start: ahead.start && { cursorId: ahead.start.cursorId, lastId },
		decision: { ...ahead.decision, first }
	};
}

/**
 * The badge step of a group of sales or an import's window inside its write
 * (scoring/sale-awards.ts): its entries with ENTRIES_PER_CALL more (only its own count while the
 * catch-up runs), in a savepoint. A failure rolls back the step alone: the sales commit and the
 * catch-up takes them in after (the cursor did not move). A serialization failure is not the
 * step's: it goes on to `write`, which runs the group again.
 */
export async function decideGroupAwardsInWrite(
	tx: StoreDb,
	store: Store,
	now: number,
	held: readonly HeldEntry[],
	// The entries the write added, when they are not held (a recalculation's slice).
	added = held.length,
	// Read ahead in the same write before `held` were written (StepAhead); only with them.
	ahead?: StepAhead
): Promise<DecidedAwards> {
	const known = ahead && withHeld(ahead, held);
	const decided: DecidedAwards = { changes: new Map(), backlog: false };
	// The step failed: nothing of it is published, the catch-up takes its entries in.
	const failed = (error: unknown) => {
		log.error({ err: error }, 'badges of a group of sales failed: left to the catch-up');
		decided.changes = new Map();
		decided.backlog = true;
	};
	try {
		// Its facts' write, when nothing follows it, goes with the write's COMMIT (`failed` told
		// if it fails there).
		const found = await inStepSavepoint(
			tx,
			store,
			(opening) =>
				decideAwardsInWrite(tx, store, now, stepLimit(store, added), held, opening, known),
			failed
		);
		return Object.assign(decided, found);
	} catch (error) {
		if (isSerializationFailure(error)) throw error;
		failed(error);
		return decided;
	}
}

/**
 * After sales were rejected or reversed inside a store's write (scoring/review.ts): the facts
 * take them out and the awards they earned are withdrawn. Giving each badge to whoever earns it
 * now is the re-evaluation's, after the commit.
 */
export async function reconcileAwardsInWrite(
	tx: StoreDb,
	store: Store,
	now: number
): Promise<Map<number, AwardChanges>> {
	const { added, removed } = await runInWrite(tx, store, catchingUpFacts());
	const changes = await applyNewSalesInWrite(tx, store, added, now);
	const { award, badge } = store.tables;
	for (const gone of removed) {
		const held = await tx
			.select({ award, badge })
			.from(award)
			.innerJoin(badge, eq(badge.id, award.badgeId))
			.where(and(eq(award.saleId, gone.saleId), ne(award.status, 'void')));
		for (const { award: a, badge: b } of held) {
			const c = changes.get(a.seasonId) ?? { awarded: [], withdrawn: [] };
			changes.set(a.seasonId, merge(c, await withdrawAwardInWrite(tx, store, a, b, now)));
		}
	}
	return changes;
}

type Season = Tables['season']['$inferSelect'];
type Badge = Tables['badge']['$inferSelect'];

/**
 * One ended week decided in a store's write (awards.ts `decidingWeek`): the week's weekly badges
 * from its totals, given to who wins them now; with `since`, what the totals no longer give
 * (earned since then) withdrawn.
 */
export async function decideWeekInWrite(
	tx: StoreDb,
	store: Store,
	s: Season,
	badges: Badge[],
	period: { periodKey: string; endsAt: number },
	now: number,
	since?: number
): Promise<AwardChanges> {
	const { stale, found } = await runInWrite(tx, store, decidingWeek(s, badges, period, since));
	const withdrawn: AwardChanges = { awarded: [], withdrawn: [] };
	for (const { a, b } of stale) merge(withdrawn, await withdrawAwardInWrite(tx, store, a, b, now));
	const plan: PlanInWrite = {
		...found,
		isPending: async () => false,
		teamOf: (userId) => runInWrite(tx, store, lastTeamReads(s.id, userId))
	};
	return applyPlanInWrite(tx, store, plan, now, withdrawn);
}

/**
 * Publishes awards decided in a write that has committed; a backlog (the facts did not take in
 * the whole ledger) is taken in right after by the catch-up's slices (catch-up.ts).
 */
export function publishDecidedOnStore(
	store: Store,
	decided: DecidedAwards,
	clock: Clock = systemClock
): void {
	for (const [id, c] of decided.changes) publishAwardChanges(id, c);
	if (decided.backlog) continueCatchUp(store, clock);
}
