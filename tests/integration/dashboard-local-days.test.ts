// The dashboard's daily figures are per local day of the season's zone. The rollup they come from
// (dashboard_slot, kept by triggers with every sale and ledger entry) is per 15-minute slot of
// UTC time, and every zone's midnight starts a slot: buckets() reads each local day as a range of
// slots, never the sales themselves. Checked here against a recount written independently of the
// dashboard's code (each ledger entry and sale dated with calendar.localDateKey), after sales a
// minute either side of local midnight, confirmations, rejections, reversals and an import, in
// a zone three hours east of UTC (Europe/Moscow) and one west of it that changes to summer time
// inside the season (America/New_York).
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, makeUser } from '../helpers/factories';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { importSales } from '../../src/lib/server/imports/sales';
import { bucketsReads } from '../../src/lib/server/dashboard/daily';
import { dashboardSeasonReads } from '../../src/lib/server/dashboard/queries';
import { runRawSync } from '../../src/lib/server/db/raw-reads';
import {
	dayList,
	localDateKey,
	localDayRange,
	seasonDayBounds
} from '../../src/lib/contest/calendar';
import { product, season } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';
import { sqliteStore } from '../../src/lib/server/db/store';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;

let ctx: ReturnType<typeof tempDb> | undefined;
afterEach(() => {
	ctx?.cleanup();
	ctx = undefined;
});

type Day = { confirmed: number; provisional: number; sales: number; revenue: number };
const key = (teamId: number, day: string) => `${teamId} ${day}`;
const nonZero = (d: Day) =>
	d.confirmed !== 0 || d.provisional !== 0 || d.sales !== 0 || d.revenue !== 0;

/** Points, sales and revenue per team and local day, recounted from the rows themselves. */
function recount(db: Db, seasonId: number, timeZone: string, days: string[]) {
	// As the dashboard does, instants before the first day or after the last count on those days.
	const dayOf = (ms: number) => {
		const d = localDateKey(ms, timeZone);
		return d < days[0] ? days[0] : d > days.at(-1)! ? days.at(-1)! : d;
	};
	const out = new Map<string, Day>();
	const at = (teamId: number, day: string) => {
		let found = out.get(key(teamId, day));
		if (!found)
			out.set(key(teamId, day), (found = { confirmed: 0, provisional: 0, sales: 0, revenue: 0 }));
		return found;
	};
	const entries = db.$client
		.prepare(
			`select le.team_id as teamId, le.status, le.points,
				coalesce(sa.occurred_at, ac.created_at, le.created_at) as at
			from ledger_entry le left join sale sa on sa.id = le.sale_id
				left join activity ac on ac.id = le.activity_id
			where le.season_id = ? and le.status != 'void'`
		)
		.all(seasonId) as { teamId: number; status: string; points: number; at: number }[];
	for (const e of entries) {
		const day = at(e.teamId, dayOf(e.at));
		if (e.status === 'confirmed') day.confirmed += e.points;
		else day.provisional += e.points;
	}
	const sales = db.$client
		.prepare(
			`select team_id as teamId, status, amount, occurred_at as at from sale
			where season_id = ? and status in ('pending', 'approved')`
		)
		.all(seasonId) as { teamId: number; status: string; amount: number; at: number }[];
	for (const s of sales) {
		const day = at(s.teamId, dayOf(s.at));
		day.sales += 1;
		if (s.status === 'approved') day.revenue += s.amount;
	}
	return new Map([...out].filter(([, d]) => nonZero(d)));
}

/** The same figures as the dashboard reads them from the rollup. */
function rolledUp(db: Db, seasonId: number) {
	const s = runRawSync(db, dashboardSeasonReads(seasonId))!;
	const { first, last } = seasonDayBounds(s);
	const days = dayList(first, last);
	const out = new Map<string, Day>();
	for (const b of runRawSync(db, bucketsReads(s, days))) {
		const d = {
			confirmed: b.confirmed,
			provisional: b.provisional,
			sales: b.sales,
			revenue: b.revenue
		};
		if (nonZero(d)) out.set(key(b.teamId, days[b.day]), d);
	}
	return { days, figures: out };
}

function expectRecount(db: Db, seasonId: number, timeZone: string) {
	const { days, figures } = rolledUp(db, seasonId);
	const expected = recount(db, seasonId, timeZone, days);
	expect(expected.size).toBeGreaterThan(0);
	expect(Object.fromEntries(figures)).toEqual(Object.fromEntries(expected));
}

/** A season of 12 local days from `firstDay`, sales a minute either side of local midnights. */
async function seasonAroundMidnights(timeZone: string, firstDay: string) {
	ctx = tempDb();
	const db = ctx.db;
	const contest = await makeContest(db, { teams: 2, people: 4, requireConfirmation: true });
	const seasonId = contest.season.id;
	const startsAt = localDayRange(firstDay, timeZone)[0];
	const endsAt = startsAt + 12 * DAY;
	db.update(season).set({ timeZone, startsAt, endsAt }).where(eq(season.id, seasonId)).run();
	db.update(product).set({ active: true }).where(eq(product.seasonId, seasonId)).run();
	const manager = await makeUser(db, { role: 'manager' });
	const actor = { userId: manager.id };
	const now = endsAt - HOUR;
	const clock = () => now;
	// Each local midnight of the season (a DST change included): a sale at 23:59 the day before,
	// one at 00:00 and one at 00:01, by a different seller each.
	const days = dayList(firstDay, localDateKey(endsAt - 1, timeZone));
	const ids: number[] = [];
	let n = 0;
	for (const day of days.slice(1)) {
		const midnight = localDayRange(day, timeZone)[0];
		for (const offset of [-MINUTE, 0, MINUTE]) {
			const { sale } = await recordOn(
				db,
				{
					source: 'api',
					externalId: `m${++n}`,
					seller: { userId: contest.people[n % contest.people.length].id },
					occurredAt: midnight + offset,
					lines: [{ sku: n % 2 ? 'PHONE' : 'CASE', quantity: 1 + (n % 3) }]
				},
				clock
			);
			ids.push(sale.id);
		}
	}
	return { db, seasonId, contest, actor, clock, ids, days };
}

async function reviewAndImport(timeZone: string, firstDay: string) {
	const { db, seasonId, contest, actor, clock, ids, days } = await seasonAroundMidnights(
		timeZone,
		firstDay
	);
	expectRecount(db, seasonId, timeZone);

	// Two in three confirmed, the rest rejected; then every other confirmed one reversed.
	for (const [i, id] of ids.entries())
		await reviewSales(
			sqliteStore(db),
			[id],
			{ decision: i % 3 === 2 ? 'reject' : 'confirm', actor, reason: i % 3 === 2 ? 'test' : null },
			clock
		);
	expectRecount(db, seasonId, timeZone);
	const confirmed = ids.filter((_, i) => i % 3 !== 2);
	for (const [i, id] of confirmed.entries())
		if (i % 2 === 0)
			await reviewSales(
				sqliteStore(db),
				[id],
				{ decision: 'reverse', actor, reason: 'test' },
				clock
			);
	expectRecount(db, seasonId, timeZone);

	// An import of sales on the same midnights (a minute either side, in UTC ISO form), half of
	// them confirmed afterwards.
	const rows = ['externalId,sellerEmail,occurredAt,sku,quantity,unitPrice'];
	days.slice(1).forEach((day, i) => {
		const midnight = localDayRange(day, timeZone)[0];
		for (const [j, offset] of [-MINUTE, 0, MINUTE].entries())
			rows.push(
				`imp${i}-${j},${contest.people[(i + j) % contest.people.length].email},${new Date(midnight + offset).toISOString()},PHONE,${1 + j},999`
			);
	});
	const report = await importSales(db, rows.join('\n'), { dryRun: false, actor: {}, clock });
	expect(report.sales.new).toBe((days.length - 1) * 3);
	expectRecount(db, seasonId, timeZone);
	const imported = db.$client
		.prepare(`select id from sale where season_id = ? and source = 'import' and status = 'pending'`)
		.pluck()
		.all(seasonId) as number[];
	for (const [i, id] of imported.entries())
		if (i % 2 === 0)
			await reviewSales(sqliteStore(db), [id], { decision: 'confirm', actor, reason: null }, clock);
	expectRecount(db, seasonId, timeZone);
}

describe("the dashboard's days are the season zone's local days", () => {
	it('three hours east of UTC (Europe/Moscow)', async () => {
		await reviewAndImport('Europe/Moscow', '2026-03-02');
	});

	it('west of UTC, across the change to summer time (America/New_York)', async () => {
		await reviewAndImport('America/New_York', '2026-03-02');
	});
});
