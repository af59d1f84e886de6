// Which sales and ledger entries count towards the scores. A sale counts while it waits for
// review ('pending', its points provisional) and once approved; a rejected or reversed sale does
// not. A ledger entry counts unless it was voided.

export const COUNTED_SALE_STATUSES = ['pending', 'approved'] as const;

export function saleCounts(status: string): boolean {
	return (COUNTED_SALE_STATUSES as readonly string[]).includes(status);
}

export function entryCounts(status: string): boolean {
	return status !== 'void';
}
