// Note: PostgreSQL's alias is the same proxy as SQLite's (drizzle-orm's TableAliasProxyHandler),
// typed for store.tables; it loads no driver.
import { alias } from 'drizzle-orm/pg-core';
import { asc, eq } from 'drizzle-orm';
import type { Store } from '../db/store';
import { STANDARD_SHEET, type Sheet } from '../exports/sheet-format';
import { readOrganisation } from '../organisation/settings';
import { balancesOf, programmeOf } from './balances';

// The rewards exports for finance: every redemption of a season (who, what, points, cost,
// status, dates, who decided) and every person's balance with its money value.

const REDEMPTION_COLUMNS = [
	'id',
	'person',
	'email',
	'reward',
	'points',
	'cost',
	'currency',
	'status',
	'requestedAt',
	'decidedAt',
	'decidedBy',
	'reason',
	'fulfilledAt',
	'fulfilledBy'
] as const;

export async function redemptionsCsv(
	store: Store,
	seasonId: number,
	sheet: Sheet = STANDARD_SHEET
) {
	const { reward, rewardRedemption, user } = store.tables;
	const person = alias(user, 'person');
	const decider = alias(user, 'decider');
	const fulfiller = alias(user, 'fulfiller');
	const rows = await store.db
		.select({
			r: rewardRedemption,
			reward: reward.name,
			person: person.displayName,
			email: person.email,
			decidedBy: decider.displayName,
			fulfilledBy: fulfiller.displayName
		})
		.from(rewardRedemption)
		.innerJoin(reward, eq(reward.id, rewardRedemption.rewardId))
		.innerJoin(person, eq(person.id, rewardRedemption.userId))
		.leftJoin(decider, eq(decider.id, rewardRedemption.decidedById))
		.leftJoin(fulfiller, eq(fulfiller.id, rewardRedemption.fulfilledById))
		.where(eq(rewardRedemption.seasonId, seasonId))
		.orderBy(asc(rewardRedemption.createdAt), asc(rewardRedemption.id));
	const { currency } = await readOrganisation(store.db, store);
	const at = (ms: number | null) => (ms === null ? '' : sheet.time(ms));
	return sheet.write(
		REDEMPTION_COLUMNS,
		rows.map(({ r, ...x }) => [
			r.id,
			x.person,
			x.email,
			x.reward,
			r.points,
			sheet.price(r.costCents),
			currency,
			r.status,
			at(r.createdAt),
			at(r.decidedAt),
			x.decidedBy ?? '',
			r.reason ?? '',
			at(r.fulfilledAt),
			x.fulfilledBy ?? ''
		])
	);
}

const BALANCE_COLUMNS = [
	'person',
	'email',
	'confirmedPoints',
	'spendablePoints',
	'spentPoints',
	'balancePoints',
	'balanceValue',
	'currency'
] as const;

export async function balancesCsv(store: Store, seasonId: number, sheet: Sheet = STANDARD_SHEET) {
	const { user } = store.tables;
	const { pointValueCents } = await programmeOf(store.db, store, seasonId);
	const { currency } = await readOrganisation(store.db, store);
	const balances = await balancesOf(store.db, store, seasonId);
	const people = (
		await store.db
			.select({ id: user.id, name: user.displayName, email: user.email })
			.from(user)
			.orderBy(asc(user.displayName))
	).filter((p) => balances.has(p.id));
	return sheet.write(
		BALANCE_COLUMNS,
		people.map((p) => {
			const b = balances.get(p.id)!;
			return [
				p.name,
				p.email,
				b.confirmed,
				b.spendable,
				b.spent,
				b.balance,
				sheet.price(Math.max(0, b.balance) * pointValueCents),
				currency
			];
		})
	);
}
