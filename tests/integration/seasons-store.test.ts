// The seasons' console on the store (#20, db/store.ts): the settings, the announcement, the
// prizes, editing, creating and publishing a season, with the same assertions on a temp SQLite
// file and a throwaway PostgreSQL (tests/helpers/postgres.ts). "Two nodes" are two stores on one
// database: two SQLite connections to one file, two PostgreSQL pools.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { currentAnnouncement, setAnnouncement } from '../../src/lib/server/seasons/announcements';
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
});
