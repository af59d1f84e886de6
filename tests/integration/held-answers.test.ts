// Replays answered from their held JSON (api/held-answers.ts, docs/benchmarks.md "Replays: the
// per-request cost"): while nothing at all is written to the database, a sale replayed twice
// is sent the answer the last read made, without reading again; any write (a
// status change on this server's connection, a new sale moving the season's version, a write by
// another connection) makes the next replay read the sale as it is now. The handler runs in
// this process on a fake request and response, as in replay-any-size.test.ts; the sale's read
// is counted through a wrapper around its query.
import { describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { withDb } from '../helpers/seeded';
import { fastSalesInProcess, saleIdOf, type SaleAnswer } from '../helpers/fast-sales-post';
import { sale as saleTable } from '../../src/lib/server/db/schema';

// How many times a replay read its sale (replayAnswerOf's query run).
const reads = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/lib/server/scoring/sale-queries', async (importOriginal) => {
	const original =
		await importOriginal<typeof import('../../src/lib/server/scoring/sale-queries')>();
	type Build = typeof original.replayAnswerOf;
	return {
		...original,
		replayAnswerOf: (...args: Parameters<Build>) => {
			const query = original.replayAnswerOf(...args);
			return {
				execute: (params: Parameters<ReturnType<Build>['execute']>[0]) => {
					reads.count++;
					return query.execute(params);
				}
			};
		}
	};
});

const server = fastSalesInProcess();

/** Posts `text` to the handler and waits for its answer (its status and body). */
async function post(text: string): Promise<SaleAnswer> {
	const { status, body } = await server.post(text);
	return { status, body };
}

const body = server.saleBody;
const fullPath = server.fullPath;
const idOf = saleIdOf;

/** Posts `text` twice more (recorded already), the answers and the reads they made. */
async function replayTwice(text: string) {
	const before = reads.count;
	const first = await post(text);
	const second = await post(text);
	return { first, second, reads: reads.count - before };
}

describe('a replay answered from its held JSON', () => {
	it('is not read again while nothing is written, and says what a read says', async () => {
		const text = body('held-1');
		expect((await post(text)).status).toBe(201);
		// The first replay reads the sale (and marks it), the second reads it and holds its answer.
		const marked = await replayTwice(text);
		expect(marked.reads).toBe(2);
		const { first, second, reads: made } = await replayTwice(text);
		expect(made).toBe(0);
		expect(second).toEqual(first);
		expect(first).toEqual(marked.second);
		expect(second).toEqual(await fullPath(text));
	});

	it("reads again after a status change on this server's connection", async () => {
		const text = body('held-2');
		const recorded = await post(text);
		expect(recorded.status).toBe(201);
		await replayTwice(text);

		server.db
			.getDb()
			.update(saleTable)
			.set({ status: 'rejected', points: 0 })
			.where(eq(saleTable.id, idOf(recorded)))
			.run();
		const { first, second, reads: made } = await replayTwice(text);
		expect(made).toBe(1);
		expect(first).toMatchObject({ status: 200, body: { sale: { status: 'rejected', points: 0 } } });
		expect(second).toEqual(first);
		expect(first).toEqual(await fullPath(text));
	});

	it('reads again after a write by another connection (the CLI, a second node)', async () => {
		const text = body('held-3');
		const recorded = await post(text);
		await replayTwice(text);

		withDb(server.seeded.path, (db) =>
			db
				.update(saleTable)
				.set({ status: 'pending', points: 7 })
				.where(eq(saleTable.id, idOf(recorded)))
				.run()
		);
		const { first, reads: made } = await replayTwice(text);
		expect(made).toBe(1);
		expect(first).toMatchObject({ status: 200, body: { sale: { status: 'pending', points: 7 } } });
		expect(first).toEqual(await fullPath(text));
	});

	it("reads again after another sale moved the season's version", async () => {
		const text = body('held-4');
		await post(text);
		const held = (await replayTwice(text)).second;

		expect((await post(body('held-4-other'))).status).toBe(201);
		const { first, reads: made } = await replayTwice(text);
		expect(made).toBe(1);
		expect(first.body.version).not.toBe(held.body.version);
		expect(first).toEqual(await fullPath(text));
	});
});
