// The demo (db/seed-demo.ts) seeded through the store (#20) on a temp SQLite file and on a
// throwaway PostgreSQL (tests/helpers/postgres.ts), at the same instant: the same season, people,
// sales, activities, referrals and dashboard on both, and a second run changes nothing. The badges
// come from `reevaluateOnStore`: the same awards on both, the weekly ones included
// (docs/postgres.md, "The core, in steps", step 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, count, eq, ne } from 'drizzle-orm';
import { openDatabase } from '../../src/lib/server/db';
import { closeStore, openStore, sqliteStore, type Store } from '../../src/lib/server/db/store';
import { seedDemo } from '../../src/lib/server/db/seed-demo';
import { readDashboardData } from '../../src/lib/server/dashboard/figures';
import { dashboardCsv } from '../../src/lib/server/dashboard/dashboard-csv';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { tempDb } from '../helpers/db';

const T0 = Date.UTC(2026, 10, 20, 10);
const clock = () => T0;

let postgres: TestPostgres;
let sqliteFile: ReturnType<typeof tempDb>;
const stores: { sqlite?: Store; postgres?: Store } = {};
const seasons: { sqlite?: number; postgres?: number } = {};

beforeAll(async () => {
	sqliteFile = tempDb();
	stores.sqlite = sqliteStore(openDatabase(sqliteFile.path));
	postgres = await startPostgres();
	stores.postgres = await openStore(postgres.url);
	for (const dialect of ['sqlite', 'postgres'] as const)
		seasons[dialect] = (await seedDemo(stores[dialect]!, T0)).seasonId;
}, 120_000);

afterAll(async () => {
	for (const store of Object.values(stores)) if (store) await closeStore(store);
	await postgres?.stop();
	sqliteFile?.cleanup();
});

/** What the demo wrote that does not depend on the badges, in key order. */
async function demoRows(store: Store) {
	const {
		user,
		team,
		product,
		sale,
		saleLine,
		activity,
		referral,
		ledgerEntry,
		seasonMember,
		standing
	} = store.tables;
	const { db } = store;
	return {
		users: await db
			.select({ id: user.id, email: user.email, role: user.role, name: user.displayName })
			.from(user)
			.orderBy(asc(user.id)),
		teams: await db.select({ id: team.id, name: team.name }).from(team).orderBy(asc(team.id)),
		members: await db
			.select({ userId: seasonMember.userId, teamId: seasonMember.teamId })
			.from(seasonMember)
			.orderBy(asc(seasonMember.userId)),
		products: await db
			.select({ sku: product.sku, name: product.name, price: product.price })
			.from(product)
			.orderBy(asc(product.id)),
		sales: await db
			.select({
				id: sale.id,
				externalId: sale.externalId,
				sellerId: sale.sellerId,
				teamId: sale.teamId,
				occurredAt: sale.occurredAt,
				amount: sale.amount,
				status: sale.status,
				points: sale.points
			})
			.from(sale)
			.orderBy(asc(sale.id)),
		lines: await db.select().from(saleLine).orderBy(asc(saleLine.id)),
		activities: await db
			.select({ userId: activity.userId, quantity: activity.quantity, points: activity.points })
			.from(activity)
			.orderBy(asc(activity.id)),
		referrals: await db
			.select({ status: referral.status, matchedSaleId: referral.matchedSaleId })
			.from(referral)
			.orderBy(asc(referral.id)),
		// The points of a standing hold the badges' too: its count of sales here.
		salesCounts: await db
			.select({ userId: standing.subjectId, sales: standing.salesCount })
			.from(standing)
			.where(eq(standing.subjectType, 'user'))
			.orderBy(asc(standing.subjectId)),
		// A badge's points are the ledger's too: its entries are left out here.
		ledger: await db
			.select({
				userId: ledgerEntry.userId,
				saleId: ledgerEntry.saleId,
				kind: ledgerEntry.kind,
				points: ledgerEntry.points,
				status: ledgerEntry.status
			})
			.from(ledgerEntry)
			.where(ne(ledgerEntry.kind, 'badge'))
			.orderBy(asc(ledgerEntry.id))
	};
}

describe('the demo seeded through the store', () => {
	it('writes the same season, people, sales, activities and referrals on PostgreSQL as on SQLite', async () => {
		const onSqlite = await demoRows(stores.sqlite!);
		expect(onSqlite.users).toHaveLength(23);
		expect(onSqlite.sales.length).toBeGreaterThan(100);
		expect(onSqlite.activities.length).toBeGreaterThan(50);
		// One confirmed by a sale; one open and its duplicate (flagged, still open).
		expect(onSqlite.referrals.map((r) => r.status).sort()).toEqual(['confirmed', 'open', 'open']);
		// Every seller's standing counts their sales (the batch's standings written in the write).
		const sold = new Map<number, number>();
		for (const s of onSqlite.sales) sold.set(s.sellerId, (sold.get(s.sellerId) ?? 0) + 1);
		expect(new Map(onSqlite.salesCounts.map((s) => [s.userId, s.sales]))).toEqual(sold);
		expect(await demoRows(stores.postgres!)).toEqual(onSqlite);
		expect(seasons.postgres).toBe(seasons.sqlite);
	});

	it('gives the demo the same dashboard of sales, products, people and campaigns on both', async () => {
		const read = async (dialect: 'sqlite' | 'postgres') => {
			const data = (await readDashboardData(
				stores[dialect]!,
				seasons[dialect]!,
				{ teamId: null, period: 'season' },
				clock
			))!;
			return {
				sales: data.kpis.sales,
				revenue: data.kpis.revenue,
				products: data.products,
				participation: data.participation,
				campaigns: data.campaigns,
				csv: dashboardCsv(data)
					.split('\n')
					.filter((row) => row.startsWith('product') || row.startsWith('campaign'))
			};
		};
		const onSqlite = await read('sqlite');
		expect(onSqlite.sales).toBeGreaterThan(100);
		expect(onSqlite.campaigns).toHaveLength(1);
		expect(await read('postgres')).toEqual(onSqlite);
	});

	it('gives the demo the same badges on both, the weekly ones included', async () => {
		const awards = async (store: Store) => {
			const { award, badge } = store.tables;
			const rows = await store.db
				.select({
					badge: badge.name,
					subject: award.subjectId,
					period: award.periodKey,
					status: award.status
				})
				.from(award)
				.innerJoin(badge, eq(badge.id, award.badgeId))
				.orderBy(asc(award.id));
			return rows.map((r) => `${r.badge} ${r.subject} ${r.period} ${r.status}`).sort();
		};
		const onSqlite = await awards(stores.sqlite!);
		const onPostgres = await awards(stores.postgres!);
		expect(onPostgres).toEqual(onSqlite);
	});

	it('changes nothing when run again on PostgreSQL', async () => {
		const store = stores.postgres!;
		const counted = async () => {
			const { sale, ledgerEntry, award, activity } = store.tables;
			const n = async (table: typeof sale | typeof ledgerEntry | typeof award | typeof activity) =>
				(await store.db.select({ n: count() }).from(table))[0].n;
			return [await n(sale), await n(ledgerEntry), await n(award), await n(activity)];
		};
		const before = await counted();
		expect((await seedDemo(store, T0)).seasonId).toBe(seasons.postgres);
		expect(await counted()).toEqual(before);
	});
});
