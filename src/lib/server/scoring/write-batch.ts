import { unportedSqlite, type Store, type StoreDb } from '../db/store';
import {
	applySubjectDeltas,
	bumpVersionInWrite,
	type StandingDelta,
	STANDINGS_ROWS,
	subjectDeltaRows,
	type StandingMove,
	type SubjectDelta
} from './standings';
import {
	dayTotalsAmongInWrite,
	dayTotalsInWrite,
	rowlessDaysInWrite,
	stored,
	type DayRow,
	manyDaysValues,
	MANY_DAYS,
	writeDays,
	type DayKey,
	type DayOf,
	type DayTotals
} from './person-day';
import { HELD_INSERTS, SaleRows, type HeldEntry } from './sale-rows';
import { insertAfterAtCommitInWrite, insertAfterInWrite, type AfterFirst } from '../db/many-rows';

// Many sales in one transaction (an import's window, a group of concurrent API requests) touch
// the same few rows again and again: the seller's and the team's standing, the seller's day, the
// season's leaderboard version. Recorded one by one, each sale rewrites them (and moves their
// indexes); a WriteBatch keeps them in memory while the sales are recorded and writes each row
// once when the batch ends, in the same transaction. The totals are the same: a standing is a sum
// of deltas, a day's totals are what its sales add up to, and the version only has to change
// once per commit for a viewer to see every sale of it.
//
// Note: a sale's changes join the batch only after every statement of that sale ran (see
// writeSaleInWrite), so a sale refused before leaves the batch as it was.
//
// The batch is written by finishInWrite, in the write the sales were recorded in (a group of API
// sales, scoring/group-commit.ts; an import's window), and `moved` collects the people whose
// standing moved, to mark once the write has committed (markStandingsMoved).
//
// With `rows`, the batch also holds the new sales' own rows (sale, lines, ledger entry) and
// writes them many per statement (sale-rows.ts): an import's window, and a group of API sales
// on PostgreSQL. A held sale is not
// yet in the table that a replay is read from: an import's window groups a sale's lines by its
// id, so it never has one sale twice; a group of API sales writes the held rows before a sale
// whose id it holds (rows.holds).
//
// On PostgreSQL the days of the batch's sales are read ahead, all in one or two statements
// (readDaysInWrite, before the first sale is planned), where each seller's day new to the batch
// was a round trip. A day read ahead is what dayTotalsInWrite would have read at the day's first
// sale: nothing else in the write changes a day's row or its counted sales before that sale, and
// from it on the batch holds the day.

/**
 * finishInWrite on PostgreSQL: the seasons' versions bumped, then the held sales' rows (sale,
 * lines, ledger entries), the days and the standings.
 */
const FINISH = {
	first: `UPDATE season SET version = version + 1 WHERE id = ANY($1::bigint[])
		RETURNING id, version`,
	params: 1,
	inserts: [...HELD_INSERTS, MANY_DAYS, ...STANDINGS_ROWS],
	again: 'SELECT id, version FROM season WHERE id = ANY($1::bigint[])'
} satisfies AfterFirst;

export interface WriteBatchOptions {
	/** Hold the new sales' rows too, written before the rest by finishInWrite(). */
	rows?: boolean;
}

export interface FinishOptions {
	/**
	 * PostgreSQL: the batch's statement goes with the write's COMMIT, in its round trip (a lone
	 * sale's rows; db/store.ts deferRowsInWrite), when nothing of the write needs the rows or the
	 * versions before: any statement the write sends after sends it first. The versions
	 * (versionOf) are known once the write has committed.
	 */
	atCommit?: boolean;
}

type StandingKey = `${number}:${number}:${number}`;

export class WriteBatch {
	private standings = new Map<StandingKey, StandingDelta & { scoreChanged: boolean }>();
	private days = new Map<string, { key: DayKey; totals: DayTotals }>();
	/** Days as stored before this batch, read ahead (readDaysInWrite). */
	private daysRead = new Map<string, DayTotals>();
	private seasons = new Set<number>();
	private versions = new Map<number, number>();
	/** The new sales' rows, when the batch holds them (WriteBatchOptions.rows). */
	readonly rows: SaleRows | null;
	/**
	 * The new sales' ledger entries as written, when the batch does not hold their rows (a group
	 * of API sales on SQLite, or a lone sale): the group's badge facts take them instead of
	 * reading them back.
	 */
	readonly entries: HeldEntry[] = [];
	/** The people whose standing a write on the store moved (finishInWrite, a referral). */
	readonly moved: StandingMove[] = [];

	constructor(options: WriteBatchOptions = {}) {
		this.rows = options.rows ? new SaleRows() : null;
	}

	/** The seller's day so far: from the batch, else as read ahead, else its row. */
	async dayInWrite(tx: StoreDb, store: Store, key: DayKey, timeZone: string): Promise<DayTotals> {
		const id = dayId(key);
		const held = this.days.get(id);
		if (held) return held.totals;
		return this.daysRead.get(id) ?? dayTotalsInWrite(tx, store, key, timeZone);
	}

	/**
	 * Reads ahead the days among `days` that the batch has not met (PostgreSQL: two or more, in
	 * one statement, two when some have no row; scoring/sales.ts readDaysAheadInWrite); a day
	 * whose row is `known` (the sellers' read ahead, SaleLookups.dayReadAhead) is not read again,
	 * and one known to have none only has its sales read. Call before any sale of those days is
	 * planned, in the write they are recorded in.
	 */
	async readDaysInWrite(
		tx: StoreDb,
		store: Store,
		days: Iterable<DayOf>,
		/** A day's row read already (null: it has none; undefined: not read). */
		known: (key: DayKey) => DayRow | null | undefined = () => undefined
	): Promise<void> {
		const unmet = new Map<string, DayOf>();
		const rowless = new Map<string, DayOf>();
		for (const day of days) {
			const id = dayId(day.key);
			if (this.days.has(id) || this.daysRead.has(id)) continue;
			const row = known(day.key);
			if (row) this.daysRead.set(id, stored(row));
			else (row === null ? rowless : unmet).set(id, day);
		}
		// Days known to have no row: their sales summed, one statement for all (a lone sale's
		// first of the day: one, where its row's read and its sales' were two).
		if (rowless.size > 0) {
			const totals = await rowlessDaysInWrite(tx, store, [...rowless.values()]);
			let i = 0;
			for (const id of rowless.keys()) this.daysRead.set(id, totals[i++]);
		}
		// One day alone is read as the sale would read it: the same round trips, a simpler query.
		if (unmet.size < 2) return;
		const totals = await dayTotalsAmongInWrite(tx, store, [...unmet.values()]);
		let i = 0;
		for (const id of unmet.keys()) this.daysRead.set(id, totals[i++]);
	}

	/** Holds a day's new totals until finishInWrite(). */
	setDay(key: DayKey, totals: DayTotals): void {
		this.days.set(dayId(key), { key, totals });
	}

	/** Adds a ledger change to the person's (and their team's) pending standing delta. */
	addStanding(
		entry: { seasonId: number; userId: number; teamId: number },
		delta: StandingDelta
	): void {
		const key: StandingKey = `${entry.seasonId}:${entry.userId}:${entry.teamId}`;
		addDelta(this.standings, key, delta, delta.confirmed !== 0 || delta.provisional !== 0);
	}

	/** A sale's ledger entry, once nothing of that sale can be refused any more. */
	addEntry(entry: HeldEntry): void {
		this.entries.push(entry);
	}

	/** The season's leaderboard changes with this batch. */
	touchSeason(seasonId: number): void {
		this.seasons.add(seasonId);
	}

	/**
	 * The version a season will have once finishInWrite() ran (valid after it; with `atCommit`,
	 * after the write committed).
	 */
	versionOf(seasonId: number): number {
		return this.versions.get(seasonId) ?? 0;
	}

	/**
	 * Writes every held row once; call inside the write the sales were recorded in. On SQLite the
	 * held sales' rows (an import's window) first, then the versions; on PostgreSQL the versions
	 * first, all in one statement (finishOnPostgres). Either way a write that waits for a season's
	 * version (an import's window holds the table, imports/sales.ts claimSeasonsInWrite) then holds
	 * no standing or day it writes.
	 */
	async finishInWrite(
		tx: StoreDb,
		store: Store,
		now: number,
		options: FinishOptions = {}
	): Promise<void> {
		const sqlite = unportedSqlite(store);
		if (sqlite) {
			await this.rows?.writeInWrite(tx, store);
			for (const seasonId of this.seasons)
				this.versions.set(seasonId, await bumpVersionInWrite(tx, store, seasonId));
			// On SQLite many rows per statement, on the write's own connection (inside its
			// transaction): one upsert per person, team and day cost a group of 32 API sales
			// ~7-20 % more CPU per sale (bench/sale-write.ts). The people are marked as moved
			// here (applySubjectDeltas); a group rolled back leaves harmless marks.
			writeDays(sqlite, this.days.values());
			applySubjectDeltas(sqlite, this.subjectDeltas(), now);
		} else await this.finishOnPostgres(tx, store, now, options);
		this.clear();
	}

	/**
	 * The versions, the held sales' rows, the days and the standings in one statement
	 * (db/many-rows.ts insertAfterInWrite): the versions' bump first, then each table's rows,
	 * where each was a round trip (a lone sale's six: its sale, line and entry, then the three).
	 * The rows' triggers (the dashboard's rollups, the records' frontier) and foreign keys run at
	 * the statement's end, when every row of it is there.
	 */
	private async finishOnPostgres(
		tx: StoreDb,
		store: Store,
		now: number,
		{ atCommit }: FinishOptions
	): Promise<void> {
		const standings = subjectDeltaRows(this.subjectDeltas(), now, this.moved);
		const held = this.rows?.takeHeld() ?? [[], [], []];
		const rows = [...held, manyDaysValues(this.days.values()), ...standings];
		if (this.seasons.size === 0 && rows.every((r) => r.length === 0)) return;
		type Bumped = { id: number; version: number };
		const versions = this.versions;
		const keep = (bumped: Bumped[]) => {
			for (const { id, version } of bumped) versions.set(id, version);
		};
		const seasons = [[...this.seasons]];
		if (atCommit) await insertAfterAtCommitInWrite<Bumped>(tx, store, FINISH, seasons, rows, keep);
		else keep(await insertAfterInWrite<Bumped>(tx, store, FINISH, seasons, rows));
	}

	/** Each person once, then each team once with the sum of its people's deltas. */
	private subjectDeltas(): SubjectDelta[] {
		const subjects: SubjectDelta[] = [];
		const teams = new Map<string, StandingDelta & { scoreChanged: boolean }>();
		for (const [key, { scoreChanged, ...delta }] of this.standings) {
			const [seasonId, userId, teamId] = key.split(':').map(Number);
			subjects.push({ seasonId, subjectType: 'user', subjectId: userId, delta, scoreChanged });
			addDelta(teams, `${seasonId}:${teamId}`, delta, scoreChanged);
		}
		for (const [key, { scoreChanged, ...delta }] of teams) {
			const [seasonId, teamId] = key.split(':').map(Number);
			subjects.push({ seasonId, subjectType: 'team', subjectId: teamId, delta, scoreChanged });
		}
		return subjects;
	}

	private clear(): void {
		this.days.clear();
		this.daysRead.clear();
		this.standings.clear();
		this.seasons.clear();
	}
}

function addDelta<K>(
	into: Map<K, StandingDelta & { scoreChanged: boolean }>,
	key: K,
	delta: StandingDelta,
	scoreChanged: boolean
): void {
	const held = into.get(key);
	if (held) {
		held.confirmed += delta.confirmed;
		held.provisional += delta.provisional;
		held.sales += delta.sales;
		held.scoreChanged ||= scoreChanged;
	} else into.set(key, { ...delta, scoreChanged });
}

const dayId = (key: DayKey) => `${key.seasonId}:${key.userId}:${key.day}`;
