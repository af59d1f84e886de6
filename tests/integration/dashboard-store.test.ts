// The executive dashboard's figures and its CSV through the store (#20, dashboard/figures.ts
// `readDashboardData`, `readDashboard`), on a temp SQLite file and a throwaway PostgreSQL
// (tests/helpers/postgres.ts): the same season written on both gives the same figures, equal to
// a recompute from the sales and the ledger (the rollups kept by each dialect's triggers), and on
// SQLite equal to the read thread's synchronous `dashboardData`. Two nodes are two stores on one
// database: what one writes, the other's dashboard shows.
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { write, type Store } from '../../src/lib/server/db/store';
import {
	dashboardData,
	readDashboard,
	readDashboardData,
	readDashboardSeasons,
	type DashboardData
} from '../../src/lib/server/dashboard/figures';
import { dashboardCsv } from '../../src/lib/server/dashboard/dashboard-csv';
import type { DashboardFilters } from '../../src/lib/server/dashboard/filters';
import { theme } from '../helpers/factories';
import { twoNodesPerDialect, type Dialect } from '../helpers/store-nodes';

const nodes = twoNodesPerDialect('dashboard-store');

// Europe/Berlin is UTC+1 all through March 2026 until the 29th: local hour h of day d is h - 1 UTC.
const at = (day: number, hour = 12) => Date.UTC(2026, 2, day, 0) + (hour - 1) * 3600_000;
const NOW = at(18, 11); // Wednesday 18 March, 11:00 local
const clock = () => NOW;

type Line = { sku: string; quantity: number; points: number };

/** A past season with its frozen results, and a live one: two teams, four people, sales. */
async function seedContest(store: Store) {
	const t = store.tables;
	return write(store, async (tx) => {
		const [past] = await tx
			.insert(t.season)
			.values({
				name: 'Winter',
				theme,
				timeZone: 'Europe/Berlin',
				startsAt: Date.UTC(2026, 0, 1),
				endsAt: Date.UTC(2026, 1, 1),
				status: 'archived'
			})
			.returning({ id: t.season.id });
		await tx.insert(t.seasonResult).values(
			[
				['user', 1, 'Ann', 1, 400, 10],
				['user', 2, 'Bob', 2, 150, 0],
				['team', 1, 'North', 1, 400, 10]
			].map(([subjectType, subjectId, name, rank, points, provisionalPoints]) => ({
				seasonId: past.id,
				subjectType: subjectType as 'user' | 'team',
				subjectId: subjectId as number,
				name: name as string,
				rank: rank as number,
				points: points as number,
				provisionalPoints: provisionalPoints as number,
				salesCount: 1,
				frozenAt: Date.UTC(2026, 1, 1)
			}))
		);
		const [season] = await tx
			.insert(t.season)
			.values({
				name: 'Spring',
				theme,
				timeZone: 'Europe/Berlin',
				startsAt: at(1, 0),
				endsAt: Date.UTC(2026, 2, 31, 22),
				status: 'live',
				target: 2_000,
				version: 1
			})
			.returning({ id: t.season.id });
		const teams = await tx
			.insert(t.team)
			.values([
				{ seasonId: season.id, name: 'North' },
				{ seasonId: season.id, name: 'South' }
			])
			.returning({ id: t.team.id });
		const people = await tx
			.insert(t.user)
			.values(
				['Ann', 'Bob', 'Cem', 'Dee'].map((name) => ({
					email: `${name.toLowerCase()}@dashboard.test`,
					displayName: name,
					role: 'participant' as const,
					passwordHash: 'not-a-real-hash'
				}))
			)
			.returning({ id: t.user.id });
		const teamOf = (i: number) => teams[i % 2].id;
		await tx
			.insert(t.seasonMember)
			.values(people.map((p, i) => ({ seasonId: season.id, userId: p.id, teamId: teamOf(i) })));
		const products = await tx
			.insert(t.product)
			.values([
				{ seasonId: season.id, sku: 'PHONE', name: 'Phone', category: 'Phones', points: 50 },
				{ seasonId: season.id, sku: 'CASE', name: 'Case', category: 'Accessories', points: 10 },
				{ seasonId: season.id, sku: 'TAB', name: 'Tablet', category: 'Tablets', points: 80 }
			])
			.returning({ id: t.product.id, sku: t.product.sku });
		await tx.insert(t.rule).values([
			{
				seasonId: season.id,
				name: 'Accessory week',
				startsAt: at(16, 0),
				endsAt: at(23, 0),
				target: { kind: 'category', category: 'Accessories' },
				effect: { kind: 'multiplier', factor: 2 }
			},
			{
				seasonId: season.id,
				name: 'Call blitz',
				startsAt: at(16, 0),
				endsAt: at(23, 0),
				target: { kind: 'activity', type: 'call' },
				effect: { kind: 'multiplier', factor: 3 }
			}
		]);
		const productId = (sku: string) => products.find((p) => p.sku === sku)!.id;
		let serial = 0;
		const sell = async (
			person: number,
			when: number,
			status: 'approved' | 'pending' | 'rejected',
			lines: Line[],
			ledger: 'confirmed' | 'provisional' | 'void'
		) => {
			const points = lines.reduce((sum, l) => sum + l.points, 0);
			const [made] = await tx
				.insert(t.sale)
				.values({
					seasonId: season.id,
					source: 'api',
					externalId: `dash-${++serial}`,
					sellerId: people[person].id,
					teamId: teamOf(person),
					occurredAt: when,
					amount: 10_000 * serial,
					status,
					points
				})
				.returning({ id: t.sale.id });
			await tx.insert(t.saleLine).values(
				lines.map((l) => ({
					saleId: made.id,
					productId: productId(l.sku),
					quantity: l.quantity,
					unitPrice: 5_000,
					points: l.points
				}))
			);
			await tx.insert(t.ledgerEntry).values({
				seasonId: season.id,
				userId: people[person].id,
				teamId: teamOf(person),
				saleId: made.id,
				kind: 'sale',
				points,
				status: ledger,
				createdAt: when
			});
		};
		await sell(0, at(2, 9), 'approved', [{ sku: 'PHONE', quantity: 2, points: 100 }], 'confirmed');
		await sell(1, at(9, 23), 'pending', [{ sku: 'TAB', quantity: 1, points: 80 }], 'provisional');
		await sell(
			0,
			at(12, 10),
			'approved',
			[
				{ sku: 'PHONE', quantity: 1, points: 50 },
				{ sku: 'CASE', quantity: 3, points: 30 }
			],
			'confirmed'
		);
		await sell(2, at(16, 8), 'approved', [{ sku: 'CASE', quantity: 4, points: 80 }], 'confirmed');
		await sell(1, at(17, 15), 'rejected', [{ sku: 'PHONE', quantity: 5, points: 250 }], 'void');
		await sell(2, at(18, 1), 'pending', [{ sku: 'CASE', quantity: 2, points: 40 }], 'provisional');
		await tx.insert(t.ledgerEntry).values({
			seasonId: season.id,
			userId: people[1].id,
			teamId: teamOf(1),
			kind: 'adjustment',
			points: -20,
			status: 'confirmed',
			reason: 'Returned',
			createdAt: at(14, 12)
		});
		await tx.insert(t.standing).values([
			...[
				[0, 180, 0],
				[1, -20, 80],
				[2, 80, 40]
			].map(([person, confirmed, provisional], i) => ({
				seasonId: season.id,
				subjectType: 'user' as const,
				subjectId: people[person].id,
				confirmedPoints: confirmed,
				provisionalPoints: provisional,
				salesCount: 1,
				reachedAt: at(10 + i),
				updatedAt: at(10 + i)
			})),
			...[
				[0, 260, 40],
				[1, -20, 80]
			].map(([team, confirmed, provisional]) => ({
				seasonId: season.id,
				subjectType: 'team' as const,
				subjectId: teams[team].id,
				confirmedPoints: confirmed,
				provisionalPoints: provisional,
				salesCount: 1,
				reachedAt: at(10),
				updatedAt: at(10)
			}))
		]);
		return { seasonId: season.id, teamIds: teams.map((x) => x.id), people };
	});
}

/** The views compared: the whole season, a team's week, a team's last 7 days, a custom span. */
const filtersOf = (teamIds: number[]): DashboardFilters[] => [
	{ teamId: null, period: 'season' },
	{ teamId: teamIds[0], period: 'week' },
	{ teamId: teamIds[1], period: '7d' },
	{ teamId: null, period: 'custom', from: '2026-03-09', to: '2026-03-16' }
];

/** Every view of the season that the filters give, with its CSV, read through the store. */
async function viewsOn(store: Store, direct = false) {
	const seasonId = seeded[store.dialect]!.seasonId;
	const views: { data: DashboardData; csv: string }[] = [];
	for (const filters of filtersOf(seeded[store.dialect]!.teamIds)) {
		const data = (await readDashboardData(store, seasonId, filters, clock, { direct }))!;
		views.push({ data, csv: dashboardCsv(data) });
	}
	return views;
}

const seeded: Partial<Record<Dialect, Awaited<ReturnType<typeof seedContest>>>> = {};
const views: Partial<Record<Dialect, Awaited<ReturnType<typeof viewsOn>>>> = {};

describe.each(['sqlite', 'postgres'] as const)('the dashboard on %s', (dialect) => {
	it('reads the figures of the sales, ledger, campaigns and past seasons, equal to a direct recompute', async () => {
		const [store] = nodes[dialect];
		seeded[dialect] = await seedContest(store);
		const got = await viewsOn(store);
		views[dialect] = got;
		const season = got[0].data;
		// Points by the ledger (not void), sales and revenue by the sales that stand.
		expect(season.kpis).toMatchObject({
			confirmedPoints: 100 + 80 + 80 - 20,
			provisionalPoints: 80 + 40,
			revenue: 10_000 + 30_000 + 40_000,
			sales: 5,
			seasonConfirmed: 240,
			percentOfTarget: 12
		});
		expect(season.participation).toMatchObject({
			members: 4,
			soldInSeason: 3,
			notYetSold: [{ name: 'Dee', team: 'South' }]
		});
		expect(season.products.byPoints.map((p) => [p.sku, p.units, p.points])).toEqual([
			['CASE', 9, 150],
			['PHONE', 3, 150],
			['TAB', 1, 80]
		]);
		expect(season.campaigns.map((c) => [c.name, c.during.units, c.before.units])).toEqual([
			['Accessory week', 6, 0]
		]);
		expect(season.history.past).toEqual([
			expect.objectContaining({ name: 'Winter', points: 550, provisional: 10, winner: 'Ann' })
		]);
		expect(season.history.current).toMatchObject({ winner: 'Ann', winningTeam: 'North' });
		expect(await viewsOn(store, true)).toEqual(got);
	});

	it('shows on one node what the other sold, through the cache by version', async () => {
		const [a, b] = nodes[dialect];
		const { seasonId, people, teamIds } = seeded[dialect]!;
		const params = new URLSearchParams({ season: String(seasonId) });
		const before = (await readDashboard(b, params, clock))!;
		expect(await readDashboard(b, params, clock)).toBe(before);
		const t = a.tables;
		await write(a, async (tx) => {
			await tx.insert(t.ledgerEntry).values({
				seasonId,
				userId: people[3].id,
				teamId: teamIds[1],
				kind: 'adjustment',
				points: 15,
				status: 'confirmed',
				createdAt: at(17, 10)
			});
			await tx
				.update(t.season)
				.set({ version: sql`${t.season.version} + 1` })
				.where(eq(t.season.id, seasonId));
		});
		const after = (await readDashboard(b, params, clock))!;
		expect(after.kpis.confirmedPoints).toBe(before.kpis.confirmedPoints + 15);
		expect(await readDashboard(b, new URLSearchParams(), clock)).toEqual(after);
		expect((await readDashboardSeasons(b)).map((s) => s.name)).toEqual(['Spring', 'Winter']);
		expect(await readDashboard(b, new URLSearchParams({ season: '999' }), clock)).toBeNull();
	});
});

describe('the dashboard on both dialects', () => {
	it('gives the same figures and CSV for the same data', () => {
		expect(views.postgres).toEqual(views.sqlite);
		expect(views.sqlite!.map((v) => v.csv).join('')).toContain('kpi');
	});

	it("on SQLite reads what the read thread's synchronous dashboardData reads", async () => {
		const [store] = nodes.sqlite;
		const { seasonId, teamIds } = seeded.sqlite!;
		if (store.dialect !== 'sqlite') throw new Error('a SQLite store');
		for (const filters of filtersOf(teamIds))
			expect(await readDashboardData(store, seasonId, filters, clock)).toEqual(
				dashboardData(store.sqlite, seasonId, filters, clock)
			);
	});
});
