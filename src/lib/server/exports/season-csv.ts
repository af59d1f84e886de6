import { alias } from 'drizzle-orm/pg-core';
import { asc, eq } from 'drizzle-orm';
import type { LedgerBreakdown } from '../db/schema';
import type { Store } from '../db/store';
import { readLeaderboard } from '../boards/leaderboard';
import type { ResultEntry } from '../boards/hall-of-fame';
import { writeCsv } from '../../csv';
import { STANDARD_SHEET, type Sheet } from './sheet-format';
import { readOrganisation } from '../organisation/settings';

// Spreadsheet exports of a season. writeCsv keeps a name like "=HYPERLINK(…)" text; numbers are
// written as numbers (negative points too). Read through the store (db/store.ts): what any node
// wrote.

const RANKING_COLUMNS = [
	'scope',
	'rank',
	'name',
	'team',
	'confirmedPoints',
	'provisionalPoints',
	'salesCount'
] as const;

/** People then teams, ranks as the boards show them. */
export async function rankingCsv(
	store: Store,
	seasonId: number,
	sheet: Sheet = STANDARD_SHEET
): Promise<string> {
	const board = await readLeaderboard(store, seasonId);
	if (!board) return sheet.write(RANKING_COLUMNS, []);
	return sheet.write(RANKING_COLUMNS, [
		...board.individual.map((e) => [
			'individual',
			e.rank,
			e.name,
			e.teamName ?? '',
			e.points,
			e.provisionalPoints,
			e.salesCount ?? 0
		]),
		...board.teams.map((e) => [
			'team',
			e.rank,
			e.name,
			'',
			e.points,
			e.provisionalPoints,
			e.salesCount ?? 0
		])
	]);
}

/** A sale's rule breakdown as one readable cell: "Phone Pro 15 ×2: +100; Cross-sell ×3: +200". */
export function breakdownText(breakdown: LedgerBreakdown | null): string {
	if (!breakdown) return '';
	return breakdown.items
		.map((i) => `${i.label}: ${i.points >= 0 ? '+' : ''}${i.points}`)
		.join('; ');
}

const SALES_COLUMNS = [
	'externalId',
	'source',
	'seller',
	'sellerEmail',
	'team',
	'occurredAt',
	'sku',
	'product',
	'quantity',
	'unitPrice',
	'status',
	'linePoints',
	'salePoints',
	'breakdown',
	'currency'
] as const;

/**
 * One row per sale line, oldest sale first; prices in main units ("1099.00" or "1099,00") of the
 * organisation's currency, whose ISO code is the last column (added last, so that readers by
 * position keep working).
 */
export async function salesCsv(
	store: Store,
	seasonId: number,
	sheet: Sheet = STANDARD_SHEET
): Promise<string> {
	const { sale, saleLine, product, user, team } = store.tables;
	const rows = await store.db
		.select({
			externalId: sale.externalId,
			source: sale.source,
			seller: user.displayName,
			email: user.email,
			team: team.name,
			occurredAt: sale.occurredAt,
			sku: product.sku,
			product: product.name,
			quantity: saleLine.quantity,
			unitPrice: saleLine.unitPrice,
			status: sale.status,
			linePoints: saleLine.points,
			salePoints: sale.points,
			breakdown: sale.breakdown
		})
		.from(saleLine)
		.innerJoin(sale, eq(sale.id, saleLine.saleId))
		.innerJoin(product, eq(product.id, saleLine.productId))
		.innerJoin(user, eq(user.id, sale.sellerId))
		.innerJoin(team, eq(team.id, sale.teamId))
		.where(eq(sale.seasonId, seasonId))
		.orderBy(asc(sale.occurredAt), asc(sale.id), asc(saleLine.id));
	const { currency } = await readOrganisation(store.db, store);
	return sheet.write(
		SALES_COLUMNS,
		rows.map((r) => [
			r.externalId,
			r.source,
			r.seller,
			r.email,
			r.team,
			sheet.time(r.occurredAt),
			r.sku,
			r.product,
			r.quantity,
			sheet.price(r.unitPrice),
			r.status,
			r.linePoints,
			r.salePoints,
			breakdownText(r.breakdown),
			currency
		])
	);
}

const LEDGER_COLUMNS = [
	'id',
	'createdAt',
	'user',
	'userEmail',
	'team',
	'kind',
	'points',
	'status',
	'saleExternalId',
	'note'
] as const;

/** Every ledger entry of the season in the order they were written. */
export async function ledgerCsv(
	store: Store,
	seasonId: number,
	sheet: Sheet = STANDARD_SHEET
): Promise<string> {
	const { ledgerEntry, sale, user, team } = store.tables;
	const member = alias(user, 'member');
	const rows = await store.db
		.select({
			id: ledgerEntry.id,
			createdAt: ledgerEntry.createdAt,
			user: member.displayName,
			email: member.email,
			team: team.name,
			kind: ledgerEntry.kind,
			points: ledgerEntry.points,
			status: ledgerEntry.status,
			saleExternalId: sale.externalId,
			reason: ledgerEntry.reason,
			breakdown: ledgerEntry.breakdown
		})
		.from(ledgerEntry)
		.innerJoin(member, eq(member.id, ledgerEntry.userId))
		.innerJoin(team, eq(team.id, ledgerEntry.teamId))
		.leftJoin(sale, eq(sale.id, ledgerEntry.saleId))
		.where(eq(ledgerEntry.seasonId, seasonId))
		.orderBy(asc(ledgerEntry.id));
	return sheet.write(
		LEDGER_COLUMNS,
		rows.map((r) => [
			r.id,
			sheet.time(r.createdAt),
			r.user,
			r.email,
			r.team,
			r.kind,
			r.points,
			r.status,
			r.saleExternalId ?? '',
			// Entries without a written reason (sales, badges) explain themselves by their breakdown.
			r.reason ?? breakdownText(r.breakdown)
		])
	);
}

const RESULT_COLUMNS = [
	'scope',
	'rank',
	'name',
	'team',
	'points',
	'provisionalPoints',
	'salesCount'
] as const;

/** An ended season's frozen results: people first (scope "individual"), then teams, by rank. */
export function resultsCsv(results: { individual: ResultEntry[]; teams: ResultEntry[] }): string {
	const row = (scope: string) => (r: ResultEntry) => [
		scope,
		r.rank,
		r.name,
		scope === 'team' ? '' : (r.teamName ?? ''),
		r.points,
		r.provisionalPoints,
		r.salesCount
	];
	return writeCsv(RESULT_COLUMNS, [
		...results.individual.map(row('individual')),
		...results.teams.map(row('team'))
	]);
}
