import { and, desc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Store } from '../db/store';
import type { ledgerEntry, sale, LedgerBreakdown } from '../db/schema';
import { sayReason } from '../scoring/stored-reasons';

export interface HistoryRow {
	id: number;
	kind: string;
	points: number;
	status: string;
	reason: string | null;
	breakdown: LedgerBreakdown | null;
	at: number;
	by: string | null;
	sale: {
		id: number;
		status: string;
		occurredAt: number;
		customerRef: string | null;
		reviewReason: string | null;
	} | null;
	/** The activity an entry scores or voids (#17). */
	activity: { id: number; status: string } | null;
}

/**
 * A person's ledger in a season, newest first: sales with their breakdowns, reviews, adjustments,
 * activities and their voids; what any node wrote, for the consoles.
 */
export async function readPersonHistory(
	store: Store,
	seasonId: number,
	userId: number,
	limit = 200
): Promise<HistoryRow[]> {
	const { activity, ledgerEntry, sale, user } = store.tables;
	const author = alias(user, 'author');
	const rows = await store.db
		.select({
			entry: ledgerEntry,
			sale,
			activity: { id: activity.id, status: activity.status },
			by: author.displayName
		})
		.from(ledgerEntry)
		.leftJoin(sale, eq(sale.id, ledgerEntry.saleId))
		.leftJoin(activity, eq(activity.id, ledgerEntry.activityId))
		.leftJoin(author, eq(author.id, ledgerEntry.createdById))
		.where(and(eq(ledgerEntry.seasonId, seasonId), eq(ledgerEntry.userId, userId)))
		.orderBy(desc(ledgerEntry.createdAt), desc(ledgerEntry.id))
		.limit(limit);
	return rows.flatMap(historyRow);
}

type Entry = typeof ledgerEntry.$inferSelect;
type Sale = typeof sale.$inferSelect;

/** One ledger entry as the history shows it; none for a reversal of nothing (0 points). */
function historyRow(row: {
	entry: Entry;
	sale: Sale | null;
	activity: { id: number; status: string } | null;
	by: string | null;
}): HistoryRow[] {
	const { entry, sale } = row;
	if (entry.kind === 'reversal' && entry.points === 0) return [];
	return [
		{
			id: entry.id,
			kind: entry.kind,
			points: entry.points,
			status: entry.status,
			reason: sayReason(entry.reason),
			breakdown: entry.breakdown ?? null,
			at: entry.createdAt,
			by: row.by,
			sale: sale
				? {
						id: sale.id,
						status: sale.status,
						occurredAt: sale.occurredAt,
						customerRef: sale.customerRef,
						reviewReason: sayReason(sale.reviewReason)
					}
				: null,
			activity: row.activity
		}
	];
}
