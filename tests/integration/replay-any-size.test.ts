// Replays at any season size (api/fast-sales.ts, docs/benchmarks.md "Replays at any season
// size"): bodies already answered are kept by a 128-bit digest of their text rather than by
// the text, so that a whole season's fit, and a body of any length is kept. A digest is not
// the text: what it finds must be this body's sale (its externalId, its seller's email), or
// the body takes the full path. The handler runs in this process on a fake request and
// response (as in fast-sales-replay.test.ts): an answer out when the body ends came from the
// kept bodies, one that needs a turn of the event loop came from the full path.
import { describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { withDb } from '../helpers/seeded';
import { fastSalesInProcess, saleIdOf } from '../helpers/fast-sales-post';
import { sale as saleTable } from '../../src/lib/server/db/schema';

// Every body gets the same digest while `collide.on`: what two texts of one digest would do.
const collide = vi.hoisted(() => ({ on: false }));
vi.mock('../../src/lib/server/api/answered-bodies', async (importOriginal) => {
	const original =
		await importOriginal<typeof import('../../src/lib/server/api/answered-bodies')>();
	return {
		...original,
		bodyKey: (text: string) => (collide.on ? 'the same digest' : original.bodyKey(text))
	};
});

const server = fastSalesInProcess();

/** Posts `text` to the handler and waits for its answer. */
function post(text: string) {
	return server.post(text);
}

const body = server.saleBody;
const fullPath = server.fullPath;
const idOf = saleIdOf;

describe('replays kept by digest', () => {
	it('a body the handler never answered (recorded before a restart) gets what the full path answers, then is kept', async () => {
		const text = body('never-held-1');
		const recorded = await fullPath(text);
		expect(recorded.status).toBe(201);
		withDb(server.seeded.path, (db) =>
			db
				.update(saleTable)
				.set({ status: 'rejected', points: 0 })
				.where(eq(saleTable.id, idOf(recorded)))
				.run()
		);

		const first = await post(text);
		expect(first.atOnce).toBe(false);
		const expected = await fullPath(text);
		expect(expected).toMatchObject({ status: 200, body: { sale: { status: 'rejected' } } });
		expect({ status: first.status, body: first.body }).toEqual(expected);

		const again = await post(text);
		expect(again.atOnce).toBe(true);
		expect({ status: again.status, body: again.body }).toEqual(expected);
	});

	it('keeps a body of any length: 60 lines (over 2,048 characters) is answered when it ends', async () => {
		const lines = Array.from({ length: 60 }, (_, i) => ({
			sku: 'PHONE',
			quantity: 1 + (i % 3),
			unitPrice: 999
		}));
		const text = body('long-1', { lines, customerRef: 'a customer with a long order' });
		expect(text.length).toBeGreaterThan(2_048);
		const recorded = await post(text);
		expect(recorded.status).toBe(201);

		const again = await post(text);
		// Kept by their text, bodies over 2,048 characters were not kept: the full path again.
		expect(again.atOnce).toBe(true);
		expect({ status: again.status, body: again.body }).toEqual(await fullPath(text));
		expect(idOf(again)).toBe(idOf(recorded));
	});

	it('a body with another body’s digest never gets its sale: the full path answers it', async () => {
		collide.on = true;
		try {
			const first = body('same-digest-1');
			const recorded = await post(first);
			expect(recorded.status).toBe(201);

			// Another externalId under the same digest: its own new sale, not the first's replay.
			const second = body('same-digest-2');
			const other = await post(second);
			expect(other.atOnce).toBe(false);
			expect(other.status).toBe(201);
			expect(idOf(other)).not.toBe(idOf(recorded));

			// The first again (the digest now names the second's sale): its own sale.
			const again = await post(first);
			expect(again.atOnce).toBe(false);
			expect({ status: again.status, body: again.body }).toEqual(await fullPath(first));
			expect(idOf(again)).toBe(idOf(recorded));

			// The same externalId with another seller's email: the full path says what differs.
			const otherSeller = body('same-digest-1', {
				seller: { email: server.seeded.people[1].email }
			});
			const conflict = await post(otherSeller);
			expect(conflict.atOnce).toBe(false);
			expect(conflict.status).toBe(409);
			expect(conflict.body).toEqual((await fullPath(otherSeller)).body);
			expect(JSON.stringify(conflict.body)).toContain('seller');

			// Not JSON, or JSON without an externalId: refused by the full path as always.
			for (const text of [
				'{"externalId": ',
				JSON.stringify({ seller: { email: server.seeded.people[0].email } })
			]) {
				const refused = await post(text);
				expect(refused.status).toBe(400);
				expect(refused.body).toEqual((await fullPath(text)).body);
			}
		} finally {
			collide.on = false;
		}
	});
});
