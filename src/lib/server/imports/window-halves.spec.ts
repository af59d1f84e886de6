import { describe, expect, it } from 'vitest';
import { halvesOf, type WindowRows } from './window-halves';
import type { ParsedRow } from './sales-csv';

/**
 * A window from its rows in file order: `A` a line of sale A, `-` a row refused without an id,
 * `a!` a row of sale A refused while reading (the whole sale is refused with it).
 */
function windowOf(rows: string[]): WindowRows {
	const window: WindowRows = { groups: new Map(), refused: [], badIds: new Map(), rows: 0 };
	rows.forEach((cell, i) => {
		const row = i + 1;
		window.rows += 1;
		if (cell === '-' || cell.endsWith('!')) {
			const externalId = cell === '-' ? '' : cell.slice(0, -1).toUpperCase();
			window.refused.push({
				row,
				externalId,
				errors: [{ row, column: '', message: '', code: 'x' }]
			});
			if (externalId && !window.badIds.has(externalId)) window.badIds.set(externalId, row);
			return;
		}
		const group = window.groups.get(cell) ?? { externalId: cell, rows: [] };
		group.rows.push({ row, externalId: cell } as ParsedRow);
		window.groups.set(cell, group);
	});
	return window;
}

/** Each half as the rows it holds, in order, written as windowOf takes them. */
function rowsOf(window: WindowRows): string[] {
	const cells: [number, string][] = [];
	for (const group of window.groups.values())
		for (const r of group.rows) cells.push([r.row, group.externalId]);
	for (const r of window.refused)
		cells.push([r.row, r.externalId ? `${r.externalId.toLowerCase()}!` : '-']);
	return cells.sort((a, b) => a[0] - b[0]).map(([, cell]) => cell);
}

describe('halvesOf', () => {
	it.each([
		{
			rows: ['A', 'B', 'C', 'D'],
			halves: [
				['A', 'B'],
				['C', 'D']
			]
		},
		// Sales, not rows, are shared: of two equal cuts the first.
		{
			rows: ['A', 'A', 'B', 'C', 'C', 'C'],
			halves: [
				['A', 'A'],
				['B', 'C', 'C', 'C']
			]
		},
		// Sale A's lines around B's: B stays with A.
		{ rows: ['A', 'B', 'A', 'C'], halves: [['A', 'B', 'A'], ['C']] },
		// A row refused with A's id belongs to A (the whole sale is refused); one without an id
		// goes with the rows before it or after it.
		{
			rows: ['A', '-', 'B', 'a!', 'C', 'D'],
			halves: [
				['A', '-', 'B', 'a!'],
				['C', 'D']
			]
		},
		{
			rows: ['-', 'A', '-', 'B', '-'],
			halves: [
				['-', 'A'],
				['-', 'B', '-']
			]
		}
	])('cuts $rows between whole sales', ({ rows, halves }) => {
		const cut = halvesOf(windowOf(rows));
		expect(cut?.map(rowsOf)).toEqual(halves);
		expect(cut?.map((half) => half.rows)).toEqual(halves.map((half) => half.length));
	});

	it.each([
		{ rows: ['A'] },
		{ rows: ['A', 'A', '-'] },
		{ rows: ['-', '-'] },
		// Lines that interleave throughout: no row has every sale before it or after it.
		{ rows: ['A', 'B', 'A', 'B'] }
	])('leaves $rows whole', ({ rows }) => {
		expect(halvesOf(windowOf(rows))).toBeNull();
	});

	it("keeps a refused row's sale id with its sale", () => {
		const [first, second] = halvesOf(windowOf(['A', 'B', 'b!', 'C']))!;
		expect(rowsOf(first)).toEqual(['A']);
		expect([...first.badIds]).toEqual([]);
		expect([...second.badIds]).toEqual([['B', 3]]);
	});
});
