// Badges are given once: replaying the same sales (API and import), evaluating again and
// restarting the process award nothing new and change no points.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, standingsVsLedger } from '../helpers/factories';
import { openDatabase, type Db } from '../../src/lib/server/db';
import type { RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { recordOn } from '../helpers/record-sale';
import { importSales } from '../../src/lib/server/imports/sales';
import { decideAwardsInWrite } from '../../src/lib/server/badges/decide-in-write';
import { reevaluateOnStore } from '../../src/lib/server/badges/reevaluate';
import { createBadge } from '../../src/lib/server/badges/commands';
import { sqliteStore, write } from '../../src/lib/server/db/store';
import type { BadgeDraft } from '../../src/lib/server/badges/badge-form';
import type { BadgeCriterion } from '../../src/lib/contest/badges';

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

// Every criterion a sale or the periodic job can decide; bonuses on some so the ledger moves.
const BADGES: { name: string; criterion: BadgeCriterion; points?: number }[] = [
	{ name: 'First sale', criterion: { kind: 'first_sale' } },
	{ name: 'Five sales', criterion: { kind: 'sales_count', count: 5 }, points: 5 },
	{
		name: 'Three accessories',
		criterion: { kind: 'sales_count', count: 3, category: 'Accessories' }
	},
	{ name: '300 points', criterion: { kind: 'points_at_least', points: 300 }, points: 20 },
	{ name: 'On fire', criterion: { kind: 'streak', days: 3 } },
	{ name: 'Cross-seller', criterion: { kind: 'cross_sells', count: 2 }, points: 7 },
	{ name: 'Record breaker', criterion: { kind: 'record_sale' }, points: 10 },
	{ name: 'Team on target', criterion: { kind: 'team_target', target: 500 } },
	{ name: 'Top of the week', criterion: { kind: 'top_k_week', k: 1 }, points: 15 },
	{ name: 'Most improved', criterion: { kind: 'most_improved_week' } }
];

let ctx: ReturnType<typeof tempDb>;
let db: Db;

beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => {
	// The test may have reopened the file: close whichever connection is current.
	if (db.$client.open) db.$client.close();
	if (ctx.db.$client.open) ctx.db.$client.close();
	rmSync(ctx.dir, { recursive: true, force: true });
});

/** Everything awarding can change, in a stable order. */
function snapshot(d: Db, seasonId: number) {
	return {
		awards: d.all(sql`select badge_id, subject_type, subject_id, period_key, earned_at
			from award order by badge_id, subject_type, subject_id, period_key`),
		badgeEntries: d.all(sql`select user_id, team_id, points, status, reason
			from ledger_entry where kind = 'badge' order by id`),
		ledgerRows: d.get<{ n: number }>(sql`select count(*) as n from ledger_entry`)?.n,
		standings:
			d.all(sql`select subject_type, subject_id, confirmed_points, provisional_points, sales_count
			from standing where season_id = ${seasonId} order by 1, 2`),
		sales: d.get<{ n: number }>(sql`select count(*) as n from sale`)?.n,
		version: d.get<{ v: number }>(sql`select version as v from season where id = ${seasonId}`)?.v
	};
}

describe('awards are idempotent', () => {
	it('replaying the same sales, re-evaluating and restarting award nothing new', async () => {
		const contest = await makeContest(db, { teams: 2, people: 4 });
		const seasonId = contest.season.id;
		const now = Date.now();
		const clock = () => now;
		for (const b of BADGES) {
			const draft: BadgeDraft = {
				...b,
				emoji: '🏅',
				description: '',
				points: b.points ?? 0,
				active: true
			};
			await createBadge(sqliteStore(db), seasonId, draft, { userId: null }, clock);
		}

		// 18 days of sales: everyone sells daily (streaks, weekly ranks); the first two people
		// sell more each day (records, most improved); every third sale adds a case (cross-sell).
		const sales: RecordSaleInput[] = [];
		for (let day = 18; day >= 1; day--) {
			contest.people.forEach((person, i) => {
				const phones = i < 2 ? 1 + Math.floor((18 - day) / 3) + i : 1;
				const lines = [{ sku: 'PHONE', quantity: phones }];
				if ((day + i) % 3 === 0) lines.push({ sku: 'CASE', quantity: 1 });
				sales.push({
					source: 'api',
					externalId: `sale-${day}-${person.id}`,
					seller: { email: person.email },
					occurredAt: now - day * DAY + (i + 1) * HOUR,
					lines
				});
			});
		}
		// The last quarter of them arrives by CSV import instead of the API.
		const split = Math.floor(sales.length * 0.75);
		const viaApi = sales.slice(0, split);
		const csv = csvFor(sales.slice(split));
		const actor = { userId: null };

		for (const input of viaApi) expect((await recordOn(db, input, clock)).created).toBe(true);
		const first = await importSales(db, csv, { dryRun: false, actor, clock });
		expect(first.sales).toMatchObject({ new: sales.length - split, rejected: 0 });
		await reevaluateOnStore(sqliteStore(db), seasonId, { clock, weekly: true });

		const before = snapshot(db, seasonId);
		// Every badge was earned by someone, so the replay below has something to repeat.
		const earned = new Set((before.awards as { badge_id: number }[]).map((a) => a.badge_id));
		expect(earned.size).toBe(BADGES.length);
		expect(before.badgeEntries.length).toBeGreaterThan(0);
		const consistent = () => {
			const { stored, fromLedger } = standingsVsLedger(db, seasonId);
			expect(stored).toEqual(fromLedger);
		};
		consistent();

		// The same sales again, each by the path it came in, and each by the other path too: the
		// API and imports share one id space.
		for (const input of viaApi) {
			expect((await recordOn(db, input, clock)).created).toBe(false);
		}
		for (const input of sales.slice(split)) {
			expect((await recordOn(db, input, clock)).created).toBe(false);
		}
		const again = await importSales(db, csv, { dryRun: false, actor, clock });
		expect(again.sales).toMatchObject({ new: 0, duplicate: sales.length - split, rejected: 0 });
		const apiCsv = csvFor(viaApi.slice(-8));
		const againApi = await importSales(db, apiCsv, { dryRun: false, actor, clock });
		expect(againApi.sales).toMatchObject({ new: 0, duplicate: 8, rejected: 0 });
		expect((await reevaluateOnStore(sqliteStore(db), seasonId, { clock })).awarded).toEqual([]);
		expect(
			(await reevaluateOnStore(sqliteStore(db), seasonId, { clock, weekly: true })).awarded
		).toEqual([]);
		expect(snapshot(db, seasonId)).toEqual(before);

		// A restart: a new connection to the same file, then the periodic job runs again.
		db.$client.close();
		db = openDatabase(ctx.path);
		expect(
			(await reevaluateOnStore(sqliteStore(db), seasonId, { clock, weekly: true })).awarded
		).toEqual([]);
		// The sales' badge step once more: the facts have taken in the whole ledger, so it decides
		// nothing and leaves no backlog.
		const store = sqliteStore(db);
		const decided = await write(store, (tx) => decideAwardsInWrite(tx, store, now));
		expect(decided).toEqual({ changes: new Map(), backlog: false });
		expect(snapshot(db, seasonId)).toEqual(before);
		consistent();
	});
});

/** The sales as the import's CSV, one row per line. */
function csvFor(inputs: RecordSaleInput[]): string {
	const lines = ['externalId,sellerEmail,occurredAt,sku,quantity,unitPrice'];
	for (const s of inputs) {
		const email = (s.seller as { email: string }).email;
		for (const line of s.lines) {
			const price = line.sku === 'PHONE' ? '999.00' : '29.00'; // the makeContest catalogue
			const at = new Date(s.occurredAt).toISOString();
			lines.push(`${s.externalId},${email},${at},${line.sku},${line.quantity},${price}`);
		}
	}
	return lines.join('\n');
}
