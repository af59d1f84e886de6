// A sale's request path takes in only a bounded part of a badge-facts backlog (ledger entries
// the facts have not read: after an upgrade, or sales recorded without the badge step), and the
// rest follows in slices: with the old bound (1,000 entries per call) every sale behind a
// 200,000-entry backlog spent ~60 ms of CPU on it (docs/benchmarks.md, "A restart behind a
// badge backlog"). The awards end up the same as when every sale was evaluated at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { recordOn } from '../helpers/record-sale';
import { runPeriodicAwards } from '../../src/lib/server/badges/periodic';
import { sqliteStore } from '../../src/lib/server/db/store';
import type { BadgeCriterion } from '../../src/lib/contest/badges';
import { addBadges } from '../helpers/badges';

const NOW = Date.now();
const HOUR = 3_600_000;
const clock = () => NOW;
let contexts: ReturnType<typeof tempDb>[];
beforeEach(() => (contexts = [tempDb(), tempDb()]));
afterEach(() => contexts.forEach((c) => c.cleanup()));

const BADGES: BadgeCriterion[] = [
	{ kind: 'first_sale' },
	{ kind: 'sales_count', count: 20 },
	{ kind: 'sales_count', count: 51 }
];

/** A contest with three badges and 6 people; returns their emails. */
async function contest(db: Db) {
	const c = await makeContest(db, { teams: 2, people: 6 });
	await addBadges(
		db,
		c.season.id,
		BADGES.map((criterion) => ({ criterion, points: 0 })),
		clock
	);
	return c.people.map((p) => p.email);
}

function sell(db: Db, email: string, i: number, awards: boolean) {
	return recordOn(
		db,
		{
			source: 'api',
			externalId: `s${i}`,
			seller: { email },
			occurredAt: NOW - HOUR + i * 1000,
			lines: [{ sku: 'PHONE', quantity: 1 }]
		},
		clock,
		{ awards }
	);
}

const cursor = (db: Db) =>
	db.get<{ id: number }>(sql`select ledger_id as id from badge_cursor where id = 1`)?.id ?? 0;
const lastEntry = (db: Db) =>
	db.get<{ id: number }>(sql`select max(id) as id from ledger_entry`)!.id;
/** Awards as (badge, index of the person): the two databases' emails differ. */
const awards = (db: Db, people: string[]) =>
	db
		.all<{ badge: string; email: string }>(
			sql`select b.name as badge, u.email from award a join badge b on b.id = a.badge_id
			join user u on u.id = a.subject_id where a.status <> 'void'`
		)
		.map((a) => `${a.badge}: ${people.indexOf(a.email)}`)
		.sort();

describe('a badge backlog', () => {
	it('is taken in a bounded part per sale, the rest in slices, with the same awards', async () => {
		const [behind, reference] = contexts.map((c) => c.db);
		const people = await contest(behind);
		const same = await contest(reference);
		// 300 sales without the badge step leave 300 ledger entries the facts have not read.
		for (let i = 0; i < 300; i++) await sell(behind, people[i % 6], i, false);
		for (let i = 0; i < 300; i++) await sell(reference, same[i % 6], i, true);
		expect(cursor(behind)).toBeLessThan(lastEntry(behind) - 299);

		// The next sale's request takes in only part of them (it took all 301 before).
		await sell(behind, people[0], 300, true);
		await sell(reference, same[0], 300, true);
		expect(cursor(behind)).toBeLessThan(lastEntry(behind));

		// The slices (here the periodic job, as at start-up) take in the rest: same awards.
		await runPeriodicAwards(sqliteStore(behind), { clock });
		expect(cursor(behind)).toBe(lastEntry(behind));
		const given = awards(behind, people);
		expect(given).toEqual(awards(reference, same));
		// Person 0's 51st sale is the one recorded after the backlog: its badge came in the slices.
		expect(given.filter((a) => a.startsWith('Badge 2'))).toEqual(['Badge 2: 0']);
		expect(given).toHaveLength(6 + 6 + 1);
	});
});
