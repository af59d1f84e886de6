// The team a person's badge points go to is that of their latest recorded sale that counts
// (highest id, whatever its time): read as one seek down sale_season_seller_id_idx. Through
// sale_season_seller_idx (in time order) it read all of the person's sales to keep one, ~50 ms
// at 10,000 sales, once per award with points (docs/benchmarks.md, "The badge catch-up after a
// restart").
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { seasonMember } from '../../src/lib/server/db/schema';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { LAST_TEAM_QUERY, lastTeamOf } from '../../src/lib/server/badges/facts';
import { sqliteStore } from '../../src/lib/server/db/store';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 4, 12);
const clock = () => NOW;
let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

async function sell(email: string, externalId: string, occurredAt: number) {
	const { sale } = await recordOn(
		db,
		{
			source: 'api',
			externalId,
			seller: { email },
			occurredAt,
			lines: [{ sku: 'PHONE', quantity: 1 }]
		},
		clock,
		{ awards: false }
	);
	return sale.id;
}

function moveTo(seasonId: number, userId: number, teamId: number) {
	db.update(seasonMember)
		.set({ teamId })
		.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
		.run();
}

describe('lastTeamOf', () => {
	it('is the team of the latest recorded sale that counts, not the latest in time', async () => {
		const { season, teams, people } = await makeContest(db, { teams: 2, people: 2 });
		const [a, b] = teams.map((t) => t.id);
		const p = people[0];
		expect(lastTeamOf(db, season.id, p.id)).toBeUndefined();
		await sell(p.email, 'one', NOW - HOUR);
		expect(lastTeamOf(db, season.id, p.id)).toBe(a);
		// Moved to team b, then a sale recorded out of time order (hours before the first).
		moveTo(season.id, p.id, b);
		const late = await sell(p.email, 'two', NOW - 3 * HOUR);
		expect(lastTeamOf(db, season.id, p.id)).toBe(b);
		// Someone else's sales change nothing.
		await sell(people[1].email, 'other', NOW - 2 * HOUR);
		expect(lastTeamOf(db, season.id, p.id)).toBe(b);
		// The latest sale reversed: the one before it decides again.
		await reviewSales(
			sqliteStore(db),
			[late],
			{ decision: 'reverse', actor: { userId: null }, reason: 'Test' },
			clock
		);
		expect(lastTeamOf(db, season.id, p.id)).toBe(a);
		// One more sale (still in team b), reversed too: team a's sale is the latest that counts.
		const newest = await sell(p.email, 'three', NOW - 30 * 60_000);
		expect(lastTeamOf(db, season.id, p.id)).toBe(b);
		await reviewSales(
			sqliteStore(db),
			[newest],
			{ decision: 'reverse', actor: { userId: null }, reason: 'Test' },
			clock
		);
		expect(lastTeamOf(db, season.id, p.id)).toBe(a);
	});

	it('seeks the latest sale through an index in id order, with no sort', () => {
		const plan = db.$client.prepare(`EXPLAIN QUERY PLAN ${LAST_TEAM_QUERY}`).all(1, 1) as {
			detail: string;
		}[];
		const details = plan.map((row) => row.detail).join(' · ');
		expect(details).toContain('sale_season_seller_id_idx');
		expect(details).not.toContain('TEMP B-TREE');
	});
});
