import { and, eq, sql } from 'drizzle-orm';
import type { LedgerKind, LedgerStatus, LedgerBreakdown } from '../db/schema';
import { preparedQuery, type Store, type StoreDb, type Tables } from '../db/store';
import { applyStandingDeltaInWrite, type StandingDelta, type StandingMove } from './standings';

export interface NewEntry {
	seasonId: number;
	userId: number;
	teamId: number;
	saleId?: number | null;
	/** For a badge's points: the award they belong to. */
	awardId?: number | null;
	/** For an activity's points: the activity (#17). */
	activityId?: number | null;
	kind: LedgerKind;
	points: number;
	status: LedgerStatus;
	breakdown?: LedgerBreakdown | null;
	reason?: string | null;
	createdById?: number | null;
}

function bucket(status: LedgerStatus, points: number) {
	return {
		confirmed: status === 'confirmed' ? points : 0,
		provisional: status === 'provisional' ? points : 0
	};
}

// Hot path (every sale): prepared once per connection. The breakdown is bound as its JSON text
// (a placeholder in an insert would encode a missing breakdown as the JSON text 'null').
const entryPlaceholders = {
	seasonId: sql.placeholder('seasonId'),
	userId: sql.placeholder('userId'),
	teamId: sql.placeholder('teamId'),
	saleId: sql.placeholder('saleId'),
	awardId: sql.placeholder('awardId'),
	activityId: sql.placeholder('activityId'),
	kind: sql.placeholder('kind'),
	points: sql.placeholder('points'),
	status: sql.placeholder('status'),
	breakdown: sql`${sql.placeholder('breakdown')}`,
	reason: sql.placeholder('reason'),
	createdById: sql.placeholder('createdById'),
	createdAt: sql.placeholder('createdAt')
};

/** What an entry adds to its standings (a WriteBatch applies it later, once per person). */
export function entryDelta(entry: NewEntry, salesDelta = 0): StandingDelta {
	return { ...bucket(entry.status, entry.points), sales: salesDelta };
}

/** An entry's values for insertEntry's placeholders. */
function entryValues(entry: NewEntry, now: number) {
	return {
		seasonId: entry.seasonId,
		userId: entry.userId,
		teamId: entry.teamId,
		saleId: entry.saleId ?? null,
		awardId: entry.awardId ?? null,
		activityId: entry.activityId ?? null,
		kind: entry.kind,
		points: entry.points,
		status: entry.status,
		breakdown: entry.breakdown == null ? null : JSON.stringify(entry.breakdown),
		reason: entry.reason ?? null,
		createdById: entry.createdById ?? null,
		createdAt: now
	};
}

// The same on the store (db/store.ts, #20), inside a write's callback (`…InWrite(tx, store, …)`),
// for the commands ported to it. The people whose standing moved go into `moved`, a list the
// callback makes and returns; its caller marks them after the commit (markStandingsMoved).

// As insertEntry, for the store: the tables are the store's dialect's.
const insertEntryOnStore = (db: StoreDb, { ledgerEntry }: Tables) =>
	db
		.insert(ledgerEntry)
		.values(entryPlaceholders)
		.returning({ id: ledgerEntry.id })
		.prepare('ledger_insert_entry');

/**
 * Appends the entry alone, inside a store's write: the caller moves the standings
 * (appendEntryInWrite, or a WriteBatch).
 */
export async function insertLedgerEntryInWrite(
	tx: StoreDb,
	store: Store,
	entry: NewEntry,
	now: number
): Promise<number> {
	const [row] = await preparedQuery(tx, store, insertEntryOnStore).execute(entryValues(entry, now));
	return row.id;
}

/** appendEntry inside a store's write: the entry, and the person's and team's standings. */
export async function appendEntryInWrite(
	tx: StoreDb,
	store: Store,
	entry: NewEntry,
	now: number,
	moved: StandingMove[],
	salesDelta = 0
): Promise<number> {
	const id = await insertLedgerEntryInWrite(tx, store, entry, now);
	await applyStandingDeltaInWrite(tx, store, entry, entryDelta(entry, salesDelta), now, moved);
	return id;
}

const changeStatusOnStore = (db: StoreDb, { ledgerEntry }: Tables) =>
	db
		.update(ledgerEntry)
		.set({ status: sql`${sql.placeholder('to')}` })
		.where(
			and(
				eq(ledgerEntry.id, sql.placeholder('entryId')),
				eq(ledgerEntry.status, sql.placeholder('from'))
			)
		)
		.returning({
			seasonId: ledgerEntry.seasonId,
			userId: ledgerEntry.userId,
			teamId: ledgerEntry.teamId,
			points: ledgerEntry.points
		})
		.prepare('ledger_change_status');

/**
 * Moves one entry (a quiz's or a referral's points), inside a store's write, from
 * one status to another, the standings following. The update is guarded by `from`, so an entry
 * another write moved meanwhile is not moved twice. Returns how many points moved.
 */
export async function changeEntryStatusInWrite(
	tx: StoreDb,
	store: Store,
	entryId: number,
	from: LedgerStatus,
	to: LedgerStatus,
	now: number,
	moved: StandingMove[]
): Promise<number> {
	const changed = await preparedQuery(tx, store, changeStatusOnStore).execute({
		entryId,
		from,
		to
	});
	let points = 0;
	for (const entry of changed) {
		const before = bucket(from, entry.points);
		const after = bucket(to, entry.points);
		const delta = {
			confirmed: after.confirmed - before.confirmed,
			provisional: after.provisional - before.provisional,
			sales: 0
		};
		await applyStandingDeltaInWrite(tx, store, entry, delta, now, moved);
		points += entry.points;
	}
	return points;
}
