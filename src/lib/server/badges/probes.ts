import type { Queryable } from '../db';
import { COUNTED_SALE_STATUSES } from '../../contest/counting';
import type { BadgeAward } from '../../contest/badges';
import { dayKeyOf as localDateKey } from '../../contest/zone-calendar';
import { cachedStatement as stmt } from '../db/prepared';
import { get, runSync, type Steps, type Twin } from './steps';

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
	// The season's sales from the biggest down, read lazily (the caller stops early).
	biggest: `SELECT id, seller_id AS userId, occurred_at AS at, amount
		FROM sale INDEXED BY sale_season_amount_idx
		WHERE season_id = ? AND amount >= ? AND status IN ${COUNTED} ORDER BY amount DESC`,
	anyEarlier: `SELECT 1 FROM sale WHERE season_id = ? AND status IN ${COUNTED}
		AND (occurred_at < ? OR (occurred_at = ? AND id < ?)) LIMIT 1`,
	// The other way round, for a sale early in the season: the few sales before it, in time.
	biggerEarlier: `SELECT 1 FROM sale INDEXED BY sale_season_time_idx
		WHERE season_id = ? AND amount >= ? AND status IN ${COUNTED}
		AND (occurred_at < ? OR (occurred_at = ? AND id < ?)) LIMIT 1`,
	ownBefore: `SELECT id, occurred_at AS at, amount FROM sale
		WHERE season_id = ? AND seller_id = ? AND status IN ${COUNTED}
		AND (occurred_at < ? OR (occurred_at = ? AND id < ?)) ORDER BY occurred_at, id`
} as const;

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
	// Theirs, from the latest down.
	const mine: Omit<Sale, 'userId'>[] = [];
	let earliest: Sale | undefined;
	// Sales of one amount: only the earliest of them can be a record.
	let group: Sale | undefined;
	const close = () => {
		if (!group) return;
		if (!earliest || before(group, earliest)) {
			if (group.userId === userId && group.at <= now) mine.push(group);
			earliest = group;
		}
		group = undefined;
	};
	let read = 0;
	let finished = true;
	for (const row of stmt(db, SQL.biggest).iterate(seasonId, first.amount) as Iterable<Sale>) {
		if (group && row.amount !== group.amount) {
			close();
			if (earliest && !before(first, earliest)) break;
			if (read >= biggestRows) {
				finished = false;
				break;
			}
		}
		read += 1;
		if (!group || before(row, group)) group = row;
	}
	close();
	if (!finished && earliest) {
		// Their personal bests before everything read (in time order), each asked on its own.
		const older: Omit<Sale, 'userId'>[] = [];
		let best = -Infinity;
		const own = stmt(db, SQL.ownBefore).all(
			seasonId,
			userId,
			earliest.at,
			earliest.at,
			earliest.id
		) as Omit<Sale, 'userId'>[];
		for (const f of own) {
			if (f.amount <= best) continue;
			best = f.amount;
			if (f.at > now) continue;
			if (!stmt(db, SQL.biggerEarlier).get(seasonId, f.amount, f.at, f.at, f.id)) older.push(f);
		}
		mine.push(...older.reverse());
	}
	// The earliest of them may be the season's first sale, which sets the record unearned.
	const last = mine.at(-1);
	if (last && !stmt(db, SQL.anyEarlier).get(seasonId, last.at, last.at, last.id)) mine.pop();
	const out: BadgeAward[] = [];
	for (const f of mine.reverse()) {
		const day = localDateKey(f.at, timeZone);
		if (out.at(-1)?.periodKey !== day) out.push({ periodKey: day, at: f.at, saleId: f.id });
	}
	return out;
}
