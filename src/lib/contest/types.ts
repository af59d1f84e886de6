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
	label: string;
	points: number;
	ruleId?: number;
	sku?: string;
}

export interface ScoreBreakdown {
	total: number;
	base: number;
	lines: LineScore[];
	items: BreakdownItem[];
}
