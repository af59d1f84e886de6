// An import's windows (imports/sales.ts) and the event loop: a window runs from its first
// statement to its commit without yielding, so the loop must turn between two windows (the
// thread's rows of a chunk fill many, and the next chunk's rows often wait already), and a window
// holds as many sales as fit in its time budget, never more than `batchSize`. However the windows
// fall, the import stores the same points.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { parseThreadEntry } from '../helpers/parse-thread';
import { importSales, type ImportOptions } from '../../src/lib/server/imports/sales';

const NOW = Date.now();
const SALES = 5_000;
const SMALL = 1_100;

let entry: string;
let ctx: ReturnType<typeof tempDb>;
let csv: string;

beforeAll(async () => {
	entry = await parseThreadEntry();
});

beforeEach(async () => {
	ctx = tempDb();
	const c = await makeContest(ctx.db, { people: 4 });
	const lines = ['externalId,sellerEmail,occurredAt,sku,quantity,unitPrice'];
	for (let i = 1; i <= SALES; i++) {
		const at = new Date(NOW - 10 * 3_600_000 + i * 5_000).toISOString();
		lines.push(`w-${i},${c.people[i % 4].email},${at},PHONE,1,999`);
	}
	csv = `${lines.join('\n')}\n`;
	// Several of the thread's 64 KiB chunks, each of them many windows of 20 sales.
	expect(csv.length).toBeGreaterThan(3 * 64 * 1024);
});

afterEach(() => ctx.cleanup());

const options = (more: Partial<ImportOptions>): ImportOptions => ({
	dryRun: false,
	actor: {},
	clock: () => NOW,
	parseThread: entry,
	...more
});

const points = () =>
	ctx.db.$client
		.prepare("select sum(points) from ledger_entry where kind = 'sale'")
		.pluck()
		.get() as number;

describe('an import’s windows', () => {
	it.each([
		['read in the parse thread', true],
		['read inline', false]
	])('let the event loop turn between two windows (%s)', async (_, threaded) => {
		let turns = 0;
		let running = true;
		const turn = () => {
			turns += 1;
			if (running) setImmediate(turn);
		};
		setImmediate(turn);
		const seen: number[] = [];
		try {
			await importSales(
				ctx.db,
				csv,
				options({
					batchSize: 20,
					windowMs: null,
					parseThread: threaded ? entry : null,
					onProgress: () => seen.push(turns)
				})
			);
		} finally {
			running = false;
		}
		// One call before the first window, one after each: 150 windows of 20 sales.
		expect(seen.length).toBe(SALES / 20 + 1);
		const back = seen.slice(2).filter((t, i) => t === seen[i + 1]).length;
		expect(back, 'windows that followed the one before with no turn of the loop').toBe(0);
	});

	it('hold what fits in their time, never more than batchSize, and store the same', async () => {
		const windows = async (windowMs: number | null) => {
			const db = ctx.db;
			let calls = 0;
			db.$client.exec('delete from ledger_entry; delete from sale_line; delete from sale');
			const report = await importSales(
				db,
				small,
				options({ batchSize: 500, windowMs, onProgress: () => (calls += 1) })
			);
			expect(report.sales.new).toBe(SMALL);
			return { windows: calls - 1, points: points() };
		};
		// The first 1,100 sales, read inline.
		const small = csv
			.split('\n')
			.slice(0, SMALL + 1)
			.join('\n');
		const fixed = await windows(null);
		// A budget no window fits in: the first window's 100 sales, then 25 at a time.
		const tight = await windows(0.000_001);
		// A budget every window fits in: the first window's 100, then batchSize.
		const loose = await windows(1_000_000);
		expect(fixed.windows).toBe(Math.ceil(SMALL / 500));
		expect(tight.windows).toBe(1 + (SMALL - 100) / 25);
		expect(loose.windows).toBe(1 + Math.ceil((SMALL - 100) / 500));
		expect(tight.points).toBe(fixed.points);
		expect(loose.points).toBe(fixed.points);
		expect(fixed.points).toBeGreaterThan(0);
	});
});
