// Which sales count towards the scores: a sale counts while it waits for review ('pending', its
// points provisional) and once approved; a rejected or reversed sale does not.

export const COUNTED_SALE_STATUSES = ['pending', 'approved'] as const;

export function saleCounts(status: string): boolean {
	return (COUNTED_SALE_STATUSES as readonly string[]).includes(status);
}
