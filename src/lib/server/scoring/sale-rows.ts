import {
	drawIdsInWrite,
	idsDrawnAreReserved,
	insertRowsInWrite,
	type ManyRows
} from '../db/many-rows';
import type { LedgerKind, LedgerStatus, SaleSource, SaleStatus } from '../db/schema';
import type { Store, StoreDb } from '../db/store';

// An import's window records hundreds of sales in one transaction. SaleRows holds the new
// sales' rows (sale, lines, ledger entry) and writes them many per statement (db/many-rows.ts);
// the dashboard triggers still fire for every row, so the rollups are the ones the one-by-one
// path leaves.
//
// Ids are given here, so that a sale's id is known when it is recorded (its lines and ledger
// entry, the answer) though its row is written later. In a store's write (addInWrite,
// writeInWrite) they are drawn many in one statement (drawInWrite: the window's expected count up
// front; db/many-rows.ts drawIdsInWrite): on PostgreSQL from the tables' sequences, since other
// nodes insert into the same tables meanwhile (ids drawn and not used, a sale refused after the
// draw, are gaps, as a rolled-back insert leaves); on SQLite as AUTOINCREMENT gives them (one
// more than the largest ever used), drawn again once the held rows are written. A SaleRows belongs
// to one run of one write: one that runs again (a serialization failure) starts with a new one,
// so that nothing drawn or held in the lost run is written.

/** A new sale's columns (breakdown as its JSON text). */
export interface SaleValues {
	seasonId: number;
	source: SaleSource;
	externalId: string;
	sellerId: number;
	teamId: number;
	occurredAt: number;
	amount: number;
	customerRef: string | null;
	status: SaleStatus;
	points: number;
	flagReason: string | null;
	breakdown: string;
	createdById: number | null;
	createdAt: number;
}

export interface LineValues {
	productId: number;
	quantity: number;
	unitPrice: number;
	points: number;
}

/** The sale's ledger entry (its sale is the one it is held with; breakdown as JSON text). */
export interface EntryValues {
	seasonId: number;
	userId: number;
	teamId: number;
	kind: LedgerKind;
	points: number;
	status: LedgerStatus;
	breakdown: string | null;
	reason: string | null;
	createdById: number | null;
	createdAt: number;
}

type Table = 'sale' | 'sale_line' | 'ledger_entry';

/**
 * A held sale's ledger entry as the badge facts read it back after the window's write
 * (badges/facts.ts catchUpFacts): the window's facts take these instead of reading its own
 * entries again with their sales and categories (~4 % of an import's window).
 */
export interface HeldEntry {
	id: number;
	saleId: number;
	kind: 'sale';
	points: number;
	seasonId: number;
	userId: number;
	teamId: number;
	occurredAt: number;
	amount: number;
	status: SaleStatus;
	/** The sale's products' categories, each once, in line order. */
	categories: string[];
}

const INSERTS: Record<Table, ManyRows> = {
	sale: {
		table: 'sale',
		columns: [
			'id',
			'season_id',
			'source',
			'external_id',
			'seller_id',
			'team_id',
			'occurred_at',
			'amount',
			'customer_ref',
			'status',
			'points',
			'flag_reason',
			'breakdown',
			'created_by_id',
			'created_at'
		]
	},
	sale_line: {
		table: 'sale_line',
		columns: ['id', 'sale_id', 'product_id', 'quantity', 'unit_price', 'points']
	},
	ledger_entry: {
		table: 'ledger_entry',
		columns: [
			'id',
			'season_id',
			'user_id',
			'team_id',
			'sale_id',
			'award_id',
			'activity_id',
			'kind',
			'points',
			'status',
			'breakdown',
			'reason',
			'created_by_id',
			'created_at'
		]
	}
};

const TABLES = ['sale', 'sale_line', 'ledger_entry'] as const;

/** The held rows' inserts, in the order they are written: the lines' and entries' triggers read their sale. */
export const HELD_INSERTS = TABLES.map((table) => INSERTS[table]);

export class SaleRows {
	// Each table's held rows, their values one after the other in COLUMNS order.
	private values: Record<Table, unknown[]> = { sale: [], sale_line: [], ledger_entry: [] };
	// Ids drawn and not given yet (each table's ascending): PostgreSQL's from the sequences,
	// SQLite's as AUTOINCREMENT gives them.
	private drawn: Record<Table, number[]> | null = null;
	private given: Record<Table, number> = { sale: 0, sale_line: 0, ledger_entry: 0 };
	// The held sales by their id space (one for the integrations, one per other source).
	private keys = new Set<string>();
	/** Every entry held since this batch began, written or not, in id order. */
	readonly entries: HeldEntry[] = [];

	/**
	 * Holds a new sale with its lines and ledger entry; returns the sale's id: from those drawn,
	 * drawing this sale's when none are left (drawInWrite draws the window's at once).
	 */
	async addInWrite(
		tx: StoreDb,
		store: Store,
		sale: SaleValues,
		lines: LineValues[],
		entry: EntryValues,
		integration: boolean,
		categories: string[]
	): Promise<number> {
		await this.drawInWrite(tx, store, 1, lines.length);
		return this.hold(sale, lines, entry, integration, categories);
	}

	/**
	 * Makes sure ids for `sales` more sales of `lines` lines in all are drawn: one statement when
	 * some are missing, none otherwise (db/many-rows.ts drawIdsInWrite).
	 */
	async drawInWrite(tx: StoreDb, store: Store, sales: number, lines: number): Promise<void> {
		const wanted: Record<Table, number> = { sale: sales, sale_line: lines, ledger_entry: sales };
		const drawn = (this.drawn ??= { sale: [], sale_line: [], ledger_entry: [] });
		const missing = {} as Record<Table, number>;
		for (const table of TABLES)
			missing[table] = Math.max(0, wanted[table] - (drawn[table].length - this.given[table]));
		if (TABLES.every((table) => missing[table] === 0)) return;
		if (!idsDrawnAreReserved(store)) {
			// SQLite: the next free ids, the same first ones again while nothing held is written:
			// those given already, then the ones wanted.
			const all = {} as Record<Table, number>;
			for (const table of TABLES) all[table] = this.given[table] + wanted[table];
			this.drawn = await drawIdsInWrite(tx, store, all);
			return;
		}
		const more = await drawIdsInWrite(tx, store, missing);
		for (const table of TABLES) {
			drawn[table] = drawn[table].slice(this.given[table]).concat(more[table]);
			this.given[table] = 0;
		}
	}

	/**
	 * Takes ids drawn elsewhere in the write (PostgreSQL: with the group's sellers, in their read
	 * ahead, SaleLookups.readSellersAheadInWrite) as if drawInWrite had drawn them.
	 */
	takeDrawn(ids: Record<Table, number[]>): void {
		if (this.drawn) throw new Error('ids are drawn already');
		this.drawn = ids;
	}

	/**
	 * Whether a sale with this id (in its id space) is held and not written yet: a group of API
	 * sales that sends one id twice writes the held rows before the second one's replay read.
	 */
	holds(source: SaleSource, externalId: string, integration: boolean): boolean {
		return this.keys.has(keyOf(source, externalId, integration));
	}

	/** A table's id for the next row held, from those drawn (drawInWrite). */
	private id(table: Table): number {
		return this.drawn![table][this.given[table]++];
	}

	private hold(
		sale: SaleValues,
		lines: LineValues[],
		entry: EntryValues,
		integration: boolean,
		categories: string[]
	): number {
		const key = keyOf(sale.source, sale.externalId, integration);
		// Note: the caller reads a sale sent before (replayInWrite) from the table: one held here is
		// not there yet. An import's window groups a sale's lines by id, so it never holds one twice.
		if (this.keys.has(key)) throw new Error(`sale ${sale.externalId} is held twice in one batch`);
		this.keys.add(key);
		const saleId = this.id('sale');
		this.values.sale.push(
			saleId,
			sale.seasonId,
			sale.source,
			sale.externalId,
			sale.sellerId,
			sale.teamId,
			sale.occurredAt,
			sale.amount,
			sale.customerRef,
			sale.status,
			sale.points,
			sale.flagReason,
			sale.breakdown,
			sale.createdById,
			sale.createdAt
		);
		for (const line of lines)
			this.values.sale_line.push(
				this.id('sale_line'),
				saleId,
				line.productId,
				line.quantity,
				line.unitPrice,
				line.points
			);
		const entryId = this.id('ledger_entry');
		this.entries.push({
			id: entryId,
			saleId,
			kind: 'sale',
			points: entry.points,
			seasonId: sale.seasonId,
			userId: sale.sellerId,
			teamId: sale.teamId,
			occurredAt: sale.occurredAt,
			amount: sale.amount,
			status: sale.status,
			categories
		});
		this.values.ledger_entry.push(
			entryId,
			entry.seasonId,
			entry.userId,
			entry.teamId,
			saleId,
			null,
			null,
			entry.kind,
			entry.points,
			entry.status,
			entry.breakdown,
			entry.reason,
			entry.createdById,
			entry.createdAt
		);
		return saleId;
	}

	/**
	 * Writes every held row: sales first (the lines' and entries' triggers read their sale), then
	 * lines, then entries. The ids drawn and not given yet stay for the next rows where
	 * they are reserved (PostgreSQL's sequences); on SQLite the next rows draw again, after these
	 * and whatever the write inserts before them (a confirmed referral's entry).
	 */
	async writeInWrite(tx: StoreDb, store: Store): Promise<void> {
		for (const [i, values] of this.takeHeld().entries())
			await insertRowsInWrite(tx, store, HELD_INSERTS[i], values);
		if (!idsDrawnAreReserved(store)) {
			this.drawn = null;
			this.given = { sale: 0, sale_line: 0, ledger_entry: 0 };
		}
	}

	/**
	 * The held rows, HELD_INSERTS' values, given up to the caller who writes them in the same
	 * write: PostgreSQL's WriteBatch.finishInWrite, in its one statement. The ids drawn and not
	 * given stay (PostgreSQL's are reserved).
	 */
	takeHeld(): unknown[][] {
		const held = TABLES.map((table) => this.values[table]);
		this.values = { sale: [], sale_line: [], ledger_entry: [] };
		this.keys.clear();
		return held;
	}
}

const keyOf = (source: SaleSource, externalId: string, integration: boolean) =>
	integration ? `integration:${externalId}` : `${source}:${externalId}`;
