// The executive dashboard's figures against hand-written SQL over the ledger and the sales.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { makeContest, makeSeason, makeUser } from '../helpers/factories';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { adjustPoints } from '../../src/lib/server/scoring/adjustments';
import { sqliteStore } from '../../src/lib/server/db/store';
import { dashboardData, loadDashboard } from '../../src/lib/server/dashboard/figures';
import { dashboardCsvRows } from '../../src/lib/server/dashboard/dashboard-csv';
import { localDayIndexSql } from '../../src/lib/server/dashboard/daily';
import { parseFilters, type DashboardFilters } from '../../src/lib/server/dashboard/filters';
import { rule, season, seasonResult } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';
import { eq, sql } from 'drizzle-orm';

// Europe/Berlin is UTC+1 all through March 2026 until the 29th: local hour h of day d is h - 1 UTC.
const at = (day: number, hour = 12) => Date.UTC(2026, 2, day, 0) + (hour - 1) * 3600_000;
const NOW = at(18, 11); // Wednesday 18 March, 11:00 local
const clock = () => NOW;

let ctx: ReturnType<typeof tempDb>;
let db: Db;
let seasonId: number;
let teams: { id: number; name: string }[];
let people: { id: number; displayName: string }[];

function raw<T>(query: string, ...params: unknown[]): T[] {
	return db.$client.prepare(query).all(...params) as T[];
}

/** Ledger points (not void) dated by their sale, else by the entry, in [from, to). */
function ledgerPoints(from: number, to: number, teamId: number | null = null) {
	return raw<{ confirmed: number; provisional: number }>(
		`select coalesce(sum(case when le.status = 'confirmed' then le.points end), 0) as confirmed,
			coalesce(sum(case when le.status = 'provisional' then le.points end), 0) as provisional
		from ledger_entry le left join sale s on s.id = le.sale_id
		where le.season_id = ? and le.status <> 'void'
			and coalesce(s.occurred_at, le.created_at) >= ? and coalesce(s.occurred_at, le.created_at) < ?
			and (? is null or le.team_id = ?)`,
		seasonId,
		from,
		to,
		teamId,
		teamId
	)[0];
}

function saleFigures(from: number, to: number, teamId: number | null = null) {
	return raw<{ sales: number; revenue: number }>(
		`select count(*) as sales, coalesce(sum(case when status = 'approved' then amount end), 0) as revenue
		from sale where season_id = ? and status in ('pending', 'approved')
			and occurred_at >= ? and occurred_at < ? and (? is null or team_id = ?)`,
		seasonId,
		from,
		to,
		teamId,
		teamId
	)[0];
}

function sellers(from: number, to: number, teamId: number | null = null) {
	return raw<{ n: number }>(
		`select count(distinct m.user_id) as n from season_member m join sale s
			on s.season_id = m.season_id and s.seller_id = m.user_id
		where m.season_id = ? and s.status in ('pending', 'approved')
			and s.occurred_at >= ? and s.occurred_at < ? and (? is null or m.team_id = ?)`,
		seasonId,
		from,
		to,
		teamId,
		teamId
	)[0].n;
}

// Summer time starts on the 29th: 1 April begins at 22:00 UTC.
const SEASON: [number, number] = [at(1, 0), Date.UTC(2026, 2, 31, 22)];
const view = (filters: Partial<DashboardFilters>) =>
	dashboardData(db, seasonId, { teamId: null, period: 'season', ...filters }, clock)!;

beforeAll(async () => {
	ctx = tempDb();
	db = ctx.db;
	const contest = await makeContest(db, { teams: 3, people: 9, requireConfirmation: true });
	seasonId = contest.season.id;
	teams = contest.teams;
	people = contest.people;
	db.update(season)
		.set({
			timeZone: 'Europe/Berlin',
			startsAt: SEASON[0],
			endsAt: SEASON[1],
			target: 1000,
			name: 'March'
		})
		.where(eq(season.id, seasonId))
		.run();
	// A CASE campaign from 10 March to 12 March (local), both included.
	db.insert(rule)
		.values({
			seasonId,
			name: 'Case week',
			startsAt: at(10, 0),
			endsAt: at(13, 0),
			target: { kind: 'sku', sku: 'CASE' },
			effect: { kind: 'multiplier', factor: 2 }
		})
		.run();
	const manager = await makeUser(db, { role: 'manager' });
	const actor = { userId: manager.id };
	let n = 0;
	const sell = async (
		person: number,
		occurredAt: number,
		lines: { sku: string; quantity: number }[]
	) => {
		const { sale } = await recordOn(
			db,
			{
				source: 'api',
				externalId: `s${++n}`,
				seller: { userId: people[person].id },
				occurredAt,
				lines
			},
			() => occurredAt + 60_000
		);
		return sale.id;
	};
	const decide = (id: number, decision: 'confirm' | 'reject' | 'reverse', when: number) =>
		reviewSales(
			sqliteStore(db),
			[id],
			{ decision, actor, reason: decision === 'confirm' ? null : 'test' },
			() => when
		);

	await decide(await sell(0, at(2, 10), [{ sku: 'PHONE', quantity: 1 }]), 'confirm', at(2, 18));
	// 00:30 local on 4 March is still 3 March in UTC: it must count on the 4th.
	await decide(await sell(1, at(4, 0.5), [{ sku: 'CASE', quantity: 2 }]), 'confirm', at(5));
	await sell(2, at(8, 12), [{ sku: 'CASE', quantity: 3 }]);
	await decide(
		await sell(3, at(11, 9), [
			{ sku: 'CASE', quantity: 4 },
			{ sku: 'PHONE', quantity: 1 }
		]),
		'confirm',
		at(11, 17)
	);
	await decide(await sell(4, at(12, 15), [{ sku: 'CASE', quantity: 1 }]), 'reject', at(13));
	await adjustPoints(
		sqliteStore(db),
		{ seasonId, userId: people[2].id, points: 25, reason: 'Fair', actor },
		() => at(14)
	);
	const reversed = await sell(0, at(16, 8), [{ sku: 'PHONE', quantity: 2 }]);
	await decide(reversed, 'confirm', at(16, 9));
	await decide(reversed, 'reverse', at(17, 9));
	await sell(1, at(17, 11), [
		{ sku: 'PHONE', quantity: 1 },
		{ sku: 'CASE', quantity: 1 }
	]);
	await decide(await sell(5, at(18, 9), [{ sku: 'CASE', quantity: 2 }]), 'confirm', at(18, 10));

	// An earlier season with frozen results.
	const past = makeSeason(db, {
		name: 'February',
		status: 'ended',
		startsAt: at(1, 0) - 28 * 86_400_000,
		endsAt: SEASON[0]
	});
	const frozen = { seasonId: past.id, provisionalPoints: 0, salesCount: 1, frozenAt: SEASON[0] };
	db.insert(seasonResult)
		.values([
			{
				...frozen,
				subjectType: 'user',
				subjectId: people[0].id,
				name: 'Ann',
				rank: 1,
				points: 300
			},
			{
				...frozen,
				subjectType: 'user',
				subjectId: people[1].id,
				name: 'Bob',
				rank: 2,
				points: 200
			},
			{ ...frozen, subjectType: 'team', subjectId: teams[0].id, name: 'Reds', rank: 1, points: 500 }
		])
		.run();
});
afterAll(() => ctx.cleanup());

describe('dashboardData', () => {
	it('totals the whole season like the ledger, the sales and the standings', () => {
		const d = view({});
		const points = ledgerPoints(...SEASON);
		const sales = saleFigures(...SEASON);
		expect(d.kpis.confirmedPoints).toBe(points.confirmed);
		expect(d.kpis.provisionalPoints).toBe(points.provisional);
		expect(d.kpis.revenue).toBe(sales.revenue);
		expect(d.kpis.sales).toBe(sales.sales);
		expect(d.kpis.sales).toBe(6); // 8 recorded, one rejected, one reversed
		const standings = raw<{ confirmed: number; provisional: number }>(
			`select sum(confirmed_points) as confirmed, sum(provisional_points) as provisional
			from standing where season_id = ? and subject_type = 'team'`,
			seasonId
		)[0];
		expect(d.kpis.seasonConfirmed).toBe(standings.confirmed);
		expect(d.kpis.seasonProvisional).toBe(standings.provisional);
		expect(d.kpis.percentOfTarget).toBe(Math.round((standings.confirmed / 1000) * 1000) / 10);
		expect(d.kpis.daysLeft).toBe(14); // 18 to 31 March, today included
	});

	it('filters by team', () => {
		for (const team of teams) {
			const d = view({ teamId: team.id });
			const points = ledgerPoints(...SEASON, team.id);
			const sales = saleFigures(...SEASON, team.id);
			expect([d.kpis.confirmedPoints, d.kpis.provisionalPoints]).toEqual([
				points.confirmed,
				points.provisional
			]);
			expect([d.kpis.sales, d.kpis.revenue]).toEqual([sales.sales, sales.revenue]);
			expect(d.race.teams.map((t) => t.id)).toEqual([team.id]);
		}
	});

	it('filters by period: dates, this week and the last 7 days, with a team', () => {
		const cases: [Partial<DashboardFilters>, number, number][] = [
			[{ period: 'custom', from: '2026-03-04', to: '2026-03-12' }, at(4, 0), at(13, 0)],
			[{ period: 'week' }, at(16, 0), at(19, 0)],
			[{ period: '7d' }, at(12, 0), at(19, 0)]
		];
		for (const [filters, from, to] of cases) {
			for (const teamId of [null, teams[1].id]) {
				const d = view({ ...filters, teamId });
				const points = ledgerPoints(from, to, teamId);
				const sales = saleFigures(from, to, teamId);
				expect([d.kpis.confirmedPoints, d.kpis.provisionalPoints]).toEqual([
					points.confirmed,
					points.provisional
				]);
				expect([d.kpis.sales, d.kpis.revenue]).toEqual([sales.sales, sales.revenue]);
				expect(d.participation.soldInPeriod).toBe(sellers(from, to, teamId));
			}
		}
		expect(view({ period: 'week' }).filters).toMatchObject({
			from: '2026-03-16',
			to: '2026-03-18'
		});
	});

	it('draws the race per local day, accumulated', () => {
		const d = view({});
		expect(d.race.days).toHaveLength(18);
		expect(d.race.days[3]).toBe('2026-03-04');
		for (const team of d.race.teams) {
			for (const day of [3, 4, 10, 18]) {
				const expected = ledgerPoints(SEASON[0], at(day + 1, 0), team.id);
				expect(team.points[day - 1], `${team.name} on ${day} March`).toBe(
					expected.confirmed + expected.provisional
				);
			}
		}
		// The sale at 00:30 on the 4th is not on the 3rd.
		const team1 = d.race.teams.find((t) => t.id === teams[1].id)!;
		expect(team1.points[3] - team1.points[2]).toBe(
			raw<{ p: number }>(`select points as p from sale where external_id = 's2'`)[0].p
		);
	});

	it('paces the target from 0 to the end of the season', () => {
		const d = view({});
		expect(d.progress.days).toHaveLength(31);
		expect(d.progress.pace!.at(-1)).toBe(1000);
		expect(d.progress.pace![0]).toBe(Math.round(1000 / 31));
		expect(d.progress.total[17]).toBe(d.kpis.seasonConfirmed + d.kpis.seasonProvisional);
		expect(d.progress.total[18]).toBeNull();
	});

	it('counts participation this week, in the season, and who has not sold', () => {
		for (const teamId of [null, ...teams.map((t) => t.id)]) {
			const d = view({ teamId });
			const members = raw<{ n: number }>(
				`select count(*) as n from season_member where season_id = ? and (? is null or team_id = ?)`,
				seasonId,
				teamId,
				teamId
			)[0].n;
			expect(d.participation.members).toBe(members);
			expect(d.participation.soldThisWeek).toBe(sellers(at(16, 0), at(23, 0), teamId));
			expect(d.participation.soldInSeason).toBe(sellers(...SEASON, teamId));
		}
		const d = view({});
		expect([
			d.participation.soldThisWeek,
			d.participation.soldInSeason,
			d.participation.members
		]).toEqual([2, 5, 9]);
		expect(d.participation.notYetSold.map((m) => m.name).sort()).toEqual(
			[4, 6, 7, 8].map((i) => people[i].displayName).sort()
		);
	});

	it('ranks products by points and units, and measures the campaign', () => {
		const d = view({});
		const expected = raw<{ sku: string; units: number; points: number }>(
			`select p.sku, sum(l.quantity) as units, sum(l.points) as points
			from sale s join sale_line l on l.sale_id = s.id join product p on p.id = l.product_id
			where s.season_id = ? and s.status in ('pending', 'approved') group by p.sku order by points desc`,
			seasonId
		);
		expect(d.products.byPoints.map(({ sku, units, points }) => ({ sku, units, points }))).toEqual(
			expected
		);
		const caseUnits = (from: number, to: number) =>
			raw<{ n: number }>(
				`select coalesce(sum(l.quantity), 0) as n from sale s join sale_line l on l.sale_id = s.id
				join product p on p.id = l.product_id
				where s.season_id = ? and p.sku = 'CASE' and s.status in ('pending', 'approved')
					and s.occurred_at >= ? and s.occurred_at < ?`,
				seasonId,
				from,
				to
			)[0].n;
		const [campaign] = d.campaigns;
		expect(campaign.state).toBe('over');
		expect(campaign.during.units).toBe(caseUnits(at(10, 0), at(13, 0)));
		expect(campaign.before.units).toBe(caseUnits(at(7, 0), at(10, 0)));
		expect([campaign.before.units, campaign.during.units, campaign.unitsChange]).toEqual([
			3, 4, 33.3
		]);
	});

	it('compares with earlier seasons', () => {
		const d = view({});
		expect(d.history.past).toEqual([
			expect.objectContaining({
				name: 'February',
				points: 500,
				participants: 2,
				winner: 'Ann',
				winningTeam: 'Reds'
			})
		]);
		expect(d.history.current.participants).toBe(9);
		expect(d.history.current.points).toBe(d.kpis.seasonConfirmed);
	});

	it('finds the local day of an instant across the change to summer time', () => {
		const days = Array.from({ length: 31 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`);
		const dayOf = (t: number) =>
			db.get<{ d: number }>(
				sql`select ${localDayIndexSql(sql.raw(String(t)), days, 'Europe/Berlin')} as d`
			)!.d;
		expect(dayOf(SEASON[0] - 1)).toBe(0);
		expect(dayOf(at(4, 0.5))).toBe(3);
		expect(dayOf(Date.UTC(2026, 2, 28, 22, 59))).toBe(27); // 23:59 on the 28th
		expect(dayOf(Date.UTC(2026, 2, 29, 1, 30))).toBe(28); // 03:30 summer time on the 29th
		expect(dayOf(Date.UTC(2026, 2, 29, 21, 59))).toBe(28); // 23:59 on the 29th
		expect(dayOf(Date.UTC(2026, 2, 29, 22, 0))).toBe(29);
		expect(dayOf(SEASON[1] - 1)).toBe(30);
		expect(dayOf(SEASON[1] + 5 * 86_400_000)).toBe(30);
	});

	it('reads filters from a URL and exports rows', () => {
		expect(parseFilters(new URLSearchParams('team=3&from=2026-03-09&to=2026-03-02'))).toEqual({
			teamId: 3,
			period: 'custom',
			from: '2026-03-02',
			to: '2026-03-09'
		});
		expect(parseFilters(new URLSearchParams('period=week&from=bad'))).toEqual({
			teamId: null,
			period: 'week'
		});
		expect(parseFilters(new URLSearchParams('from=2026-02-30&to=2026-03-01'))).toEqual({
			teamId: null,
			period: 'season'
		});
		const rows = dashboardCsvRows(view({}));
		expect(rows.find((r) => r.metric === 'confirmedPoints')?.value).toBe(
			view({}).kpis.confirmedPoints
		);
		expect(rows.filter((r) => r.section === 'race')).toHaveLength(18 * 3);
	});

	// Last: it records one more sale.
	it('serves the page from a cache that a new sale invalidates', async () => {
		const params = new URLSearchParams(`season=${seasonId}&period=week`);
		const first = loadDashboard(db, params, clock)!;
		expect(loadDashboard(db, params, clock)).toBe(first);
		await recordOn(
			db,
			{
				source: 'api',
				externalId: 'late',
				seller: { userId: people[6].id },
				occurredAt: at(18, 10),
				lines: [{ sku: 'PHONE', quantity: 1 }]
			},
			() => at(18, 10) + 60_000
		);
		const second = loadDashboard(db, params, clock)!;
		expect(second.kpis.sales).toBe(first.kpis.sales + 1);
		expect(second.participation.soldThisWeek).toBe(first.participation.soldThisWeek + 1);
	});
});
