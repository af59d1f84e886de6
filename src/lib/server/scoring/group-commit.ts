import { retryWhenBusy } from '../db/busy';
import { unportedSqlite, write, type Store, type StoreDb } from '../db/store';
import { readsAhead } from '../db/many-rows';
import {
	planSaleInWrite,
	readDaysAheadInWrite,
	saleBadges,
	writeSaleInWrite,
	type PlannedSale,
	type RecordedInTx,
	type RecordedSale,
	type RecordSaleInput
} from './sales';
import { SaleLookups } from './sale-lookups';
import { INTEGRATION_SOURCES } from './sale-queries';
import { WriteBatch } from './write-batch';
import type { SaleRows } from './sale-rows';
import { markStandingsMoved } from './standings';
import { publishSaleAwards, saleAwardsInWrite } from './sale-awards';
import { notifyLeaderboard, publishActivity } from '../realtime/publish';
import type { DecidedAwards } from '../badges/awards';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { countSalesRecorded } from '../shared/metrics';

// Group commit for the API and the sell form: the sales that arrive while the event loop is busy
// are recorded together, in one write of the store, once a turn of the loop brings no more
// (GATHER_TURNS at most). A sale is refused before anything of it is written (planSaleInWrite), so
// a refusal leaves the others alone without a savepoint of its own; on PostgreSQL the group's
// sellers (user, live season, team: SaleLookups.readSellersAheadInWrite, one statement, not three
// per seller) and their days (readDaysAheadInWrite: one or two statements, not one per seller and
// day) are read ahead together, its standings, days and versions written once (WriteBatch), and
// every request is answered only after the write that holds its sale has committed: nothing
// acknowledged can be lost. One COMMIT, holding the group's badge step too, then serves many sales
// instead of one each. The same body runs on SQLite and PostgreSQL (recordSaleInWrite); on
// PostgreSQL a write that conflicts with another node's runs again whole (db/store.ts write), with
// fresh lookups and batch.
//
// On PostgreSQL the batch also holds the group's new rows (sale, lines, ledger entry), as an
// import's window does (sale-rows.ts), a lone sale's too: their ids drawn from the sequences in
// the sellers' read ahead, before the first sale is planned, and the rows written at the group's
// end in the statement of its versions, days and standings (WriteBatch.finishInWrite), where each
// sale inserted its sale, each line and its entry, a round trip each. SQLite keeps its one-by-one
// inserts: each is a call on the write's own connection of a few µs.

/** At most this many sales per write, so that one group never holds the loop long. */
const MAX_GROUP = 128;

/**
 * At most this many turns of the event loop a group waits for more sales, while each turn
 * brings some. Under load the requests of a round of answers come back over several turns: a
 * group drained on the first turn after its first sale held ~11 of bench:ingest's 32
 * connections on average, a third of them 1 to 7, and each group pays its own lookups, batch
 * writes and COMMIT. A lone sale (no other in the next turn) is written as soon as before.
 */
const GATHER_TURNS = 4;

interface Pending {
	input: RecordSaleInput;
	/** The caller's clock: a group runs on its first sale's (one per process but in tests). */
	clock: Clock;
	resolve: (recorded: RecordedSale) => void;
	reject: (error: unknown) => void;
}

type Queue = { pending: Pending[]; scheduled: boolean };

// One queue per database: on SQLite per connection (every store made on it shares its queue),
// on PostgreSQL per store (its pool).
const queues = new WeakMap<object, Queue>();

/**
 * Records a sale with the others that arrive in the same turns of the event loop; resolves once
 * its write committed (rejects with the sale's AppError when it is refused).
 */
export function recordSaleGrouped(
	store: Store,
	input: RecordSaleInput,
	clock: Clock = systemClock
): Promise<RecordedSale> {
	const key = unportedSqlite(store) ?? store;
	let queue = queues.get(key);
	if (!queue) queues.set(key, (queue = { pending: [], scheduled: false }));
	const q = queue;
	return new Promise<RecordedSale>((resolve, reject) => {
		q.pending.push({ input, clock, resolve, reject });
		if (!q.scheduled) {
			q.scheduled = true;
			gather(store, q);
		}
	});
}

/** Drains the queue once a turn of the event loop brought no sale (or GATHER_TURNS did). */
function gather(store: Store, queue: Queue): void {
	let seen = queue.pending.length;
	let turns = 1;
	const turn = () => {
		const arrived = queue.pending.length > seen;
		if (arrived && queue.pending.length < MAX_GROUP && turns < GATHER_TURNS) {
			seen = queue.pending.length;
			turns += 1;
			setImmediate(turn);
		} else void drain(store, queue);
	};
	setImmediate(turn);
}

async function drain(store: Store, queue: Queue): Promise<void> {
	while (queue.pending.length > 0) {
		const group = queue.pending.splice(0, MAX_GROUP);
		await commitGroup(store, group, group[0].clock);
	}
	queue.scheduled = false;
}

type Outcome = { recorded: RecordedInTx } | { error: AppError };

interface Committed {
	outcomes: Outcome[];
	writes: WriteBatch;
	decided: DecidedAwards | null;
}

/** The group's sales, their batch and its badge step: one write's body. */
async function recordGroupInWrite(
	tx: StoreDb,
	store: Store,
	group: Pending[],
	now: number
): Promise<Committed> {
	const lookups = new SaleLookups();
	const inputs = group.map((p) => p.input);
	const writes = new WriteBatch({ rows: readsAhead(store) });
	if (writes.rows)
		await lookups.readSellersAheadInWrite(tx, store, inputs, idsSentOnce(group), writes.rows);
	else await lookups.prefetchReplaysInWrite(tx, store, idsOnceIn(group));
	await readDaysAheadInWrite(tx, store, inputs, lookups, writes);
	if (writes.rows) await drawIdsAheadInWrite(tx, store, group, lookups, writes.rows);
	const outcomes: Outcome[] = [];
	for (const p of group) {
		// An id sent twice in the group: the second one's replay read (replayInWrite) must find
		// the first one's rows, held until now.
		const { source, externalId } = p.input;
		if (writes.rows?.holds(source, externalId, INTEGRATION_SOURCES.has(source)))
			await writes.rows.writeInWrite(tx, store);
		let planned: PlannedSale;
		try {
			planned = await planSaleInWrite(tx, store, p.input, now, lookups, writes);
		} catch (error) {
			// Refused before anything of it was written: the write goes on with the others.
			if (!(error instanceof AppError)) throw error;
			outcomes.push({ error });
			continue;
		}
		outcomes.push({
			recorded:
				'replay' in planned
					? planned.replay
					: await writeSaleInWrite(tx, store, planned, now, lookups, writes)
		});
	}
	// Nothing below needs the rows' answer (the versions: read once the write has committed): on
	// PostgreSQL their statement goes with the COMMIT, unless the badge step sends one before.
	await writes.finishInWrite(tx, store, now, { atCommit: true });
	// The badges follow the ledger in the same transaction: its own BEGIN/COMMIT after the
	// answers was ~18 % of the step's CPU at 200,000 sales (docs/benchmarks.md, "The badges-on
	// step at size").
	const held = writes.rows?.entries ?? writes.entries;
	const decided = saleBadges
		? await saleAwardsInWrite(tx, store, now, held, lookups.stepAhead())
		: null;
	return { outcomes, writes, decided };
}

/**
 * Draws in one statement the ids of the group's sales not known to be replays (an id sent twice
 * draws twice: the unused ids are gaps, as those of a refused sale), when the sellers' read ahead
 * did not (it drew them unless it found no seller). Without it each sale drew its own
 * (SaleRows.addInWrite).
 */
async function drawIdsAheadInWrite(
	tx: StoreDb,
	store: Store,
	group: Pending[],
	lookups: SaleLookups,
	rows: SaleRows
): Promise<void> {
	const fresh = group.filter(({ input }) => !lookups.knownReplay(input.source, input.externalId));
	const lines = fresh.reduce((sum, { input }) => sum + input.lines.length, 0);
	await rows.drawInWrite(tx, store, fresh.length, lines);
}

/**
 * The integrations' external ids the group's sales send once each, when it has two or more:
 * which of them have a sale already is read in one query (prefetchReplaysInWrite) instead of
 * one per sale. An id sent twice in the group is left to its sales' own reads, which see the
 * first one's row once it is written.
 */
function idsOnceIn(group: Pending[]): string[] {
	const once = idsSentOnce(group);
	return once.length > 1 ? once : [];
}

/**
 * The integrations' external ids the group's sales send once each, all of them: on PostgreSQL
 * the sellers' read ahead reads which have a sale in its own statement, so that one id is a
 * round trip fewer too (a lone sale's replay read).
 */
function idsSentOnce(group: Pending[]): string[] {
	const seen = new Map<string, number>();
	for (const { input } of group)
		if (INTEGRATION_SOURCES.has(input.source))
			seen.set(input.externalId, (seen.get(input.externalId) ?? 0) + 1);
	return [...seen].filter(([, count]) => count === 1).map(([id]) => id);
}

async function commitGroup(store: Store, group: Pending[], clock: Clock): Promise<void> {
	let committed: Committed;
	try {
		// A SQLite database locked by another process is retried whole (it was rolled back whole).
		// On PostgreSQL a group that lost to other nodes' writes of the same standings takes the
		// seasons first when it runs again (db/store.ts claimSeasonsInWrite): two nodes selling
		// back to back otherwise made a group lose all its attempts.
		committed = await retryWhenBusy(() =>
			write(store, (tx) => recordGroupInWrite(tx, store, group, clock()), {
				claimSeasons: 'always'
			})
		);
	} catch (error) {
		// Nothing of the group was committed: every request hears the failure.
		for (const p of group) p.reject(error);
		return;
	}
	const { outcomes, writes, decided } = committed;
	markStandingsMoved(writes.moved);
	const touched = new Map<number, number[]>();
	outcomes.forEach((outcome, i) => {
		if ('error' in outcome) return group[i].reject(outcome.error);
		const { activity, ...recorded } = outcome.recorded;
		if (activity) {
			recorded.version = writes.versionOf(recorded.seasonId);
			publishActivity(activity);
			const sellers = touched.get(recorded.seasonId) ?? [];
			sellers.push(activity.userId);
			touched.set(recorded.seasonId, sellers);
		}
		group[i].resolve(recorded);
	});
	for (const [seasonId, sellers] of touched) {
		countSalesRecorded(sellers.length);
		notifyLeaderboard(seasonId);
	}
	// After the answers have gone out: the awards the group's write decided are pushed.
	if (decided) setImmediate(() => publishSaleAwards(store, decided, clock));
}
