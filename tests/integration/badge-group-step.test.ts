// A group of API sales decides its badges inside its own write (group-commit.ts,
// scoring/sale-awards.ts: the store's body on SQLite too), before its one commit, instead of in a second
// transaction after the answers (docs/benchmarks.md, "The badges-on step at size"). The awards
// are stored when the answers come; a failure of the step costs the sales nothing, and the
// facts take them in later from the ledger.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import type { RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { sqliteStore } from '../../src/lib/server/db/store';
import { runPeriodicAwards } from '../../src/lib/server/badges/periodic';
import { reevaluateOnStore } from '../../src/lib/server/badges/reevaluate';
import type { BadgeCriterion } from '../../src/lib/contest/badges';
import { addBadges } from '../helpers/badges';

const NOW = Date.UTC(2026, 11, 4, 12);
const clock = () => NOW;
let ctx: ReturnType<typeof tempDb>;
beforeEach(() => (ctx = tempDb()));
afterEach(() => ctx.cleanup());

const BADGES: { criterion: BadgeCriterion; points: number }[] = [
	{ criterion: { kind: 'first_sale' }, points: 5 },
	{ criterion: { kind: 'sales_count', count: 2 }, points: 0 },
	{ criterion: { kind: 'record_sale' }, points: 10 },
	{ criterion: { kind: 'team_target', target: 100 }, points: 0 },
	{ criterion: { kind: 'quizzes_passed', count: 1 }, points: 0 }
];

async function contest(db: Db) {
	const c = await makeContest(db, { teams: 2, people: 4 });
	await addBadges(db, c.season.id, BADGES, clock);
	return c;
}

function sale(email: string, i: number, sku = 'PHONE'): RecordSaleInput {
	return {
		source: 'api',
		externalId: `g${i}`,
		seller: { email },
		occurredAt: NOW - 3_600_000 + i * 60_000,
		lines: [{ sku, quantity: 1 + (i % 3) }]
	};
}

const awards = (db: Db) =>
	db
		.all<{ badge: number; type: string; id: number; period: string; status: string }>(
			sql`select badge_id as badge, subject_type as type, subject_id as id, period_key as period, status
			from award order by badge_id, subject_type, subject_id, period_key`
		)
		.map((a) => `${a.badge} ${a.type}:${a.id} ${a.period} ${a.status}`);
const cursor = (db: Db) =>
	db.get<{ id: number }>(sql`select ledger_id as id from badge_cursor where id = 1`)?.id ?? 0;
const lastEntry = (db: Db) =>
	db.get<{ id: number }>(sql`select max(id) as id from ledger_entry where kind = 'sale'`)!.id;
const count = (db: Db, table: string) =>
	db.get<{ n: number }>(sql.raw(`select count(*) as n from ${table}`))!.n;

describe('the badge step of a group of API sales', () => {
	it('is committed with the group: its awards are stored when the answers come', async () => {
		const { db } = ctx;
		const c = await contest(db);
		// One group: four people's first sales, one of them twice, and a sale refused (no such
		// product) that must not take the others' awards with it.
		const inputs = [
			...c.people.map((p, i) => sale(p.email, i)),
			sale(c.people[0].email, 10),
			sale(c.people[1].email, 11, 'NOPE')
		];
		const answers = await Promise.allSettled(
			inputs.map((input) => recordSaleGrouped(sqliteStore(db), input, clock))
		);
		expect(answers.map((a) => a.status)).toEqual([
			'fulfilled',
			'fulfilled',
			'fulfilled',
			'fulfilled',
			'fulfilled',
			'rejected'
		]);
		// No turn of the loop since the answers: the code before decided them in a later one (0).
		const first = db.all<{ id: number }>(sql`select id from award where badge_id = 1`);
		expect(first).toHaveLength(4);
		expect(cursor(db)).toBeGreaterThanOrEqual(lastEntry(db));
		// Their points are in the same commit.
		expect(count(db, `ledger_entry where kind = 'badge'`)).toBe(
			count(db, `award a join badge b on b.id = a.badge_id where b.points <> 0`)
		);
		// And they are what a full re-evaluation gives: it changes nothing.
		const before = awards(db);
		const changes = await reevaluateOnStore(sqliteStore(db), c.season.id, { clock });
		expect(changes.awarded).toEqual([]);
		expect(changes.withdrawn).toEqual([]);
		expect(awards(db)).toEqual(before);
	});

	it('failing leaves the sales recorded and answered; the facts take them in afterwards', async () => {
		const { db } = ctx;
		const c = await contest(db);
		// The facts' writes fail, as a full disk or a bug in the step would.
		db.run(sql`create trigger tally_fails before insert on badge_tally
			begin select raise(abort, 'badge step broken'); end`);
		const answers = await Promise.all(
			c.people.map((p, i) => recordSaleGrouped(sqliteStore(db), sale(p.email, i), clock))
		);
		expect(answers.every((a) => a.created)).toBe(true);
		expect(count(db, 'sale')).toBe(4);
		expect(count(db, `ledger_entry where kind = 'sale'`)).toBe(4);
		// Nothing of the step is left half done.
		expect(count(db, 'award')).toBe(0);
		expect(count(db, 'badge_tally')).toBe(0);
		expect(cursor(db)).toBeLessThan(lastEntry(db));

		db.run(sql`drop trigger tally_fails`);
		await runPeriodicAwards(sqliteStore(db), { clock });
		expect(cursor(db)).toBeGreaterThanOrEqual(lastEntry(db));
		expect(db.all(sql`select id from award where badge_id = 1`)).toHaveLength(4);
		const before = awards(db);
		const changes = await reevaluateOnStore(sqliteStore(db), c.season.id, { clock });
		expect(changes.awarded).toEqual([]);
		expect(changes.withdrawn).toEqual([]);
		expect(awards(db)).toEqual(before);
	});
});
