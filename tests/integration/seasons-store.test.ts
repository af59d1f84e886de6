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
import {
	createConsoleSeason,
	createSeason,
	publishDraft
} from '../../src/lib/server/seasons/commands';
import { updateConsoleSeason } from '../../src/lib/server/seasons/edit';
import { newSeasonSchema } from '../../src/lib/server/seasons/fields';
import { parseSeasonValues, seasonValues } from '../../src/lib/server/seasons/season-form';
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

	describe('creating, publishing and editing a season', () => {
		const draft = (name: string) =>
			newSeasonSchema.parse({
				name,
				timeZone: 'Europe/Stockholm',
				startsAt: '2099-01-01T00:00:00+01:00',
				endsAt: '2099-03-31T00:00:00+02:00',
				draft: true
			});

		async function seasonRow(store: Store, seasonId: number) {
			const { season } = store.tables;
			const [row] = await store.db.select().from(season).where(eq(season.id, seasonId));
			return row;
		}

		/** The season form as the console sends it, from the season as it is, with changes. */
		async function formOf(store: Store, seasonId: number, changes: Record<string, unknown>) {
			const parsed = parseSeasonValues({
				...seasonValues(await seasonRow(store, seasonId)),
				...changes
			});
			if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
			return parsed.input;
		}

		it('a draft created on one node is published on the other; published on two nodes at once, it is published once', async () => {
			const created = await createSeason(node(0), draft('Spring push'), MANAGER, () => 1_000);
			expect(created).toMatchObject({ name: 'Spring push', status: 'draft', createdAt: 1_000 });
			expect((await seasonRow(node(1), created.id)).status).toBe('draft');
			const codes = await Promise.all([
				appErrorCode(() => publishDraft(node(0), created.id, { userId: null }, () => 2_000)),
				appErrorCode(() => publishDraft(node(1), created.id, { userId: null }, () => 2_000))
			]);
			expect(codes.sort()).toEqual(['not_draft', 'ok']);
			expect((await seasonRow(node(0), created.id)).status).toBe('scheduled');
			const { seasonTransition } = node(1).tables;
			expect(
				await node(1)
					.db.select({ to: seasonTransition.toStatus })
					.from(seasonTransition)
					.where(eq(seasonTransition.seasonId, created.id))
			).toEqual([{ to: 'scheduled' }]);
			expect((await auditsOf(node(1), `season:${created.id}`)).map((a) => a.action)).toEqual([
				'season.create',
				'season.publish'
			]);
			expect(await appErrorCode(() => publishDraft(node(1), 1e9, {}))).toBe('not_found');
		});

		it('a change saved on one node is read on the other; a new tie rule moves the board’s version', async () => {
			const created = await createSeason(node(0), draft('Summer push'), MANAGER);
			const version = await versionOf(node(0), created.id);
			const saved = await updateConsoleSeason(
				node(1),
				created.id,
				await formOf(node(1), created.id, { name: 'Summer sprint', tieRule: 'dense' }),
				{ kind: 'keep' },
				MANAGER
			);
			expect(saved.changed.sort()).toEqual(['name', 'tieRule']);
			expect(saved.season).toMatchObject({ name: 'Summer sprint', tieRule: 'dense' });
			expect(await seasonRow(node(0), created.id)).toMatchObject({
				name: 'Summer sprint',
				tieRule: 'dense',
				version: version + 1
			});
			const again = await updateConsoleSeason(
				node(0),
				created.id,
				await formOf(node(0), created.id, {}),
				{ kind: 'keep' },
				MANAGER
			);
			expect(again.changed).toEqual([]);
			expect((await auditsOf(node(0), `season:${created.id}`)).map((a) => a.action)).toEqual([
				'season.create',
				'season.update'
			]);
		});

		it('edits sent to two nodes at once both land, each audited from what the other left', async () => {
			const created = await createSeason(node(0), draft('Autumn push'), MANAGER);
			const [a, b] = await Promise.all([
				formOf(node(0), created.id, { name: 'Autumn A' }),
				formOf(node(1), created.id, { target: '500' })
			]);
			await Promise.all([
				updateConsoleSeason(node(0), created.id, a, { kind: 'keep' }, MANAGER),
				updateConsoleSeason(node(1), created.id, b, { kind: 'keep' }, MANAGER)
			]);
			const after = await seasonRow(node(1), created.id);
			const updates = (await auditsOf(node(1), `season:${created.id}`)).filter(
				(e) => e.action === 'season.update'
			);
			expect(updates).toHaveLength(2);
			// Each form holds the other field as it was read: the one saved second sets it back.
			const last = updates[1].data as Record<string, { to: unknown }>;
			expect(after.name).toBe(last.name ? last.name.to : 'Autumn push');
			expect(after.target).toBe(last.target ? last.target.to : 500);
		});

		it('a season that is not there is refused and nothing is written', async () => {
			const created = await createSeason(node(0), draft('Winter push'), MANAGER);
			const form = await formOf(node(0), created.id, { name: 'Ghost' });
			expect(
				await appErrorCode(() => updateConsoleSeason(node(1), 1e9, form, { kind: 'keep' }, MANAGER))
			).toBe('not_found');
			expect((await seasonRow(node(0), created.id)).name).toBe('Winter push');
			expect(await auditsOf(node(0), 'season:1000000000')).toEqual([]);
		});
	});

	describe('copying a season in the console', () => {
		it('a copy made on one node holds the source’s teams, members, catalogue, rules, badges and targets, read on the other', async () => {
			const s = await liveSeasonOn(node(0), { size: 3, teams: ['North', 'South'], endsAt: 1e13 });
			const { badge, product, quota, rule, season, seasonMember, team } = node(0).tables;
			await node(0)
				.db.insert(product)
				.values({ seasonId: s.seasonId, sku: 'P1', name: 'Phone', category: 'Kit', points: 5 });
			await node(0)
				.db.insert(rule)
				.values({
					seasonId: s.seasonId,
					name: 'Double',
					target: { kind: 'any' },
					effect: { kind: 'multiplier', factor: 2 },
					startsAt: 1_000,
					endsAt: 2_000
				});
			const [own] = await node(0)
				.db.insert(badge)
				.values({ seasonId: s.seasonId, name: 'Closer', criterion: { kind: 'first_sale' } })
				.returning({ id: badge.id });
			await node(0).db.insert(quota).values({
				seasonId: s.seasonId,
				subjectType: 'team',
				subjectId: s.teamIds[0],
				targetPoints: 900,
				updatedAt: 0
			});
			const [source] = await node(1).db.select().from(season).where(eq(season.id, s.seasonId));
			const parsed = parseSeasonValues({ ...seasonValues(source), name: 'Copy' });
			if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
			const copy = await createConsoleSeason(
				node(1),
				{ ...parsed.input, startsAt: 1e12, endsAt: 2e12 },
				{ status: 'draft', cloneOf: s.seasonId },
				MANAGER,
				() => 5_000
			);
			expect(copy).toMatchObject({ name: 'Copy', status: 'draft', startsAt: 1e12 });
			const teams = await node(0).db.select().from(team).where(eq(team.seasonId, copy.id));
			expect(teams.map((t) => t.name).sort()).toEqual(['North', 'South']);
			const members = await node(0)
				.db.select()
				.from(seasonMember)
				.where(eq(seasonMember.seasonId, copy.id));
			expect(members).toHaveLength(3);
			expect(members.every((m) => teams.some((t) => t.id === m.teamId))).toBe(true);
			expect(
				(await node(0).db.select().from(product).where(eq(product.seasonId, copy.id))).map(
					(p) => p.sku
				)
			).toEqual(['P1']);
			const [movedRule] = await node(0).db.select().from(rule).where(eq(rule.seasonId, copy.id));
			expect(movedRule.startsAt).toBe(1_000 + 1e12);
			const [copiedBadge] = await node(0)
				.db.select()
				.from(badge)
				.where(eq(badge.seasonId, copy.id));
			expect(copiedBadge).toMatchObject({ name: 'Closer' });
			expect(copiedBadge.id).not.toBe(own.id);
			const [target] = await node(0).db.select().from(quota).where(eq(quota.seasonId, copy.id));
			expect(target).toMatchObject({
				subjectId: teams.find((t) => t.name === 'North')!.id,
				targetPoints: 900
			});
			expect((await auditsOf(node(0), `season:${copy.id}`)).map((a) => a.data)).toEqual([
				{ name: 'Copy', status: 'draft', from: `clone:${s.seasonId}` }
			]);
		});

		it('a copy of a season that is not there is refused and nothing is written', async () => {
			const { season } = node(0).tables;
			const before = await node(0).db.select({ id: season.id }).from(season);
			const parsed = parseSeasonValues({
				...seasonValues((await node(0).db.select().from(season).limit(1))[0]),
				name: 'Orphan'
			});
			if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
			expect(
				await appErrorCode(() =>
					createConsoleSeason(node(1), parsed.input, { status: 'draft', cloneOf: 1e9 }, MANAGER)
				)
			).toBe('not_found');
			expect(await node(1).db.select({ id: season.id }).from(season)).toHaveLength(before.length);
		});
	});
});
