// What the pages that answered 503 on PostgreSQL read, on the store (#20, db/store.ts): a
// season's rules (`/how-to-score`, `/manage/rules`), the campaigns the board and the TV announce,
// the TV's latest badges, a person's badges on their profile (`/people/[id]`); the same data written on one node gives the same answer on the other,
// on a temp SQLite file and on a throwaway PostgreSQL.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { createRule } from '../../src/lib/server/rules/commands';
import { readRules } from '../../src/lib/server/rules/queries';
import { readCampaigns } from '../../src/lib/server/rules/campaigns';
import { createProduct } from '../../src/lib/server/catalogue/products';
import { readRecentAwards } from '../../src/lib/server/boards/recent-awards';
import { buildProfile } from '../../src/lib/server/boards/profile';
import { readBoardTop } from '../../src/lib/server/boards/leaderboard';
import type { RuleDraft } from '../../src/lib/server/rules/rule-form';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('pages-store');
const MANAGER = {};
const NOW = 10_000;

const draft = (name: string, over: Partial<RuleDraft> = {}): RuleDraft => ({
	name,
	active: true,
	highlight: true,
	startsAt: null,
	endsAt: null,
	target: { kind: 'sku', sku: 'PHONE' },
	effect: { kind: 'multiplier', factor: 2 },
	dailyCap: null,
	...over
});

async function seasonWithRules(store: Store) {
	const season = await liveSeasonOn(store, { size: 2, teams: ['A'], endsAt: 1e13 });
	await createProduct(
		store,
		season.seasonId,
		{ sku: 'PHONE', name: 'Phone X', category: 'Phones', points: 10, price: 500, active: true },
		MANAGER
	);
	const rules = [
		draft('Live'),
		draft('Not highlighted', { highlight: false }),
		draft('Switched off', { active: false }),
		draft('Coming', { startsAt: NOW + 1 }),
		draft('Over', { endsAt: NOW }),
		draft('Until later', { startsAt: NOW, endsAt: NOW + 1 })
	];
	for (const rule of rules) await createRule(store, season.seasonId, rule, MANAGER);
	return season;
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it("reads a season's rules oldest first, none of another season's", async () => {
		const { seasonId } = await seasonWithRules(node(0));
		await seasonWithRules(node(0));
		const rules = await readRules(node(1), seasonId);
		expect(rules.map((r) => r.name)).toEqual([
			'Live',
			'Not highlighted',
			'Switched off',
			'Coming',
			'Over',
			'Until later'
		]);
		expect(rules.every((r) => r.seasonId === seasonId)).toBe(true);
		expect(rules[0]).toMatchObject({ active: true, highlight: true, target: draft('').target });
	});

	it('announces the rules on, highlighted and inside their window, described with the catalogue', async () => {
		const season = await seasonWithRules(node(0));
		const campaigns = await readCampaigns(node(1), { id: season.seasonId, timeZone: 'UTC' }, NOW);
		expect(campaigns.map((c) => c.name)).toEqual(['Live', 'Until later']);
		// The product's name, not its SKU: the catalogue was read.
		expect(campaigns[0].text).toContain('Phone X');
		const empty = await liveSeasonOn(node(0), { size: 0, teams: ['A'], endsAt: 1e13 });
		expect(await readCampaigns(node(1), { id: empty.seasonId, timeZone: 'UTC' }, NOW)).toEqual([]);
	});

	it("lists the season's latest badges with their badge, newest first, none withdrawn", async () => {
		const store = node(0);
		const { badge, award } = store.tables;
		const { seasonId, people } = await liveSeasonOn(store, { size: 2, teams: ['A'], endsAt: 1e13 });
		const other = await liveSeasonOn(store, { size: 1, teams: ['B'], endsAt: 1e13 });
		const [first] = await store.db
			.insert(badge)
			.values({ seasonId, name: 'First sale', emoji: '🥇', criterion: { kind: 'first_sale' } })
			.returning({ id: badge.id });
		const given = (subjectId: number, at: number, status: 'confirmed' | 'void' = 'confirmed') => ({
			badgeId: first.id,
			seasonId,
			subjectType: 'user' as const,
			subjectId,
			earnedAt: at,
			createdAt: at,
			status
		});
		await store.db
			.insert(award)
			.values([
				given(people[0].id, 1),
				given(people[1].id, 2),
				given(people[1].id, 3, 'void'),
				{ ...given(other.people[0].id, 4), seasonId: other.seasonId }
			]);
		const awards = await readRecentAwards(node(1), seasonId, 5);
		expect(awards.map((a) => [a.subjectId, a.earnedAt, a.badge.name, a.badge.emoji])).toEqual([
			[people[1].id, 2, 'First sale', '🥇'],
			[people[0].id, 1, 'First sale', '🥇']
		]);
		expect(awards[0].badge.criterion).toEqual({ kind: 'first_sale' });
		expect(await readRecentAwards(node(1), seasonId, 1)).toHaveLength(1);
	});

	it("shows a person's badges on their profile: earned, their team's, to earn, withdrawn", async () => {
		const store = node(0);
		const { badge, award, season } = store.tables;
		const s = await liveSeasonOn(store, {
			size: 2,
			teams: ['A'],
			endsAt: 1e13,
			points: [50, 20]
		});
		const [me] = s.people;
		const made = await store.db
			.insert(badge)
			.values([
				{ seasonId: s.seasonId, name: 'Hat trick', emoji: '🎩', criterion: { kind: 'first_sale' } },
				{
					seasonId: s.seasonId,
					name: 'Team target',
					emoji: '🎯',
					criterion: { kind: 'team_target', target: 100 }
				},
				{ seasonId: s.seasonId, name: 'Closer', emoji: '🤝', criterion: { kind: 'first_sale' } },
				{
					seasonId: s.seasonId,
					name: 'Retired',
					emoji: '💤',
					criterion: { kind: 'first_sale' },
					active: false
				},
				{ seasonId: s.seasonId, name: 'Lost one', emoji: '🫥', criterion: { kind: 'first_sale' } }
			])
			.returning({ id: badge.id });
		const [hat, target, closer, , lost] = made.map((b) => b.id);
		const given = (
			badgeId: number,
			subjectType: 'user' | 'team',
			subjectId: number,
			at: number,
			status: 'confirmed' | 'provisional' | 'void' = 'confirmed'
		) => ({
			badgeId,
			seasonId: s.seasonId,
			subjectType,
			subjectId,
			periodKey: String(at),
			earnedAt: at,
			createdAt: at,
			status,
			voidedAt: status === 'void' ? at + 1 : null
		});
		await store.db
			.insert(award)
			.values([
				given(hat, 'user', me.id, 1),
				given(hat, 'user', me.id, 2, 'provisional'),
				given(lost, 'user', me.id, 3, 'void'),
				given(target, 'team', s.teamIds[0], 4)
			]);
		const [row] = await node(1).db.select().from(season).where(eq(season.id, s.seasonId));
		const profile = (await buildProfile(node(1), row, me.id, 10))!;
		expect(profile.badges.earned).toEqual([
			{
				id: hat,
				name: 'Hat trick',
				emoji: '🎩',
				description: '',
				times: 2,
				earnedAt: 2,
				pending: false,
				prize: null
			}
		]);
		expect(profile.badges.team.map((b) => b.id)).toEqual([target]);
		// Not the earned one, not a team's, not one switched off; one withdrawn may be earned again.
		expect(profile.badges.toEarn.map((b) => b.id)).toEqual([closer, lost]);
		expect(profile.badges.withdrawn).toMatchObject([{ name: 'Lost one', at: 4 }]);
	});

	it("ranks the teams from their own standings, as the pushes' synchronous board does", async () => {
		const store = node(0);
		const { standing } = store.tables;
		const s = await liveSeasonOn(store, {
			size: 2,
			teams: ['North', 'South', 'East'],
			endsAt: 1e13,
			points: [10, 20]
		});
		const [north, south] = s.teamIds;
		const teamStanding = (
			subjectId: number,
			confirmedPoints: number,
			provisionalPoints: number
		) => ({
			seasonId: s.seasonId,
			subjectType: 'team' as const,
			subjectId,
			confirmedPoints,
			provisionalPoints,
			salesCount: 3,
			reachedAt: 5,
			updatedAt: 0
		});
		await store.db
			.insert(standing)
			.values([teamStanding(north, 100, 50), teamStanding(south, 120, 0)]);
		const board = (await readBoardTop(node(1), s.seasonId))!;
		expect(
			board.teams.map((t) => [t.rank, t.name, t.points, t.provisionalPoints, t.salesCount])
		).toEqual([
			[1, 'South', 120, 0, 3],
			[2, 'North', 100, 50, 3],
			[3, 'East', 0, 0, 0]
		]);
	});
});
