// The sales' badge step inside its write, timed alone (bench/badge-facts-steps.ts --in-write):
// SQLite's synchronous twin from an older checkout against the store's body of this tree, for a
// group of API sales and for an import's window. Each group is recorded by the store's sale
// path in a write, its step timed, and the write rolled back: every round and variant decides
// the same sales on the same season.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { unportedSqlite, write, type Store, type StoreDb } from '../../src/lib/server/db/store';
import type { Db } from '../../src/lib/server/db';
import {
	planSaleInWrite,
	writeSaleInWrite,
	type RecordSaleInput
} from '../../src/lib/server/scoring/sales';
import { SaleLookups } from '../../src/lib/server/scoring/sale-lookups';
import { WriteBatch } from '../../src/lib/server/scoring/write-batch';
import type { HeldEntry } from '../../src/lib/server/scoring/sale-rows';
import {
	decideAwardsInWrite,
	decideGroupAwardsInWrite
} from '../../src/lib/server/badges/decide-in-write';
import type { DecidedAwards } from '../../src/lib/server/badges/awards';
import type { Part, Variant } from './interleaved';

type Step = (tx: StoreDb, held: readonly HeldEntry[]) => DecidedAwards | Promise<DecidedAwards>;

/** The synchronous twins as the checkout before the switch exports them. */
interface Twins {
	decideGroupAwardsInTx: (
		db: Db,
		tx: Db,
		now: number,
		sales: number,
		held: readonly HeldEntry[]
	) => DecidedAwards;
	decideAwardsInTx: (
		tx: Db,
		now: number,
		ownEntries: number,
		limit: number | undefined,
		held: readonly HeldEntry[]
	) => DecidedAwards;
}

export interface InWriteOptions {
	/** The checkout whose badges/awards.ts holds the synchronous twins. */
	old: string | null;
	now: number;
	people: number;
	group: number;
	groups: number;
	window: number;
	windows: number;
	/** The k-th sale at a time. */
	sale: (k: number, occurredAt: number) => RecordSaleInput;
}

const ROLLBACK = new Error('rolled back');
const HOUR = 3_600_000;

/** The variants, and the awards their steps decided per sale (the same for every variant). */
export async function inWriteVariants(
	store: Store,
	o: InWriteOptions
): Promise<{ variants: Variant[]; awardsPerSale: () => string }> {
	if (!o.old) throw new Error('--in-write needs --old <a checkout with the synchronous twins>');
	const twins = (await import(join(o.old, 'src/lib/server/badges/awards.ts'))) as Twins;
	const sqlite = unportedSqlite(store)!;
	// The facts take in the whole file once: each step then takes in its own sales only.
	await write(store, (tx) => decideAwardsInWrite(tx, store, o.now, Infinity));
	let k = 1_000_000;
	// Over the last two days: some sales open their seller's day (a streak's reads), some not.
	const batches = (count: number, size: number) =>
		Array.from({ length: count }, () =>
			Array.from({ length: size }, () => o.sale(k, o.now - (k++ % 48) * HOUR))
		);
	const groups = batches(o.groups, o.group);
	const windows = batches(o.windows, o.window);
	const variant = (name: string, batches: RecordSaleInput[][], step: Step): Variant => ({
		name,
		ops: batches.length * batches[0].length,
		run: () => stepsTimed(store, batches, o.now, step, awarded)
	});
	// Each batch's awards, by its first sale: every variant must decide the same.
	const awarded = new Map<RecordSaleInput, string>();
	const storeBody: Step = (tx, held) => decideGroupAwardsInWrite(tx, store, o.now, held);
	const perSale = (batches: RecordSaleInput[][]) =>
		batches.reduce((n, b) => n + (JSON.parse(awarded.get(b[0]) ?? '[]') as string[]).length, 0) /
		(batches.length * batches[0].length);
	const variants = [
		variant(`group of ${o.group}, synchronous twin`, groups, (_tx, held) =>
			twins.decideGroupAwardsInTx(sqlite, sqlite, o.now, held.length, held)
		),
		variant(`group of ${o.group}, store's body`, groups, storeBody),
		variant(`window of ${o.window}, synchronous twin`, windows, (_tx, held) =>
			twins.decideAwardsInTx(sqlite, o.now, held.length, undefined, held)
		),
		variant(`window of ${o.window}, store's body`, windows, storeBody)
	];
	const awardsPerSale = () =>
		`awards decided per sale: groups ${perSale(groups).toFixed(3)}, windows ${perSale(windows).toFixed(3)}`;
	return { variants, awardsPerSale };
}

/** Each batch recorded in a write, its badge step timed alone, the write rolled back. */
async function stepsTimed(
	store: Store,
	batches: RecordSaleInput[][],
	now: number,
	step: Step,
	awarded: Map<RecordSaleInput, string>
): Promise<Part> {
	const part: Part = { wallMicros: 0, cpuMicros: 0 };
	for (const batch of batches) {
		const done = write(store, async (tx) => {
			const lookups = new SaleLookups();
			const writes = new WriteBatch();
			for (const input of batch) {
				const planned = await planSaleInWrite(tx, store, input, now, lookups, writes);
				if (!('replay' in planned))
					await writeSaleInWrite(tx, store, planned, now, lookups, writes);
			}
			await writes.finishInWrite(tx, store, now);
			const cpu = process.cpuUsage();
			const started = performance.now();
			const decided = await step(tx, writes.entries);
			part.wallMicros += (performance.now() - started) * 1000;
			const used = process.cpuUsage(cpu);
			part.cpuMicros += used.user + used.system;
			// Each variant must do the whole step: a backlog or a failure would time less.
			if (decided.backlog) throw new Error('the step left a backlog: not comparable');
			const awards = JSON.stringify(
				[...decided.changes.values()].flatMap((c) =>
					c.awarded.map((a) => `${a.badge.id} ${a.subjectType}:${a.subjectId} ${a.periodKey}`)
				)
			);
			if ((awarded.get(batch[0]) ?? awards) !== awards)
				throw new Error(`the variants decided different awards: ${awards}`);
			awarded.set(batch[0], awards);
			throw ROLLBACK;
		});
		await done.catch((error) => {
			if (error !== ROLLBACK) throw error;
		});
	}
	return part;
}
