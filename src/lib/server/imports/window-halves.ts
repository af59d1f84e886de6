import type { ImportError, RowRead, SaleGroup } from './sales-csv';

// A window of an import that keeps losing its write to other writers (another node selling to
// the same sellers on PostgreSQL: its serializable write conflicts on their standings and the
// season's version) is written in two halves, each a window of its own with its own checkpoint,
// halved again while it loses, down to one sale. A shorter write overlaps fewer of the other
// writers' commits: at 40 sales a window lost all ten attempts of write() against a node selling
// back to back, and the import failed.

/** The rows read since the last window was written. */
export interface WindowRows {
	groups: Map<string, SaleGroup>;
	refused: Extract<RowRead, { errors: ImportError[] }>[];
	badIds: Map<string, number>;
	rows: number;
	/** A half of a window that lost its write: it claims its seasons from its first run. */
	contended?: boolean;
}

/** Rows that stay in one window: a sale's (its lines and its refused rows), or one refused row. */
interface Unit {
	first: number;
	last: number;
	sale: boolean;
}

/**
 * The window cut in two at a row after which no sale has a row before it, its sales shared as
 * evenly as such a row allows; null when no cut leaves a sale on each side (one sale, or sales
 * whose lines interleave throughout). Rows stay contiguous on each side, so each half's
 * checkpoint says "every row up to here", as a window's does.
 */
export function halvesOf(window: WindowRows): [WindowRows, WindowRows] | null {
	const units = unitsOf(window);
	const sales = window.groups.size;
	let reach = 0;
	let salesBefore = 0;
	let cut: { row: number; sales: number } | null = null;
	for (let i = 0; i < units.length - 1; i++) {
		reach = Math.max(reach, units[i].last);
		if (units[i].sale) salesBefore += 1;
		if (reach >= units[i + 1].first || salesBefore === 0 || salesBefore === sales) continue;
		if (!cut || Math.abs(2 * salesBefore - sales) < Math.abs(2 * cut.sales - sales))
			cut = { row: reach, sales: salesBefore };
	}
	if (!cut) return null;
	const at = cut.row;
	return [partOf(window, (row) => row <= at), partOf(window, (row) => row > at)];
}

function unitsOf({ groups, refused }: WindowRows): Unit[] {
	const units = new Map<string, Unit>();
	const extend = (key: string, row: number, sale: boolean) => {
		const unit = units.get(key);
		if (!unit) units.set(key, { first: row, last: row, sale });
		else {
			unit.first = Math.min(unit.first, row);
			unit.last = Math.max(unit.last, row);
			unit.sale ||= sale;
		}
	};
	for (const group of groups.values())
		for (const r of group.rows) extend(`id:${group.externalId}`, r.row, true);
	for (const r of refused)
		extend(r.externalId ? `id:${r.externalId}` : `row:${r.row}`, r.row, false);
	return [...units.values()].sort((a, b) => a.first - b.first);
}

function partOf(window: WindowRows, has: (row: number) => boolean): WindowRows {
	const groups = new Map([...window.groups].filter(([, group]) => has(group.rows[0].row)));
	const refused = window.refused.filter((r) => has(r.row));
	const badIds = new Map([...window.badIds].filter(([, row]) => has(row)));
	let rows = refused.length;
	for (const group of groups.values()) rows += group.rows.length;
	return { groups, refused, badIds, rows, contended: true };
}
