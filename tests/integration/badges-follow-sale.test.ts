// A badge a sale earned follows that sale's review: provisional (points too) while the sale is
// pending, confirmed with it, withdrawn (void, compensated in the ledger, in the feed) when it
// is rejected or reversed, and then given to whoever earns it now. Standings always equal the
// ledger.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, ne } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, standingsVsLedger } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { sqliteStore } from '../../src/lib/server/db/store';
import { award, ledgerEntry, standing } from '../../src/lib/server/db/schema';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { importSales } from '../../src/lib/server/imports/sales';
import { createBadge } from '../../src/lib/server/badges/commands';
import { reevaluationsSettled } from '../../src/lib/server/badges/reevaluate';
import { readRecentActivity } from '../../src/lib/server/boards/activity';
import { listSeasonBadges } from '../../src/lib/server/badges/queries';
import { savePrize } from '../../src/lib/server/seasons/prizes';
import { buildProfile } from '../../src/lib/server/boards/profile';
import type { BadgeCriterion } from '../../src/lib/contest/badges';

const HOUR = 60 * 60 * 1000;

let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

const NOW = Date.now();
const clock = () => NOW;
const manager = { userId: null };

async function setup(criterion: BadgeCriterion = { kind: 'first_sale' }, points = 10) {
	const contest = await makeContest(db, { teams: 2, people: 3, requireConfirmation: true });
	const saved = await createBadge(
		sqliteStore(db),
		contest.season.id,
		{ name: 'First sale', emoji: '🥇', description: '', points, criterion, active: true },
		manager,
		clock
	);
	return { ...contest, badgeId: saved.badge.id };
}

function sell(email: string, id: string, hoursAgo: number, quantity = 1) {
	return recordOn(
		db,
		{
			source: 'api',
			externalId: id,
			seller: { email },
			occurredAt: NOW - hoursAgo * HOUR,
			lines: [{ sku: 'PHONE', quantity }]
		},
		clock
	);
}

function standingOf(seasonId: number, userId: number) {
	return db
		.select()
		.from(standing)
		.where(
			and(
				eq(standing.seasonId, seasonId),
				eq(standing.subjectType, 'user'),
				eq(standing.subjectId, userId)
			)
		)
		.get()!;
}

function awardsFor(badgeId: number) {
	return db.select().from(award).where(eq(award.badgeId, badgeId)).orderBy(award.id).all();
}

/** A person's awards in a season that are not withdrawn. */
function heldBy(seasonId: number, userId: number) {
	return db
		.select({ id: award.id })
		.from(award)
		.where(
			and(
				eq(award.seasonId, seasonId),
				eq(award.subjectType, 'user'),
				eq(award.subjectId, userId),
				ne(award.status, 'void')
			)
		)
		.all();
}

function badgeEntries(userId: number) {
	return db
		.select({ points: ledgerEntry.points, status: ledgerEntry.status })
		.from(ledgerEntry)
		.where(and(eq(ledgerEntry.kind, 'badge'), eq(ledgerEntry.userId, userId)))
		.orderBy(ledgerEntry.id)
		.all();
}

function expectStandingsEqualLedger(seasonId: number) {
	const { stored, fromLedger } = standingsVsLedger(db, seasonId);
	expect(stored).toEqual(fromLedger);
}

describe('a badge follows the sale that earned it', () => {
	it('is provisional while the sale is pending, and confirmed with it', async () => {
		const c = await setup();
		const [ann] = c.people;
		const s = await sell(ann.email, 'a1', 2);
		expect(s.sale.status).toBe('pending');
		expect(awardsFor(c.badgeId)).toMatchObject([
			{ subjectId: ann.id, saleId: s.sale.id, status: 'provisional' }
		]);
		// The board ranks confirmed points: the badge's 10 are pending like the sale's 50.
		expect(standingOf(c.season.id, ann.id)).toMatchObject({
			confirmedPoints: 0,
			provisionalPoints: 60
		});
		expectStandingsEqualLedger(c.season.id);

		await reviewSales(sqliteStore(db), [s.sale.id], { decision: 'confirm', actor: manager }, clock);
		expect(awardsFor(c.badgeId)).toMatchObject([{ status: 'confirmed' }]);
		expect(badgeEntries(ann.id)).toEqual([{ points: 10, status: 'confirmed' }]);
		expect(standingOf(c.season.id, ann.id)).toMatchObject({
			confirmedPoints: 60,
			provisionalPoints: 0
		});
		expectStandingsEqualLedger(c.season.id);
	});

	it('is withdrawn when the sale is rejected: void, compensated, in the feed and off the profile', async () => {
		const c = await setup();
		const [ann] = c.people;
		await savePrize(
			sqliteStore(db),
			c.season.id,
			{ badgeId: c.badgeId, title: 'Cinema tickets', description: '', image: null },
			manager,
			clock
		);
		const s = await sell(ann.email, 'a1', 2);
		// While the sale waits, the profile shows the badge and its prize as pending.
		expect(
			(await buildProfile(sqliteStore(db), c.season, ann.id, NOW))!.badges.earned
		).toMatchObject([{ id: c.badgeId, pending: true, prize: 'Cinema tickets' }]);
		const later = () => NOW + 60_000;
		await reviewSales(
			sqliteStore(db),
			[s.sale.id],
			{ decision: 'reject', actor: manager, reason: 'no contract' },
			later
		);

		expect(awardsFor(c.badgeId)).toMatchObject([{ status: 'void', voidedAt: NOW + 60_000 }]);
		expect(badgeEntries(ann.id)).toEqual([
			{ points: 10, status: 'provisional' },
			{ points: -10, status: 'provisional' }
		]);
		expect(standingOf(c.season.id, ann.id)).toMatchObject({
			confirmedPoints: 0,
			provisionalPoints: 0
		});
		expectStandingsEqualLedger(c.season.id);
		// The profile's badges leave it out; the badge count on the console too.
		expect(heldBy(c.season.id, ann.id)).toHaveLength(0);
		expect(
			(await listSeasonBadges(sqliteStore(db), c.season.id)).find((b) => b.id === c.badgeId)
				?.awarded
		).toBe(0);
		// The profile: no badge, no prize; the withdrawal says what went.
		const profile = (await buildProfile(sqliteStore(db), c.season, ann.id, NOW + 60_000))!;
		expect(profile.badges.earned).toEqual([]);
		expect(profile.badges.withdrawn).toMatchObject([
			{ name: 'First sale', prize: 'Cinema tickets', at: NOW + 60_000 }
		]);
		// The feed says so.
		const feed = await readRecentActivity(sqliteStore(db), c.season.id);
		expect(feed[0]).toMatchObject({ kind: 'badge_withdrawn', userId: ann.id, points: -10 });
		expect(feed[0].summary).toContain('First sale');
		// The rejected sale no longer shows as if it counted.
		expect(feed.filter((item) => item.kind === 'sale')).toHaveLength(0);
	});

	it('is withdrawn when a confirmed sale is reversed, its confirmed points compensated', async () => {
		const c = await setup();
		const [ann] = c.people;
		const s = await sell(ann.email, 'a1', 2);
		await reviewSales(sqliteStore(db), [s.sale.id], { decision: 'confirm', actor: manager }, clock);
		await reviewSales(
			sqliteStore(db),
			[s.sale.id],
			{ decision: 'reverse', actor: manager, reason: 'refund' },
			clock
		);

		expect(awardsFor(c.badgeId)).toMatchObject([{ status: 'void' }]);
		expect(badgeEntries(ann.id)).toEqual([
			{ points: 10, status: 'confirmed' },
			{ points: -10, status: 'confirmed' }
		]);
		expect(standingOf(c.season.id, ann.id)).toMatchObject({
			confirmedPoints: 0,
			provisionalPoints: 0
		});
		expectStandingsEqualLedger(c.season.id);
	});

	it('moves to the next sale of the same person that still earns it', async () => {
		const c = await setup();
		const [ann] = c.people;
		const first = await sell(ann.email, 'a1', 3);
		const second = await sell(ann.email, 'a2', 1);
		await reviewSales(
			sqliteStore(db),
			[first.sale.id],
			{ decision: 'reject', actor: manager, reason: 'dup' },
			clock
		);
		// The badge goes to whoever earns it now once the season's re-evaluation has run.
		await reevaluationsSettled(sqliteStore(db));
		const awards = awardsFor(c.badgeId);
		expect(awards).toMatchObject([
			{ saleId: first.sale.id, status: 'void' },
			{ saleId: second.sale.id, status: 'provisional', subjectId: ann.id }
		]);
		// 50 (second sale) + 10 (badge again), all pending.
		expect(standingOf(c.season.id, ann.id)).toMatchObject({
			confirmedPoints: 0,
			provisionalPoints: 60
		});
		expectStandingsEqualLedger(c.season.id);
	});

	it('goes to whoever now meets the criterion (another person now has the record)', async () => {
		// Record sale: a sale bigger than every earlier sale of the season.
		const c = await setup({ kind: 'record_sale' }, 25);
		const [ann, bob, cat] = c.people;
		const opening = await sell(cat.email, 'c1', 5, 1);
		const big = await sell(ann.email, 'a1', 4, 5);
		await sell(bob.email, 'b1', 3, 3);
		await reviewSales(
			sqliteStore(db),
			[opening.sale.id],
			{ decision: 'confirm', actor: manager },
			clock
		);
		expect(awardsFor(c.badgeId).map((a) => a.subjectId)).toEqual([ann.id]);

		await reviewSales(
			sqliteStore(db),
			[big.sale.id],
			{ decision: 'reject', actor: manager, reason: 'fake' },
			clock
		);
		await reevaluationsSettled(sqliteStore(db));
		const after = awardsFor(c.badgeId);
		expect(after).toMatchObject([
			{ subjectId: ann.id, status: 'void' },
			{ subjectId: bob.id, status: 'provisional' }
		]);
		expect(badgeEntries(ann.id).reduce((n, e) => n + e.points, 0)).toBe(0);
		expect(badgeEntries(bob.id)).toEqual([{ points: 25, status: 'provisional' }]);
		expectStandingsEqualLedger(c.season.id);
	});

	it('follows a pending sale that came in by import', async () => {
		const c = await setup();
		const [ann] = c.people;
		const at = new Date(NOW - 2 * HOUR).toISOString();
		const csv = `externalId,sellerEmail,occurredAt,sku,quantity,unitPrice\nimp-1,${ann.email},${at},PHONE,1,999.00`;
		const report = await importSales(db, csv, { dryRun: false, actor: manager, clock });
		expect(report.sales).toMatchObject({ new: 1, rejected: 0 });
		const [imported] = awardsFor(c.badgeId);
		expect(imported).toMatchObject({ subjectId: ann.id, status: 'provisional' });
		expect(badgeEntries(ann.id)).toEqual([{ points: 10, status: 'provisional' }]);
		expectStandingsEqualLedger(c.season.id);

		await reviewSales(
			sqliteStore(db),
			[imported.saleId!],
			{ decision: 'reject', actor: manager, reason: 'x' },
			clock
		);
		expect(awardsFor(c.badgeId)).toMatchObject([{ status: 'void' }]);
		expect(standingOf(c.season.id, ann.id)).toMatchObject({
			confirmedPoints: 0,
			provisionalPoints: 0
		});
		expectStandingsEqualLedger(c.season.id);
	});
});
