// A period's totals for some people (a knockout's due round, a duel, a sprint: periodTotals with
// `ids`) read their sales by (season, seller, occurred_at), bounded by the period at both ends,
// not their whole season's ledger by (season, user, created_at): an entry is written when its
// sale is recorded, reversed or recalculated, which says nothing of the period the sale counts
// in (a sale imported days late). Same totals as the season-wide read, whatever wrote them.
import { sqliteStore } from '../../src/lib/server/db/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { addDailyCapRules } from '../helpers/daily-caps';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { adjustPoints } from '../../src/lib/server/scoring/adjustments';
import { recalculateOn } from '../../src/lib/server/scoring/recalculate-run-store';
import { logActivity } from '../../src/lib/server/activities/record';
import { createActivityType } from '../../src/lib/server/activities/types';
import { periodTotals, type PeriodQuery } from '../../src/lib/server/formats/measure';
import type { Db } from '../../src/lib/server/db';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const NOW = Math.floor(Date.now() / DAY) * DAY + 12 * HOUR;

let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

let n = 0;
/** A sale of `phones` phones made at `at`, recorded at `recordedAt` (by default then). */
async function sell(seller: number, at: number, recordedAt = at, phones = 1) {
	const recorded = await recordOn(
		db,
		{
			source: 'api',
			externalId: `p${++n}`,
			seller: { userId: seller },
			occurredAt: at,
			lines: [{ sku: 'PHONE', quantity: phones }]
		},
		() => recordedAt,
		{ awards: false }
	);
	return recorded.sale.id;
}

/** The SQL (with its parameters) periodTotals runs, and EXPLAIN QUERY PLAN of it. */
function planOf(query: PeriodQuery): string {
	const client = db.$client;
	const prepare = client.prepare.bind(client);
	let seen: { source: string; params: unknown[] } | undefined;
	client.prepare = ((source: string) => {
		const statement = prepare(source);
		const all = statement.all.bind(statement);
		statement.all = ((...params: unknown[]) => {
			seen = { source, params };
			return all(...params);
		}) as typeof statement.all;
		return statement;
	}) as typeof client.prepare;
	try {
		periodTotals(db, query);
	} finally {
		client.prepare = prepare;
	}
	const rows = prepare(`EXPLAIN QUERY PLAN ${seen!.source}`).all(...seen!.params) as {
		detail: string;
	}[];
	return rows.map((r) => r.detail).join('\n');
}

/** Each person's points over [from, to) from the ledger, by the rule periodTotals states. */
function expected(seasonId: number, ids: number[], from: number, to: number) {
	const rows = db.all<{ userId: number; at: number; status: string; points: number }>(sql`
		SELECT e.user_id AS userId, coalesce(s.occurred_at, a.occurred_at, e.created_at) AS at,
			e.status AS status, e.points AS points
		FROM ledger_entry e LEFT JOIN sale s ON s.id = e.sale_id
			LEFT JOIN activity a ON a.id = e.activity_id
		WHERE e.season_id = ${seasonId} AND e.status <> 'void'`);
	const totals = new Map<number, { confirmed: number; provisional: number }>();
	for (const row of rows) {
		if (!ids.includes(row.userId) || row.at < from || row.at >= to) continue;
		const total = totals.get(row.userId) ?? { confirmed: 0, provisional: 0 };
		if (row.status === 'confirmed') total.confirmed += row.points;
		if (row.status === 'provisional') total.provisional += row.points;
		totals.set(row.userId, total);
	}
	return totals;
}

describe("a period's totals for some people", () => {
	it('reads their sales of the period by (season, seller, occurred_at), not their whole ledger', async () => {
		const { season, people } = await makeContest(db, { teams: 2, people: 3 });
		for (const p of people) await sell(p.id, NOW - 3 * DAY);
		const query: PeriodQuery = {
			seasonId: season.id,
			subject: 'user',
			from: NOW - 4 * DAY,
			to: NOW - 2 * DAY,
			measure: { kind: 'points' },
			ids: people.slice(0, 2).map((p) => p.id)
		};
		const plan = planOf(query);
		expect(plan).toContain('sale_season_seller_idx');
		expect(plan).toMatch(/occurred_at>\? AND occurred_at<\?/);
		expect(plan).not.toContain('ledger_season_user_idx');
		const teams = planOf({ ...query, subject: 'team', ids: [people[0].id] });
		expect(teams).toContain('sale_season_team_idx');
	});

	it('gives what the whole ledger gives, for entries written late, reversed, recalculated or by hand', async () => {
		const { season, people } = await makeContest(db, { teams: 2, people: 3 });
		const [ann, bob, cat] = people;
		await createActivityType(
			sqliteStore(db),
			season.id,
			{ key: 'call', name: 'Call', points: 3, emoji: '📞' },
			{}
		);
		const from = NOW - 6 * DAY;
		const to = NOW - 4 * DAY;
		// Before, in and after the period, recorded at once; in it, recorded four days late.
		await sell(ann.id, from - HOUR);
		const inside = await sell(ann.id, from + HOUR, from + HOUR, 2);
		await sell(ann.id, to + HOUR);
		const late = await sell(ann.id, from + 2 * HOUR, from + 4 * DAY);
		await sell(bob.id, to - HOUR, NOW);
		await sell(cat.id, from + 3 * HOUR);
		// A reversal written after the period, of a sale in it.
		await reviewSales(
			sqliteStore(db),
			[late],
			{ decision: 'reverse', actor: {}, reason: 'returned' },
			() => NOW
		);
		// An activity in the period, logged after it; a hand adjustment written in it.
		await logActivity(
			sqliteStore(db),
			{
				source: 'api',
				externalId: 'call-1',
				person: { userId: bob.id },
				type: 'call',
				quantity: 2,
				occurredAt: from + 5 * HOUR
			},
			() => NOW
		);
		await adjustPoints(
			sqliteStore(db),
			{ seasonId: season.id, userId: bob.id, points: 11, reason: 'fix', actor: {} },
			() => from + 6 * HOUR
		);
		// New rules, and the season recalculated today: adjustments of the period's sales.
		addDailyCapRules(db, season.id);
		const recalculated = await recalculateOn(
			sqliteStore(db),
			season.id,
			{ userId: null },
			() => NOW
		);
		expect(recalculated.changes.map((c) => c.saleId)).toContain(inside);

		const ids = [ann.id, bob.id];
		const query: PeriodQuery = {
			seasonId: season.id,
			subject: 'user',
			from,
			to,
			measure: { kind: 'points' },
			ids
		};
		const some = periodTotals(db, query);
		expect(some).toEqual(expected(season.id, ids, from, to));
		const everyone = periodTotals(db, { ...query, ids: undefined });
		expect(some).toEqual(new Map([...everyone].filter(([id]) => ids.includes(id))));
		expect(some.get(bob.id)!.confirmed).toBeGreaterThan(0);
		expect(some.has(cat.id)).toBe(false);
	});
});
