// A lone API sale in fewer round trips on PostgreSQL (#20, "Speed on PostgreSQL"): its rows' ids
// are drawn, its day's row read and its badge step's reads (the cursor and the ledger's end, the
// season with its badges, the first sale that counts, the once-only badges the seller and the
// team hold) read with its seller's read ahead; its sale, line, ledger entry, versions, days and
// standings are one statement (scoring/write-batch.ts finishInWrite); its badge step opens its
// savepoint with the facts' write (the four facts' tables and the cursor, one statement), and
// nothing releases the savepoint (the write's COMMIT does). On both dialects the step stays one
// unit: failing at its award, after the facts were written, leaves the sale committed and nothing
// of the step, and the catch-up gives the badge afterwards.
import { describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import type { RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { catchUpOnStore } from '../../src/lib/server/badges/catch-up';
import { statementsDuring } from '../helpers/pg-statements';
import { insertsFail } from '../helpers/failing-inserts';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn, phoneAndCaseOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('lone-sale');
const NOW = 1_900_000_000_000;
const HOUR = 3_600_000;
const clock = () => NOW;
let serial = 0;

/** A live season with a phone, a first-sale badge and a two-sales badge. */
async function badgeSeasonOn(store: Store) {
	const s = await liveSeasonOn(store, { size: 2, teams: ['North'], endsAt: NOW + HOUR });
	await phoneAndCaseOn(store, s.seasonId);
	const { badge } = store.tables;
	await store.db.insert(badge).values(
		[
			{ name: 'First', points: 5, criterion: { kind: 'first_sale' as const } },
			{ name: 'Two', points: 0, criterion: { kind: 'sales_count' as const, count: 2 } }
		].map((b) => ({ ...b, seasonId: s.seasonId, emoji: '🏅', description: '', active: true }))
	);
	return s;
}

const sale = (email: string): RecordSaleInput => ({
	source: 'api',
	externalId: `lone-${++serial}`,
	seller: { email },
	occurredAt: NOW - HOUR + serial,
	lines: [{ sku: 'PHONE', quantity: 1 }]
});

async function versionOf(store: Store, seasonId: number): Promise<number> {
	const { season } = store.tables;
	return (await store.db.select().from(season).where(eq(season.id, seasonId)))[0].version;
}

/** What the step keeps of a person: their facts, awards, the cursor; and their sales. */
async function stateOf(store: Store, userId: number) {
	const { badgeTally, badgeDay, badgeCursor, award, sale: sales, standing } = store.tables;
	const [cursor] = await store.db.select({ id: badgeCursor.ledgerId }).from(badgeCursor);
	const [points] = await store.db
		.select({ points: standing.confirmedPoints })
		.from(standing)
		.where(and(eq(standing.subjectType, 'user'), eq(standing.subjectId, userId)));
	return {
		cursor: cursor?.id ?? 0,
		tallies: (await store.db.select().from(badgeTally).where(eq(badgeTally.subjectId, userId)))
			.length,
		days: (await store.db.select().from(badgeDay).where(eq(badgeDay.userId, userId))).length,
		awards: (
			await store.db
				.select({ badgeId: award.badgeId })
				.from(award)
				.where(eq(award.subjectId, userId))
		).length,
		sales: (await store.db.select().from(sales).where(eq(sales.sellerId, userId))).length,
		points: points?.points ?? 0
	};
}

describe.each(['sqlite', 'postgres'] as const)('a lone sale (%s)', (dialect) => {
	it('whose badge step fails at its award keeps the sale and nothing of the step', async () => {
		const [store] = nodes[dialect];
		const s = await badgeSeasonOn(store);
		const seller = s.people[0];
		const before = await stateOf(store, seller.id);
		await insertsFail(store, 'award', 'award refused', true);
		try {
			const answer = await recordSaleGrouped(store, sale(seller.email), clock);
			expect(answer.created).toBe(true);
			expect(answer.sale.points).toBe(100);
			// The facts were written before the award failed: the step's savepoint took them back.
			expect(await stateOf(store, seller.id)).toEqual({
				...before,
				sales: 1,
				points: 100
			});
		} finally {
			await insertsFail(store, 'award', 'award refused', false);
		}
		await catchUpOnStore(store, clock);
		const after = await stateOf(store, seller.id);
		expect(after).toMatchObject({ sales: 1, awards: 1, points: 105, days: 1 });
		expect(after.cursor).toBeGreaterThan(before.cursor);

		// The next sale's step runs as usual: its facts, its award and the cursor committed with it.
		await recordSaleGrouped(store, sale(seller.email), clock);
		expect(await stateOf(store, seller.id)).toMatchObject({ sales: 2, awards: 2, points: 205 });
	});

	it('whose facts fail to be written keeps the sale and nothing of the step', async () => {
		// Two sales before: the seller holds both badges, the step writes only the facts. On
		// PostgreSQL that write goes with the sale's rows and the COMMIT: the write is rolled back
		// to the step's savepoint there, the versions read again, and committed.
		const [store] = nodes[dialect];
		const s = await badgeSeasonOn(store);
		const seller = s.people[0];
		for (let i = 0; i < 2; i++) await recordSaleGrouped(store, sale(seller.email), clock);
		const before = await stateOf(store, seller.id);
		const { badgeTally } = store.tables;
		const tallies = () =>
			store.db.select().from(badgeTally).where(eq(badgeTally.subjectId, seller.id));
		const talliesBefore = await tallies();
		await insertsFail(store, 'badge_tally', 'tally refused', true);
		try {
			const versionBefore = await versionOf(store, s.seasonId);
			const answer = await recordSaleGrouped(store, sale(seller.email), clock);
			expect(answer.created).toBe(true);
			expect(answer.version).toBe(versionBefore + 1);
			expect(await versionOf(store, s.seasonId)).toBe(versionBefore + 1);
			expect(await stateOf(store, seller.id)).toEqual({
				...before,
				sales: 3,
				points: before.points + 100
			});
			expect(await tallies()).toEqual(talliesBefore);
		} finally {
			await insertsFail(store, 'badge_tally', 'tally refused', false);
		}
		await catchUpOnStore(store, clock);
		const after = await stateOf(store, seller.id);
		expect(after).toMatchObject({ sales: 3, awards: 2, points: before.points + 100 });
		expect(after.cursor).toBeGreaterThan(before.cursor);
		expect(await tallies()).not.toEqual(talliesBefore);
	});

	// On PostgreSQL the sale's rows (finishInWrite's statement) go with the COMMIT: with the step's
	// facts when the seller holds both badges (as in the test of the 2 statements below), else
	// (the First badge within reach) before the award's first read, on their own. Their failure
	// fails the write, with their error, in either place.
	it.each([
		['holds both badges', 1, { atCommit: 1, alone: 0 }],
		['has a badge within reach', 0, { atCommit: 0, alone: 1 }]
	])(
		'whose rows fail to be written, when the seller %s, fails and keeps nothing of it',
		async (_, who, sends) => {
			const [store] = nodes[dialect];
			const s = await badgeSeasonOn(store);
			for (let i = 0; i < 2; i++) await recordSaleGrouped(store, sale(s.people[1].email), clock);
			const seller = s.people[who];
			const before = await stateOf(store, seller.id);
			const version = await versionOf(store, s.seasonId);
			await insertsFail(store, 'sale_line', 'line refused', true);
			let sent = { atCommit: 0, alone: 0 };
			try {
				sent = await statementsDuring(
					{
						atCommit: /^execute many_after_\d+\(.*; commit$/,
						alone: /^WITH first AS \(UPDATE season SET version = version \+ 1 /
					},
					() =>
						expect(recordSaleGrouped(store, sale(seller.email), clock)).rejects.toThrow(
							/line refused/
						)
				);
			} finally {
				await insertsFail(store, 'sale_line', 'line refused', false);
			}
			if (dialect === 'postgres') expect(sent).toEqual(sends);
			expect(await stateOf(store, seller.id)).toEqual(before);
			expect(await versionOf(store, s.seasonId)).toBe(version);
			// The connection is clean: the next sale commits with its step.
			await recordSaleGrouped(store, sale(seller.email), clock);
			expect(await stateOf(store, seller.id)).toMatchObject({
				sales: before.sales + 1,
				awards: who === 1 ? 2 : 1
			});
		}
	);

	it('whose facts fail when the award sends them, before the COMMIT, keeps the sale and nothing of the step', async () => {
		// A seller's first sale: the First badge is within reach, so the award's statements follow
		// the facts' write. On PostgreSQL that write is held for the COMMIT (db/store.ts
		// deferInWrite) and the award's first statement sends it, on its own: its failure there is
		// the step's, rolled back to the step's savepoint; the sale commits, once.
		const [store] = nodes[dialect];
		const s = await badgeSeasonOn(store);
		// Another seller's sales first, as in the test of the 2 statements below: the step has read
		// the season's time zone and caught up (reads that would open its savepoint first).
		for (let i = 0; i < 2; i++) await recordSaleGrouped(store, sale(s.people[1].email), clock);
		const seller = s.people[0];
		const before = await stateOf(store, seller.id);
		await insertsFail(store, 'badge_tally', 'tally refused', true);
		let sent: Record<'flushed' | 'atCommit', number> = { flushed: 0, atCommit: 0 };
		try {
			sent = await statementsDuring(
				{
					atCommit: /^SAVEPOINT hb_badge_step; WITH .*INSERT INTO badge_tally.*; commit$/,
					flushed: /^SAVEPOINT hb_badge_step; WITH .*INSERT INTO badge_tally/
				},
				async () => {
					const answer = await recordSaleGrouped(store, sale(seller.email), clock);
					expect(answer).toMatchObject({ created: true, sale: { points: 100 } });
				}
			);
			expect(await stateOf(store, seller.id)).toEqual({ ...before, sales: 1, points: 100 });
		} finally {
			await insertsFail(store, 'badge_tally', 'tally refused', false);
		}
		if (dialect === 'postgres') expect(sent).toEqual({ flushed: 1, atCommit: 0 });
		// The catch-up takes the sale in once: its facts, the badge, the cursor past it. The step's
		// failure started one in the background, maybe while the inserts still failed: a call joins
		// that run, the next one is its own.
		await catchUpOnStore(store, clock).catch(() => null);
		await catchUpOnStore(store, clock);
		const after = await stateOf(store, seller.id);
		expect(after).toMatchObject({ sales: 1, awards: 1, points: 105, days: 1 });
		expect(after.cursor).toBeGreaterThan(before.cursor);
		const { badgeTally } = store.tables;
		const counted = await store.db
			.select({ metric: badgeTally.metric, value: badgeTally.value })
			.from(badgeTally)
			.where(eq(badgeTally.subjectId, seller.id));
		expect(counted.find((t) => t.metric === 'sales')?.value).toBe(1);
	});

	it('queues its confirmed sale for every webhook that wants it, each delivery its own', async () => {
		const [store] = nodes[dialect];
		const s = await badgeSeasonOn(store);
		const { webhook, webhookDelivery } = store.tables;
		const hooks = await store.db
			.insert(webhook)
			.values(
				(['sale.confirmed', 'sale.confirmed', 'badge.awarded'] as const).map((event, i) => ({
					url: `https://crm.example.test/${dialect}-${i}`,
					secret: 'x',
					events: [event]
				}))
			)
			.returning({ id: webhook.id });
		try {
			const sent = await statementsDuring(
				{ deliveries: /^insert into "webhook_delivery"/, others: /./ },
				() => recordSaleGrouped(store, sale(s.people[1].email), clock)
			);
			const queued = await store.db
				.select()
				.from(webhookDelivery)
				.where(
					inArray(
						webhookDelivery.webhookId,
						hooks.map((h) => h.id)
					)
				)
				.orderBy(webhookDelivery.webhookId);
			// The seller's first sale: the first-sale badge's delivery too.
			expect(queued.map((d) => [d.webhookId, d.event])).toEqual([
				[hooks[0].id, 'sale.confirmed'],
				[hooks[1].id, 'sale.confirmed'],
				[hooks[2].id, 'badge.awarded']
			]);
			expect(queued[0].payload).toEqual(queued[1].payload);
			expect(queued[0].messageId).not.toBe(queued[1].messageId);
			// One insert per event, whatever the webhooks (SQLite's statements are not counted).
			if (dialect === 'postgres') expect(sent.deliveries).toBe(2);
		} finally {
			await store.db.update(webhook).set({ active: false });
		}
	});
});

describe('a lone sale on postgres', () => {
	it('sends its begin with its reads, its rows with its badge step, its savepoint and the COMMIT: 2 statements in all', async () => {
		const [store] = nodes.postgres;
		const s = await badgeSeasonOn(store);
		// The first sale's day has no row yet (its sales are read): one before, as a seller's day;
		// two, so that the seller and the team hold both badges (the decision reads nothing more).
		await recordSaleGrouped(store, sale(s.people[1].email), clock);
		await recordSaleGrouped(store, sale(s.people[1].email), clock);
		const version = () => versionOf(store, s.seasonId);
		const before = await version();
		const seller = await stateOf(store, s.people[1].id);
		// Each statement under the first pattern it matches.
		const sent = await statementsDuring(
			{
				// The begin with its claim and the seller's read ahead (it draws the rows' ids and reads
				// the step's facts and badges): one string.
				begin:
					/^begin isolation level serializable; lock table "season" in share row exclusive mode; set local plan_cache_mode = force_generic_plan; execute sale_sellers_ahead_pg\(.*\); set local plan_cache_mode to default$/,
				// The rows (finishInWrite's statement: the versions, sale, line, entry, day, standings),
				// the step's savepoint and facts' write, and the COMMIT: one string.
				atCommit:
					/^execute many_after_\d+\(.*\); SAVEPOINT hb_badge_step; WITH .*INSERT INTO badge_tally.*INSERT INTO badge_cursor.*; commit$/,
				finish: /^WITH first AS \(UPDATE season SET version = version \+ 1 /,
				finishAlone:
					/"version" \+ 1|INSERT INTO "?(person_day|standing|sale|sale_line|ledger_entry)"? /i,
				begins: /^begin/,
				ahead: /left join lateral/,
				draws: /nextval/,
				// The seller's day: read with them.
				days: /person_day/i,
				savepoints: /savepoint/i,
				facts: /badge_(tally|day|week|period|cursor)|max\(id\)|ledger_id/i,
				badges: /"?badge"?|award/i,
				earlier: /from sale/i,
				commit: /^commit$/,
				others: /./
			},
			async () => {
				// The versions, the rows' statement's answer, read from the COMMIT's string.
				const answer = await recordSaleGrouped(store, sale(s.people[1].email), clock);
				expect(answer.version).toBe(before + 1);
			}
		);
		expect(sent).toEqual({
			begin: 1,
			atCommit: 1,
			finish: 0,
			finishAlone: 0,
			begins: 0,
			ahead: 0,
			draws: 0,
			days: 0,
			savepoints: 0,
			facts: 0,
			badges: 0,
			earlier: 0,
			commit: 0,
			others: 0
		});
		expect(await version()).toBe(before + 1);
		// The step took the sale in: its facts and the cursor moved, no badge given twice.
		const after = await stateOf(store, s.people[1].id);
		expect(after).toMatchObject({
			sales: seller.sales + 1,
			awards: 2,
			points: seller.points + 100
		});
		expect(after.cursor).toBeGreaterThan(seller.cursor);
	});

	it('decides a first sale, and a group of two sales, with the step reads ahead', async () => {
		const [store] = nodes.postgres;
		const s = await badgeSeasonOn(store);
		// A seller's first sale: both subjects hold nothing, the First badge is theirs.
		await recordSaleGrouped(store, sale(s.people[0].email), clock);
		expect(await stateOf(store, s.people[0].id)).toMatchObject({
			sales: 1,
			awards: 1,
			points: 105
		});
		// A second seller's sale, then a group of two of theirs: the Two badge once.
		await recordSaleGrouped(store, sale(s.people[1].email), clock);
		await Promise.all([
			recordSaleGrouped(store, sale(s.people[1].email), clock),
			recordSaleGrouped(store, sale(s.people[1].email), clock)
		]);
		expect(await stateOf(store, s.people[1].id)).toMatchObject({
			sales: 3,
			awards: 2,
			points: 305
		});
	});
});
