// The badge facts' catch-up of a ledger backlog on the store (#20 step 2, badges/catch-up.ts),
// one body for both dialects: the same assertions on a temp SQLite file and a throwaway
// PostgreSQL, two nodes each (tests/helpers/store-nodes.ts). A backlog larger than a slice is
// taken in completely, each award given once; a sale recorded while the catch-up runs takes in
// only as many entries as it added, is counted once and its badge decided once; two catch-ups
// started at once on one store are one run, and on two nodes each award is still given once.
import { describe, expect, it } from 'vitest';
import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import type { PoolClient } from 'pg';
import type { BadgeCriterion } from '../../src/lib/contest/badges';
import type { Store } from '../../src/lib/server/db/store';
import { catchUpOnStore } from '../../src/lib/server/badges/catch-up';
import { reevaluateOnStore } from '../../src/lib/server/badges/reevaluate';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import type { RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { recordWithoutBadges } from '../helpers/backlog';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn, phoneAndCaseOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('badge-catch-up-store');
const NOW = 1_900_000_000_000;
const DAY = 86_400_000;
const clock = () => NOW;
/** Entries per slice in these tests: a backlog of 48 sales takes several. */
const SLICE = 10;
const PEOPLE = 4;
let serial = 0;

const BADGES: { name: string; points: number; criterion: BadgeCriterion }[] = [
	{ name: 'First', points: 5, criterion: { kind: 'first_sale' } },
	{ name: 'Five', points: 7, criterion: { kind: 'sales_count', count: 5 } },
	{ name: 'Thirteen', points: 3, criterion: { kind: 'sales_count', count: 13 } },
	{ name: 'Points', points: 0, criterion: { kind: 'points_at_least', points: 1_000 } }
];

/** A live season of four people in two teams, with a phone, a case and the badges above. */
async function badgeSeasonOn(store: Store) {
	const s = await liveSeasonOn(store, {
		size: PEOPLE,
		teams: ['North', 'South'],
		endsAt: NOW + DAY
	});
	await phoneAndCaseOn(store, s.seasonId);
	await store.db.insert(store.tables.badge).values(
		BADGES.map((b) => ({
			...b,
			seasonId: s.seasonId,
			emoji: '🏅',
			description: '',
			active: true
		}))
	);
	return s;
}

type Season = Awaited<ReturnType<typeof badgeSeasonOn>>;

function saleOf(s: Season, person: number): RecordSaleInput {
	serial += 1;
	return {
		source: 'api',
		externalId: `catch-up-${serial}`,
		seller: { email: s.people[person].email },
		occurredAt: NOW - DAY + serial * 1000,
		lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 50000 }]
	};
}

/** `count` sales, the people in turn, recorded in one write without the badge step: a backlog. */
async function backlogOn(store: Store, s: Season, count: number) {
	const sales = Array.from({ length: count }, (_, i) => saleOf(s, i % PEOPLE));
	await recordWithoutBadges(store, sales, NOW);
}

async function cursorOf(store: Store): Promise<number> {
	const { badgeCursor } = store.tables;
	const [row] = await store.db.select({ id: badgeCursor.ledgerId }).from(badgeCursor);
	return row?.id ?? 0;
}

/** The ledger entries the facts have not taken in yet (badge entries are not theirs). */
async function backlogOf(store: Store): Promise<number> {
	const { ledgerEntry } = store.tables;
	const [row] = await store.db
		.select({ n: sql<number>`count(*)`.mapWith(Number) })
		.from(ledgerEntry)
		.where(
			and(
				gt(ledgerEntry.id, await cursorOf(store)),
				inArray(ledgerEntry.kind, ['sale', 'adjustment', 'reversal'])
			)
		);
	return row.n;
}

/** The season's awards as (badge, person) and its badge entries' points, sorted. */
async function awardsOf(store: Store, s: Season) {
	const { award, badge, ledgerEntry } = store.tables;
	const given = await store.db
		.select({ badge: badge.name, subjectId: award.subjectId, status: award.status })
		.from(award)
		.innerJoin(badge, eq(badge.id, award.badgeId))
		.where(eq(award.seasonId, s.seasonId));
	const entries = await store.db
		.select({ userId: ledgerEntry.userId, points: ledgerEntry.points })
		.from(ledgerEntry)
		.where(and(eq(ledgerEntry.seasonId, s.seasonId), eq(ledgerEntry.kind, 'badge')));
	const who = (id: number) => s.people.findIndex((p) => p.id === id);
	return {
		awards: given.map((a) => `${a.badge} ${who(a.subjectId)} ${a.status}`).sort(),
		badgePoints: entries.map((e) => `${who(e.userId)} ${e.points}`).sort()
	};
}

/** What four people with `sales` sales each (100 points a sale) earn, each once. */
function earned(sales: number[]) {
	const awards: string[] = [];
	const badgePoints: string[] = [];
	sales.forEach((n, person) => {
		for (const b of BADGES) {
			const c = b.criterion;
			const reached =
				c.kind === 'first_sale'
					? n >= 1
					: c.kind === 'sales_count'
						? n >= c.count
						: c.kind === 'points_at_least' && n * 100 >= c.points;
			if (!reached) continue;
			awards.push(`${b.name} ${person} confirmed`);
			if (b.points !== 0) badgePoints.push(`${person} ${b.points}`);
		}
	});
	return { awards: awards.sort(), badgePoints: badgePoints.sort() };
}

/** A full re-evaluation of the season finds nothing to give or withdraw: nothing was missed. */
async function nothingLeftToDecide(store: Store, s: Season) {
	const changes = await reevaluateOnStore(store, s.seasonId, { clock });
	expect(changes.awarded).toEqual([]);
	expect(changes.withdrawn).toEqual([]);
}

/**
 * Another node's catch-up, as PostgreSQL's advisory lock shows it (catch-up.ts CATCH_UP_LOCK);
 * on SQLite nothing to hold (one process catches up on a file).
 */
async function anotherNodeCatchingUp(store: Store): Promise<() => Promise<void>> {
	if (store.dialect !== 'postgres') return async () => {};
	const client: PoolClient = await store.pool.connect();
	await client.query('select pg_advisory_lock($1, 0)', [0x42466163]);
	return async () => {
		await client.query('select pg_advisory_unlock($1, 0)', [0x42466163]);
		client.release();
	};
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it('takes in a backlog larger than a slice completely, each award given once', async () => {
		const s = await badgeSeasonOn(node(0));
		await backlogOn(node(0), s, 48);
		expect(await backlogOf(node(0))).toBe(48);

		const run = await catchUpOnStore(node(0), clock, SLICE);
		expect(run.slices).toBeGreaterThanOrEqual(5);
		expect(await backlogOf(node(0))).toBe(0);
		expect(await awardsOf(node(0), s)).toEqual(earned([12, 12, 12, 12]));
		// Nothing left: a second run takes one slice and gives nothing.
		expect(await catchUpOnStore(node(0), clock, SLICE)).toEqual({ slices: 1, awarded: 0 });
		expect(await backlogOf(node(0))).toBe(0);
		await nothingLeftToDecide(node(0), s);
	});

	it('counts a sale recorded during the catch-up once, its step taking in only its own count, its badge decided once', async () => {
		const s = await badgeSeasonOn(node(0));
		await backlogOn(node(0), s, 48);
		const { sale, ledgerEntry } = node(0).tables;
		// Held on PostgreSQL as another node's catch-up would hold it: this node's run waits.
		const release = await anotherNodeCatchingUp(node(0));
		const catchingUp = catchUpOnStore(node(0), clock, SLICE);
		let recorded;
		try {
			// Person 0's 13th sale: it earns "Thirteen". Its group's step takes in one entry (the
			// backlog's first), not its own, which lies behind the backlog: the code before took
			// in 51 on PostgreSQL, its own included.
			recorded = await recordSaleGrouped(node(0), saleOf(s, 0), clock);
			const [own] = await node(0)
				.db.select({ id: ledgerEntry.id })
				.from(ledgerEntry)
				.where(eq(ledgerEntry.saleId, recorded.sale.id));
			expect(own.id).toBeGreaterThan(await cursorOf(node(0)));
			// On PostgreSQL nothing else moved the cursor: the backlog is what it was.
			if (dialect === 'postgres') expect(await backlogOf(node(0))).toBe(48);
		} finally {
			await release();
		}
		await catchingUp;

		expect(await backlogOf(node(0))).toBe(0);
		const [entries] = await node(0)
			.db.select({ n: sql<number>`count(*)`.mapWith(Number) })
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.saleId, recorded.sale.id), eq(ledgerEntry.kind, 'sale')));
		expect(entries.n).toBe(1);
		const [sales] = await node(0)
			.db.select({ n: sql<number>`count(*)`.mapWith(Number) })
			.from(sale)
			.where(eq(sale.seasonId, s.seasonId));
		expect(sales.n).toBe(49);
		expect(await awardsOf(node(0), s)).toEqual(earned([13, 12, 12, 12]));
		await nothingLeftToDecide(node(0), s);
	});

	it('runs two catch-ups started at once on one store as one, and on two nodes gives each award once', async () => {
		const s = await badgeSeasonOn(node(0));
		await backlogOn(node(0), s, 48);
		const first = catchUpOnStore(node(0), clock, SLICE);
		expect(catchUpOnStore(node(0), clock, SLICE)).toBe(first);
		await first;
		expect(await awardsOf(node(0), s)).toEqual(earned([12, 12, 12, 12]));

		const other = await badgeSeasonOn(node(0));
		await backlogOn(node(1), other, 48);
		const runs = await Promise.all([
			catchUpOnStore(node(0), clock, SLICE),
			catchUpOnStore(node(1), clock, SLICE)
		]);
		expect(await backlogOf(node(1))).toBe(0);
		expect(await awardsOf(node(1), other)).toEqual(earned([12, 12, 12, 12]));
		// Each award once between the two runs: 4 firsts, 4 fives, 4 of 1,000 points.
		expect(runs[0].awarded + runs[1].awarded).toBe(12);
		if (dialect === 'postgres')
			// One took the backlog in; the other waited for its lock and found nothing left.
			expect(runs.map((r) => r.slices).sort((a, b) => a - b)[0]).toBe(1);
		await nothingLeftToDecide(node(1), other);
	});
});
