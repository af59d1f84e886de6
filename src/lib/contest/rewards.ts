// The rewards store's arithmetic, free of storage: what a person may spend, and where a season's
// reward budget stands. Spending is not a ledger entry, so nothing here touches a ranking; the
// balance is always rebuilt from confirmed points and redemptions.

export type RedemptionState = 'pending' | 'approved' | 'rejected' | 'fulfilled';

export interface RedemptionFigures {
	points: number;
	costCents: number;
	status: RedemptionState;
}

export interface Balance {
	/** Confirmed points in the season (provisional ones cannot be spent). */
	confirmed: number;
	/** floor(confirmed × share %), never below 0. */
	spendable: number;
	/** Points held by redemptions that are pending, approved or fulfilled. */
	spent: number;
	/** What is left to spend; negative only if the share was lowered after spending. */
	balance: number;
}

/** Whether a redemption still holds its points and its stock item (a rejection gives both back). */
export function holdsPoints(status: RedemptionState): boolean {
	return status !== 'rejected';
}

/** floor(confirmed × share / 100) for a share of 0–100 %; nothing from a negative total. */
export function spendablePoints(confirmed: number, sharePercent: number): number {
	const share = Math.min(100, Math.max(0, sharePercent));
	// Both are integers: the product is exact, and floor(x / 100) cannot be pushed across an integer.
	return Math.max(0, Math.floor((confirmed * share) / 100));
}

export function balanceOf(
	confirmed: number,
	sharePercent: number,
	redemptions: readonly Pick<RedemptionFigures, 'points' | 'status'>[]
): Balance {
	const spendable = spendablePoints(confirmed, sharePercent);
	const spent = redemptions.reduce((sum, r) => sum + (holdsPoints(r.status) ? r.points : 0), 0);
	return { confirmed, spendable, spent, balance: spendable - spent };
}

export interface Budget {
	/** The season's budget in cents; null when none is set (nothing is blocked then). */
	budgetCents: number | null;
	/** Requested and not yet decided. */
	committedCents: number;
	approvedCents: number;
	fulfilledCents: number;
	/** budget − approved − fulfilled (what approvals may still use); null without a budget. */
	remainingCents: number | null;
	/** The remaining budget once every pending request were approved. */
	remainingAfterPendingCents: number | null;
	/** Unspent points (positive balances only) × the point's value. */
	liabilityCents: number;
	unspentPoints: number;
}

export function budgetOf(input: {
	budgetCents: number | null;
	pointValueCents: number;
	redemptions: readonly Pick<RedemptionFigures, 'costCents' | 'status'>[];
	balances: readonly number[];
}): Budget {
	const sum = (status: RedemptionState) =>
		input.redemptions.reduce((s, r) => s + (r.status === status ? r.costCents : 0), 0);
	const committedCents = sum('pending');
	const approvedCents = sum('approved');
	const fulfilledCents = sum('fulfilled');
	const unspentPoints = input.balances.reduce((s, b) => s + Math.max(0, b), 0);
	const remainingCents =
		input.budgetCents === null ? null : input.budgetCents - approvedCents - fulfilledCents;
	return {
		budgetCents: input.budgetCents,
		committedCents,
		approvedCents,
		fulfilledCents,
		remainingCents,
		remainingAfterPendingCents: remainingCents === null ? null : remainingCents - committedCents,
		liabilityCents: unspentPoints * Math.max(0, input.pointValueCents),
		unspentPoints
	};
}

/** Whether approving a redemption costing `costCents` keeps approved + fulfilled within budget. */
export function approvalFits(
	budget: Pick<Budget, 'budgetCents' | 'approvedCents' | 'fulfilledCents'>,
	costCents: number
): boolean {
	if (budget.budgetCents === null) return true;
	return budget.approvedCents + budget.fulfilledCents + costCents <= budget.budgetCents;
}

export type RedeemRefusal = 'inactive' | 'other_season' | 'out_of_stock' | 'limit' | 'balance';

/** Why a person cannot redeem a reward now (checked in this order), or null when they can. */
export function redeemRefusal(input: {
	active: boolean;
	usableInSeason: boolean;
	stock: number | null;
	perPersonLimit: number | null;
	alreadyRedeemed: number;
	pricePoints: number;
	balance: number;
}): RedeemRefusal | null {
	if (!input.active) return 'inactive';
	if (!input.usableInSeason) return 'other_season';
	if (input.stock !== null && input.stock <= 0) return 'out_of_stock';
	if (input.perPersonLimit !== null && input.alreadyRedeemed >= input.perPersonLimit)
		return 'limit';
	if (input.balance < input.pricePoints) return 'balance';
	return null;
}
