// What the tests of the badge facts' held entries share (import windows and groups of API sales
// take the ledger entries they wrote into the facts without reading them back): the facts' rows,
// the facts rebuilt from the whole ledger, a counter of the read they skip, and a contest with a
// badge of each kind of fact.
import { vi } from 'vitest';
import type Database from 'better-sqlite3';
import { makeContest, makeProduct } from './factories';
import type { Db } from '../../src/lib/server/db';
import { sql } from 'drizzle-orm';
import { catchUpFacts } from '../../src/lib/server/badges/facts';
import { createBadge } from '../../src/lib/server/badges/commands';
import { sqliteStore } from '../../src/lib/server/db/store';
import { reevaluationsSettled } from '../../src/lib/server/badges/reevaluate';

const FACT_TABLES = ['badge_tally', 'badge_day', 'badge_week', 'badge_period', 'badge_cursor'];

/** Every row of the badge facts' tables, in a stable order. */
export function factRows(db: Db): Record<string, unknown[]> {
	const out: Record<string, unknown[]> = {};
	for (const table of FACT_TABLES)
		out[table] = db.$client
			.prepare(`SELECT * FROM ${table}`)
			.all()
			.map((row) => JSON.stringify(row))
			.sort();
	return out;
}

/** The facts as the read gives them: thrown away and rebuilt from the whole ledger. */
export function rebuiltFactRows(db: Db): Record<string, unknown[]> {
	db.transaction((tx) => {
		// Thrown away, as clearFactsInWrite does, then taken in again from the whole ledger.
		for (const table of FACT_TABLES) tx.run(sql.raw(`DELETE FROM ${table}`));
		catchUpFacts(tx);
	});
	return factRows(db);
}

/**
 * Counts the runs of the facts' read of the entries after the cursor (SQL.entries). Call it
 * before anything prepares the read: statements are prepared once per connection.
 */
export function countEntryReads(client: Database.Database): { reads: number } {
	const counter = { reads: 0 };
	const prepare = client.prepare.bind(client);
	vi.spyOn(client, 'prepare').mockImplementation(((source: string) => {
		const statement = prepare(source);
		if (!source.includes('FROM ledger_entry e LEFT JOIN sale s')) return statement;
		const all = statement.all.bind(statement);
		statement.all = ((...args: unknown[]) => {
			counter.reads += 1;
			return all(...args);
		}) as typeof statement.all;
		return statement;
	}) as typeof client.prepare);
	return counter;
}

/** A contest of 3 teams and 6 people, three categories, and a badge on each kind of fact. */
export async function contestWithFactBadges(db: Db) {
	const c = await makeContest(db, { teams: 3, people: 6 });
	// A third category, and sales whose lines repeat one: categories are counted once a sale.
	makeProduct(db, c.season.id, { sku: 'WATCH', category: 'Wearables', points: 30 });
	const actor = { userId: null };
	for (const [name, criterion] of [
		['First sale', { kind: 'first_sale' }],
		['Two cases', { kind: 'sales_count', count: 2, category: 'Accessories' }],
		['Cross-seller', { kind: 'cross_sells', count: 2 }],
		['Two days', { kind: 'streak', days: 2 }],
		['Record', { kind: 'record_sale' }],
		['Team 900', { kind: 'team_target', target: 900 }]
	] as const)
		await createBadge(
			sqliteStore(db),
			c.season.id,
			{ name, criterion, emoji: '🏅', description: '', points: 0, active: true },
			actor
		);
	await reevaluationsSettled(sqliteStore(db));
	return c;
}
