import type { Queryable } from '../db';
import {
	dayKeyOf as localDateKey,
	dayRangeOf,
	weekKeyOf as weekKey,
	weekRangeOf as weekRange
} from '../../contest/zone-calendar';
import { COUNTED_SALE_STATUSES } from '../../contest/counting';
import type { SaleFact } from '../../contest/badges';
import { flatRows, insertRows, insertTogetherInWrite, type ManyRows } from '../db/many-rows';
import type { Store, StoreDb } from '../db/store';
import type { HeldEntry } from '../scoring/sale-rows';
import {
	all,
	eitherOpening,
	get,
	run,
	runInWrite,
	runSync,
	scope,
	type Steps,
	type Twin
} from './steps';

// Badge facts: the totals, days and weeks the badge criteria need, kept up to date from the
// ledger, which is append-only and records every change to a sale that counts: its 'sale'
// entry, 'adjustment' entries when the season is recalculated, and 'reversal' entries when it
// is rejected or reversed. A cursor remembers the last entry read, so bringing the facts up to
// date costs what changed since, never the season's size, and the facts are correct whichever
// path wrote the sale (API, console, import, seed). Everything here runs inside the caller's
// write transaction.

const COUNTED = `(${COUNTED_SALE_STATUSES.map((s) => `'${s}'`).join(', ')})`;

// One text for both dialects where they agree: aliases quoted (PostgreSQL folds unquoted names
// to lower case), an upsert names its conflict target (PostgreSQL requires it), CASE for
// SQLite's two-argument max(). Where they differ, each its own (Text in steps.ts).
const SQL = {
	// The cursor and the ledger's end in one read: nothing the facts do writes the ledger, so the
	// end read first is the end read after them (each was a round trip on PostgreSQL).
	cursorAndEnd: `SELECT (SELECT ledger_id FROM badge_cursor WHERE id = 1) AS "cursorId",
		(SELECT max(id) FROM ledger_entry) AS "lastId"`,
	setCursor: `INSERT INTO badge_cursor (id, ledger_id) VALUES (?, ?)
		ON CONFLICT(id) DO UPDATE SET ledger_id = excluded.ledger_id`,
	// Each entry with its sale (the facts never change a sale, so reading it here is reading it
	// when the entry's turn comes); a sale no longer there has null columns.
	// A new sale's categories come with it, as categoriesOf reads them (one query, not one a sale):
	// JSON text on SQLite, an array on PostgreSQL (its json parsed by the driver).
	entries: entriesOf({
		sqlite: 'json_group_array(DISTINCT p.category)',
		postgres: 'json_agg(DISTINCT p.category)'
	}),
	earlierReversal: `SELECT 1 AS one FROM ledger_entry WHERE sale_id = ? AND kind = 'reversal' AND id < ?`,
	sale: `SELECT id, season_id AS "seasonId", seller_id AS "userId", team_id AS "teamId",
		occurred_at AS "occurredAt", amount, status FROM sale WHERE id = ?`,
	categories: `SELECT DISTINCT p.category FROM sale_line l JOIN product p ON p.id = l.product_id
		WHERE l.sale_id = ?`,
	timeZone: `SELECT time_zone AS "timeZone" FROM season WHERE id = ?`,
	tally: `INSERT INTO badge_tally (season_id, subject_type, subject_id, metric, value)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT(season_id, subject_type, subject_id, metric)
		DO UPDATE SET value = badge_tally.value + excluded.value`,
	tallies: `SELECT metric, value FROM badge_tally
		WHERE season_id = ? AND subject_type = ? AND subject_id = ?`,
	addDay: `INSERT INTO badge_day (season_id, user_id, day, sales, first_at, first_sale_id)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(season_id, user_id, day) DO UPDATE SET
			sales = badge_day.sales + excluded.sales,
			first_sale_id = CASE WHEN badge_day.sales = 0 OR excluded.first_at < badge_day.first_at
				OR (excluded.first_at = badge_day.first_at
					AND excluded.first_sale_id < badge_day.first_sale_id)
				THEN excluded.first_sale_id ELSE badge_day.first_sale_id END,
			first_at = CASE WHEN badge_day.sales = 0 OR excluded.first_at < badge_day.first_at
				OR (excluded.first_at = badge_day.first_at
					AND excluded.first_sale_id < badge_day.first_sale_id)
				THEN excluded.first_at ELSE badge_day.first_at END`,
	removeDay: `UPDATE badge_day SET sales = sales - 1 WHERE season_id = ? AND user_id = ? AND day = ?
		RETURNING sales, first_sale_id AS "firstSaleId"`,
	setDayFirst: `UPDATE badge_day SET first_at = ?, first_sale_id = ?
		WHERE season_id = ? AND user_id = ? AND day = ?`,
	firstInRange: `SELECT id, occurred_at AS "occurredAt" FROM sale
		WHERE season_id = ? AND seller_id = ? AND occurred_at >= ? AND occurred_at < ?
		AND status IN ${COUNTED} ORDER BY occurred_at, id LIMIT 1`,
	lastInRange: `SELECT max(occurred_at) AS at FROM sale
		WHERE season_id = ? AND seller_id = ? AND occurred_at >= ? AND occurred_at < ?
		AND status IN ${COUNTED}`,
	days: `SELECT day, first_at AS "firstAt", first_sale_id AS "firstSaleId" FROM badge_day
		WHERE season_id = ? AND user_id = ? AND sales > 0 ORDER BY day`,
	dayOf: `SELECT first_sale_id AS "firstSaleId" FROM badge_day
		WHERE season_id = ? AND user_id = ? AND day = ?`,
	week: `INSERT INTO badge_week (season_id, week, user_id, sales, points, reached_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(season_id, week, user_id) DO UPDATE SET
			sales = badge_week.sales + excluded.sales, points = badge_week.points + excluded.points,
			reached_at = CASE WHEN excluded.reached_at > badge_week.reached_at
				THEN excluded.reached_at ELSE badge_week.reached_at END`,
	removeWeekSale: `UPDATE badge_week SET sales = sales - 1
		WHERE season_id = ? AND week = ? AND user_id = ? RETURNING reached_at AS "reachedAt"`,
	setWeekReached: `UPDATE badge_week SET reached_at = ? WHERE season_id = ? AND week = ? AND user_id = ?`,
	weekRows: `SELECT user_id AS "userId", points, reached_at AS "reachedAt" FROM badge_week
		WHERE season_id = ? AND week = ? AND sales > 0`,
	dirty: `INSERT INTO badge_period (season_id, period_key, ends_at, dirty) VALUES (?, ?, ?, 1)
		ON CONFLICT(season_id, period_key) DO UPDATE SET dirty = 1`,
	periods: `SELECT period_key AS "periodKey", ends_at AS "endsAt", dirty, decided_with AS "decidedWith"
		FROM badge_period WHERE season_id = ? AND ends_at <= ? ORDER BY ends_at`,
	period: `SELECT period_key AS "periodKey", ends_at AS "endsAt", dirty, decided_with AS "decidedWith"
		FROM badge_period WHERE season_id = ? AND period_key = ?`,
	decided: `UPDATE badge_period SET dirty = 0, decided_with = ? WHERE season_id = ? AND period_key = ?`,
	// Record sales: an earlier sale that counts at all.
	anyEarlier: `SELECT 1 AS one FROM sale WHERE season_id = ? AND status IN ${COUNTED}
		AND (occurred_at < ? OR (occurred_at = ? AND id < ?)) LIMIT 1`,
	// The biggest amount of the season's sales that count before a sale: the last record before
	// it (badge_record, kept by triggers on sale; none when no sale that counts is earlier).
	// One seek: walking sale_season_amount_idx up from the sale's amount until an earlier sale
	// cost p50 5 µs but p99 0.2 ms and up to 12.6 ms at 200,000 sales (hb-record).
	biggestBefore: `SELECT amount FROM badge_record WHERE season_id = ?
		AND (occurred_at, sale_id) < (?, ?) ORDER BY occurred_at DESC, sale_id DESC LIMIT 1`,
	firstSales: `SELECT id FROM sale WHERE season_id = ? AND status IN ${COUNTED}
		ORDER BY occurred_at, id LIMIT ?`,
	ownSales: `SELECT id, team_id AS "teamId", seller_id AS "userId", occurred_at AS "occurredAt",
		amount, points FROM sale WHERE season_id = ? AND seller_id = ? AND status IN ${COUNTED}
		ORDER BY id`,
	ownCategories: `SELECT l.sale_id AS "saleId", p.category FROM sale s
		JOIN sale_line l ON l.sale_id = s.id JOIN product p ON p.id = l.product_id
		WHERE s.season_id = ? AND s.seller_id = ? AND s.status IN ${COUNTED}`,
	// A seek down the person's sales in id order (sale_season_seller_idx is in time order: it
	// read them all, ~50 ms at 10,000 sales, once per award with points). PostgreSQL takes no
	// index hint (its planner picks sale_season_seller_id_idx for the ORDER BY id DESC LIMIT 1).
	lastTeam: lastTeamOn({ sqlite: 'sale INDEXED BY sale_season_seller_id_idx', postgres: 'sale' }),
	saleStatus: `SELECT status FROM sale WHERE id = ?`,
	// Who a re-evaluation visits: everyone the facts know, and everyone holding an award.
	tallySubjects: `SELECT DISTINCT subject_type AS kind, subject_id AS id FROM badge_tally
		WHERE season_id = ?`,
	awardSubjects: `SELECT DISTINCT subject_type AS kind, subject_id AS id FROM award
		WHERE season_id = ? AND status <> 'void'`,
	clear: [
		`DELETE FROM badge_tally`,
		`DELETE FROM badge_day`,
		`DELETE FROM badge_week`,
		`DELETE FROM badge_period`,
		`DELETE FROM badge_cursor`
	]
} as const;

function entriesOf(categories: Twin): Twin {
	const text = (aggregate: string) => `SELECT e.id, e.sale_id AS "saleId", e.kind, e.points,
		s.season_id AS "seasonId", s.seller_id AS "userId", s.team_id AS "teamId",
		s.occurred_at AS "occurredAt", s.amount, s.status,
		CASE WHEN e.kind = 'sale' THEN (SELECT ${aggregate}
			FROM sale_line l JOIN product p ON p.id = l.product_id WHERE l.sale_id = e.sale_id)
		END AS categories
		FROM ledger_entry e LEFT JOIN sale s ON s.id = e.sale_id
		WHERE e.id > ? AND e.sale_id IS NOT NULL AND e.kind IN ('sale', 'adjustment', 'reversal')
		ORDER BY e.id LIMIT ?`;
	return { sqlite: text(categories.sqlite), postgres: text(categories.postgres) };
}

function lastTeamOn(from: Twin): Twin {
	const text = (table: string) => `SELECT team_id AS "teamId" FROM ${table}
		WHERE season_id = ? AND seller_id = ? AND status IN ${COUNTED} ORDER BY id DESC LIMIT 1`;
	return { sqlite: text(from.sqlite), postgres: text(from.postgres) };
}

/**
 * SQL.tally, addDay, week and dirty as many rows per statement (Growth.write): each row's values
 * in the columns' order, and the same upsert after VALUES.
 */
const MANY = {
	tally: manyOf(SQL.tally, 'badge_tally'),
	day: manyOf(SQL.addDay, 'badge_day'),
	week: manyOf(SQL.week, 'badge_week'),
	dirty: manyOf(SQL.dirty, 'badge_period'),
	cursor: manyOf(SQL.setCursor, 'badge_cursor')
};

/** What Growth.write writes, in one statement on PostgreSQL (insertTogetherInWrite). */
const GROWTH = [MANY.tally, MANY.day, MANY.week, MANY.dirty, MANY.cursor] as const;

function manyOf(text: string, table: string): ManyRows {
	// Note: every column is a parameter (dirty's literal 1 becomes a value of each row).
	const [, columns, then] = /\(([^)]*)\)\s+VALUES \([^)]*\)\s*(.*)$/s.exec(text)!;
	return { table, columns: columns.split(',').map((c) => c.trim()), then };
}

interface SaleRow {
	id: number;
	seasonId: number;
	userId: number;
	teamId: number;
	occurredAt: number;
	amount: number;
	status: string;
}

/** A sale the facts took in: its awards remain to be decided. */
export interface NewSale {
	seasonId: number;
	saleId: number;
	/**
	 * The sale as the criteria see it, read with its ledger entry (null when it no longer
	 * counts): saleFact's answer without reading the sale and its categories a second time.
	 */
	fact?: (SaleFact & { seasonId: number }) | null;
}

const zones = new WeakMap<object, Map<number, string>>();
function* timeZoneOf(seasonId: number): Steps<string> {
	// A season's zone is fixed once it has sales; cached per season and database for the
	// process's life (season 1 of one database is not season 1 of another: the tests share a
	// process between databases).
	const owner = yield* scope();
	let known = zones.get(owner);
	if (!known) zones.set(owner, (known = new Map()));
	let zone = known.get(seasonId);
	if (zone === undefined) {
		zone = (yield* get<{ timeZone: string }>(SQL.timeZone, seasonId))?.timeZone;
		if (zone === undefined) return 'UTC';
		known.set(seasonId, zone);
	}
	return zone;
}

function* categoriesOf(saleId: number): Steps<string[]> {
	return (yield* all<{ category: string }>(SQL.categories, saleId)).map((r) => r.category);
}

function* tally(s: SaleRow, metric: string, value: number, teamToo: boolean): Steps<void> {
	if (value === 0) return;
	yield* run(SQL.tally, s.seasonId, 'user', s.userId, metric, value);
	if (teamToo) yield* run(SQL.tally, s.seasonId, 'team', s.teamId, metric, value);
}

function* markWeek(seasonId: number, at: number, timeZone: string): Steps<void> {
	// A week's totals decide its own weekly badges and "most improved" of the week after.
	const range = weekRange(at, timeZone);
	const next = weekRange(range[1], timeZone);
	yield* run(SQL.dirty, seasonId, weekKey(at, timeZone), range[1]);
	yield* run(SQL.dirty, seasonId, weekKey(range[1], timeZone), next[1]);
}

/**
 * What new sales add to the facts, summed per row and written once: a window of an import
 * brings hundreds of sales of the same teams, people and weeks, and one row takes the sum of
 * many additions as it takes each (the upserts add counts and keep the earliest first sale and
 * the latest time). Written before any other kind of entry is read, as those read the rows.
 */
class Growth {
	// Each row as its statement's parameters, by the row's key.
	private tallies = new Map<string, [number, 'user' | 'team', number, string, number]>();
	private days = new Map<string, [number, number, string, number, number, number]>();
	private weeks = new Map<string, [number, string, number, number, number, number]>();
	private periods = new Map<string, [number, string, number]>();
	// The weeks markWeek marked (with the week after): a window's sales fall in a few weeks.
	private marked = new Set<string>();

	/** A sale starts counting: every fact it feeds grows. */
	*addSale(s: SaleRow, points: number, categories: string[]): Steps<void> {
		const zone = yield* timeZoneOf(s.seasonId);
		this.tally(s, 'sales', 1, false);
		this.tally(s, 'points', points, true);
		this.tally(s, 'amount', s.amount, true);
		this.tally(s, 'cross', categories.length > 1 ? 1 : 0, false);
		for (const category of categories) this.tally(s, `cat:${category}`, 1, false);

		const day = localDateKey(s.occurredAt, zone);
		const dayKey = `${s.seasonId}|${s.userId}|${day}`;
		const d = this.days.get(dayKey);
		if (!d) this.days.set(dayKey, [s.seasonId, s.userId, day, 1, s.occurredAt, s.id]);
		else {
			d[3] += 1;
			if (s.occurredAt < d[4] || (s.occurredAt === d[4] && s.id < d[5]))
				[d[4], d[5]] = [s.occurredAt, s.id];
		}

		const week = weekKey(s.occurredAt, zone);
		const weekId = `${s.seasonId}|${week}|${s.userId}`;
		const w = this.weeks.get(weekId);
		if (!w) this.weeks.set(weekId, [s.seasonId, week, s.userId, 1, points, s.occurredAt]);
		else {
			w[3] += 1;
			w[4] += points;
			w[5] = Math.max(w[5], s.occurredAt);
		}

		this.markWeek(s, week, zone);
	}

	/**
	 * The points of a sale that counts changed (a recalculation's adjustment, or the last part of
	 * a reversal): its points' tallies and week grow by them. Held like a sale's growth: a
	 * recalculation's chunk brings one adjustment per changed sale, five statements each on
	 * their own (bench/recalc-pg-probe.mts).
	 */
	*addPoints(s: SaleRow, points: number): Steps<void> {
		if (points === 0) return;
		const zone = yield* timeZoneOf(s.seasonId);
		this.tally(s, 'points', points, true);
		const week = weekKey(s.occurredAt, zone);
		const weekId = `${s.seasonId}|${week}|${s.userId}`;
		const w = this.weeks.get(weekId);
		// Sales 0 and reached_at 0: the upsert adds nothing to the count and keeps the latest time.
		if (!w) this.weeks.set(weekId, [s.seasonId, week, s.userId, 0, points, 0]);
		else w[4] += points;
		this.markWeek(s, week, zone);
	}

	/** A week's totals decide its own weekly badges and "most improved" of the week after. */
	private markWeek(s: SaleRow, week: string, zone: string) {
		const marked = `${s.seasonId}|${week}`;
		if (this.marked.has(marked)) return;
		this.marked.add(marked);
		const range = weekRange(s.occurredAt, zone);
		this.periods.set(`${s.seasonId}|${week}`, [s.seasonId, week, range[1]]);
		const next = weekKey(range[1], zone);
		this.periods.set(`${s.seasonId}|${next}`, [s.seasonId, next, weekRange(range[1], zone)[1]]);
	}

	private tally(s: SaleRow, metric: string, value: number, teamToo: boolean) {
		if (value === 0) return;
		this.tallyOf(s.seasonId, 'user', s.userId, metric, value);
		if (teamToo) this.tallyOf(s.seasonId, 'team', s.teamId, metric, value);
	}

	private tallyOf(
		seasonId: number,
		type: 'user' | 'team',
		id: number,
		metric: string,
		value: number
	) {
		const key = `${seasonId}|${type}|${id}|${metric}`;
		const held = this.tallies.get(key);
		if (held) held[4] += value;
		else this.tallies.set(key, [seasonId, type, id, metric, value]);
	}

	/** Writes what grew, and moves the cursor to `cursor` when given. */
	*write(cursor?: number): Steps<void> {
		// Many rows per statement (db/many-rows.ts): each key is held once, so each row's upsert
		// is the one its own statement would run (PostgreSQL refuses a key twice in one upsert).
		// On PostgreSQL the four tables and the cursor are one statement, each table's columns bound
		// as arrays (a round trip each before, and SQLite's chunks one each before that).
		const values = [
			flatRows(this.tallies.values()),
			flatRows(this.days.values()),
			flatRows(this.weeks.values()),
			flatRows(this.periods.values(), 1),
			cursor === undefined ? [] : [1, cursor]
		];
		if (values.some((rows) => rows.length > 0))
			yield* eitherOpening(
				(db) => GROWTH.forEach((insert, i) => insertRows(db, insert, values[i])),
				(tx, store, lead) => insertTogetherInWrite(tx, store, GROWTH, values, lead)
			);
		this.tallies.clear();
		this.days.clear();
		this.weeks.clear();
		this.periods.clear();
		this.marked.clear();
	}
}

/** A sale stops counting (rejected or reversed): the facts it fed shrink. */
function* removeSale(s: SaleRow, points: number): Steps<void> {
	const zone = yield* timeZoneOf(s.seasonId);
	const categories = yield* categoriesOf(s.id);
	yield* tally(s, 'sales', -1, false);
	yield* tally(s, 'points', points, true);
	yield* tally(s, 'amount', -s.amount, true);
	yield* tally(s, 'cross', categories.length > 1 ? -1 : 0, false);
	for (const category of categories) yield* tally(s, `cat:${category}`, -1, false);
	// Days and weeks keep their row (sales 0); the first and last sale are looked up again.
	const day = localDateKey(s.occurredAt, zone);
	const d = yield* get<{ sales: number; firstSaleId: number }>(
		SQL.removeDay,
		s.seasonId,
		s.userId,
		day
	);
	if (d && d.sales > 0 && d.firstSaleId === s.id) {
		const [from, to] = dayRangeOf(s.occurredAt, zone);
		const first = yield* get<{ id: number; occurredAt: number }>(
			SQL.firstInRange,
			s.seasonId,
			s.userId,
			from,
			to
		);
		if (first) yield* run(SQL.setDayFirst, first.occurredAt, first.id, s.seasonId, s.userId, day);
	}
	const week = weekKey(s.occurredAt, zone);
	yield* run(SQL.week, s.seasonId, week, s.userId, 0, points, 0);
	const w = yield* get<{ reachedAt: number }>(SQL.removeWeekSale, s.seasonId, week, s.userId);
	if (w && w.reachedAt === s.occurredAt) {
		const [from, to] = weekRange(s.occurredAt, zone);
		const last = yield* get<{ at: number | null }>(SQL.lastInRange, s.seasonId, s.userId, from, to);
		yield* run(SQL.setWeekReached, last?.at ?? 0, s.seasonId, week, s.userId);
	}
	yield* markWeek(s.seasonId, s.occurredAt, zone);
}

/** The badge cursor's entry and the ledger's last one (null: none). */
export interface LedgerStart {
	cursorId: number | null;
	lastId: number | null;
}

/** What catching up gave: the sales that started counting and those that stopped. */
export interface CaughtUp {
	added: NewSale[];
	removed: NewSale[];
	done: boolean;
	changedSeasons: Set<number>;
}

/** No limit on the entries read (a negative LIMIT is SQLite's alone). */
const ALL_ENTRIES = Number.MAX_SAFE_INTEGER;

/**
 * Brings the badge facts up to date with the ledger, reading at most `limit` entries. Returns
 * the sales that started counting (their awards are to be decided) and whether the facts are
 * now up to date. `held`: entries the caller has just written (an import's window, as
 * SaleRows held them); when they are exactly the ledger's entries after the cursor, they are
 * taken as they are instead of read back (the same values: the sale's row as written, its
 * products' categories in line order).
 */
export function* catchingUpFacts(
	limit = Infinity,
	held: readonly HeldEntry[] = [],
	// The cursor and the ledger's end read ahead in the same write, its own entries included.
	ahead?: LedgerStart
): Steps<CaughtUp> {
	const start = ahead ?? (yield* get<LedgerStart>(SQL.cursorAndEnd));
	const cursor = start?.cursorId ?? 0;
	const end = start?.lastId ?? 0;
	const batch = Number.isFinite(limit) ? limit : -1;
	const last = heldAreNext(cursor, end, batch, held);
	const rows = (
		last !== null ? held : yield* all(SQL.entries, cursor, batch < 0 ? ALL_ENTRIES : batch)
	) as readonly ({
		id: number;
		saleId: number;
		kind: 'sale' | 'adjustment' | 'reversal';
		points: number;
		/** JSON text as SQLite reads it; an array when held or read on PostgreSQL. */
		categories: string | string[] | null;
	} & Omit<SaleRow, 'id' | 'seasonId'> & { seasonId: number | null })[];
	const added: NewSale[] = [];
	const removed: NewSale[] = [];
	const changedSeasons = new Set<number>();
	const growth = new Growth();
	for (const entry of rows) {
		if (entry.seasonId === null) continue;
		const { saleId, seasonId, userId, teamId, occurredAt, amount, status } = entry;
		const s: SaleRow = { id: saleId, seasonId, userId, teamId, occurredAt, amount, status };
		changedSeasons.add(s.seasonId);
		if (entry.kind === 'sale') {
			const categories =
				typeof entry.categories === 'string'
					? (JSON.parse(entry.categories) as string[])
					: (entry.categories ?? []);
			yield* growth.addSale(s, entry.points, categories);
			added.push({ seasonId: s.seasonId, saleId: s.id, fact: factOf(s, categories) });
			continue;
		}
		// A reversal in two parts (provisional and confirmed points): the sale left already.
		if (entry.kind === 'adjustment' || (yield* get(SQL.earlierReversal, s.id, entry.id))) {
			yield* growth.addPoints(s, entry.points);
			continue;
		}
		// The sale leaves: its day's and week's rows are read, with what grew before it.
		yield* growth.write();
		yield* removeSale(s, entry.points);
		removed.push({ seasonId: s.seasonId, saleId: s.id });
	}
	const done = batch < 0 || rows.length < batch;
	// Note: an end read ahead may be short of entries the write added besides `held`: never behind
	// an entry taken in.
	const next = done ? Math.max(end, rows[rows.length - 1]?.id ?? 0) : rows[rows.length - 1].id;
	yield* growth.write(next !== cursor ? next : undefined);
	return { added, removed, done, changedSeasons };
}

/** catchingUpFacts on a SQLite connection, inside the caller's transaction. */
export function catchUpFacts(
	db: Queryable,
	limit = Infinity,
	held: readonly HeldEntry[] = []
): CaughtUp {
	return runSync(db, catchingUpFacts(limit, held));
}

/**
 * The ledger's last id (`end`) when `held` is every entry after `cursor` (ids cursor + 1,
 * cursor + 2, … up to the end, so nothing else was written in between or after), and fewer than
 * `batch`; null when the entries must be read.
 */
function heldAreNext(
	cursor: number,
	end: number,
	batch: number,
	held: readonly HeldEntry[]
): number | null {
	if (held.length === 0 || (batch >= 0 && held.length >= batch)) return null;
	for (let i = 0; i < held.length; i++) if (held[i].id !== cursor + 1 + i) return null;
	return end === cursor + held.length ? end : null;
}

/**
 * Throws the facts away inside a store's write: the next catch-up rebuilds them from the whole
 * ledger.
 */
export function clearFactsInWrite(tx: StoreDb, store: Store): Promise<void> {
	return runInWrite(tx, store, clearing());
}

function* clearing(): Steps<void> {
	for (const text of SQL.clear) yield* run(text);
}

/** The people and teams of a season the facts know or that hold an award. */
export function* seasonSubjectsReads(
	seasonId: number
): Steps<{ kind: 'user' | 'team'; id: number }[]> {
	const seen = new Set<string>();
	const out: { kind: 'user' | 'team'; id: number }[] = [];
	for (const text of [SQL.tallySubjects, SQL.awardSubjects])
		for (const row of yield* all<{ kind: 'user' | 'team'; id: number }>(text, seasonId)) {
			const key = `${row.kind}:${row.id}`;
			if (seen.has(key)) continue;
			seen.add(key);
			out.push(row);
		}
	return out;
}

/** A subject's running totals: sales, points, amount, cross, cat:<name>. */
export function* talliesReads(
	seasonId: number,
	subjectType: 'user' | 'team',
	subjectId: number
): Steps<Map<string, number>> {
	const rows = yield* all<{ metric: string; value: number }>(
		SQL.tallies,
		seasonId,
		subjectType,
		subjectId
	);
	return new Map(rows.map((r) => [r.metric, r.value]));
}

/** A person's working days as one fact per day (its first sale): what a streak looks at. */
export function* dayFacts(seasonId: number, userId: number): Steps<SaleFact[]> {
	const rows = yield* all<{ day: string; firstAt: number; firstSaleId: number }>(
		SQL.days,
		seasonId,
		userId
	);
	return rows.map((r) => ({
		saleId: r.firstSaleId,
		userId,
		teamId: 0,
		occurredAt: r.firstAt,
		amount: 0,
		points: 0,
		categories: [],
		crossSell: false
	}));
}

/** Whether the sale is its seller's first of its local day (only then can a streak grow). */
export function* firstOfDay(seasonId: number, userId: number, sale: SaleFact): Steps<boolean> {
	const day = localDateKey(sale.occurredAt, yield* timeZoneOf(seasonId));
	const row = yield* get<{ firstSaleId: number }>(SQL.dayOf, seasonId, userId, day);
	return row?.firstSaleId === sale.saleId;
}

/**
 * Is the sale bigger than every earlier sale of its season that counts (and not the first)?
 * A new sale's question; a re-evaluation asks it per person at once (probes.ts).
 */
export function* recordSaleReads(s: SaleFact, seasonId: number): Steps<boolean> {
	const before = yield* get<{ amount: number }>(
		SQL.biggestBefore,
		seasonId,
		s.occurredAt,
		s.saleId
	);
	// No earlier sale: the first sale sets the record without earning it. A tie is no record.
	return before !== undefined && before.amount < s.amount;
}

export function isRecordSale(db: Queryable, s: SaleFact, seasonId: number): boolean {
	return runSync(db, recordSaleReads(s, seasonId));
}

type FactRow = Omit<SaleFact, 'categories' | 'crossSell' | 'saleId'> & { id: number };

/**
 * The sale that was the season's first before `added` came (all earlier than it): the first
 * sale sets the record without earning it, so once sales come before it, it may be a record.
 * Only read when a new sale is the season's first (a sale back-dated before all others).
 */
export function* formerFirstSale(
	seasonId: number,
	added: ReadonlySet<number>
): Steps<(SaleFact & { seasonId: number }) | undefined> {
	const rows = yield* all<{ id: number }>(SQL.firstSales, seasonId, added.size + 1);
	const former = rows.find((r) => !added.has(r.id));
	return former ? yield* saleFact(former.id) : undefined;
}

/** Whether a sale that counts comes before this one in its season. */
export function* hasEarlierSale(s: SaleFact, seasonId: number): Steps<boolean> {
	return !!(yield* get(SQL.anyEarlier, seasonId, s.occurredAt, s.occurredAt, s.saleId));
}

function withCategories(
	rows: FactRow[],
	categories: { saleId: number; category: string }[]
): SaleFact[] {
	const bySale = new Map<number, Set<string>>();
	for (const { saleId, category } of categories) {
		const set = bySale.get(saleId) ?? new Set<string>();
		set.add(category);
		bySale.set(saleId, set);
	}
	return rows.map(({ id, ...r }) => {
		const cats = [...(bySale.get(id) ?? [])];
		return { ...r, saleId: id, categories: cats, crossSell: cats.length > 1 };
	});
}

/** A person's sales that count, as the criteria see them (read once a badge is in reach). */
export function* ownFactsReads(seasonId: number, userId: number): Steps<SaleFact[]> {
	const rows = yield* all<FactRow>(SQL.ownSales, seasonId, userId);
	const cats = yield* all<{ saleId: number; category: string }>(
		SQL.ownCategories,
		seasonId,
		userId
	);
	return withCategories(rows, cats);
}

/** The sale's facts for the criteria, when it still counts. */
export function* saleFact(saleId: number): Steps<(SaleFact & { seasonId: number }) | undefined> {
	const s = yield* get<SaleRow>(SQL.sale, saleId);
	if (!s || !counts(s)) return undefined;
	return factOf(s, yield* categoriesOf(s.id)) ?? undefined;
}

const counts = (s: SaleRow) => (COUNTED_SALE_STATUSES as readonly string[]).includes(s.status);

function factOf(s: SaleRow, categories: string[]): (SaleFact & { seasonId: number }) | null {
	if (!counts(s)) return null;
	return {
		saleId: s.id,
		seasonId: s.seasonId,
		userId: s.userId,
		teamId: s.teamId,
		occurredAt: s.occurredAt,
		amount: s.amount,
		points: 0,
		categories,
		crossSell: categories.length > 1
	};
}

/** lastTeamOf's query on SQLite, for a test of its plan. */
export const LAST_TEAM_QUERY = SQL.lastTeam.sqlite;

/** The team a person's badge points go to: that of their latest sale that counts. */
export function* lastTeamReads(seasonId: number, userId: number): Steps<number | undefined> {
	return (yield* get<{ teamId: number }>(SQL.lastTeam, seasonId, userId))?.teamId;
}

export function lastTeamOf(db: Queryable, seasonId: number, userId: number): number | undefined {
	return runSync(db, lastTeamReads(seasonId, userId));
}

export function* pendingReads(saleId: number): Steps<boolean> {
	return (yield* get<{ status: string }>(SQL.saleStatus, saleId))?.status === 'pending';
}

/** A week's totals per person (those who sold that week), for the weekly badges. */
export function* weekTotalsReads(
	seasonId: number,
	week: string
): Steps<Map<number, { points: number; reachedAt: number }>> {
	const rows = yield* all<{ userId: number; points: number; reachedAt: number }>(
		SQL.weekRows,
		seasonId,
		week
	);
	return new Map(rows.map((r) => [r.userId, { points: r.points, reachedAt: r.reachedAt }]));
}

/** A week of a season whose weekly badges are decided once it has ended. */
export interface Period {
	periodKey: string;
	endsAt: number;
	/** Not 0: its totals changed since it was last decided. */
	dirty: number;
	/** The weekly badges (and tie rule) it was last decided with (runPeriodicAwards). */
	decidedWith: string | null;
}

/** The season's weeks that have ended, with whether they must be decided again. */
export function* endedPeriodsReads(seasonId: number, now: number): Steps<Period[]> {
	return yield* all<Period>(SQL.periods, seasonId, now);
}

/** One week's row, read again inside the write that decides it. */
export function* periodReads(seasonId: number, periodKey: string): Steps<Period | undefined> {
	return yield* get<Period>(SQL.period, seasonId, periodKey);
}

export function* markingDecided(
	seasonId: number,
	periodKey: string,
	signature: string
): Steps<void> {
	yield* run(SQL.decided, signature, seasonId, periodKey);
}
