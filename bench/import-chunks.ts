// What an import window's held rows (sales, their lines and ledger entries: scoring/sale-rows.ts
// HELD_INSERTS) cost SQLite by how they are cut into multi-row INSERTs (db/many-rows.ts CHUNKS)
// and in which order they go. One database seeded as import-writes.ts's (1,000 people in ten
// teams, 40 products) copied once per variant, each opened with the app's pragmas (foreign keys
// on, the 64 MiB page cache); then window after window the same rows (same ids) written into each
// copy in turn, one transaction a window, the variants' order rotated each window, so that each
// copy grows alike and a loaded machine slows all alike. Prints each variant's CPU a row (its
// transactions only; the sort of an ordered variant counted) and its WAL pages a window, with
// the load. Three variants change SQLite's foreign-key checks instead (the app keeps them on).
// `npx tsx bench/import-chunks.ts [--sales 30000] [--window 180] [--rounds 2]`
import { loadavg } from 'node:os';
import { copyFileSync, rmSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { openDatabase } from '../src/lib/server/db';
import { insertText, type ManyRows } from '../src/lib/server/db/many-rows';
import { HELD_INSERTS } from '../src/lib/server/scoring/sale-rows';
import { tempDb } from '../tests/helpers/db';
import { makeMember, makeProduct, makeSeason, makeTeam } from '../tests/helpers/factories';
import { option } from './lib/args';

const SALES = option('sales', 30_000);
const WINDOW = option('window', 180);
const ROUNDS = option('rounds', 2);
const DAY = 86_400_000;

interface Variant {
	name: string;
	chunks: number[];
	/** Whether a window's sales and entries go in seller order (their ids as given). */
	bySeller?: boolean;
	/**
	 * SQLite's foreign-key checks: on (the app's), off on the connection, off around each
	 * window's transaction only (the pragma outside it), or deferred to each window's commit.
	 */
	foreignKeys?: 'on' | 'off' | 'offAround' | 'deferred';
}
const WIDEST = Math.floor(32_766 / HELD_INSERTS[0].columns.length);
const VARIANTS: Variant[] = [
	{ name: '256,64,16,4,1 (now)', chunks: [256, 64, 16, 4, 1] },
	{ name: '128,32,8,2,1', chunks: [128, 32, 8, 2, 1] },
	{ name: '512,128,32,8,2,1', chunks: [512, 128, 32, 8, 2, 1] },
	{ name: 'powers of two to 256', chunks: [256, 128, 64, 32, 16, 8, 4, 2, 1] },
	{ name: `${WIDEST},256,64,16,4,1`, chunks: [WIDEST, 256, 64, 16, 4, 1] },
	{ name: 'now, by seller', chunks: [256, 64, 16, 4, 1], bySeller: true },
	{ name: 'now, foreign keys off', chunks: [256, 64, 16, 4, 1], foreignKeys: 'off' },
	{ name: 'now, keys off per window', chunks: [256, 64, 16, 4, 1], foreignKeys: 'offAround' },
	{ name: 'now, keys deferred', chunks: [256, 64, 16, 4, 1], foreignKeys: 'deferred' }
];

const { db, path, cleanup } = tempDb();
const now = Date.now();
const season = makeSeason(db, { startsAt: now - 80 * DAY, endsAt: now + 10 * DAY });
const teams = Array.from({ length: 10 }, (_, i) => makeTeam(db, season.id, `Team ${i}`).id);
const people: number[] = [];
for (let i = 0; i < 1000; i++) people.push((await makeMember(db, season.id, teams[i % 10])).id);
const products = Array.from(
	{ length: 40 },
	(_, i) => makeProduct(db, season.id, { sku: `SKU-${i}`, points: 5 }).id
);
db.$client.pragma('wal_checkpoint(TRUNCATE)');

interface Copy {
	variant: Variant;
	client: Database.Database;
	file: string;
	statements: Map<string, Database.Statement>;
	cpu: number;
	pages: number;
}
/** A fresh copy of the seeded database for each variant. */
const copiesOf = (): Copy[] =>
	VARIANTS.map((variant, i) => {
		const file = `${path}.${i}`;
		copyFileSync(path, file);
		const client = openDatabase(file).$client;
		// The WAL's growth is what a window's commit writes: no checkpoint meanwhile.
		client.pragma('wal_autocheckpoint = 0');
		if (variant.foreignKeys === 'off') client.pragma('foreign_keys = OFF');
		return { variant, client, file, statements: new Map(), cpu: 0, pages: 0 };
	});

function close(copies: Copy[]): void {
	for (const copy of copies) {
		copy.client.close();
		for (const suffix of ['', '-wal', '-shm']) rmSync(copy.file + suffix, { force: true });
	}
}

/** insertRows (db/many-rows.ts) with the variant's chunks. */
function insertRows(copy: Copy, insert: ManyRows, values: unknown[]): void {
	const width = insert.columns.length;
	let offset = 0;
	for (const rows of copy.variant.chunks)
		while (values.length - offset >= rows * width) {
			const text = insertText(insert, rows);
			let statement = copy.statements.get(text);
			if (!statement) copy.statements.set(text, (statement = copy.client.prepare(text)));
			statement.run(values.slice(offset, offset + rows * width));
			offset += rows * width;
		}
}

const breakdown = JSON.stringify({
	lines: [{ productId: products[0], quantity: 1, points: 10 }],
	items: [{ kind: 'base', points: 10 }]
});

interface Sale {
	sale: unknown[];
	lines: unknown[][];
	entry: unknown[];
	seller: number;
}

/** The window's sales as an import holds them (bench/import.ts's spread of sellers and times). */
function windowOf(w: number): Sale[] {
	const sales: Sale[] = [];
	for (let k = 0; k < WINDOW; k++) {
		const id = w * WINDOW + k + 1;
		const person = (id * 7919) % people.length;
		const at = now - ((id * 104729) % (79 * DAY));
		const team = teams[person % teams.length];
		const seller = people[person];
		sales.push({
			seller,
			sale: [
				id,
				season.id,
				'import',
				`bench-${id}`,
				seller,
				team,
				at,
				4900 + (id % 900) * 100,
				null,
				'approved',
				20,
				null,
				breakdown,
				null,
				now
			],
			lines: [0, 1].map((l) => [
				2 * id - 1 + l,
				id,
				products[(id + l * 13) % products.length],
				1,
				4900,
				10
			]),
			entry: [
				id,
				season.id,
				seller,
				team,
				id,
				null,
				null,
				'sale',
				20,
				'confirmed',
				breakdown,
				null,
				null,
				now
			]
		});
	}
	return sales;
}

function writeWindow(copy: Copy, given: Sale[]): void {
	const walBefore = statSync(`${copy.file}-wal`).size;
	const cpu = process.cpuUsage();
	const sales = copy.variant.bySeller ? [...given].sort((a, b) => a.seller - b.seller) : given;
	const [saleValues, lineValues, entryValues]: unknown[][] = [[], [], []];
	for (const s of sales) {
		saleValues.push(...s.sale);
		for (const line of s.lines) lineValues.push(...line);
		entryValues.push(...s.entry);
	}
	const keys = copy.variant.foreignKeys;
	// Note: a flag pragma expires every prepared statement of the connection (SQLite's OP_Expire).
	if (keys === 'offAround') copy.client.pragma('foreign_keys = OFF');
	copy.client.exec('BEGIN IMMEDIATE');
	if (keys === 'deferred') copy.client.pragma('defer_foreign_keys = ON');
	insertRows(copy, HELD_INSERTS[0], saleValues);
	insertRows(copy, HELD_INSERTS[1], lineValues);
	insertRows(copy, HELD_INSERTS[2], entryValues);
	copy.client.exec('COMMIT');
	if (keys === 'offAround') copy.client.pragma('foreign_keys = ON');
	const used = process.cpuUsage(cpu);
	copy.cpu += used.user + used.system;
	copy.pages += (statSync(`${copy.file}-wal`).size - walBefore) / 4120;
}

const load = () =>
	loadavg()
		.map((l) => l.toFixed(2))
		.join(' ');
console.log(
	`${SALES} sales (two lines, one entry each) in windows of ${WINDOW}, ${ROUNDS} rounds; load ${load()}`
);
const results = new Map<string, { cpu: number[]; pages: number[] }>(
	VARIANTS.map((v) => [v.name, { cpu: [], pages: [] }])
);
for (let round = 0; round < ROUNDS; round++) {
	const copies = copiesOf();
	const windows = Math.ceil(SALES / WINDOW);
	for (let w = 0; w < windows; w++) {
		const sales = windowOf(w);
		for (let i = 0; i < copies.length; i++) writeWindow(copies[(w + i) % copies.length], sales);
		// The WAL of every copy back to empty now and then, outside the timed windows.
		if (w % 50 === 49) for (const copy of copies) copy.client.pragma('wal_checkpoint(TRUNCATE)');
	}
	for (const copy of copies) {
		const result = results.get(copy.variant.name)!;
		result.cpu.push(copy.cpu / (SALES * 4));
		result.pages.push(copy.pages / windows);
	}
	close(copies);
	console.log(`round ${round + 1} done; load ${load()}`);
}
const width = Math.max(...VARIANTS.map((v) => v.name.length)) + 2;
console.log(`${'chunks'.padEnd(width)} µs CPU a row (each round)  WAL pages a window`);
for (const v of VARIANTS) {
	const { cpu, pages } = results.get(v.name)!;
	console.log(
		`${v.name.padEnd(width)} ${cpu.map((c) => c.toFixed(2).padStart(6)).join(' ')}  ${pages.map((p) => p.toFixed(0).padStart(5)).join(' ')}`
	);
}
console.log(`load ${load()}`);
cleanup();
