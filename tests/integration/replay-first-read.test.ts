// A replay's read (sale-queries.ts replayAnswerOf: a raw statement since hb-replay5, the body's
// externalId and the integration sources checked in its SQL) and the answer's JSON written out
// (fast-sales.ts replayPayload): a replay must still say what the full path says, key for key,
// and a sale that is no longer this body's (not an integration's, another externalId) must
// never answer it. The handler runs in this process on a fake request, as in
// held-answers.test.ts.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { withDb } from '../helpers/seeded';
import { fastSalesInProcess, saleIdOf } from '../helpers/fast-sales-post';
import { sale as saleTable } from '../../src/lib/server/db/schema';

const server = fastSalesInProcess();

const post = (text: string) => server.post(text);

const body = server.saleBody;
const fullPath = server.fullPath;
const idOf = saleIdOf;

function setSale(id: number, values: Partial<typeof saleTable.$inferInsert>) {
	withDb(server.seeded.path, (db) =>
		db.update(saleTable).set(values).where(eq(saleTable.id, id)).run()
	);
}

describe("a sale's first replay", () => {
	it('says what the full path says, key for key, with a flag reason that needs escaping', async () => {
		const text = body('first-read-1');
		const recorded = await post(text);
		expect(recorded.status).toBe(201);
		const reason = 'Über "the ceiling" \\ by 3×\n\u2028and more';
		setSale(idOf(recorded), { status: 'pending', points: 12, flagReason: reason });

		const again = await post(text);
		expect(again.atOnce).toBe(true);
		expect(again.status).toBe(200);
		expect(again.body).toMatchObject({
			sale: { status: 'pending', points: 12 },
			flagReason: reason
		});
		const full = await fullPath(text);
		expect(JSON.stringify(again.body)).toBe(JSON.stringify(full.body));

		// No flag (null, or empty): no flagReason key, as the full path writes it.
		for (const flagReason of [null, '']) {
			setSale(idOf(recorded), { status: 'approved', flagReason });
			const plain = await post(text);
			expect(plain.body).not.toHaveProperty('flagReason');
			expect(JSON.stringify(plain.body)).toBe(JSON.stringify((await fullPath(text)).body));
		}
	});

	it("is not answered from a sale that is no longer an integration's: the full path answers", async () => {
		const text = body('first-read-2');
		const recorded = await post(text);
		expect(recorded.status).toBe(201);
		// A sale whose source is no longer the API's (entered on the web): the body's
		// digest still names it, but the API's externalId space no longer holds it.
		setSale(idOf(recorded), { source: 'web' });

		const again = await post(text);
		expect(again.atOnce).toBe(false);
		expect(again.status).toBe(201);
		expect(idOf(again)).not.toBe(idOf(recorded));
	});

	it('is not answered from a sale whose externalId is no longer the body’s', async () => {
		const text = body('first-read-3');
		const recorded = await post(text);
		expect(recorded.status).toBe(201);
		setSale(idOf(recorded), { externalId: 'first-read-3-renamed' });

		const again = await post(text);
		expect(again.atOnce).toBe(false);
		expect(again.status).toBe(201);
		expect(idOf(again)).not.toBe(idOf(recorded));
		// Then kept for the new sale: its replay is answered at once, from it.
		const third = await post(text);
		expect(third.atOnce).toBe(true);
		expect(idOf(third)).toBe(idOf(again));
	});
});
