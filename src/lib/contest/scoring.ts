import type { CatalogueItem, SaleInput, ScoreBreakdown, LineScore } from './types';

/** A season-scoped scoring rule or campaign. Issue "Scoring rules" gives it effects. */
export interface Rule {
	id: number;
	name: string;
}

export interface ScoreContext {
	/** IANA time zone of the season, for rule windows. */
	timeZone: string;
}

export class ScoringError extends Error {
	constructor(
		readonly code: 'unknown_sku' | 'inactive_sku' | 'empty_sale',
		message: string,
		readonly sku?: string
	) {
		super(message);
	}
}

/**
 * Scores one sale against a season's catalogue: base points per unit × quantity, then the
 * season's rules. Deterministic and pure, so the same sale always earns the same points.
 */
export function score(
	sale: SaleInput,
	rules: readonly Rule[],
	catalogue: ReadonlyMap<string, CatalogueItem>,
	context: ScoreContext
): ScoreBreakdown {
	void rules;
	void context;
	if (sale.lines.length === 0) throw new ScoringError('empty_sale', 'A sale needs at least one line');
	const lines: LineScore[] = sale.lines.map((line) => {
		const item = catalogue.get(line.sku);
		if (!item) throw new ScoringError('unknown_sku', `Unknown SKU ${line.sku}`, line.sku);
		if (!item.active) throw new ScoringError('inactive_sku', `SKU ${line.sku} is not on sale`, line.sku);
		return {
			sku: item.sku,
			name: item.name,
			category: item.category,
			quantity: line.quantity,
			unitPoints: item.points,
			points: item.points * line.quantity
		};
	});
	const base = lines.reduce((sum, line) => sum + line.points, 0);
	return {
		total: base,
		base,
		lines,
		items: lines.map((line) => ({
			label: `${line.quantity} × ${line.name}`,
			points: line.points,
			sku: line.sku
		}))
	};
}
