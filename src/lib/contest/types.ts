// Shared shapes of the pure contest domain. Times are epoch milliseconds (UTC); money is in
// minor units (cents) so that sums are exact.

export type Role = 'participant' | 'manager' | 'executive' | 'admin';
export const ROLES: readonly Role[] = ['participant', 'manager', 'executive', 'admin'];

export type TieRule = 'competition' | 'dense';

export interface CatalogueItem {
	sku: string;
	name: string;
	category: string;
	/** Base points for one unit. */
	points: number;
	active: boolean;
}

export interface SaleLineInput {
	sku: string;
	quantity: number;
	/** Price of one unit in cents. */
	unitPrice: number;
}

export interface SaleInput {
	occurredAt: number;
	lines: SaleLineInput[];
}

export interface LineScore {
	sku: string;
	name: string;
	category: string;
	quantity: number;
	/** Base points of one unit. */
	unitPoints: number;
	points: number;
}

/** One reason why points were given: the base of a line, or what a rule added. */
export interface BreakdownItem {
	/** The item in English words, as stored on older sales; show `breakdownLabel(item)`. */
	label: string;
	points: number;
	ruleId?: number;
	sku?: string;
	/** What a rule item says, as data, so each reader gets it in their own language. */
	words?: BreakdownWords;
}

/** A rule's item: `rule` is the rule's name, `product` the line's product name (both data). */
export type BreakdownWords = (
	| { kind: 'multiplier'; rule: string; factor: number; product: string }
	| { kind: 'unit_bonus'; rule: string; points: number; quantity: number; product: string }
	| { kind: 'rule'; rule: string }
) & {
	/** 'partial' when the daily cap cut the item, 'reached' when it left nothing. */
	cap?: 'partial' | 'reached';
};

export interface ScoreBreakdown {
	total: number;
	base: number;
	lines: LineScore[];
	items: BreakdownItem[];
}
