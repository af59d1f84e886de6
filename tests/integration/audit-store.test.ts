// The audit log read through the store (#20, db/store.ts), with the same assertions on a temp
// SQLite file and a throwaway PostgreSQL (tests/helpers/postgres.ts): what one node's commands
// audited is what the other node's log shows, in plain words, a page at a time.
import { describe, expect, it } from 'vitest';
import { write, type Store } from '../../src/lib/server/db/store';
import { auditLog } from '../../src/lib/server/audit/log';
import { auditInWrite } from '../../src/lib/server/audit/record';
import { createProduct, updateProduct } from '../../src/lib/server/catalogue/products';
import { createWebhook } from '../../src/lib/server/webhooks/admin';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('audit-store');

let managers = 0;
async function manager(store: Store) {
	const { user } = store.tables;
	const [row] = await store.db
		.insert(user)
		.values({
			email: `manager${++managers}@example.test`,
			displayName: `Manager ${managers}`,
			role: 'manager',
			passwordHash: 'not-a-real-hash'
		})
		.returning({ id: user.id, name: user.displayName });
	return row;
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it('shows what the other node audited, newest first, with current names and who did it', async () => {
		const who = await manager(node(0));
		const { seasonId } = await liveSeasonOn(node(0), { size: 0, teams: ['A'], endsAt: 1e13 });
		const at = Date.UTC(2026, 11, 3, 13, 5);
		const phone = await createProduct(
			node(0),
			seasonId,
			{ sku: 'PH', name: 'Phone', category: 'Phones', points: 10, price: 100 },
			{ userId: who.id },
			() => at
		);
		// Renamed later: the log names it as it is called now.
		await updateProduct(
			node(1),
			seasonId,
			phone.id,
			{ name: 'Phone Pro', category: 'Phones', points: 10, price: 100 },
			{ userId: who.id },
			() => at + 60_000
		);
		await createWebhook(
			node(1),
			{ url: 'https://hooks.example.com/a', events: ['sale.confirmed'] },
			{},
			at + 120_000
		);

		const log = await auditLog(node(1), { page: 1, timeZone: 'Europe/Amsterdam' });
		const mine = log.rows.filter((r) => r.at >= at && r.at <= at + 120_000).slice(0, 3);
		expect(mine.map((r) => [r.action, r.actor])).toEqual([
			['webhook.create', { kind: 'system', name: 'System' }],
			['product.update', { kind: 'user', name: who.name }],
			['product.create', { kind: 'user', name: who.name }]
		]);
		// Amsterdam is UTC+1 in December.
		expect(mine[2].when).toMatch(/14:05/);
		expect(mine[2].summary).toContain('Phone Pro');
		expect(mine[0].summary).toContain('https://hooks.example.com/a');
		expect(log.actions.map((a) => a.value)).toEqual(
			expect.arrayContaining(['product.create', 'product.update', 'webhook.create'])
		);
	});

	it('filters by action and keeps the page in range', async () => {
		const subject = `season:${1e6 + managers}`;
		await write(node(0), async (tx) => {
			for (let i = 0; i < 7; i++)
				await auditInWrite(tx, node(0), {}, 'test.paged', subject, { i }, 1_000 + i);
		});
		const first = await auditLog(node(1), { action: 'test.paged', page: 1, perPage: 3 });
		expect(first).toMatchObject({ total: 7, pages: 3, page: 1, perPage: 3 });
		expect(first.rows.map((r) => r.details)).toHaveLength(3);
		expect(first.rows.every((r) => r.action === 'test.paged')).toBe(true);
		expect(first.rows.map((r) => r.at)).toEqual([1_006, 1_005, 1_004]);
		const beyond = await auditLog(node(0), { action: 'test.paged', page: 99, perPage: 3 });
		expect(beyond.page).toBe(3);
		expect(beyond.rows.map((r) => r.at)).toEqual([1_000]);
		const none = await auditLog(node(0), { action: 'test.none', page: 1 });
		expect(none).toMatchObject({ total: 0, pages: 1, page: 1, rows: [] });
	});
});
