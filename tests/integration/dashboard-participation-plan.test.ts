// The dashboard's participation (who sold this season, this week, in the period) asks, for each
// member, three times whether they have a standing sale: answered from sale_season_seller_idx
// alone, whose last column is the status (drizzle/0028). Without the status in the index each
// answer read the sale's row: up to three scattered pages per member, ~66 ms of CPU at 1,000
// members and 200,000 sales on a cold cache (docs/benchmarks.md, "The dashboard's first load,
// where the time goes").
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { tempDb } from '../helpers/db';
import { participationReads, type Season } from '../../src/lib/server/dashboard/queries';
import type { RawAsk } from '../../src/lib/server/db/raw-reads';

let ctx: ReturnType<typeof tempDb>;
beforeEach(() => (ctx = tempDb()));
afterEach(() => ctx.cleanup());

describe('the dashboard participation query', () => {
	it('reads each member’s sales from the seller index alone', () => {
		const season = { id: 1 } as Season;
		const ask = participationReads(season, null, [0, 1], [0, 2]).next().value as RawAsk;
		const { sql, params } = new SQLiteSyncDialect().sqlToQuery(ask.query);
		const plan = ctx.db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as {
			detail: string;
		}[];
		const sales = plan.map((row) => row.detail).filter((detail) => /\bsa\b/.test(detail));
		// The three exists: the season, the week, the period.
		expect(sales).toHaveLength(3);
		for (const detail of sales)
			expect(detail).toMatch(/^SEARCH sa USING COVERING INDEX sale_season_seller_idx /);
	});
});
