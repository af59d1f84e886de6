import type { Queryable } from '../db';
import {
	dayKeyOf as localDateKey,
	dayRangeOf,
	weekKeyOf as weekKey,
	weekRangeOf as weekRange
} from '../../contest/zone-calendar';
import { COUNTED_SALE_STATUSES } from '../../contest/counting';
import type { SaleFact } from '../../contest/badges';
import { flatRows, insertRows, type ManyRows } from '../db/many-rows';
import { cachedStatement } from '../db/prepared';
import type { HeldEntry } from '../scoring/sale-rows';

// Badge facts: the totals, days and weeks the badge criteria need, kept up to date from the
// ledger, which is append-only and records every change to a sale that counts: its 'sale'
// entry, 'adjustment' entries when the season is recalculated, and 'reversal' entries when it
// is rejected or reversed. A cursor remembers the last entry read, so bringing the facts up to
// date costs what changed since, never the season's size, and the facts are correct whichever
// path wrote the sale (API, console, import, seed). Everything here runs inside the caller's
// write transaction.

const COUNTED = `(${COUNTED_SALE_STATUSES.map((s) => `'${s}'`).join(', ')})`;

const SQL = {
	cursor: `SELECT ledger_id AS id FROM badge_cursor WHERE id = 1`,
	setCursor: `INSERT INTO badge_cursor (id, ledger_id) VALUES (1, ?)
		ON CONFLICT(id) DO UPDATE SET ledger_id = excluded.ledger_id`,
	lastEntry: `SELECT max(id) AS id FROM ledger_entry`,
	// Each entry with its sale (the facts never change a sale, so reading it here is reading it
	// when the entry's turn comes); a sale no longer there has null columns.
	// A new sale's categories come with it, as categoriesOf reads them (one query, not one a sale).
	entries: `SELECT e.id, e.sale_id AS saleId, e.kind, e.points, s.season_id AS seasonId,
		s.seller_id AS userId, s.team_id AS teamId, s.occurred_at AS occurredAt, s.amount, s.status,
		CASE WHEN e.kind = 'sale' THEN (SELECT json_group_array(DISTINCT p.category)
			FROM sale_line l JOIN product p ON p.id = l.product_id WHERE l.sale_id = e.sale_id)
		END AS categories
		FROM ledger_entry e LEFT JOIN sale s ON s.id = e.sale_id
		WHERE e.id > ? AND e.sale_id IS NOT NULL AND e.kind IN ('sale', 'adjustment', 'reversal')
		ORDER BY e.id LIMIT ?`,
	earlierReversal: `SELECT 1 FROM ledger_entry WHERE sale_id = ? AND kind = 'reversal' AND id < ?`,
	sale: `SELECT id, season_id AS seasonId, seller_id AS userId, team_id AS teamId,
		occurred_at AS occurredAt, amount, status FROM sale WHERE id = ?`,
	categories: `SELECT DISTINCT p.category FROM sale_line l JOIN product p ON p.id = l.product_id
		WHERE l.sale_id = ?`,
	timeZone: `SELECT time_zone AS timeZone FROM season WHERE id = ?`,
	tally: `INSERT INTO badge_tally (season_id, subject_type, subject_id, metric, value)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = value + excluded.value`,
	tallies: `SELECT metric, value FROM badge_tally
		WHERE season_id = ? AND subject_type = ? AND subject_id = ?`,
	addDay: `INSERT INTO badge_day (season_id, user_id, day, sales, first_at, first_sale_id)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET
			sales = sales + excluded.sales,
			first_sale_id = CASE WHEN sales = 0 OR excluded.first_at < first_at
				OR (excluded.first_at = first_at AND excluded.first_sale_id < first_sale_id)
				THEN excluded.first_sale_id ELSE first_sale_id END,
			first_at = CASE WHEN sales = 0 OR excluded.first_at < first_at
				OR (excluded.first_at = first_at AND excluded.first_sale_id < first_sale_id)
				THEN excluded.first_at ELSE first_at END`,
	removeDay: `UPDATE badge_day SET sales = sales - 1 WHERE season_id = ? AND user_id = ? AND day = ?
		RETURNING sales, first_sale_id AS firstSaleId`,
	setDayFirst: `UPDATE badge_day SET first_at = ?, first_sale_id = ?
		WHERE season_id = ? AND user_id = ? AND day = ?`,
	firstInRange: `SELECT id, occurred_at AS occurredAt FROM sale
		WHERE season_id = ? AND seller_id = ? AND occurred_at >= ? AND occurred_at < ?
		AND status IN ${COUNTED} ORDER BY occurred_at, id LIMIT 1`,
	lastInRange: `SELECT max(occurred_at) AS at FROM sale
		WHERE season_id = ? AND seller_id = ? AND occurred_at >= ? AND occurred_at < ?
		AND status IN ${COUNTED}`,
	days: `SELECT day, first_at AS firstAt, first_sale_id AS firstSaleId FROM badge_day
		WHERE season_id = ? AND user_id = ? AND sales > 0 ORDER BY day`,
	dayOf: `SELECT first_sale_id AS firstSaleId FROM badge_day
		WHERE season_id = ? AND user_id = ? AND day = ?`,
	week: `INSERT INTO badge_week (season_id, week, user_id, sales, points, reached_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET
			sales = sales + excluded.sales, points = points + excluded.points,
			reached_at = max(reached_at, excluded.reached_at)`,
	removeWeekSale: `UPDATE badge_week SET sales = sales - 1
		WHERE season_id = ? AND week = ? AND user_id = ? RETURNING reached_at AS reachedAt`,
	setWeekReached: `UPDATE badge_week SET reached_at = ? WHERE season_id = ? AND week = ? AND user_id = ?`,
	weekRows: `SELECT user_id AS userId, points, reached_at AS reachedAt FROM badge_week
		WHERE season_id = ? AND week = ? AND sales > 0`,
	dirty: `INSERT INTO badge_period (season_id, period_key, ends_at, dirty) VALUES (?, ?, ?, 1)
		ON CONFLICT DO UPDATE SET dirty = 1`,
	periods: `SELECT period_key AS periodKey, ends_at AS endsAt, dirty, decided_with AS decidedWith
		FROM badge_period WHERE season_id = ? AND ends_at <= ? ORDER BY ends_at`,
	decided: `UPDATE badge_period SET dirty = 0, decided_with = ? WHERE season_id = ? AND period_key = ?`,
	// Record sales: an earlier sale that counts at all.
	anyEarlier: `SELECT 1 FROM sale WHERE season_id = ? AND status IN ${COUNTED}
		AND (occurred_at < ? OR (occurred_at = ? AND id < ?)) LIMIT 1`,
	// The biggest amount of the season's sales that count before a sale: the last record before
	// it (badge_record, kept by triggers on sale; none when no sale that counts is earlier).
	// One seek: walking sale_season_amount_idx up from the sale's amount until an earlier sale
	// cost p50 5 µs but p99 0.2 ms and up to 12.6 ms at 200,000 sales (hb-record).
	biggestBefore: `SELECT amount FROM badge_record WHERE season_id = ?
		AND (occurred_at, sale_id) < (?, ?) ORDER BY occurred_at DESC, sale_id DESC LIMIT 1`,
	firstSales: `SELECT id FROM sale WHERE season_id = ? AND status IN ${COUNTED}
		ORDER BY occurred_at, id LIMIT ?`,
	ownSales: `SELECT id, team_id AS teamId, seller_id AS userId, occurred_at AS occurredAt, amount,
		points FROM sale WHERE season_id = ? AND seller_id = ? AND status IN ${COUNTED} ORDER BY id`,
	ownCategories: `SELECT l.sale_id AS saleId, p.category FROM sale s
		JOIN sale_line l ON l.sale_id = s.id JOIN product p ON p.id = l.product_id
		WHERE s.season_id = ? AND s.seller_id = ? AND s.status IN ${COUNTED}`,
	// A seek down the person's sales in id order (sale_season_seller_idx is in time order: it
	// read them all, ~50 ms at 10,000 sales, once per award with points).
	lastTeam: `SELECT team_id AS teamId FROM sale INDEXED BY sale_season_seller_id_idx
		WHERE season_id = ? AND seller_id = ? AND status IN ${COUNTED} ORDER BY id DESC LIMIT 1`,
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

/**
 * SQL.tally, addDay, week and dirty as many rows per statement (Growth.write): each row's values
 * in the columns' order, and the same upsert after VALUES.
 */
const MANY = {
	tally: manyOf(SQL.tally, 'badge_tally'),
	day: manyOf(SQL.addDay, 'badge_day'),
	week: manyOf(SQL.week, 'badge_week'),
	dirty: manyOf(SQL.dirty, 'badge_period')
};

function manyOf(text: string, table: string): ManyRows {
	// Note: every column is a parameter (dirty's literal 1 becomes a value of each row).
	const [, columns, then] = /\(([^)]*)\)\s+VALUES \([^)]*\)\s*(.*)$/s.exec(text)!;
	return { table, columns: columns.split(',').map((c) => c.trim()), then };
}

const stmt = cachedStatement;

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

const zones = new Map<number, string>();
function timeZoneOf(db: Queryable, seasonId: number): string {
	// A season's zone is fixed once it has sales; cached per season for the process's life.
	let zone = zones.get(seasonId);
	if (zone === undefined) {
		zone = (stmt(db, SQL.timeZone).get(seasonId) as { timeZone: string } | undefined)?.timeZone;
		if (zone === undefined) return 'UTC';
		zones.set(seasonId, zone);
	}
	return zone;
}

function categoriesOf(db: Queryable, saleId: number): string[] {
	return (stmt(db, SQL.categories).all(saleId) as { category: string }[]).map((r) => r.category);
}

function tally(db: Queryable, s: SaleRow, metric: string, value: number, teamToo: boolean) {
	if (value === 0) return;
	const add = stmt(db, SQL.tally);
	add.run(s.seasonId, 'user', s.userId, metric, value);
	if (teamToo) add.run(s.seasonId, 'team', s.teamId, metric, value);
}

function markWeek(db: Queryable, seasonId: number, at: number, timeZone: string) {
	// A week's totals decide its own weekly badges and "most improved" of the week after.
	const range = weekRange(at, timeZone);
	const next = weekRange(range[1], timeZone);
	const dirty = stmt(db, SQL.dirty);
	dirty.run(seasonId, weekKey(at, timeZone), range[1]);
	dirty.run(seasonId, weekKey(range[1], timeZone), next[1]);
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

	/** A sale starts counting: every fact it feeds grows. */
	addSale(db: Queryable, s: SaleRow, points: number, categories: string[]) {
		const zone = timeZoneOf(db, s.seasonId);
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

		// A week's totals decide its own weekly badges and "most improved" of the week after.
		const range = weekRange(s.occurredAt, zone);
		this.periods.set(`${s.seasonId}|${week}`, [s.seasonId, week, range[1]]);
		const next = weekKey(range[1], zone);
		this.periods.set(`${s.seasonId}|${next}`, [s.seasonId, next, weekRange(range[1], zone)[1]]);
	}

	private tally(s: SaleRow, metric: string, value: number, teamToo: boolean) {
		if (value === 0) return;
		const add = (type: 'user' | 'team', id: number) => {
			const key = `${s.seasonId}|${type}|${id}|${metric}`;
			const held = this.tallies.get(key);
			if (held) held[4] += value;
			else this.tallies.set(key, [s.seasonId, type, id, metric, value]);
		};
		add('user', s.userId);
		if (teamToo) add('team', s.teamId);
	}

	write(db: Queryable) {
		// Many rows per statement (db/many-rows.ts): each key is held once, so each row's upsert
		// is the one its own statement would run.
		insertRows(db, MANY.tally, flatRows(this.tallies.values()));
		insertRows(db, MANY.day, flatRows(this.days.values()));
		insertRows(db, MANY.week, flatRows(this.weeks.values()));
		insertRows(db, MANY.dirty, flatRows(this.periods.values(), 1));
		this.tallies.clear();
		this.days.clear();
		this.weeks.clear();
		this.periods.clear();
	}
}

/** The points of a sale that counts changed (recalculation), or the last of its reversal. */
function addPoints(db: Queryable, s: SaleRow, points: number) {
	if (points === 0) return;
	const zone = timeZoneOf(db, s.seasonId);
	tally(db, s, 'points', points, true);
	stmt(db, SQL.week).run(s.seasonId, weekKey(s.occurredAt, zone), s.userId, 0, points, 0);
	markWeek(db, s.seasonId, s.occurredAt, zone);
}

/** A sale stops counting (rejected or reversed): the facts it fed shrink. */
function removeSale(db: Queryable, s: SaleRow, points: number) {
	const zone = timeZoneOf(db, s.seasonId);
	const categories = categoriesOf(db, s.id);
	tally(db, s, 'sales', -1, false);
	tally(db, s, 'points', points, true);
	tally(db, s, 'amount', -s.amount, true);
	tally(db, s, 'cross', categories.length > 1 ? -1 : 0, false);
	for (const category of categories) tally(db, s, `cat:${category}`, -1, false);
	// Days and weeks keep their row (sales 0); the first and last sale are looked up again.
	const day = localDateKey(s.occurredAt, zone);
	const d = stmt(db, SQL.removeDay).get(s.seasonId, s.userId, day) as
		{ sales: number; firstSaleId: number } | undefined;
	if (d && d.sales > 0 && d.firstSaleId === s.id) {
		const [from, to] = dayRangeOf(s.occurredAt, zone);
		const first = stmt(db, SQL.firstInRange).get(s.seasonId, s.userId, from, to) as
			{ id: number; occurredAt: number } | undefined;
		if (first) stmt(db, SQL.setDayFirst).run(first.occurredAt, first.id, s.seasonId, s.userId, day);
	}
	const week = weekKey(s.occurredAt, zone);
	stmt(db, SQL.week).run(s.seasonId, week, s.userId, 0, points, 0);
	const w = stmt(db, SQL.removeWeekSale).get(s.seasonId, week, s.userId) as
		{ reachedAt: number } | undefined;
	if (w && w.reachedAt === s.occurredAt) {
		const [from, to] = weekRange(s.occurredAt, zone);
		const last = stmt(db, SQL.lastInRange).get(s.seasonId, s.userId, from, to) as {
			at: number | null;
		};
		stmt(db, SQL.setWeekReached).run(last.at ?? 0, s.seasonId, week, s.userId);
	}
	markWeek(db, s.seasonId, s.occurredAt, zone);
}

/**
 * Brings the badge facts up to date with the ledger, reading at most `limit` entries. Returns
 * the sales that started counting (their awards are to be decided) and whether the facts are
 * now up to date. `held`: entries the caller has just written (an import's window, as
 * SaleRows held them); when they are exactly the ledger's entries after the cursor, they are
 * taken as they are instead of read back (the same values: the sale's row as written, its
 * products' categories in line order).
 */
export function catchUpFacts(
	db: Queryable,
	limit = Infinity,
	held: readonly HeldEntry[] = []
): { added: NewSale[]; removed: NewSale[]; done: boolean; changedSeasons: Set<number> } {
	const cursor = (stmt(db, SQL.cursor).get() as { id: number } | undefined)?.id ?? 0;
	const batch = Number.isFinite(limit) ? limit : -1;
	const last = heldAreNext(db, cursor, batch, held);
	const rows = (last !== null ? held : stmt(db, SQL.entries).all(cursor, batch)) as readonly ({
		id: number;
		saleId: number;
		kind: 'sale' | 'adjustment' | 'reversal';
		points: number;
		/** JSON text as read; an array when held. */
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
					: entry.categories!;
			growth.addSale(db, s, entry.points, categories);
			added.push({ seasonId: s.seasonId, saleId: s.id, fact: factOf(s, categories) });
			continue;
		}
		growth.write(db);
		if (entry.kind === 'adjustment') {
			addPoints(db, s, entry.points);
		} else if (stmt(db, SQL.earlierReversal).get(s.id, entry.id)) {
			// A reversal in two parts (provisional and confirmed points): the sale left already.
			addPoints(db, s, entry.points);
		} else {
			removeSale(db, s, entry.points);
			removed.push({ seasonId: s.seasonId, saleId: s.id });
		}
	}
	growth.write(db);
	const done = batch < 0 || rows.length < batch;
	const next = done
		? (last ?? (stmt(db, SQL.lastEntry).get() as { id: number | null }).id ?? 0)
		: rows[rows.length - 1].id;
	if (next !== cursor) stmt(db, SQL.setCursor).run(next);
	return { added, removed, done, changedSeasons };
}

/**
 * The ledger's last id when `held` is every entry after `cursor` (ids cursor + 1, cursor + 2, …
 * up to the last one, so nothing else was written in between or after), and fewer than `batch`;
 * null when the entries must be read.
 */
function heldAreNext(
	db: Queryable,
	cursor: number,
	batch: number,
	held: readonly HeldEntry[]
): number | null {
	if (held.length === 0 || (batch >= 0 && held.length >= batch)) return null;
	for (let i = 0; i < held.length; i++) if (held[i].id !== cursor + 1 + i) return null;
	const last = (stmt(db, SQL.lastEntry).get() as { id: number | null }).id ?? 0;
	return last === cursor + held.length ? last : null;
}

/** Throws the facts away: the next catch-up rebuilds them from the whole ledger. */
export function clearFacts(db: Queryable): void {
	for (const text of SQL.clear) stmt(db, text).run();
}

/** The people and teams of a season the facts know or that hold an award. */
export function seasonSubjects(
	db: Queryable,
	seasonId: number
): { kind: 'user' | 'team'; id: number }[] {
	const seen = new Set<string>();
	const out: { kind: 'user' | 'team'; id: number }[] = [];
	for (const text of [SQL.tallySubjects, SQL.awardSubjects])
		for (const row of stmt(db, text).all(seasonId) as { kind: 'user' | 'team'; id: number }[]) {
			const key = `${row.kind}:${row.id}`;
			if (seen.has(key)) continue;
			seen.add(key);
			out.push(row);
		}
	return out;
}

/** A subject's running totals: sales, points, amount, cross, cat:<name>. */
export function talliesOf(
	db: Queryable,
	seasonId: number,
	subjectType: 'user' | 'team',
	subjectId: number
): Map<string, number> {
	const rows = stmt(db, SQL.tallies).all(seasonId, subjectType, subjectId) as {
		metric: string;
		value: number;
	}[];
	return new Map(rows.map((r) => [r.metric, r.value]));
}

/** A person's working days as one fact per day (its first sale): what a streak looks at. */
export function dayFacts(db: Queryable, seasonId: number, userId: number): SaleFact[] {
	const rows = stmt(db, SQL.days).all(seasonId, userId) as {
		day: string;
		firstAt: number;
		firstSaleId: number;
	}[];
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
export function firstOfDay(db: Queryable, seasonId: number, userId: number, sale: SaleFact) {
	const day = localDateKey(sale.occurredAt, timeZoneOf(db, seasonId));
	const row = stmt(db, SQL.dayOf).get(seasonId, userId, day) as { firstSaleId: number } | undefined;
	return row?.firstSaleId === sale.saleId;
}

/**
 * Is the sale bigger than every earlier sale of its season that counts (and not the first)?
 * A new sale's question; a re-evaluation asks it per person at once (probes.ts).
 */
export function isRecordSale(db: Queryable, s: SaleFact, seasonId: number): boolean {
	const before = stmt(db, SQL.biggestBefore).get(seasonId, s.occurredAt, s.saleId) as
		{ amount: number } | undefined;
	// No earlier sale: the first sale sets the record without earning it. A tie is no record.
	return before !== undefined && before.amount < s.amount;
}

type FactRow = Omit<SaleFact, 'categories' | 'crossSell' | 'saleId'> & { id: number };

/**
 * The sale that was the season's first before `added` came (all earlier than it): the first
 * sale sets the record without earning it, so once sales come before it, it may be a record.
 * Only read when a new sale is the season's first (a sale back-dated before all others).
 */
export function formerFirstSale(
	db: Queryable,
	seasonId: number,
	added: ReadonlySet<number>
): (SaleFact & { seasonId: number }) | undefined {
	const rows = stmt(db, SQL.firstSales).all(seasonId, added.size + 1) as { id: number }[];
	const former = rows.find((r) => !added.has(r.id));
	return former ? saleFact(db, former.id) : undefined;
}

/** Whether a sale that counts comes before this one in its season. */
export function hasEarlierSale(db: Queryable, s: SaleFact, seasonId: number): boolean {
	return !!stmt(db, SQL.anyEarlier).get(seasonId, s.occurredAt, s.occurredAt, s.saleId);
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
export function ownFacts(db: Queryable, seasonId: number, userId: number): SaleFact[] {
	const rows = stmt(db, SQL.ownSales).all(seasonId, userId) as FactRow[];
	const cats = stmt(db, SQL.ownCategories).all(seasonId, userId) as {
		saleId: number;
		category: string;
	}[];
	return withCategories(rows, cats);
}

/** The sale's facts for the criteria, when it still counts. */
export function saleFact(
	db: Queryable,
	saleId: number
): (SaleFact & { seasonId: number }) | undefined {
	const s = stmt(db, SQL.sale).get(saleId) as SaleRow | undefined;
	if (!s || !counts(s)) return undefined;
	return factOf(s, categoriesOf(db, s.id)) ?? undefined;
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

/** lastTeamOf's query, for a test of its plan. */
export const LAST_TEAM_QUERY = SQL.lastTeam;

/** The team a person's badge points go to: that of their latest sale that counts. */
export function lastTeamOf(db: Queryable, seasonId: number, userId: number): number | undefined {
	return (stmt(db, SQL.lastTeam).get(seasonId, userId) as { teamId: number } | undefined)?.teamId;
}

export function isPending(db: Queryable, saleId: number): boolean {
	return (
		(stmt(db, SQL.saleStatus).get(saleId) as { status: string } | undefined)?.status === 'pending'
	);
}

/** A week's totals per person (those who sold that week), for the weekly badges. */
export function weekTotals(
	db: Queryable,
	seasonId: number,
	week: string
): Map<number, { points: number; reachedAt: number }> {
	const rows = stmt(db, SQL.weekRows).all(seasonId, week) as {
		userId: number;
		points: number;
		reachedAt: number;
	}[];
	return new Map(rows.map((r) => [r.userId, { points: r.points, reachedAt: r.reachedAt }]));
}

/** The season's weeks that have ended, with whether they must be decided again. */
export function endedPeriods(db: Queryable, seasonId: number, now: number) {
	return stmt(db, SQL.periods).all(seasonId, now) as {
		periodKey: string;
		endsAt: number;
		dirty: number;
		decidedWith: string | null;
	}[];
}

export function markDecided(db: Queryable, seasonId: number, periodKey: string, signature: string) {
	stmt(db, SQL.decided).run(signature, seasonId, periodKey);
}

export { timeZoneOf };
