// The season scheduler on the store (#20, db/store.ts), on SQLite and PostgreSQL, with two
// nodes on one database: the lease is one node's at a time until it expires, a season opens once
// however many nodes run the scheduler at once, and a season that may not open changes nothing.
// An end (results, badges) is made once on both (season-end-store.test.ts: the recurrence, the
// divisions, the archive, a stale board).
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import {
	acquireLease,
	nextTransitionAt,
	releaseLease,
	runScheduler
} from '../../src/lib/server/seasons/scheduler';
import { twoNodesPerDialect, type Dialect } from '../helpers/store-nodes';
import { liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('scheduler-store');
const MINUTE = 60_000;
const NOW = Date.UTC(2027, 0, 10, 12);

/** Who holds the lease now, if anyone. */
async function leaseHolder(store: Store): Promise<string | null> {
	const { schedulerLease } = store.tables;
	const [row] = await store.db.select().from(schedulerLease);
	return row?.holder ?? null;
}

/** The lease left by the test before: each test starts with nobody holding it. */
async function freeLease(store: Store): Promise<void> {
	await store.db.delete(store.tables.schedulerLease);
}

/** A scheduled season starting at `startsAt`, with one member and one product (active or not). */
async function scheduledSeason(store: Store, startsAt: number, productActive: boolean) {
	const made = await liveSeasonOn(store, {
		size: 1,
		teams: ['Only team'],
		endsAt: startsAt + 60 * MINUTE
	});
	const { product, season } = store.tables;
	await store.db
		.update(season)
		.set({ status: 'scheduled', startsAt })
		.where(eq(season.id, made.seasonId));
	const [p] = await store.db
		.insert(product)
		.values({
			seasonId: made.seasonId,
			sku: `SKU-${made.seasonId}`,
			name: 'Widget',
			category: 'Widgets',
			points: 10,
			active: productActive
		})
		.returning({ id: product.id });
	return { ...made, productId: p.id };
}

async function statusOf(store: Store, seasonId: number) {
	const { season } = store.tables;
	const [row] = await store.db
		.select({ status: season.status })
		.from(season)
		.where(eq(season.id, seasonId));
	return row.status;
}

async function transitionsOf(store: Store, seasonId: number) {
	const { seasonTransition } = store.tables;
	return (
		await store.db
			.select({ to: seasonTransition.toStatus })
			.from(seasonTransition)
			.where(eq(seasonTransition.seasonId, seasonId))
			.orderBy(seasonTransition.id)
	).map((r) => r.to);
}

describe.each(['sqlite', 'postgres'] as Dialect[])('the season scheduler on %s', (dialect) => {
	it('the lease is one node’s until it expires or is released, whichever node asks', async () => {
		const [a, b] = nodes[dialect];
		await freeLease(a);
		// Four holders on the two nodes ask at once, all having read a free lease: one gets it.
		const holders = ['node-a', 'node-b', 'node-a2', 'node-b2'];
		const taken = await Promise.all(
			holders.map((holder, i) => acquireLease(i % 2 ? b : a, holder, NOW, MINUTE))
		);
		expect(taken.filter(Boolean)).toHaveLength(1);
		expect(await leaseHolder(b)).toBe(holders[taken.indexOf(true)]);
		// From here on node A as 'node-a', node B as 'node-b'. The lease has expired at NOW + 1 min:
		// A takes it, until NOW + 2 min.
		const T = NOW + MINUTE;
		expect(await acquireLease(a, 'node-a', T, MINUTE)).toBe(true);
		expect(await leaseHolder(b)).toBe('node-a');
		// A season due now: B does nothing while A's lease runs…
		const s = await scheduledSeason(a, NOW - MINUTE, true);
		expect(
			await runScheduler(b, { clock: () => T + 30_000, holder: 'node-b', leaseMs: MINUTE })
		).toEqual([]);
		expect(await leaseHolder(a)).toBe('node-a');
		expect(await statusOf(b, s.seasonId)).toBe('scheduled');
		// …A renews it (until T + 100 s) and runs…
		expect(
			await runScheduler(a, { clock: () => T + 40_000, holder: 'node-a', leaseMs: MINUTE })
		).toEqual([{ seasonId: s.seasonId, to: 'live' }]);
		expect(await statusOf(b, s.seasonId)).toBe('live');
		// …so B still waits past the first lease's expiry, and takes it after the renewal's.
		expect(
			await runScheduler(b, { clock: () => T + 61_000, holder: 'node-b', leaseMs: MINUTE })
		).toEqual([]);
		expect(await leaseHolder(a)).toBe('node-a');
		await runScheduler(b, { clock: () => T + 101_000, holder: 'node-b', leaseMs: MINUTE });
		expect(await leaseHolder(a)).toBe('node-b');
		// Released by its holder, it is free for the other node at once.
		await releaseLease(b, 'node-b');
		expect(await leaseHolder(a)).toBeNull();
		await runScheduler(a, { clock: () => T + 102_000, holder: 'node-a', leaseMs: MINUTE });
		expect(await leaseHolder(b)).toBe('node-a');
		// Not the end of the season (an hour away): only the start was made.
		expect(await transitionsOf(a, s.seasonId)).toEqual(['live']);
	});

	it('a season opens once when both nodes run the scheduler at once', async () => {
		const [a, b] = nodes[dialect];
		await freeLease(a);
		const s = await scheduledSeason(a, NOW - MINUTE, true);
		expect(await nextTransitionAt(b)).toBe(NOW - MINUTE);
		// The same holder on both: the lease lets both through, the transition itself is once.
		const runs = await Promise.all(
			[a, b].map((node) => runScheduler(node, { clock: () => NOW, holder: 'same-holder' }))
		);
		expect(runs.flat()).toEqual([{ seasonId: s.seasonId, to: 'live' }]);
		expect(await transitionsOf(b, s.seasonId)).toEqual(['live']);
		expect(await statusOf(a, s.seasonId)).toBe('live');
		// Its end is the next transition either node sees.
		expect(await nextTransitionAt(b)).toBe(NOW - MINUTE + 60 * MINUTE);
		await releaseLease(a, 'same-holder');
	});

	it('a season without an active product, or before its start, does not open and nothing is written', async () => {
		const [a, b] = nodes[dialect];
		await freeLease(a);
		const inactive = await scheduledSeason(a, NOW - MINUTE, false);
		const later = await scheduledSeason(a, NOW + 10 * MINUTE, true);
		// The one waiting for a product is no transition; the later one is the next.
		expect(await nextTransitionAt(b)).toBe(NOW + 10 * MINUTE);
		expect(await runScheduler(b, { clock: () => NOW, holder: 'node-b' })).toEqual([]);
		for (const id of [inactive.seasonId, later.seasonId]) {
			expect(await statusOf(a, id)).toBe('scheduled');
			expect(await transitionsOf(a, id)).toEqual([]);
		}
		// The product switched on (on the other node): it opens at the next run.
		const { product } = a.tables;
		await a.db.update(product).set({ active: true }).where(eq(product.id, inactive.productId));
		expect(await runScheduler(b, { clock: () => NOW, holder: 'node-b' })).toEqual([
			{ seasonId: inactive.seasonId, to: 'live' }
		]);
		await releaseLease(b, 'node-b');
	});

	it('a season ends once when both nodes run the scheduler at once: one result, one row, one set of awards', async () => {
		const [a, b] = nodes[dialect];
		await freeLease(a);
		const s = await liveSeasonOn(a, {
			size: 3,
			teams: ['North', 'South'],
			endsAt: NOW - MINUTE,
			points: [30, 20, 10]
		});
		const { award, seasonResult } = a.tables;
		const runs = await Promise.allSettled(
			[a, b].map((node) => runScheduler(node, { clock: () => NOW, holder: 'same-holder' }))
		);
		expect(runs.flatMap((run) => (run.status === 'fulfilled' ? run.value : [run.reason]))).toEqual([
			{ seasonId: s.seasonId, to: 'ended' }
		]);
		expect(await transitionsOf(b, s.seasonId)).toEqual(['ended']);
		const results = await b.db
			.select({ type: seasonResult.subjectType, rank: seasonResult.rank })
			.from(seasonResult)
			.where(eq(seasonResult.seasonId, s.seasonId));
		// Three people and two teams, frozen once.
		expect(
			results
				.filter((r) => r.type === 'user')
				.map((r) => r.rank)
				.sort()
		).toEqual([1, 2, 3]);
		expect(results.filter((r) => r.type === 'team')).toHaveLength(2);
		const awards = await b.db
			.select({ badgeId: award.badgeId, subjectId: award.subjectId })
			.from(award)
			.where(and(eq(award.seasonId, s.seasonId), eq(award.subjectType, 'user')));
		// Champion: the first; podium: all three; each once.
		expect(awards).toHaveLength(4);
		expect(new Set(awards.map((x) => `${x.badgeId}:${x.subjectId}`)).size).toBe(4);
		await releaseLease(a, 'same-holder');
	});
});
