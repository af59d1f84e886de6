// What a contest format counts over a period: every format of #17 (duels, sprints, knockouts,
// divisions, quota attainment) is a view over the same append-only ledger, and this is the one
// vocabulary they share for "how much did this person or team do between two instants".

/**
 * - `points`: the ledger's points (sales, bonuses, badges, quizzes, referrals, activities…);
 * - `sales`: the number of sales (a reversed or rejected sale no longer counts);
 * - `category`: the points of the sale lines whose product is in this category;
 * - `activity`: the points of logged activities of one type (activities/, issue #17).
 */
export type Measure =
	| { kind: 'points' }
	| { kind: 'sales' }
	| { kind: 'category'; category: string }
	| { kind: 'activity'; type: string };

/** Confirmed and provisional parts of one subject's measure over a period. */
export interface PeriodTotal {
	confirmed: number;
	provisional: number;
}

/** What a format ranks by: confirmed only, or confirmed + provisional (the season's rankBy). */
export type Counting = 'confirmed' | 'total';

export function valueOf(total: PeriodTotal | undefined, counting: Counting): number {
	if (!total) return 0;
	return counting === 'confirmed' ? total.confirmed : total.confirmed + total.provisional;
}

/** A measure as stored in a text column and shown in forms: "points", "category:Phones". */
export function measureKey(measure: Measure): string {
	switch (measure.kind) {
		case 'points':
		case 'sales':
			return measure.kind;
		case 'category':
			return `category:${measure.category}`;
		case 'activity':
			return `activity:${measure.type}`;
	}
}

/** The measure of a stored key; null for a key no format knows. */
export function parseMeasure(key: string): Measure | null {
	if (key === 'points' || key === 'sales') return { kind: key };
	const colon = key.indexOf(':');
	if (colon <= 0 || colon === key.length - 1) return null;
	const [kind, value] = [key.slice(0, colon), key.slice(colon + 1)];
	if (kind === 'category') return { kind, category: value };
	if (kind === 'activity') return { kind, type: value };
	return null;
}
