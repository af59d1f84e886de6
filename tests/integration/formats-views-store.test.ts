// The contest formats' views that the board (`/`), `/divisions`, `/challenges` and the TV load
// for their first render, read through the store (#20, formats/views.ts `readFormatViews`): the
// divisions' boards with each person's % of target, and the quotas' fair orders (by % of target,
// most improved against last season, the teams). The same data on a temp SQLite file and a
// throwaway PostgreSQL gives the same views, and on SQLite the same as the synchronous build the
// boards' pushes and the read thread use (`formatViewsOf`).
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { unportedSqlite, type Store } from '../../src/lib/server/db/store';
import { formatViewsOf, readFormatViews } from '../../src/lib/server/formats/views';
import { placeAutomatically, saveDivision } from '../../src/lib/server/divisions/commands';
import { setQuota } from '../../src/lib/server/quotas/commands';
import type { DivisionsView } from '../../src/lib/contest/division';
import type { QuotasView } from '../../src/lib/contest/quota';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn } from '../helpers/store-season';
import { theme } from '../helpers/factories';

const nodes = twoNodesPerDialect('formats-views-store');
const MANAGER = {};
// Half of the season has passed: last season's pace is half its final points.
const NOW = 1_000_000;

/** A live season of four, two teams, with targets, a last season and two divisions. */
async function contest(store: Store) {
	const s = await liveSeasonOn(store, {
		size: 4,
		teams: ['North', 'South'],
		endsAt: 2 * NOW,
		points: [300, 200, 100, 50]
	});
	const [p0, p1, p2, p3] = s.people.map((p) => p.id);
	const { season, seasonResult } = store.tables;
	const [last] = await store.db
		.insert(season)
		.values({ name: 'Last', theme, startsAt: -2000, endsAt: -1000, status: 'archived' })
		.returning({ id: season.id });
	// p0 and p2 played last season (p0 at 1000: now behind its pace of 500; p2 at 100: ahead).
	await store.db.insert(seasonResult).values(
		[
			[p0, 1000],
			[p2, 100]
		].map(([subjectId, points], i) => ({
			seasonId: last.id,
			subjectType: 'user' as const,
			subjectId,
			name: `P${i}`,
			rank: i + 1,
			points,
			provisionalPoints: 0,
			salesCount: 1,
			frozenAt: -1000
		}))
	);
	await store.db.update(season).set({ previousSeasonId: last.id }).where(eq(season.id, s.seasonId));
	const target = (type: 'user' | 'team', id: number, points: number) =>
		setQuota(store, { seasonId: s.seasonId, subject: { type, id }, target: points }, MANAGER, 1);
	await target('user', p0, 600);
	await target('user', p1, 100);
	await target('team', s.teamIds[0], 800);
	for (const name of ['Gold', 'Silver'])
		await saveDivision(
			store,
			{ id: null, seasonId: s.seasonId, name, promote: 1, relegate: 1, prizes: [] },
			MANAGER,
			1
		);
	await placeAutomatically(store, s.seasonId, 'tier', MANAGER, 1);
	return { seasonId: s.seasonId, people: [p0, p1, p2, p3], teams: s.teamIds };
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it('reads the divisions and the fair orders written on the other node', async () => {
		const { seasonId, people, teams } = await contest(node(0));
		const [p0, p1, p2, p3] = people;
		const views = await readFormatViews(node(1), seasonId, NOW);
		expect(views).toMatchObject({ challenges: null, sprints: null, knockouts: null });

		const quotas = views.quotas as QuotasView;
		const fair = (rows: QuotasView['teams']) => rows.map((r) => [r.id, r.value, r.rank, r.basis]);
		// By % of target: p1 (200 of 100), p0 (300 of 600); then the best without a target.
		expect(fair(quotas.attainment.entries)).toEqual([
			[p1, 2, 1, 100],
			[p0, 0.5, 2, 600],
			[p2, null, null, null],
			[p3, null, null, null]
		]);
		expect(quotas.attainment.ranked).toBe(2);
		// Against last season's pace (half its points): p2 100 against 50, p0 300 against 500.
		expect(fair(quotas.improved!.entries)).toEqual([
			[p2, 1, 1, 100],
			[p0, -0.4, 2, 1000],
			[p1, null, null, null],
			[p3, null, null, null]
		]);
		expect(quotas.improved).toMatchObject({ ranked: 2, share: 0.5 });
		expect(fair(quotas.teams).map(([id, value]) => [id, value])).toEqual([
			[teams[0], 0],
			[teams[1], null]
		]);

		const divisions = views.divisions as DivisionsView;
		expect(divisions.divisions.map((d) => d.name)).toEqual(['Gold', 'Silver']);
		const placed = divisions.divisions.flatMap((d) => d.entries);
		expect(placed.map((e) => e.id).sort()).toEqual([...people].sort());
		const p1Entry = placed.find((e) => e.id === p1)!;
		expect(p1Entry).toMatchObject({ points: 200, attainment: 2, target: 100, improvement: null });
		expect(placed.find((e) => e.id === p2)).toMatchObject({ improvement: 1, target: null });
		for (const d of divisions.divisions) {
			expect(d.players).toBe(d.entries.length);
			expect(d.entries.map((e) => e.rank)).toEqual(d.entries.map((_, i) => i + 1));
		}
	});

	it('a season without divisions or targets has no divisions, and ranks nobody by target', async () => {
		const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
		const views = await readFormatViews(node(1), s.seasonId, NOW);
		expect(views).toMatchObject({ challenges: null, sprints: null, knockouts: null });
		expect(views.divisions).toBeNull();
		// It follows the archived season of the test above (the latest ended before it started).
		const quotas = views.quotas as QuotasView;
		expect(quotas.attainment).toMatchObject({ ranked: 0, entries: [{ id: s.people[0].id }] });
		expect(quotas.improved?.ranked).toBe(0);
	});

	it.runIf(dialect === 'sqlite')(
		'gives what the synchronous build of the pushes gives on the same data',
		async () => {
			const { seasonId } = await contest(node(0));
			const sync = formatViewsOf(unportedSqlite(node(1))!, seasonId, NOW);
			expect(await readFormatViews(node(1), seasonId, NOW)).toEqual(sync);
			expect(sync.divisions).not.toBeNull();
			expect(sync.quotas).not.toBeNull();
		}
	);
});
