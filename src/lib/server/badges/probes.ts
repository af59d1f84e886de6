import type { Queryable } from '../db';
import { COUNTED_SALE_STATUSES } from '../../contest/counting';
import type { BadgeAward } from '../../contest/badges';
import { dayKeyOf as localDateKey } from '../../contest/zone-calendar';
import { cachedStatement as stmt } from '../db/prepared';
import { all, get, runSync, type Steps, type Twin } from './steps';

// Badge probes: what a team target and the record badge decide, asked of SQLite instead of read
// sale by sale into JavaScript. Both give exactly what `evaluate` gives on the subject's sales
// (tests/integration/badge-probes.test.ts keeps the reference). A season of 200,000 sales made
// one team step read 20,000 sales and one person step probe the season once per personal best;
// these read the team's running total up to the sale that crosses the target, and the season's
// biggest sales down to the subject's first (or a bounded part of them).

const COUNTED = `(${COUNTED_SALE_STATUSES.map((s) => `'${s}'`).join(', ')})`;

const running = (column: 'points' | 'amount'): Twin => {
	// The window runs in the index's order (sale_season_team_idx, then rowid = id) as nested
	// co-routines, so LIMIT 1 ends the read at the first row past the target (at 200,000 sales a
	// target reached early cost a few ms, one never reached ~35 ms: bench notes, hb-reeval).
	// PostgreSQL takes no index hint, and its derived table needs a name.
	const text = (
		from: string
	) => `SELECT id, at FROM (SELECT id, occurred_at AS at, sum(${column}) OVER (
			ORDER BY occurred_at, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total
		FROM ${from}
		WHERE season_id = ? AND team_id = ? AND occurred_at <= ? AND status IN ${COUNTED}) running
	WHERE total >= ? LIMIT 1`;
	return { sqlite: text('sale INDEXED BY sale_season_team_idx'), postgres: text('sale') };
};

const SQL = {
	teamPoints: running('points'),
	teamAmount: running('amount'),
	firstOwn: `SELECT id, occurred_at AS at, amount FROM sale
		WHERE season_id = ? AND seller_id = ? AND status IN ${COUNTED} ORDER BY occurred_at, id LIMIT 1`,
	// The season's sales from the biggest down: on SQLite read lazily (the caller stops early);
	// on PostgreSQL a page at a time after the last row read (amount, then id, down).
	biggest: {
		sqlite: `SELECT id, seller_id AS "userId", occurred_at AS at, amount
		FROM sale INDEXED BY sale_season_amount_idx
		WHERE season_id = ? AND amount >= ? AND status IN ${COUNTED} ORDER BY amount DESC`,
		postgres: `SELECT id, seller_id AS "userId", occurred_at AS at, amount FROM sale
		WHERE season_id = ? AND amount >= ? AND status IN ${COUNTED}
			AND (amount < ? OR (amount = ? AND id < ?)) ORDER BY amount DESC, id DESC LIMIT ?`
	},
	anyEarlier: `SELECT 1 AS one FROM sale WHERE season_id = ? AND status IN ${COUNTED}
		AND (occurred_at < ? OR (occurred_at = ? AND id < ?)) LIMIT 1`,
	// The other way round, for a sale early in the season: the few sales before it, in time.
	biggerEarlier: biggerEarlierOn({
		sqlite: 'sale INDEXED BY sale_season_time_idx',
		postgres: 'sale'
	}),
	ownBefore: `SELECT id, occurred_at AS at, amount FROM sale
		WHERE season_id = ? AND seller_id = ? AND status IN ${COUNTED}
		AND (occurred_at < ? OR (occurred_at = ? AND id < ?)) ORDER BY occurred_at, id`
} as const;

function biggerEarlierOn(from: Twin): Twin {
	const text = (table: string) => `SELECT 1 AS one FROM ${table}
		WHERE season_id = ? AND amount >= ? AND status IN ${COUNTED}
		AND (occurred_at < ? OR (occurred_at = ? AND id < ?)) LIMIT 1`;
	return { sqlite: text(from.sqlite), postgres: text(from.postgres) };
}

/** Rows of the biggest sales read before the rest is asked the other way round. */
const BIGGEST_ROWS = 2048;

/**
 * A team target: once, at the team's sale (in time order, up to `now`) that takes its running
 * total of points or amount to `target`; as `evaluate` gives for 'team_target'.
 */
export function* teamTargetReads(
	seasonId: number,
	teamId: number,
	target: number,
	metric: 'points' | 'amount',
	now: number
): Steps<BadgeAward[]> {
	const text = metric === 'amount' ? SQL.teamAmount : SQL.teamPoints;
	const row = yield* get<{ id: number; at: number }>(text, seasonId, teamId, now, target);
	return row ? [{ periodKey: '', at: row.at, saleId: row.id }] : [];
}

export function teamTargetAward(
	db: Queryable,
	seasonId: number,
	teamId: number,
	target: number,
	metric: 'points' | 'amount',
	now: number
): BadgeAward[] {
	return runSync(db, teamTargetReads(seasonId, teamId, target, metric, now));
}

interface Sale {
	id: number;
	userId: number;
	at: number;
	amount: number;
}

const before = (a: { at: number; id: number }, b: { at: number; id: number }) =>
	a.at < b.at || (a.at === b.at && a.id < b.id);

/** The scan of the season's biggest sales down to a person's first (recordAwards). */
class BiggestScan {
	/** Theirs, from the latest down. */
	readonly mine: Omit<Sale, 'userId'>[] = [];
	earliest: Sale | undefined;
	/** Sales of one amount: only the earliest of them can be a record. */
	private group: Sale | undefined;
	private read = 0;
	/** False when the scan stopped after `biggestRows` rows, before the person's first sale. */
	finished = true;

	constructor(
		private readonly first: Omit<Sale, 'userId'>,
		private readonly userId: number,
		private readonly now: number,
		private readonly biggestRows: number
	) {}

	/** Takes the next row, from the biggest down; false once no further row can matter. */
	take(row: Sale): boolean {
		if (this.group && row.amount !== this.group.amount) {
			this.close();
			if (this.earliest && !before(this.first, this.earliest)) return false;
			if (this.read >= this.biggestRows) {
				this.finished = false;
				return false;
			}
		}
		this.read += 1;
		if (!this.group || before(row, this.group)) this.group = row;
		return true;
	}

	close() {
		const group = this.group;
		if (!group) return;
		if (!this.earliest || before(group, this.earliest)) {
			if (group.userId === this.userId && group.at <= this.now) this.mine.push(group);
			this.earliest = group;
		}
		this.group = undefined;
	}
}

/**
 * The record badge's awards of one person up to `now`: their sales bigger than every earlier
 * sale of the season (the season's first sale excepted), at most one a local day; as `records`
 * in reevaluate.ts gave with one season probe per personal best.
 *
 * A sale is a record when every sale at least as big comes after it. Read from the biggest
 * down, a sale is one when it is earlier than everything read so far; once something read is
 * no later than the person's first sale, nothing further down can be theirs. That is about as
 * many rows as the person has sales in a season of random sales, but the whole season for
 * someone whose first sale was its first and small: after BIGGEST_ROWS rows, their personal
 * bests older than everything read are asked in time order instead, where few sales precede
 * them.
 */
export function recordAwards(
	db: Queryable,
	seasonId: number,
	userId: number,
	timeZone: string,
	now: number,
	biggestRows = BIGGEST_ROWS
): BadgeAward[] {
	const first = stmt(db, SQL.firstOwn).get(seasonId, userId) as Omit<Sale, 'userId'> | undefined;
	if (!first || first.at > now) return [];
	const scan = new BiggestScan(first, userId, now, biggestRows);
	for (const row of stmt(db, SQL.biggest.sqlite).iterate(seasonId, first.amount) as Iterable<Sale>)
		if (!scan.take(row)) break;
	scan.close();
	return runSync(db, recordsOf(scan, seasonId, userId, timeZone, now));
}

/** Rows of the biggest sales per query on PostgreSQL (no lazy read through a transaction). */
const BIGGEST_PAGE = 256;

/** recordAwards as steps, for a store's write: the biggest sales read page by page. */
export function* recordAwardsReads(
	seasonId: number,
	userId: number,
	timeZone: string,
	now: number
): Steps<BadgeAward[]> {
	const first = yield* get<Omit<Sale, 'userId'>>(SQL.firstOwn, seasonId, userId);
	if (!first || first.at > now) return [];
	const scan = new BiggestScan(first, userId, now, BIGGEST_ROWS);
	let after = { amount: Number.MAX_SAFE_INTEGER, id: Number.MAX_SAFE_INTEGER };
	for (;;) {
		const page = yield* all<Sale>(
			SQL.biggest.postgres,
			seasonId,
			first.amount,
			after.amount,
			after.amount,
			after.id,
			BIGGEST_PAGE
		);
		const stopped = page.some((row) => !scan.take(row));
		if (stopped || page.length < BIGGEST_PAGE) break;
		after = page[page.length - 1];
	}
	scan.close();
	return yield* recordsOf(scan, seasonId, userId, timeZone, now);
}

/** The scan's records, with the person's older bests asked in time order when it stopped early. */
function* recordsOf(
	scan: BiggestScan,
	seasonId: number,
	userId: number,
	timeZone: string,
	now: number
): Steps<BadgeAward[]> {
	const { mine, earliest } = scan;
	if (!scan.finished && earliest) {
		// Their personal bests before everything read (in time order), each asked on its own.
		const older: Omit<Sale, 'userId'>[] = [];
		let best = -Infinity;
		const own = yield* all<Omit<Sale, 'userId'>>(
			SQL.ownBefore,
			seasonId,
			userId,
			earliest.at,
			earliest.at,
			earliest.id
		);
		for (const f of own) {
			if (f.amount <= best) continue;
			best = f.amount;
			if (f.at > now) continue;
			if (!(yield* get(SQL.biggerEarlier, seasonId, f.amount, f.at, f.at, f.id))) older.push(f);
		}
		mine.push(...older.reverse());
	}
	// The earliest of them may be the season's first sale, which sets the record unearned.
	const last = mine.at(-1);
	if (last && !(yield* get(SQL.anyEarlier, seasonId, last.at, last.at, last.id))) mine.pop();
	const out: BadgeAward[] = [];
	for (const f of mine.reverse()) {
		const day = localDateKey(f.at, timeZone);
		if (out.at(-1)?.periodKey !== day) out.push({ periodKey: day, at: f.at, saleId: f.id });
	}
	return out;
}
