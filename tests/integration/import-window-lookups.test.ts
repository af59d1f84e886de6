// An import's windows keep the sellers, their seasons and teams, the catalogue and the rules the
// window before read (imports/window-lookups.ts), but only while nothing can have changed them:
// a change between two windows, on the import's connection or on another one, must be seen by
// the next window, and a sale whose lines run into the next window is still found there.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { importSales, type ImportOptions } from '../../src/lib/server/imports/sales';

let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => {
	vi.restoreAllMocks();
	ctx.cleanup();
});

/** Counts the runs of the window's read of its sellers' live seasons and teams (liveMembershipsOf). */
function countMembershipReads(client: Database.Database): { reads: number } {
	const counter = { reads: 0 };
	const prepare = client.prepare.bind(client);
	vi.spyOn(client, 'prepare').mockImplementation(((source: string) => {
		const statement = prepare(source);
		if (!/from "season_member"/.test(source) || !source.includes('json_each')) return statement;
		const all = statement.all.bind(statement);
		statement.all = ((...args: unknown[]) => {
			counter.reads += 1;
			return all(...args);
		}) as typeof statement.all;
		return statement;
	}) as typeof client.prepare);
	return counter;
}

/** `sales` one-line sales in a row, by the people in turn, PHONE and CASE in turn. */
function file(people: { email: string }[], sales: number): string {
	const rows = ['externalId,sellerEmail,occurredAt,sku,quantity,unitPrice'];
	const at = new Date(Math.floor((Date.now() - 60 * 60 * 1000) / 1000) * 1000).toISOString();
	for (let n = 1; n <= sales; n++)
		rows.push(
			`w-${n},${people[(n - 1) % people.length].email},${at},${n % 2 ? 'PHONE' : 'CASE'},1,10.00`
		);
	return rows.join('\n');
}

/** Windows of exactly five sales, read inline. */
const fives = (onProgress?: ImportOptions['onProgress']): ImportOptions => ({
	dryRun: false,
	actor: {},
	batchSize: 5,
	windowMs: null,
	parseThread: null,
	onProgress
});

const teamsOf = (sellerId: number) =>
	db.$client
		.prepare(
			`SELECT external_id AS id, team_id AS team FROM sale WHERE seller_id = ? ORDER BY sale.id`
		)
		.all(sellerId) as { id: string; team: number }[];

describe("an import's windows", () => {
	it('read their sellers and teams once, not once a window', async () => {
		const counter = countMembershipReads(db.$client);
		const c = await makeContest(db, { teams: 2, people: 4 });
		const before = counter.reads;
		const report = await importSales(db, file(c.people, 40), fives());
		expect(report.sales).toMatchObject({ new: 40, rejected: 0 });
		// Eight windows, each with all four sellers: read once for the import's time zones (all
		// four in one statement, before the first window) and once by the first window only.
		expect(counter.reads - before).toBe(2);
	});

	for (const via of ['the import’s connection', 'another connection'] as const)
		it(`see a team and a product changed between two windows on ${via}`, async () => {
			const c = await makeContest(db, { teams: 2, people: 4 });
			const [mover] = c.people;
			const other = via === 'another connection' ? new Database(ctx.path) : db.$client;
			const from = other
				.prepare(`SELECT team_id FROM season_member WHERE user_id = ?`)
				.pluck()
				.get(mover.id) as number;
			const to = c.teams.map((t) => t.id).find((id) => id !== from)!;
			try {
				const report = await importSales(
					db,
					file(c.people, 20),
					// After the second window (ten rows): the mover changes team, CASE is withdrawn.
					fives((done) => {
						if (done !== 10) return;
						other
							.prepare(`UPDATE season_member SET team_id = ? WHERE user_id = ?`)
							.run(to, mover.id);
						other.prepare(`UPDATE product SET active = 0 WHERE sku = 'CASE'`).run();
					})
				);
				// w-11 … w-20: the five CASE sales refused, the PHONE ones counted.
				expect(report.sales).toMatchObject({ new: 15, rejected: 5 });
				expect(report.rejectedBy).toEqual({ inactive_sku: 5 });
				// The mover's sales: w-1, w-5, w-9 before, w-13, w-17 after (both PHONE).
				expect(teamsOf(mover.id)).toEqual([
					{ id: 'w-1', team: from },
					{ id: 'w-5', team: from },
					{ id: 'w-9', team: from },
					{ id: 'w-13', team: to },
					{ id: 'w-17', team: to }
				]);
			} finally {
				if (other !== db.$client) other.close();
			}
		});

	it('find a sale whose lines run into the next window, as before', async () => {
		const c = await makeContest(db, { teams: 2, people: 4 });
		const lines = file(c.people, 6).split('\n');
		// w-5's line again after w-6, which starts the second window (five sales a window): w-5
		// was written by the first window, where its id was read as unused.
		lines.push(lines[5]);
		const report = await importSales(db, lines.join('\n'), fives());
		expect(report.sales).toMatchObject({ new: 6, duplicate: 1, rejected: 0 });
		expect(db.$client.prepare(`SELECT count(*) FROM sale`).pluck().get()).toBe(6);
	});
});
