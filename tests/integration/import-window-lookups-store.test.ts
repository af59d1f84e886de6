// An import's windows keep the lookups (sellers, their seasons and teams, the catalogue, the
// rules) of the window before while nothing changed them, on both dialects
// (imports/window-lookups.ts: SQLite by its connection's counters, PostgreSQL by a stamp read in
// each window's write). A member added and a product changed between two windows are seen by the
// next window; on PostgreSQL the catalogue and the memberships are read once per import, and
// another node's change is seen while its sales (which bump the season's version) are not one.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { unportedSqlite, write, type Store, type StoreDb } from '../../src/lib/server/db/store';
import { importSalesOn, type ImportOptions } from '../../src/lib/server/imports/sales';
import { WindowLookups } from '../../src/lib/server/imports/window-lookups';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { statementsDuring } from '../helpers/pg-statements';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn, phoneAndCaseOn, pointsOf } from '../helpers/store-season';

const nodes = twoNodesPerDialect('import-window-lookups');
const NOW = 1_900_000_000_000;
const HOUR = 3_600_000;
const clock = () => NOW;

type Season = Awaited<ReturnType<typeof liveSeasonOn>>;

/** A season of four members on two teams, and a fifth person who is in no season yet. */
async function seasonOn(store: Store): Promise<Season & { newcomer: Season['people'][number] }> {
	const s = await liveSeasonOn(store, { size: 5, teams: ['North', 'South'], endsAt: NOW + HOUR });
	await phoneAndCaseOn(store, s.seasonId);
	const newcomer = s.people[4];
	const { seasonMember } = store.tables;
	await store.db
		.delete(seasonMember)
		.where(and(eq(seasonMember.seasonId, s.seasonId), eq(seasonMember.userId, newcomer.id)));
	return { ...s, newcomer };
}

/** `sales` one-PHONE sales by the five people in turn (the newcomer sells every fifth). */
function fileOf(s: Season, prefix: string, sales: number): string {
	const at = new Date(NOW - HOUR).toISOString();
	const lines = ['externalId,sellerEmail,occurredAt,sku,quantity,unitPrice'];
	for (let i = 1; i <= sales; i++)
		lines.push(`${prefix}-${i},${s.people[(i - 1) % 5].email},${at},PHONE,1,500`);
	return lines.join('\n');
}

/** Windows of exactly five sales. */
const fives = (more: Partial<ImportOptions> = {}): ImportOptions => ({
	dryRun: false,
	actor: {},
	clock,
	batchSize: 5,
	windowMs: null,
	parseThread: null,
	...more
});

/**
 * After the second window (sales 1-10): the newcomer joins South and a PHONE is worth 200. On
 * SQLite by the other node's connection between the two windows (the import waits for nothing
 * there: a synchronous change); on PostgreSQL by the second window's own write, after its sales.
 */
function changedAfterTwo(
	b: Store,
	s: Season & { newcomer: { id: number } }
): Partial<ImportOptions> {
	const other = unportedSqlite(b);
	if (other)
		return {
			onProgress: (done) => {
				if (done !== 10) return;
				other.$client
					.prepare('INSERT INTO season_member (season_id, user_id, team_id) VALUES (?, ?, ?)')
					.run(s.seasonId, s.newcomer.id, s.teamIds[1]);
				other.$client
					.prepare("UPDATE product SET points = 200 WHERE season_id = ? AND sku = 'PHONE'")
					.run(s.seasonId);
			}
		};
	let windows = 0;
	const { seasonMember, product } = b.tables;
	return {
		onWindow: async (tx) => {
			if (++windows !== 2) return;
			await tx
				.insert(seasonMember)
				.values({ seasonId: s.seasonId, userId: s.newcomer.id, teamId: s.teamIds[1] });
			await tx
				.update(product)
				.set({ points: 200 })
				.where(and(eq(product.seasonId, s.seasonId), eq(product.sku, 'PHONE')));
		}
	};
}

/** Each sale's seller, team and points, by external id. */
async function salesOf(store: Store, seasonId: number) {
	const { sale } = store.tables;
	const rows = await store.db
		.select({ id: sale.externalId, seller: sale.sellerId, team: sale.teamId, points: sale.points })
		.from(sale)
		.where(eq(sale.seasonId, seasonId));
	return new Map(rows.map((r) => [r.id, r]));
}

describe.each(['sqlite', 'postgres'] as const)("an import's kept lookups on %s", (dialect) => {
	it('see a member added and a product changed between two windows', async () => {
		const [a, b] = nodes[dialect];
		const s = await seasonOn(a);
		const report = await importSalesOn(a, fileOf(s, 'seen', 20), fives(changedAfterTwo(b, s)));
		// The newcomer's seen-5 and seen-10 refused, seen-15 and seen-20 counted for South.
		expect(report.sales).toEqual({ new: 18, duplicate: 0, rejected: 2 });
		expect(report.rejectedBy).toEqual({ not_a_member: 2 });
		const sales = await salesOf(b, s.seasonId);
		for (let i = 1; i <= 20; i++) {
			if (i === 5 || i === 10) {
				expect(sales.has(`seen-${i}`)).toBe(false);
				continue;
			}
			expect(sales.get(`seen-${i}`)).toMatchObject({
				seller: s.people[(i - 1) % 5].id,
				points: i <= 10 ? 100 : 200
			});
		}
		expect(sales.get('seen-15')!.team).toBe(s.teamIds[1]);
		expect(sales.get('seen-20')!.team).toBe(s.teamIds[1]);
		const newcomer = await pointsOf(b, s.seasonId, 'user', s.newcomer.id);
		expect((newcomer?.confirmed ?? 0) + (newcomer?.provisional ?? 0)).toBe(400);
	});
});

/**
 * A season of North, South and East, its third person East's only member; a file whose first ten
 * sales (two windows) are the others' but one, the last ten the East member's. After the second window
 * the East member moves to South and East goes, as teams/commands.ts deletes an unused team: on
 * SQLite by the other node's connection between the two windows, on PostgreSQL in the second
 * window's own write.
 */
async function teamGoneAfterTwo(a: Store, b: Store) {
	const s = await liveSeasonOn(a, {
		size: 5,
		teams: ['North', 'South', 'East'],
		endsAt: NOW + HOUR
	});
	await phoneAndCaseOn(a, s.seasonId);
	const [, south, east] = s.teamIds;
	const mover = s.people[2];
	const others = s.people.filter((p) => p !== mover);
	const at = new Date(NOW - HOUR).toISOString();
	const lines = ['externalId,sellerEmail,occurredAt,sku,quantity,unitPrice'];
	// The first sale the East member's, of a product the season does not sell: refused, East
	// stays unused, and the window's lookups have met its member.
	lines.push(`gone-1,${mover.email},${at},NOPE,1,500`);
	for (let i = 2; i <= 20; i++)
		lines.push(`gone-${i},${(i <= 10 ? others[i % 4] : mover).email},${at},PHONE,1,500`);
	const other = unportedSqlite(b);
	const move = other
		? {
				onProgress: (done: number) => {
					if (done !== 10) return;
					other.$client
						.prepare('UPDATE season_member SET team_id = ? WHERE season_id = ? AND user_id = ?')
						.run(south, s.seasonId, mover.id);
					other.$client.prepare('DELETE FROM team WHERE id = ?').run(east);
				}
			}
		: {
				onWindow: async (tx: StoreDb, checkpoint: { rows: number }) => {
					if (checkpoint.rows !== 10) return;
					const { seasonMember, team } = b.tables;
					await tx
						.update(seasonMember)
						.set({ teamId: south })
						.where(and(eq(seasonMember.seasonId, s.seasonId), eq(seasonMember.userId, mover.id)));
					await tx.delete(team).where(eq(team.id, east));
				}
			};
	return { s, file: lines.join('\n'), options: fives(move), mover, south };
}

describe.each(['sqlite', 'postgres'] as const)("an import's parents on %s", (dialect) => {
	it("a team gone between two windows: its member's next sales name the new team", async () => {
		const [a, b] = nodes[dialect];
		const { s, file, options, mover, south } = await teamGoneAfterTwo(a, b);
		const report = await importSalesOn(a, file, options);
		expect(report.sales).toEqual({ new: 19, duplicate: 0, rejected: 1 });
		const sales = await salesOf(b, s.seasonId);
		for (let i = 11; i <= 20; i++)
			expect(sales.get(`gone-${i}`)).toMatchObject({ seller: mover.id, team: south });
		// Kept lookups naming the gone team would write its id (SQLite) or fail the window.
		const sqlite = unportedSqlite(a);
		if (sqlite) expect(sqlite.$client.pragma('foreign_key_check')).toEqual([]);
	});
});

describe("an import's kept lookups on postgres", () => {
	const CATALOGUE = /from "product" where "product"."season_id" = \$1/;
	const MEMBERSHIPS = /from "season_member" inner join "season"/;
	const READS = /^begin isolation level repeatable read read only/;

	it('read the catalogue and the memberships once per import, not once per window', async () => {
		const [a] = nodes.postgres;
		const s = await seasonOn(a);
		const counts = await statementsDuring(
			{ catalogue: CATALOGUE, memberships: MEMBERSHIPS, reads: READS },
			() => importSalesOn(a, fileOf(s, 'once', 40), fives())
		);
		// Eight windows: the catalogue once, the memberships once for the import's time zones and
		// once by the first window (the newcomer's refusals read nothing more). Two reads: the
		// sellers' directory, then their seasons before the first window only (none is new after).
		expect(counts).toEqual({ catalogue: 1, memberships: 2, reads: 2 });
	});

	it("are dropped for another node's change, kept across its sales", async () => {
		const [a, b] = nodes.postgres;
		const s = await seasonOn(a);
		const sellers = s.people.map((p) => p.id);
		const kept = new WindowLookups();
		const take = () => write(a, (tx) => kept.takeInWrite(tx, a, sellers));
		const first = await take();
		expect(await take()).toBe(first);

		// A sale on the other node bumps the season's version: nothing the lookups hold.
		await recordSaleGrouped(
			b,
			{
				source: 'api',
				externalId: 'kept-api-1',
				seller: { email: s.people[0].email },
				occurredAt: NOW - HOUR,
				lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 50_000 }]
			},
			clock
		);
		expect(await take()).toBe(first);

		const changes: [string, (tx: StoreDb) => Promise<unknown>][] = [
			[
				'a product',
				(tx) =>
					tx
						.update(b.tables.product)
						.set({ name: 'Phone 2' })
						.where(eq(b.tables.product.seasonId, s.seasonId))
			],
			[
				'a member',
				(tx) =>
					tx
						.insert(b.tables.seasonMember)
						.values({ seasonId: s.seasonId, userId: s.newcomer.id, teamId: s.teamIds[0] })
			],
			[
				"a seller's email",
				(tx) =>
					tx
						.update(b.tables.user)
						.set({ email: 'moved@example.test' })
						.where(eq(b.tables.user.id, s.people[0].id))
			]
		];
		let last = first;
		for (const [what, change] of changes) {
			await write(b, change);
			const next = await take();
			expect(next, what).not.toBe(last);
			expect(await take(), `${what}, taken again`).toBe(next);
			last = next;
		}
	});
});
