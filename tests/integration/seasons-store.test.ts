// The seasons' console on the store (#20, db/store.ts): the settings, the announcement, the
// prizes, editing, creating and publishing a season, with the same assertions on a temp SQLite
// file and a throwaway PostgreSQL (tests/helpers/postgres.ts). "Two nodes" are two stores on one
// database: two SQLite connections to one file, two PostgreSQL pools.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { currentAnnouncement, setAnnouncement } from '../../src/lib/server/seasons/announcements';
import {
	prizeBadgeChoices,
	prizeImage,
	readPrizes,
	removePrize,
	savePrize
} from '../../src/lib/server/seasons/prizes';
import { launchState } from '../../src/lib/server/seasons/launch';
import { getSeasonSettings, updateSeasonSettings } from '../../src/lib/server/seasons/settings';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('seasons-store');

const MANAGER = {};

async function versionOf(store: Store, seasonId: number) {
	const { season } = store.tables;
	const [row] = await store.db
		.select({ version: season.version })
		.from(season)
		.where(eq(season.id, seasonId));
	return row.version;
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	describe('settings', () => {
		it('saved on one node are read on the other; a new ranking moves the board’s version once', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			const version = await versionOf(node(0), s.seasonId);
			const saved = await updateSeasonSettings(
				node(0),
				s.seasonId,
				{ autoConfirmDays: 7, rankBy: 'confirmed' },
				MANAGER,
				() => 1_000
			);
			expect(saved.changed).toEqual(['autoConfirmDays']);
			expect(await getSeasonSettings(node(1), s.seasonId)).toEqual({
				requireConfirmation: false,
				autoConfirmDays: 7,
				rankBy: 'confirmed'
			});
			expect(await versionOf(node(1), s.seasonId)).toBe(version);
			const ranked = await updateSeasonSettings(
				node(1),
				s.seasonId,
				{ autoConfirmDays: 7, rankBy: 'total' },
				MANAGER,
				() => 2_000
			);
			expect(ranked.changed).toEqual(['rankBy']);
			expect((await getSeasonSettings(node(0), s.seasonId))?.rankBy).toBe('total');
			expect(await versionOf(node(0), s.seasonId)).toBe(version + 1);
			expect((await auditsOf(node(0), `season:${s.seasonId}`)).map((a) => a.data)).toEqual([
				{ autoConfirmDays: { from: null, to: 7 } },
				{ rankBy: { from: 'confirmed', to: 'total' } }
			]);
		});

		it('the same change sent to two nodes at once is saved and audited once', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			const version = await versionOf(node(0), s.seasonId);
			const change = { autoConfirmDays: null, rankBy: 'total' as const };
			const results = await Promise.all([
				updateSeasonSettings(node(0), s.seasonId, change, MANAGER, () => 1),
				updateSeasonSettings(node(1), s.seasonId, change, MANAGER, () => 1)
			]);
			expect(results.map((r) => r.changed).sort()).toEqual([[], ['rankBy']]);
			expect(await versionOf(node(1), s.seasonId)).toBe(version + 1);
			expect(await auditsOf(node(1), `season:${s.seasonId}`)).toHaveLength(1);
		});

		it('a season that is not there is refused and nothing is written', async () => {
			expect(
				await appErrorCode(() =>
					updateSeasonSettings(
						node(1),
						1e9,
						{ autoConfirmDays: 3, rankBy: 'confirmed' },
						MANAGER,
						() => 1
					)
				)
			).toBe('not_found');
			expect(await getSeasonSettings(node(0), 1e9)).toBeUndefined();
			expect(await auditsOf(node(0), 'season:1000000000')).toEqual([]);
		});
	});

	describe('the announcement', () => {
		it('posted on one node is what the other shows; cleared there, it is gone', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			expect(await currentAnnouncement(node(1), s.seasonId)).toBeNull();
			const posted = await setAnnouncement(node(0), s.seasonId, 'Double points!', MANAGER);
			expect(posted).toEqual({ status: 'live', changed: true });
			expect(await currentAnnouncement(node(1), s.seasonId)).toBe('Double points!');
			await setAnnouncement(node(1), s.seasonId, null, MANAGER);
			expect(await currentAnnouncement(node(0), s.seasonId)).toBeNull();
			expect((await auditsOf(node(0), `season:${s.seasonId}`)).map((a) => a.action)).toEqual([
				'season.announce',
				'season.announcement_clear'
			]);
		});

		it('the same text posted on two nodes at once is posted and audited once', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			const saved = await Promise.all([
				setAnnouncement(node(0), s.seasonId, 'Last day', MANAGER),
				setAnnouncement(node(1), s.seasonId, 'Last day', MANAGER)
			]);
			expect(saved.map((r) => r.changed).sort()).toEqual([false, true]);
			expect(await auditsOf(node(0), `season:${s.seasonId}`)).toHaveLength(1);
		});

		it('an ended season or one that is not there is refused and nothing changes', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			const { season } = node(0).tables;
			await node(0).db.update(season).set({ status: 'ended' }).where(eq(season.id, s.seasonId));
			expect(
				await appErrorCode(() => setAnnouncement(node(1), s.seasonId, 'Too late', MANAGER))
			).toBe('locked');
			expect(await appErrorCode(() => setAnnouncement(node(1), 1e9, 'Nobody', MANAGER))).toBe(
				'not_found'
			);
			expect(await currentAnnouncement(node(0), s.seasonId)).toBeNull();
			expect(await auditsOf(node(0), `season:${s.seasonId}`)).toEqual([]);
		});
	});

	describe('prizes', () => {
		const PNG_URL =
			'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

		async function badgeOn(store: Store, seasonId: number | null, name: string) {
			const { badge } = store.tables;
			const [row] = await store.db
				.insert(badge)
				.values({ seasonId, name, criterion: { kind: 'first_sale' } })
				.returning({ id: badge.id });
			return row.id;
		}

		it('a prize saved on one node is listed with its badge and picture on the other; removed there, it is gone', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			const own = await badgeOn(node(0), s.seasonId, 'Hat-trick');
			expect((await prizeBadgeChoices(node(1), s.seasonId)).map((b) => b.id)).toContain(own);
			await savePrize(
				node(0),
				s.seasonId,
				{ place: 1, title: 'Weekend away', description: 'For two', image: PNG_URL },
				MANAGER
			);
			await savePrize(
				node(1),
				s.seasonId,
				{ badgeId: own, title: 'Coffee voucher', description: '', image: null },
				MANAGER
			);
			const prizes = await readPrizes(node(1), s.seasonId);
			expect(prizes.map((p) => [p.key, p.title, p.badge?.name ?? null])).toEqual([
				['place-1', 'Weekend away', null],
				[`badge-${own}`, 'Coffee voucher', 'Hat-trick']
			]);
			expect(prizes[0].imageUrl).toMatch(/^\/prizes\/\d+\/place-1\?v=[0-9a-f]{10}$/);
			expect((await prizeImage(node(0), s.seasonId, 'place-1'))?.type).toBe('image/png');
			expect(await prizeImage(node(0), s.seasonId, `badge-${own}`)).toBeNull();
			await removePrize(node(0), s.seasonId, `badge-${own}`, MANAGER);
			expect((await readPrizes(node(1), s.seasonId)).map((p) => p.key)).toEqual(['place-1']);
			expect((await auditsOf(node(1), `season:${s.seasonId}`)).map((a) => a.action)).toEqual([
				'season.prize.create',
				'season.prize.create',
				'season.prize.remove'
			]);
		});

		it('prizes for two places saved on two nodes at once are both kept', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			await Promise.all([
				savePrize(
					node(0),
					s.seasonId,
					{ place: 1, title: 'Gold', description: '', image: null },
					MANAGER
				),
				savePrize(
					node(1),
					s.seasonId,
					{ place: 2, title: 'Silver', description: '', image: null },
					MANAGER
				)
			]);
			expect((await readPrizes(node(0), s.seasonId)).map((p) => p.title)).toEqual([
				'Gold',
				'Silver'
			]);
		});

		it('a removal sent to two nodes at once removes and audits once', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			await savePrize(
				node(0),
				s.seasonId,
				{ place: 3, title: 'Bronze', description: '', image: null },
				MANAGER
			);
			const codes = await Promise.all([
				appErrorCode(() => removePrize(node(0), s.seasonId, 'place-3', MANAGER)),
				appErrorCode(() => removePrize(node(1), s.seasonId, 'place-3', MANAGER))
			]);
			expect(codes.sort()).toEqual(['ok', 'prize_gone']);
			expect(await readPrizes(node(1), s.seasonId)).toEqual([]);
			expect((await auditsOf(node(1), `season:${s.seasonId}`)).map((a) => a.action)).toEqual([
				'season.prize.create',
				'season.prize.remove'
			]);
		});

		it('another season’s badge, a place out of range or a missing season is refused and nothing changes', async () => {
			const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
			const other = await liveSeasonOn(node(0), { size: 1, teams: ['B'], endsAt: 1e13 });
			const foreign = await badgeOn(node(0), other.seasonId, 'Elsewhere');
			const refused = async (run: () => Promise<unknown>) => appErrorCode(run);
			expect(
				await refused(() =>
					savePrize(
						node(1),
						s.seasonId,
						{ badgeId: foreign, title: 'Nope', description: '', image: null },
						MANAGER
					)
				)
			).toBe('unknown_badge');
			expect(
				await refused(() =>
					savePrize(
						node(1),
						s.seasonId,
						{ place: 11, title: 'Nope', description: '', image: null },
						MANAGER
					)
				)
			).toBe('invalid_place');
			expect(
				await refused(() =>
					savePrize(
						node(1),
						1e9,
						{ place: 1, title: 'Nope', description: '', image: null },
						MANAGER
					)
				)
			).toBe('not_found');
			expect(await readPrizes(node(0), s.seasonId)).toEqual([]);
			expect(await auditsOf(node(0), `season:${s.seasonId}`)).toEqual([]);
		});
	});

	describe('the launch checklist', () => {
		it('counts what the other node added: people and products make a waiting season ready', async () => {
			const s = await liveSeasonOn(node(0), {
				size: 0,
				teams: ['A', 'B'],
				endsAt: 1e13,
				status: 'draft'
			});
			const { season, product, seasonMember, user } = node(1).tables;
			await node(1).db.update(season).set({ status: 'scheduled' }).where(eq(season.id, s.seasonId));
			const [row] = await node(0).db.select().from(season).where(eq(season.id, s.seasonId));
			const before = await launchState(node(0), row, 1);
			expect(before).toMatchObject({
				ready: false,
				waiting: true,
				missing: ['people', 'products']
			});
			expect(before.steps.find((step) => step.key === 'teams')?.done).toBe(true);
			await node(1)
				.db.insert(product)
				.values([
					{
						seasonId: s.seasonId,
						sku: 'A1',
						name: 'Off',
						category: 'Kit',
						active: false,
						points: 1
					},
					{ seasonId: s.seasonId, sku: 'A2', name: 'On', category: 'Kit', active: true, points: 1 }
				]);
			const [person] = await node(1)
				.db.insert(user)
				.values({
					email: `launch-${dialect}@example.test`,
					displayName: 'Launch',
					role: 'participant',
					passwordHash: 'not-a-real-hash'
				})
				.returning({ id: user.id });
			await node(1)
				.db.insert(seasonMember)
				.values({ seasonId: s.seasonId, userId: person.id, teamId: s.teamIds[0] });
			const after = await launchState(node(0), row, 1);
			expect(after).toMatchObject({ ready: true, waiting: false, missing: [] });
			expect(after.steps.find((step) => step.key === 'catalogue')?.detail).toMatch(/1/);
		});
	});
});
