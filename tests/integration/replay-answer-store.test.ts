// A replay's answer read through the store (scoring/sale-queries.ts replayAnswerOf, the read the
// fast sales path makes for a body it answered before, api/fast-sales.ts), on a temp SQLite file
// and a throwaway PostgreSQL: the sale as it is now, and no row when the sale is not the body's
// (another seller's email, another externalId, not an integration's).
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { preparedQuery } from '../../src/lib/server/db/store';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { replayAnswerOf } from '../../src/lib/server/scoring/sale-queries';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn, phoneAndCaseOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('replay-answer-store');
const NOW = 1_900_000_000_000;
const HOUR = 3_600_000;

describe.each(['sqlite', 'postgres'] as const)("a replay's answer on %s", (dialect) => {
	it('is the sale as it is now, and nothing when the sale is not the body’s', async () => {
		const [store, other] = nodes[dialect];
		const s = await liveSeasonOn(store, {
			size: 2,
			teams: ['North'],
			endsAt: NOW + 30 * 24 * HOUR
		});
		await phoneAndCaseOn(store, s.seasonId);
		const recorded = await recordSaleGrouped(
			store,
			{
				source: 'api',
				externalId: 'replay-answer-1',
				seller: { email: s.people[0].email },
				occurredAt: NOW - HOUR,
				lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 50000 }]
			},
			() => NOW
		);
		const sent = {
			saleId: recorded.sale.id,
			email: s.people[0].email,
			externalId: 'replay-answer-1'
		};
		const read = (params: typeof sent) =>
			preparedQuery(store.db, store, replayAnswerOf).execute(params);
		expect(await read(sent)).toEqual([
			{
				status: 'approved',
				points: recorded.sale.points,
				seasonId: s.seasonId,
				flagReason: null,
				version: recorded.version
			}
		]);
		expect(await read({ ...sent, email: s.people[1].email })).toEqual([]);
		expect(await read({ ...sent, externalId: 'replay-answer-2' })).toEqual([]);

		// Changed by another node: read as it is now.
		const { sale } = other.tables;
		await other.db
			.update(sale)
			.set({ status: 'pending', flagReason: 'checked by hand' })
			.where(eq(sale.id, sent.saleId));
		expect(await read(sent)).toMatchObject([{ status: 'pending', flagReason: 'checked by hand' }]);
		// No longer an integration's (entered on the web): not the body's.
		await other.db.update(sale).set({ source: 'web' }).where(eq(sale.id, sent.saleId));
		expect(await read(sent)).toEqual([]);
	});
});
