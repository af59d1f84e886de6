// The rewards ported onto the store (#20, db/store.ts): the catalogue, the programme, the
// balances, the four steps of a redemption with their audit entries and mails, the store page's
// read and the finance exports, with the same assertions on a temp SQLite file and a throwaway
// PostgreSQL. "Two nodes" are two stores on one database (tests/helpers/store-nodes.ts).
import { describe, expect, it } from 'vitest';
import { and, count, eq, like } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import {
	consoleSeasons,
	deleteReward,
	listRewards,
	pendingCount,
	redemptionQueue,
	saveProgramme,
	saveReward
} from '../../src/lib/server/rewards/catalogue';
import {
	approveRedemption,
	fulfilRedemption,
	rejectRedemption,
	requestRedemption
} from '../../src/lib/server/rewards/redemptions';
import { balanceFor, balancesOf, budgetFor } from '../../src/lib/server/rewards/balances';
import { storeFor } from '../../src/lib/server/rewards/store';
import { balancesCsv, redemptionsCsv } from '../../src/lib/server/rewards/rewards-csv';
import type { RewardInput } from '../../src/lib/server/rewards/reward-form';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('rewards-store');
const NOW = 1_800_000_000_000;
const BOSS = { userId: null };

let serial = 0;

function rewardInput(overrides: Partial<RewardInput>): RewardInput {
	return {
		id: null,
		name: `Reward ${++serial}`,
		description: '',
		pricePoints: 100,
		cost: 500,
		stock: null,
		perPersonLimit: null,
		active: true,
		removePicture: false,
		seasons: [],
		...overrides
	};
}

/** A live season with `points.length` members, each with that many confirmed points. */
async function makeSeason(
	store: Store,
	points: number[],
	programme = { share: 100, budget: null as number | null }
) {
	const made = await liveSeasonOn(store, {
		size: points.length,
		teams: ['Crew'],
		endsAt: NOW * 2,
		points
	});
	await saveProgramme(
		store,
		made.seasonId,
		{ share: programme.share, budget: programme.budget, pointValue: 2 },
		BOSS,
		NOW
	);
	return { seasonId: made.seasonId, people: made.people.map((person) => person.id) };
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i % 2];

	async function rows(store: Store, rewardId: number) {
		const { rewardRedemption } = store.tables;
		return store.db.select().from(rewardRedemption).where(eq(rewardRedemption.rewardId, rewardId));
	}
	async function stockOf(store: Store, rewardId: number) {
		const { reward } = store.tables;
		const [row] = await store.db
			.select({ stock: reward.stock })
			.from(reward)
			.where(eq(reward.id, rewardId));
		return row?.stock;
	}
	async function counted(store: Store, subject: string) {
		const { auditEvent, outgoingMessage } = store.tables;
		const [audits] = await store.db
			.select({ n: count() })
			.from(auditEvent)
			.where(eq(auditEvent.subject, subject));
		const [mails] = await store.db
			.select({ n: count() })
			.from(outgoingMessage)
			.where(
				and(eq(outgoingMessage.kind, 'redemption'), like(outgoingMessage.dedupeKey, `${subject}:%`))
			);
		return { audits: audits.n, mails: mails.n };
	}

	it('a reward saved on one node is listed on the other; a bad save changes nothing', async () => {
		const { seasonId } = await makeSeason(node(0), []);
		const id = await saveReward(
			node(0),
			rewardInput({ name: 'Mug', seasons: [seasonId, 999_999] }),
			undefined,
			BOSS,
			NOW
		);
		const listed = (await listRewards(node(1))).find((r) => r.id === id);
		// An unknown season is dropped, not linked.
		expect(listed).toMatchObject({
			name: 'Mug',
			pricePoints: 100,
			active: true,
			seasonIds: [seasonId]
		});
		expect((await consoleSeasons(node(1))).map((s) => s.id)).toContain(seasonId);

		const before = await listRewards(node(0));
		const { auditEvent } = node(0).tables;
		const [audits] = await node(0).db.select({ n: count() }).from(auditEvent);
		expect(
			await appErrorCode(() =>
				saveReward(node(1), rewardInput({ id: 999_999 }), undefined, BOSS, NOW)
			)
		).toBe('unknown_reward');
		expect(
			await appErrorCode(() =>
				saveProgramme(node(1), 999_999, { share: 50, budget: 100, pointValue: 1 }, BOSS, NOW)
			)
		).toBe('unknown_season');
		expect(await listRewards(node(0))).toEqual(before);
		expect((await node(0).db.select({ n: count() }).from(auditEvent))[0].n).toBe(audits.n);

		// Updating on the other node replaces its seasons.
		await saveReward(
			node(1),
			rewardInput({ id, name: 'Big mug', seasons: [] }),
			undefined,
			BOSS,
			NOW
		);
		expect((await listRewards(node(0))).find((r) => r.id === id)).toMatchObject({
			name: 'Big mug',
			seasonIds: []
		});
	});

	it('sells the last item once to people asking on both nodes at the same time', async () => {
		const { seasonId, people } = await makeSeason(node(0), [1000, 1000, 1000, 1000, 1000, 1000]);
		const id = await saveReward(node(0), rewardInput({ stock: 1 }), undefined, BOSS, NOW);
		const answers = await Promise.all(
			people.map((userId, i) =>
				appErrorCode(() =>
					requestRedemption(
						node(i),
						{ userId, rewardId: id, seasonId, requestId: `last-${i}` },
						NOW
					)
				)
			)
		);
		expect(answers.filter((a) => a === 'ok')).toHaveLength(1);
		expect(answers.filter((a) => a === 'out_of_stock')).toHaveLength(people.length - 1);
		expect(await stockOf(node(1), id)).toBe(0);
		expect(await rows(node(1), id)).toHaveLength(1);
	});

	it('never spends past a balance, whichever node each request reaches', async () => {
		// 250 points buy two of 100: four requests at once, on both nodes, get exactly two.
		const { seasonId, people } = await makeSeason(node(0), [250]);
		const id = await saveReward(node(1), rewardInput({}), undefined, BOSS, NOW);
		const answers = await Promise.all(
			[0, 1, 2, 3].map((i) =>
				appErrorCode(() =>
					requestRedemption(
						node(i),
						{ userId: people[0], rewardId: id, seasonId, requestId: `spend-${i}` },
						NOW
					)
				)
			)
		);
		expect(answers.sort()).toEqual(['not_enough_points', 'not_enough_points', 'ok', 'ok']);
		expect((await balanceFor(node(0).db, node(0), seasonId, people[0])).balance).toBe(50);
		expect(await rows(node(0), id)).toHaveLength(2);
	});

	it('counts one request id sent to both nodes at once as one redemption', async () => {
		const { seasonId, people } = await makeSeason(node(0), [1000]);
		const id = await saveReward(node(0), rewardInput({ stock: 5 }), undefined, BOSS, NOW);
		const input = { userId: people[0], rewardId: id, seasonId, requestId: 'double-tap' };
		const answers = await Promise.all([
			requestRedemption(node(0), input, NOW),
			requestRedemption(node(1), input, NOW)
		]);
		expect(answers.map((a) => a.created).sort()).toEqual([false, true]);
		expect(answers[0].redemption.id).toBe(answers[1].redemption.id);
		expect(await rows(node(0), id)).toHaveLength(1);
		expect(await stockOf(node(0), id)).toBe(4);
		expect(await counted(node(1), `redemption:${answers[0].redemption.id}`)).toEqual({
			audits: 1,
			mails: 0
		});
	});

	it('refuses what is not for sale and changes nothing', async () => {
		const { seasonId, people } = await makeSeason(node(0), [1000]);
		const other = await makeSeason(node(0), [1000]);
		const off = await saveReward(node(0), rewardInput({ active: false }), undefined, BOSS, NOW);
		const elsewhere = await saveReward(
			node(0),
			rewardInput({ seasons: [other.seasonId] }),
			undefined,
			BOSS,
			NOW
		);
		const once = await saveReward(
			node(0),
			rewardInput({ perPersonLimit: 1 }),
			undefined,
			BOSS,
			NOW
		);
		const ask = (rewardId: number, requestId: string, s = seasonId) =>
			appErrorCode(() =>
				requestRedemption(node(1), { userId: people[0], rewardId, seasonId: s, requestId }, NOW)
			);
		expect(await ask(off, 'off')).toBe('reward_inactive');
		expect(await ask(elsewhere, 'elsewhere')).toBe('reward_other_season');
		expect(await ask(999_999, 'unknown')).toBe('unknown_reward');
		expect(await ask(once, 'not-mine', other.seasonId)).toBe('not_a_member');
		expect(await ask(once, 'once-1')).toBe('ok');
		expect(await ask(once, 'once-2')).toBe('limit_reached');
		for (const id of [off, elsewhere]) expect(await rows(node(0), id)).toHaveLength(0);
		expect(await rows(node(0), once)).toHaveLength(1);
	});

	it('lets one of an approval and a rejection on two nodes win, with one audit entry and one mail', async () => {
		const { seasonId, people } = await makeSeason(node(0), [1000], { share: 100, budget: 10_000 });
		const id = await saveReward(node(0), rewardInput({ stock: 3 }), undefined, BOSS, NOW);
		const { redemption } = await requestRedemption(
			node(0),
			{ userId: people[0], rewardId: id, seasonId, requestId: 'race' },
			NOW
		);
		const answers = await Promise.all([
			appErrorCode(() => approveRedemption(node(0), redemption.id, BOSS, NOW)),
			appErrorCode(() => rejectRedemption(node(1), redemption.id, 'No mugs', BOSS, NOW))
		]);
		expect(answers.filter((a) => a === 'ok')).toHaveLength(1);
		expect(answers.filter((a) => a === 'already_decided')).toHaveLength(1);
		const [row] = await rows(node(1), id);
		expect(row.status).toBe(answers[0] === 'ok' ? 'approved' : 'rejected');
		// Stock follows the winner: a rejection gives the item back.
		expect(await stockOf(node(1), id)).toBe(row.status === 'rejected' ? 3 : 2);
		// The request, then exactly one decision: audited and mailed once.
		expect(await counted(node(0), `redemption:${redemption.id}`)).toEqual({ audits: 2, mails: 1 });
		if (row.status === 'approved') {
			await fulfilRedemption(node(1), redemption.id, BOSS, NOW);
			expect(await appErrorCode(() => fulfilRedemption(node(0), redemption.id, BOSS, NOW))).toBe(
				'already_decided'
			);
			expect(await counted(node(0), `redemption:${redemption.id}`)).toEqual({
				audits: 3,
				mails: 2
			});
		}
		expect(await appErrorCode(() => approveRedemption(node(0), 999_999, BOSS, NOW))).toBe(
			'unknown_redemption'
		);
	});

	it('approves two requests racing for the last of the budget on two nodes only once', async () => {
		// Budget 10.00; each costs 6.00: one fits, the other is refused and stays pending.
		const { seasonId, people } = await makeSeason(node(0), [1000, 1000], {
			share: 100,
			budget: 1000
		});
		const id = await saveReward(node(0), rewardInput({ cost: 600 }), undefined, BOSS, NOW);
		const asked = await Promise.all(
			people.map((userId, i) =>
				requestRedemption(
					node(i),
					{ userId, rewardId: id, seasonId, requestId: `budget-${i}` },
					NOW
				)
			)
		);
		expect(await pendingCount(node(1))).toBeGreaterThanOrEqual(2);
		const answers = await Promise.all(
			asked.map((a, i) =>
				appErrorCode(() => approveRedemption(node(i), a.redemption.id, BOSS, NOW))
			)
		);
		expect(answers.sort()).toEqual(['ok', 'over_budget']);
		expect((await rows(node(0), id)).map((r) => r.status).sort()).toEqual(['approved', 'pending']);
		const budget = await budgetFor(node(1).db, node(1), seasonId);
		expect(budget).toMatchObject({ budgetCents: 1000, approvedCents: 600 });
		const queue = await redemptionQueue(node(1), seasonId);
		expect(queue.map((r) => r.status)).toEqual(['pending', 'approved']);
	});

	it('sends no decision mail to someone who switched redemption mails off', async () => {
		const { seasonId, people } = await makeSeason(node(0), [1000]);
		const { notificationOptOut } = node(0).tables;
		await node(0)
			.db.insert(notificationOptOut)
			.values({ userId: people[0], channel: 'email', kind: 'redemption' });
		const id = await saveReward(node(0), rewardInput({}), undefined, BOSS, NOW);
		const { redemption } = await requestRedemption(
			node(0),
			{ userId: people[0], rewardId: id, seasonId, requestId: 'quiet' },
			NOW
		);
		await approveRedemption(node(1), redemption.id, BOSS, NOW);
		expect(await counted(node(0), `redemption:${redemption.id}`)).toEqual({ audits: 2, mails: 0 });
	});

	it('deletes only a reward nobody asked for', async () => {
		const { seasonId, people } = await makeSeason(node(0), [1000]);
		const used = await saveReward(node(0), rewardInput({}), undefined, BOSS, NOW);
		const unused = await saveReward(node(0), rewardInput({}), undefined, BOSS, NOW);
		await requestRedemption(
			node(0),
			{ userId: people[0], rewardId: used, seasonId, requestId: 'keep' },
			NOW
		);
		expect(await appErrorCode(() => deleteReward(node(1), used, BOSS, NOW))).toBe('reward_in_use');
		expect(await appErrorCode(() => deleteReward(node(1), unused, BOSS, NOW))).toBe('ok');
		expect(await appErrorCode(() => deleteReward(node(1), unused, BOSS, NOW))).toBe(
			'unknown_reward'
		);
		const ids = (await listRewards(node(0))).map((r) => r.id);
		expect(ids).toContain(used);
		expect(ids).not.toContain(unused);
	});

	it('shows the store page, the balances and the exports the same from either node', async () => {
		const { seasonId, people } = await makeSeason(node(0), [400, 0], { share: 50, budget: null });
		const id = await saveReward(
			node(0),
			rewardInput({ name: 'Cap', pricePoints: 150 }),
			undefined,
			BOSS,
			NOW
		);
		await requestRedemption(
			node(0),
			{ userId: people[0], rewardId: id, seasonId, requestId: 'cap' },
			NOW
		);
		const page = await storeFor(node(1), people[0], seasonId);
		expect(page.season?.id).toBe(seasonId);
		expect(page.sharePercent).toBe(50);
		expect(page.season?.balance).toEqual({
			confirmed: 400,
			spendable: 200,
			spent: 150,
			balance: 50
		});
		expect(page.rewards.find((r) => r.id === id)?.mine).toBe(1);
		expect(page.redemptions.map((r) => [r.reward, r.status])).toEqual([['Cap', 'pending']]);
		const balances = await balancesOf(node(1).db, node(1), seasonId);
		expect([...balances.entries()].sort()).toEqual([
			[people[0], { confirmed: 400, spendable: 200, spent: 150, balance: 50 }],
			[people[1], { confirmed: 0, spendable: 0, spent: 0, balance: 0 }]
		]);
		const [redemptions, money] = await Promise.all([
			redemptionsCsv(node(1), seasonId),
			balancesCsv(node(1), seasonId)
		]);
		expect(redemptions.split('\n')[1]).toContain('Cap');
		// 50 points left at 2 cents each.
		expect(money).toMatch(/Person \d+\.0,s\d+-p0@example\.test,400,200,150,50,1(\.00)?,/);
		expect(await redemptionsCsv(node(0), seasonId)).toBe(redemptions);
	});
});
