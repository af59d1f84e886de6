// The badges' console on the store (#20, db/store.ts): the list with its award counts, creating,
// editing and switching a badge, the starter set, the levels and holidays, and the API's awards
// since an instant, with the same assertions on a temp SQLite file and a throwaway PostgreSQL
// (tests/helpers/postgres.ts). "Two nodes" are two stores on one database: two SQLite
// connections to one file, two PostgreSQL pools.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import type { BadgeDraft } from '../../src/lib/server/badges/badge-form';
import {
	addStarterBadges,
	createBadge,
	missingStarterBadges,
	setBadgeActive,
	STARTER_BADGES,
	updateBadge
} from '../../src/lib/server/badges/commands';
import { getSeasonBadge, listSeasonBadges } from '../../src/lib/server/badges/queries';
import { getLevels, updateLevels } from '../../src/lib/server/badges/levels';
import { awardsSince } from '../../src/lib/server/badges/awards-since';
import { DEFAULT_TIERS } from '../../src/lib/contest/tiers';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('badges-store');

const MANAGER = {};
const clock = () => 1_000;

const draft = (patch: Partial<BadgeDraft> = {}): BadgeDraft => ({
	name: 'Closer',
	emoji: '🤝',
	description: 'Five sales',
	points: 10,
	criterion: { kind: 'sales_count', count: 5 },
	active: true,
	...patch
});

async function badgeRow(store: Store, id: number) {
	const { badge } = store.tables;
	const [row] = await store.db.select().from(badge).where(eq(badge.id, id));
	return row;
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	describe('the console', () => {
		it('a badge created on one node is listed and edited on the other, each change audited', async () => {
			const s = await liveSeasonOn(node(0), { size: 2, teams: ['A'], endsAt: 1e13 });
			const saved = await createBadge(node(0), s.seasonId, draft(), MANAGER, clock);
			// Nobody has sold: nobody qualifies yet.
			expect(saved.awarded).toBe(0);
			expect(await getSeasonBadge(node(1), s.seasonId, saved.badge.id)).toMatchObject({
				name: 'Closer',
				criterion: { kind: 'sales_count', count: 5 },
				active: true
			});
			// An award another node's engine wrote is counted with its badge; a withdrawn one is not.
			const { award } = node(0).tables;
			await node(0)
				.db.insert(award)
				.values(
					s.people.map((p, i) => ({
						badgeId: saved.badge.id,
						seasonId: s.seasonId,
						subjectType: 'user' as const,
						subjectId: p.id,
						earnedAt: 500,
						status: i === 0 ? ('confirmed' as const) : ('void' as const),
						createdAt: 500
					}))
				);
			expect(await listSeasonBadges(node(1), s.seasonId)).toEqual([
				{
					id: saved.badge.id,
					name: 'Closer',
					emoji: '🤝',
					description: 'Five sales',
					criterion: expect.any(String),
					kind: 'sales_count',
					points: 10,
					active: true,
					allSeasons: false,
					awarded: 1
				}
			]);

			await updateBadge(
				node(1),
				s.seasonId,
				saved.badge.id,
				draft({ name: 'Big closer', criterion: { kind: 'sales_count', count: 8 } }),
				MANAGER,
				clock
			);
			expect(await badgeRow(node(0), saved.badge.id)).toMatchObject({
				name: 'Big closer',
				criterion: { kind: 'sales_count', count: 8 }
			});
			const audits = await auditsOf(node(0), `badge:${saved.badge.id}`);
			expect(audits.map((a) => a.action)).toEqual(['badge.create', 'badge.update']);
			expect(audits[1].data).toMatchObject({
				before: { name: 'Closer', criterion: { count: 5 } },
				after: { name: 'Big closer', criterion: { count: 8 } }
			});
		});

		it('a switch sent to two nodes at once changes and audits once', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			const { badge } = await createBadge(node(0), s.seasonId, draft(), MANAGER, clock);
			const results = await Promise.all([
				setBadgeActive(node(0), s.seasonId, badge.id, false, MANAGER, clock),
				setBadgeActive(node(1), s.seasonId, badge.id, false, MANAGER, clock)
			]);
			expect(results.map((r) => r.badge.active)).toEqual([false, false]);
			expect((await badgeRow(node(1), badge.id)).active).toBe(false);
			expect((await auditsOf(node(1), `badge:${badge.id}`)).map((a) => a.action)).toEqual([
				'badge.create',
				'badge.deactivate'
			]);
			// Back on from the other node.
			await setBadgeActive(node(1), s.seasonId, badge.id, true, MANAGER, clock);
			expect((await getSeasonBadge(node(0), s.seasonId, badge.id))?.active).toBe(true);
		});

		it('a badge of another season, or none, is refused and nothing changes', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			const other = await liveSeasonOn(node(0), { size: 1, teams: ['B'], endsAt: 1e13 });
			const { badge } = await createBadge(node(0), other.seasonId, draft(), MANAGER, clock);
			for (const id of [badge.id, 1e9, Number.NaN]) {
				expect(await getSeasonBadge(node(1), s.seasonId, id)).toBeUndefined();
				expect(
					await appErrorCode(() => setBadgeActive(node(1), s.seasonId, id, false, MANAGER, clock))
				).toBe('not_found');
				expect(
					await appErrorCode(() =>
						updateBadge(node(1), s.seasonId, id, draft({ name: 'Stolen' }), MANAGER, clock)
					)
				).toBe('not_found');
			}
			expect(await badgeRow(node(0), badge.id)).toMatchObject({ name: 'Closer', active: true });
			expect((await auditsOf(node(0), `badge:${badge.id}`)).map((a) => a.action)).toEqual([
				'badge.create'
			]);
			expect(await listSeasonBadges(node(0), s.seasonId)).toEqual([]);
		});
	});

	describe('the starter set', () => {
		it('added on two nodes at once is added and audited once; the other node offers none then', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			// The criteria of the hat-trick and of "on fire", their keys written in another order:
			// neither is offered (jsonb keeps no order: it reads `{ days, kind }` back however the
			// streak was written).
			for (const criterion of [
				{ count: 3, kind: 'sales_count' as const },
				{ kind: 'streak' as const, days: 3 }
			])
				await createBadge(
					node(0),
					s.seasonId,
					draft({ name: `Mine ${criterion.kind}`, criterion }),
					MANAGER,
					clock
				);
			const offered = (await missingStarterBadges(node(1), s.seasonId)).map((b) => b.criterion);
			expect(offered).toHaveLength(STARTER_BADGES.length - 2);
			expect(offered).not.toContainEqual({ kind: 'sales_count', count: 3 });
			expect(offered).not.toContainEqual({ kind: 'streak', days: 3 });

			const results = await Promise.all([
				addStarterBadges(node(0), s.seasonId, MANAGER, clock),
				addStarterBadges(node(1), s.seasonId, MANAGER, clock)
			]);
			expect(results.map((r) => r.added.length).sort()).toEqual([0, STARTER_BADGES.length - 2]);
			expect(await missingStarterBadges(node(0), s.seasonId)).toEqual([]);
			const listed = await listSeasonBadges(node(1), s.seasonId);
			expect(listed).toHaveLength(STARTER_BADGES.length);
			expect(listed.every((b) => b.active && b.awarded === 0)).toBe(true);
			expect((await auditsOf(node(0), `season:${s.seasonId}`)).map((a) => a.action)).toEqual([
				'badge.starter'
			]);
		});
	});

	describe('the levels and holidays', () => {
		const custom = {
			tiers: [
				{ name: 'Rookie', minPoints: 0 },
				{ name: 'Pro', minPoints: 100, emoji: '⭐' }
			],
			holidays: ['2026-12-24', '2026-12-31']
		};

		it('saved on one node are read on the other; back to the defaults, stored as default', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			expect(await getLevels(node(1), s.seasonId)).toEqual({
				tiers: [...DEFAULT_TIERS],
				custom: false,
				holidays: []
			});
			expect((await updateLevels(node(0), s.seasonId, custom, MANAGER, clock)).changed).toEqual([
				'tiers',
				'holidays'
			]);
			expect(await getLevels(node(1), s.seasonId)).toEqual({ ...custom, custom: true });
			const back = { tiers: [...DEFAULT_TIERS], holidays: [] };
			expect((await updateLevels(node(1), s.seasonId, back, MANAGER, clock)).changed).toEqual([
				'tiers',
				'holidays'
			]);
			const { season } = node(0).tables;
			const [row] = await node(0)
				.db.select({ tiers: season.tiers, holidays: season.holidays })
				.from(season)
				.where(eq(season.id, s.seasonId));
			expect(row).toEqual({ tiers: null, holidays: null });
			expect((await auditsOf(node(0), `season:${s.seasonId}`)).map((a) => a.data)).toEqual([
				{
					tiers: { from: 'default', to: custom.tiers },
					holidays: { from: [], to: custom.holidays }
				},
				{
					tiers: { from: custom.tiers, to: 'default' },
					holidays: { from: custom.holidays, to: [] }
				}
			]);
		});

		it('the same levels sent to two nodes at once are saved and audited once', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			const results = await Promise.all([
				updateLevels(node(0), s.seasonId, custom, MANAGER, clock),
				updateLevels(node(1), s.seasonId, custom, MANAGER, clock)
			]);
			expect(results.map((r) => r.changed.length).sort()).toEqual([0, 2]);
			expect(await auditsOf(node(1), `season:${s.seasonId}`)).toHaveLength(1);
		});

		it('a season that is not there is refused and nothing is written', async () => {
			expect(await getLevels(node(0), 1e9)).toBeUndefined();
			expect(await appErrorCode(() => updateLevels(node(1), 1e9, custom, MANAGER, clock))).toBe(
				'not_found'
			);
			expect(await auditsOf(node(0), 'season:1000000000')).toEqual([]);
		});
	});

	describe('the API’s awards since an instant', () => {
		it('reads what another node wrote, in order, with names, a page at a time', async () => {
			const s = await liveSeasonOn(node(0), { size: 2, teams: ['Owls'], endsAt: 1e13 });
			const other = await liveSeasonOn(node(0), { size: 1, teams: ['B'], endsAt: 1e13 });
			const { badge } = await createBadge(node(0), s.seasonId, draft(), MANAGER, clock);
			const { award } = node(0).tables;
			const rows = [
				{ subjectType: 'user' as const, subjectId: s.people[0].id, createdAt: 100 },
				{ subjectType: 'user' as const, subjectId: s.people[1].id, createdAt: 2_000 },
				{ subjectType: 'team' as const, subjectId: s.teamIds[0], createdAt: 2_000 },
				{
					subjectType: 'user' as const,
					subjectId: s.people[0].id,
					createdAt: 3_000,
					periodKey: 'w1',
					status: 'void' as const
				},
				{
					subjectType: 'user' as const,
					subjectId: s.people[0].id,
					createdAt: 4_000,
					periodKey: 'w2',
					status: 'provisional' as const
				}
			];
			const ids: number[] = [];
			for (const row of rows) {
				const [written] = await node(0)
					.db.insert(award)
					.values({ badgeId: badge.id, seasonId: s.seasonId, earnedAt: 50, ...row })
					.returning({ id: award.id });
				ids.push(written.id);
			}
			const first = await awardsSince(node(1), s.seasonId, { since: 1_000, limit: 2 });
			expect(first.entries.map((e) => [e.id, e.subjectType, e.subjectName])).toEqual([
				[ids[1], 'user', s.people[1].name],
				[ids[2], 'team', 'Owls']
			]);
			expect(first.entries[0]).toMatchObject({
				badge: { id: badge.id, name: 'Closer', emoji: '🤝', points: 10 },
				provisional: false,
				periodKey: '',
				earnedAt: 50,
				awardedAt: 2_000
			});
			expect(first.next).toBe(ids[2]);
			const second = await awardsSince(node(1), s.seasonId, {
				since: 1_000,
				after: first.next!,
				limit: 2
			});
			expect(second.entries.map((e) => [e.id, e.provisional, e.periodKey])).toEqual([
				[ids[4], true, 'w2']
			]);
			expect(second.next).toBeNull();
			expect((await awardsSince(node(1), other.seasonId, { since: 0, limit: 10 })).entries).toEqual(
				[]
			);
		});
	});
});
