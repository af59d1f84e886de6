import { sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { insertRows, type ManyRows } from '../db/many-rows';
import { cachedStatement } from '../db/prepared';
import type { LedgerStatus, SaleStatus } from '../db/schema';
import type { StoreDb } from '../db/store';

// The dashboard's rollups of the sales a batch held (scoring/sale-rows.ts: an import's window, a
// group of API sales on PostgreSQL). The rollups' insert triggers would run one upsert per sale,
// line and ledger entry, each a trigger run of its own and the entry's with two subqueries for its
// date; instead they stand aside while the batch inserts its rows (write, writeInWrite; the
// rollups_held migration) and the batch adds the same sums here, one upsert per season, team and
// slot or day, in the same transaction (docs/benchmarks.md, "The dashboard's rollups of a held
// batch"). Every other writer still goes through the triggers.
//
// Each sum is the triggers' (drizzle/0008, 0018): a slot is 15 minutes of UTC, a product day one
// UTC day; a sale counts while pending or approved (revenue when approved), its lines likewise;
// an entry counts unless void, dated by its sale.

const SLOT_MS = 900_000;
const DAY_MS = 86_400_000;

const SLOTS: ManyRows = {
	table: 'dashboard_slot',
	columns: ['season_id', 'team_id', 'slot', 'confirmed', 'provisional', 'sales', 'revenue'],
	then: `ON CONFLICT (season_id, slot, team_id) DO UPDATE SET
		confirmed = dashboard_slot.confirmed + excluded.confirmed,
		provisional = dashboard_slot.provisional + excluded.provisional,
		sales = dashboard_slot.sales + excluded.sales,
		revenue = dashboard_slot.revenue + excluded.revenue`
};

const PRODUCT_DAYS: ManyRows = {
	table: 'dashboard_product_day',
	columns: ['season_id', 'team_id', 'product_id', 'day', 'units', 'points'],
	then: `ON CONFLICT (season_id, day, team_id, product_id) DO UPDATE SET
		units = dashboard_product_day.units + excluded.units,
		points = dashboard_product_day.points + excluded.points`
};

const LINES: ManyRows = {
	table: 'dashboard_line',
	columns: [
		'season_id',
		'product_id',
		'occurred_at',
		'line_id',
		'sale_id',
		'team_id',
		'quantity',
		'points'
	]
};

/** A held sale as its rollups need it. */
export interface HeldSale {
	id: number;
	seasonId: number;
	teamId: number;
	occurredAt: number;
	amount: number;
	status: SaleStatus;
}

export interface HeldLine {
	id: number;
	productId: number;
	quantity: number;
	points: number;
}

export interface HeldLedgerEntry {
	seasonId: number;
	teamId: number;
	points: number;
	status: LedgerStatus;
}

export class HeldRollups {
	// Each key's row in its table's column order; the sums are added to in place.
	private slots = new Map<string, number[]>();
	private days = new Map<string, number[]>();
	private lines: number[] = [];

	/** Adds a held sale with its lines and its ledger entry. */
	add(sale: HeldSale, lines: readonly HeldLine[], entry: HeldLedgerEntry): void {
		const slot = Math.trunc(sale.occurredAt / SLOT_MS);
		if (stands(sale.status)) {
			const revenue = sale.status === 'approved' ? sale.amount : 0;
			this.addSlot(sale.seasonId, sale.teamId, slot, 0, 0, 1, revenue);
			const day = Math.trunc(sale.occurredAt / DAY_MS);
			for (const line of lines) {
				this.addDay(sale.seasonId, sale.teamId, line.productId, day, line.quantity, line.points);
				this.lines.push(
					sale.seasonId,
					line.productId,
					sale.occurredAt,
					line.id,
					sale.id,
					sale.teamId,
					line.quantity,
					line.points
				);
			}
		}
		if (entry.status === 'void') return;
		const confirmed = entry.status === 'confirmed' ? entry.points : 0;
		const provisional = entry.status === 'provisional' ? entry.points : 0;
		this.addSlot(entry.seasonId, entry.teamId, slot, confirmed, provisional, 0, 0);
	}

	/**
	 * Runs `insert` (the held rows' inserts) with the insert triggers standing aside, then writes
	 * the sums added since the last write, inside the batch's transaction, on SQLite:
	 * dashboard_hold has its row only meanwhile, and never at a commit (the row goes before an
	 * insert's error leaves here; a failed write rolls it back with the rest).
	 */
	write(db: Queryable, insert: () => void): void {
		cachedStatement(db, HOLD).run();
		try {
			insert();
		} finally {
			cachedStatement(db, RELEASE).run();
		}
		insertRows(db, SLOTS, flat(this.slots));
		insertRows(db, PRODUCT_DAYS, flat(this.days));
		insertRows(db, LINES, this.lines);
		this.clear();
	}

	/**
	 * write() on PostgreSQL, inside a store's write: the triggers read the transaction's own
	 * setting (drizzle-pg/0008_rollups_held.sql), set for this transaction only before the
	 * inserts, and turned off by the one statement that upserts the three tables' sums after them.
	 */
	async writeInWrite(tx: StoreDb, insert: () => Promise<void>): Promise<void> {
		await tx.execute(sql`select set_config('honorboard.rollups_held', 'on', true)`);
		// Note: no finally: an insert that fails fails PostgreSQL's transaction, setting and all.
		await insert();
		const arrays = [...columnsOf(SLOTS, this.slots), ...columnsOf(PRODUCT_DAYS, this.days)];
		arrays.push(...columnsOf(LINES, this.lines));
		this.clear();
		await tx.execute(
			sql.join([
				sql.raw(ROLLUPS_PARTS[0]),
				...arrays.flatMap((a, i) => [sql.param(a), sql.raw(ROLLUPS_PARTS[i + 1])])
			])
		);
	}

	private addSlot(
		seasonId: number,
		teamId: number,
		slot: number,
		confirmed: number,
		provisional: number,
		sales: number,
		revenue: number
	): void {
		const key = `${seasonId}:${teamId}:${slot}`;
		const row = this.slots.get(key);
		if (!row) {
			this.slots.set(key, [seasonId, teamId, slot, confirmed, provisional, sales, revenue]);
			return;
		}
		row[3] += confirmed;
		row[4] += provisional;
		row[5] += sales;
		row[6] += revenue;
	}

	private addDay(
		seasonId: number,
		teamId: number,
		productId: number,
		day: number,
		units: number,
		points: number
	): void {
		const key = `${seasonId}:${teamId}:${productId}:${day}`;
		const row = this.days.get(key);
		if (!row) {
			this.days.set(key, [seasonId, teamId, productId, day, units, points]);
			return;
		}
		row[4] += units;
		row[5] += points;
	}

	private clear(): void {
		this.slots.clear();
		this.days.clear();
		this.lines = [];
	}
}

const HOLD = 'INSERT INTO dashboard_hold (held) VALUES (1)';
const RELEASE = 'DELETE FROM dashboard_hold';

/**
 * PostgreSQL's one statement for a batch's sums (the three upserts as data-modifying CTEs, which
 * run whether read or not) that also turns the triggers' hold off: its text around the 21
 * arrays, each column's values unnested.
 */
const ROLLUPS_PARTS = (() => {
	const parts: string[] = [];
	let text = 'WITH ';
	const unnest = (insert: ManyRows, name: string) => {
		text += `${name} AS (INSERT INTO ${insert.table} (${insert.columns.join(', ')}) SELECT * FROM unnest(`;
		insert.columns.forEach((_, i) => {
			parts.push(text);
			text = i < insert.columns.length - 1 ? '::bigint[], ' : '::bigint[]) ';
		});
		text += `${insert.then ?? ''}), `;
	};
	unnest(SLOTS, 'slots');
	unnest(PRODUCT_DAYS, 'days');
	unnest(LINES, 'lines');
	parts.push(text.slice(0, -2) + ` SELECT set_config('honorboard.rollups_held', 'off', true)`);
	return parts;
})();

const stands = (status: SaleStatus) => status === 'pending' || status === 'approved';

/** Each column's values, of rows kept by key or of values one row after the other. */
function columnsOf(insert: ManyRows, rows: Map<string, number[]> | number[]): number[][] {
	const values = Array.isArray(rows) ? rows : flat(rows);
	const width = insert.columns.length;
	const columns: number[][] = insert.columns.map(() => []);
	for (let i = 0; i < values.length; i++) columns[i % width].push(values[i]);
	return columns;
}

function flat(rows: Map<string, number[]>): number[] {
	const values: number[] = [];
	for (const row of rows.values()) for (const value of row) values.push(value);
	return values;
}
