// The API tokens ported onto the store (#20, auth/api-token.ts): creating, listing, revoking and
// checking a bearer token, with the same assertions on a temp SQLite file and a throwaway
// PostgreSQL (tests/helpers/postgres.ts). "Two nodes" are two stores on one database: two SQLite
// connections to one file, two PostgreSQL pools.
import { describe, expect, it } from 'vitest';
import { and, eq, like } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import {
	createApiToken,
	heldApiToken,
	listApiTokens,
	revokeApiToken,
	validateApiToken
} from '../../src/lib/server/auth/api-token';
import { hashToken } from '../../src/lib/server/auth/session';
import { tokenAlive } from '../../src/lib/server/realtime/access';
import { AppError } from '../../src/lib/server/shared/errors';
import { twoNodesPerDialect } from '../helpers/store-nodes';

const nodes = twoNodesPerDialect('api-tokens-store');

let names = 0;
const newName = (what: string) => `${what} ${++names}`;

/** The AppError code a promise is refused with. */
async function refusal(promise: Promise<unknown>): Promise<string> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof AppError) return error.code;
		throw error;
	}
	throw new Error('expected a refusal');
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: 0 | 1) => nodes[dialect][i];
	const tokenRows = async (store: Store, name: string) => {
		const { apiToken } = store.tables;
		return store.db.select().from(apiToken).where(eq(apiToken.name, name));
	};
	const audits = async (store: Store, action: string, subject: string) => {
		const { auditEvent } = store.tables;
		return store.db
			.select()
			.from(auditEvent)
			.where(and(eq(auditEvent.action, action), like(auditEvent.subject, subject)));
	};
	const makeAdmin = async (store: Store) => {
		const { user } = store.tables;
		const [row] = await store.db
			.insert(user)
			.values({
				email: `${newName('admin').replace(' ', '')}@example.test`,
				displayName: newName('Admin'),
				role: 'admin',
				passwordHash: 'not-a-real-hash'
			})
			.returning({ id: user.id, displayName: user.displayName });
		return row;
	};

	it('a token created on one node is accepted on the other, stored as its hash, audited once', async () => {
		const admin = await makeAdmin(node(0));
		const name = newName('crm');
		const { id, token } = await createApiToken(
			node(0),
			{ name, role: 'integration' },
			{ userId: admin.id },
			() => 5_000
		);
		expect(token).toMatch(/^hb_[a-z2-7]+$/);
		const [row] = await tokenRows(node(1), name);
		expect(row).toMatchObject({ id, tokenHash: hashToken(token), createdById: admin.id });
		expect(JSON.stringify(row)).not.toContain(token);
		expect(await validateApiToken(node(1), token)).toEqual({
			tokenId: id,
			name,
			role: 'integration'
		});
		expect(await audits(node(1), 'token.create', `token:${id}`)).toMatchObject([
			{ actorUserId: admin.id, createdAt: 5_000 }
		]);
		const listed = (await listApiTokens(node(1))).find((t) => t.id === id);
		expect(listed).toMatchObject({ name, role: 'integration', createdBy: admin.displayName });
	});

	it('an unknown token is no principal on either node', async () => {
		expect(await validateApiToken(node(0), 'hb_not_a_token')).toBeNull();
		expect(await validateApiToken(node(1), 'hb_not_a_token')).toBeNull();
	});

	it('bad input is refused and writes nothing', async () => {
		const { apiToken, auditEvent } = node(0).tables;
		const count = async () => [
			(await node(1).db.select().from(apiToken)).length,
			(await node(1).db.select().from(auditEvent)).length
		];
		const before = await count();
		expect(await refusal(createApiToken(node(0), { name: '  ', role: 'integration' }))).toBe(
			'invalid_name'
		);
		expect(
			await refusal(createApiToken(node(0), { name: 'x'.repeat(81), role: 'integration' }))
		).toBe('invalid_name');
		expect(
			await refusal(createApiToken(node(0), { name: newName('bad'), role: 'root' as 'admin' }, {}))
		).toBe('invalid_role');
		expect(
			await refusal(
				createApiToken(
					node(0),
					{ name: newName('late'), role: 'admin', expiresAt: 1_000 },
					{},
					() => 2_000
				)
			)
		).toBe('invalid_expiry');
		expect(await refusal(revokeApiToken(node(0), { name: newName('nobody') }))).toBe(
			'unknown_token'
		);
		expect(await count()).toEqual(before);
	});

	it('one name created on both nodes at once makes one token', async () => {
		const name = newName('till');
		const results = await Promise.allSettled([
			createApiToken(node(0), { name, role: 'integration' }),
			createApiToken(node(1), { name, role: 'integration' })
		]);
		const made = results.filter((r) => r.status === 'fulfilled');
		const refused = results.filter((r) => r.status === 'rejected');
		expect(made).toHaveLength(1);
		expect(refused.map((r) => (r.reason as AppError).code)).toEqual(['token_name_taken']);
		expect(await tokenRows(node(0), name)).toHaveLength(1);
		// Revoked, the name is free again.
		await revokeApiToken(node(1), { name });
		await createApiToken(node(0), { name, role: 'manager' });
		expect((await tokenRows(node(1), name)).map((t) => t.revokedAt === null)).toEqual(
			expect.arrayContaining([true, false])
		);
	});

	it('a token revoked on one node is refused on the other, and its sockets are cut', async () => {
		const name = newName('old till');
		const { id, token } = await createApiToken(node(0), { name, role: 'integration' });
		expect(await validateApiToken(node(1), token)).not.toBeNull();
		expect(await tokenAlive(node(1), id, Date.now())).toBe(true);
		expect(await revokeApiToken(node(0), { id }, {}, () => 9_000)).toEqual({ id, name });
		expect(await refusal(validateApiToken(node(1), token))).toBe('token_revoked');
		expect(await tokenAlive(node(1), id, Date.now())).toBe(false);
		expect(await audits(node(1), 'token.revoke', `token:${id}`)).toHaveLength(1);
	});

	it("a revocation written by another process's connection reaches a node's held token", async () => {
		const { token } = await createApiToken(node(0), { name: newName('held'), role: 'admin' });
		// Held by node 1 (on SQLite in memory), then revoked behind its back: a plain update on
		// node 0's connection, as another process would, which clears no cache of this one.
		expect(await validateApiToken(node(1), token)).not.toBeNull();
		const { apiToken } = node(0).tables;
		await node(0)
			.db.update(apiToken)
			.set({ revokedAt: 1 })
			.where(eq(apiToken.tokenHash, hashToken(token)));
		// SQLite's node reads its data_version at most every 100 ms (auth/api-token.ts).
		await new Promise((resolve) => setTimeout(resolve, 150));
		expect(await refusal(validateApiToken(node(1), token))).toBe('token_revoked');
	});

	it('one revoke sent to both nodes at once is done and audited once', async () => {
		const name = newName('twice');
		const { id } = await createApiToken(node(0), { name, role: 'integration' });
		const results = await Promise.allSettled([
			revokeApiToken(node(0), { name }),
			revokeApiToken(node(1), { name })
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		expect(
			results
				.filter((r) => r.status === 'rejected')
				.map((r) => ((r as PromiseRejectedResult).reason as AppError).code)
		).toEqual(['unknown_token']);
		expect(await audits(node(0), 'token.revoke', `token:${id}`)).toHaveLength(1);
	});

	it('an expired token is refused; its last use is recorded once a minute, seen on every node', async () => {
		const name = newName('trial');
		const { id, token } = await createApiToken(
			node(0),
			{ name, role: 'admin', expiresAt: 1_000_000 },
			{},
			() => 1_000
		);
		expect(await validateApiToken(node(1), token, () => 10_000)).not.toBeNull();
		expect((await tokenRows(node(0), name))[0].lastUsedAt).toBe(10_000);
		// Within the minute: not written again.
		await validateApiToken(node(0), token, () => 40_000);
		expect((await tokenRows(node(1), name))[0].lastUsedAt).toBe(10_000);
		await validateApiToken(node(0), token, () => 80_000);
		expect((await tokenRows(node(1), name))[0].lastUsedAt).toBe(80_000);
		expect(await refusal(validateApiToken(node(1), token, () => 1_000_000))).toBe('token_expired');
		expect(await tokenAlive(node(1), id, 1_000_000)).toBe(false);
	});

	it('a token verified before is answered from memory where the store holds it (SQLite), never on PostgreSQL', async () => {
		const name = newName('held again');
		const { id, token } = await createApiToken(
			node(0),
			{ name, role: 'integration', expiresAt: 1_000_000 },
			{},
			() => 1_000
		);
		expect(heldApiToken(node(1), token, () => 10_000)).toBeUndefined();
		expect(await validateApiToken(node(1), token, () => 10_000)).not.toBeNull();
		const held = heldApiToken(node(1), token, () => 20_000);
		if (dialect === 'sqlite') expect(held).toEqual({ tokenId: id, name, role: 'integration' });
		else expect(held).toBeUndefined();
		// Its last use to be written (over a minute since): awaited through validateApiToken.
		expect(heldApiToken(node(1), token, () => 80_000)).toBeUndefined();
		// Expired while held: refused as validateApiToken refuses it.
		if (dialect === 'sqlite')
			expect(() => heldApiToken(node(1), token, () => 1_000_000)).toThrow(/expired/);
	});
});
