import { describe, expect, it } from 'vitest';
import {
	approvalFits,
	balanceOf,
	budgetOf,
	redeemRefusal,
	spendablePoints,
	type RedemptionState
} from './rewards';

const r = (points: number, status: RedemptionState, costCents = 0) => ({
	points,
	status,
	costCents
});

describe('spendable points', () => {
	it.each([
		[1000, 100, 1000],
		[1000, 50, 500],
		[999, 50, 499],
		[57, 33, 18],
		[1, 99, 0],
		[0, 100, 0],
		[-40, 100, 0],
		[1000, 0, 0],
		[1000, 150, 1000],
		[1000, -5, 0]
	])('%i confirmed at %i %% → %i', (confirmed, share, expected) => {
		expect(spendablePoints(confirmed, share)).toBe(expected);
	});
});

describe('balance', () => {
	it.each([
		{ name: 'nothing spent', confirmed: 500, share: 100, list: [], spent: 0, balance: 500 },
		{
			name: 'pending, approved and fulfilled hold points',
			confirmed: 500,
			share: 100,
			list: [r(100, 'pending'), r(50, 'approved'), r(25, 'fulfilled')],
			spent: 175,
			balance: 325
		},
		{
			name: 'a rejection gives its points back',
			confirmed: 500,
			share: 100,
			list: [r(100, 'rejected'), r(50, 'pending')],
			spent: 50,
			balance: 450
		},
		{
			name: 'the share applies before spending',
			confirmed: 801,
			share: 50,
			list: [r(100, 'approved')],
			spent: 100,
			balance: 300
		},
		{
			name: 'a share lowered after spending leaves a negative balance',
			confirmed: 400,
			share: 25,
			list: [r(300, 'fulfilled')],
			spent: 300,
			balance: -200
		}
	])('$name', ({ confirmed, share, list, spent, balance }) => {
		const b = balanceOf(confirmed, share, list);
		expect({ spent: b.spent, balance: b.balance }).toEqual({ spent, balance });
		expect(b.spendable).toBe(spendablePoints(confirmed, share));
	});
});

describe('budget', () => {
	const list = [
		r(100, 'pending', 1500),
		r(100, 'pending', 500),
		r(200, 'approved', 3000),
		r(50, 'fulfilled', 1000),
		r(80, 'rejected', 9999)
	];

	it('adds committed, approved and fulfilled apart; rejected counts nowhere', () => {
		const b = budgetOf({ budgetCents: 10000, pointValueCents: 2, redemptions: list, balances: [] });
		expect(b).toMatchObject({
			committedCents: 2000,
			approvedCents: 3000,
			fulfilledCents: 1000,
			remainingCents: 6000,
			remainingAfterPendingCents: 4000
		});
	});

	it('counts the liability of positive balances only, at the point value', () => {
		const b = budgetOf({
			budgetCents: null,
			pointValueCents: 5,
			redemptions: [],
			balances: [100, 0, -50, 20]
		});
		expect(b).toMatchObject({ unspentPoints: 120, liabilityCents: 600, remainingCents: null });
	});

	it.each([
		{ budget: 10000, approved: 3000, fulfilled: 1000, cost: 6000, fits: true },
		{ budget: 10000, approved: 3000, fulfilled: 1000, cost: 6001, fits: false },
		{ budget: 0, approved: 0, fulfilled: 0, cost: 0, fits: true },
		{ budget: 0, approved: 0, fulfilled: 0, cost: 1, fits: false },
		{ budget: null, approved: 9e9, fulfilled: 0, cost: 1e6, fits: true }
	])(
		'approval of $cost with $approved + $fulfilled of $budget fits: $fits',
		({ budget, approved, fulfilled, cost, fits }) => {
			expect(
				approvalFits(
					{ budgetCents: budget, approvedCents: approved, fulfilledCents: fulfilled },
					cost
				)
			).toBe(fits);
		}
	);
});

describe('redeem refusal', () => {
	const ok = {
		active: true,
		usableInSeason: true,
		stock: 3 as number | null,
		perPersonLimit: 2 as number | null,
		alreadyRedeemed: 1,
		pricePoints: 100,
		balance: 100
	};
	it.each([
		[{}, null],
		[{ stock: null, perPersonLimit: null, alreadyRedeemed: 9 }, null],
		[{ active: false }, 'inactive'],
		[{ usableInSeason: false }, 'other_season'],
		[{ stock: 0 }, 'out_of_stock'],
		[{ alreadyRedeemed: 2 }, 'limit'],
		[{ balance: 99 }, 'balance'],
		[{ stock: 0, balance: 0 }, 'out_of_stock']
	])('%o → %s', (change, expected) => {
		expect(redeemRefusal({ ...ok, ...change })).toBe(expected);
	});
});
