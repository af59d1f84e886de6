// POST /api/v1/sales is answered by a plain Node handler in production (api/fast-sales.ts); with
// HONORBOARD_FAST_SALES=0 SvelteKit's route answers it. Both must give the same answers: status,
// body and headers, for new sales, replays, conflicts and every refusal.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli, startServer, type RunningServer } from '../helpers/server';
import { postSaleBody } from '../helpers/sales';
import { apiTokenFor, lastLine, seedServerDb, withDb, type SeededDb } from '../helpers/seeded';
import { eq } from 'drizzle-orm';
import { sale as saleTable, user } from '../../src/lib/server/db/schema';

let seeded: SeededDb;
let fast: RunningServer;
let kit: RunningServer;
let token: string;

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 2, people: 4 });
	fast = await startServer({ dbPath: seeded.path });
	kit = await startServer({ dbPath: seeded.path, env: { HONORBOARD_FAST_SALES: '0' } });
	const created = await runCli(['token', 'create', '--name', 'fast'], seeded.path);
	expect(created.code, created.stderr).toBe(0);
	token = lastLine(created.stdout);
});

afterAll(async () => {
	await fast?.dispose();
	await kit?.dispose();
	seeded?.cleanup();
});

type Case = { name: string; body: (id: string) => string; auth?: string | null };

const occurredAt = new Date(Date.now() - 60_000).toISOString();
const sale = (id: string, overrides: Record<string, unknown> = {}) =>
	JSON.stringify({
		externalId: id,
		seller: { email: seeded.people[0].email },
		occurredAt,
		lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 999 }],
		...overrides
	});

async function post(server: RunningServer, body: string, auth: string | null = token) {
	const response = await postSaleBody(server.url, auth, body);
	const headers = Object.fromEntries(
		['content-type', 'x-content-type-options', 'referrer-policy', 'x-frame-options', 'retry-after']
			.map((h) => [h, response.headers.get(h)])
			.filter(([, v]) => v != null)
	);
	return { status: response.status, headers, json: await response.json() };
}

/** The answer with what differs by nature between two servers' sales (ids, versions) masked. */
function masked(answer: Awaited<ReturnType<typeof post>>, prefix: string) {
	const text = JSON.stringify(answer.json)
		.replaceAll(prefix, 'PREFIX')
		.replace(/"id":\d+/g, '"id":0')
		.replace(/"version":\d+/g, '"version":0');
	return { status: answer.status, headers: answer.headers, json: JSON.parse(text) };
}

const cases: Case[] = [
	{ name: 'a new sale', body: (id) => sale(id) },
	{ name: 'not JSON', body: () => '{"externalId": ' },
	{
		name: 'a quantity of 1.5',
		body: (id) => sale(id, { lines: [{ sku: 'PHONE', quantity: 1.5, unitPrice: 1 }] })
	},
	{
		name: 'an unknown seller',
		body: (id) => sale(id, { seller: { email: 'nobody@example.com' } })
	},
	{
		name: 'an unknown SKU',
		body: (id) => sale(id, { lines: [{ sku: 'NOPE', quantity: 1, unitPrice: 1 }] })
	},
	{ name: 'no token', body: (id) => sale(id), auth: null },
	{ name: 'a wrong token', body: (id) => sale(id), auth: 'hb_not_a_token' },
	{
		name: 'a body over 1 MB',
		body: (id) => JSON.stringify({ ...JSON.parse(sale(id)), padding: 'x'.repeat(1024 * 1024 + 10) })
	}
];

describe('POST /api/v1/sales, plain Node handler vs SvelteKit route', () => {
	it.each(cases)('answers $name the same way', async ({ body, auth }) => {
		const a = await post(fast, body('fast-1-' + cases.length), auth);
		const b = await post(kit, body('kit-1-' + cases.length), auth);
		expect(masked(a, 'fast-')).toEqual(masked(b, 'kit-'));
	});

	it('replays a known externalId with its first answer and refuses other content with 409', async () => {
		for (const [server, prefix] of [
			[fast, 'fast-r'],
			[kit, 'kit-r']
		] as const) {
			const first = await post(server, sale(`${prefix}-1`));
			expect(first.status).toBe(201);
			const again = await post(server, sale(`${prefix}-1`));
			expect(again.status).toBe(200);
			expect(again.json.sale).toEqual(first.json.sale);
			const other = await post(
				server,
				sale(`${prefix}-1`, { lines: [{ sku: 'PHONE', quantity: 2, unitPrice: 999 }] })
			);
			expect(other.status).toBe(409);
			expect(other.json.error.code).toBe('idempotency_conflict');
			expect(other.json.error.details.differs).toEqual(['lines']);
		}
		// A sale recorded through one is a replay through the other (one id space).
		const cross = await post(kit, sale('fast-r-1'));
		expect(cross.status).toBe(200);
	});

	// The plain handler answers a body it has answered before from one read of the sale
	// (fast-sales.ts, knownBody); SvelteKit's route always takes the full path. Both run on
	// the same database file here, so their answers must be equal, whatever happened since.
	it('answers the same text again as the full path does: the sale as it stands now', async () => {
		const text = sale('fast-again-1', { seller: { email: seeded.people[1].email } });
		const first = await post(fast, text);
		expect(first.status).toBe(201);
		const again = await post(fast, text);
		expect(again).toEqual(await post(kit, text));
		expect(again.status).toBe(200);
		expect(again.json.sale).toEqual(first.json.sale);

		// A manager's decision and another sale since: the status and version as they are now.
		withDb(seeded.path, (db) =>
			db
				.update(saleTable)
				.set({ status: 'rejected' })
				.where(eq(saleTable.id, first.json.sale.id))
				.run()
		);
		expect((await post(fast, sale('fast-again-2'))).status).toBe(201);
		const later = await post(fast, text);
		expect(later).toEqual(await post(kit, text));
		expect(later.json.sale.status).toBe('rejected');
		expect(later.json.version).toBeGreaterThan(first.json.version);

		// The seller's email changed: that email is nobody's now, so the same text is a
		// different sale's claim (409), as the full path says.
		const email = seeded.people[1].email;
		withDb(seeded.path, (db) =>
			db
				.update(user)
				.set({ email: `moved-${email}` })
				.where(eq(user.email, email))
				.run()
		);
		try {
			const moved = await post(fast, text);
			expect(moved).toEqual(await post(kit, text));
			expect(moved.status).toBe(409);
			expect(moved.json.error.details.differs).toEqual(['seller']);
		} finally {
			withDb(seeded.path, (db) =>
				db
					.update(user)
					.set({ email })
					.where(eq(user.email, `moved-${email}`))
					.run()
			);
		}
		expect((await post(fast, text)).status).toBe(200);
	});

	// A decision taken through the same server between two replays: the next replay says so.
	it('answers a repeated replay as the sale stands after a confirmation or a reversal through the API', async () => {
		const manager = apiTokenFor(seeded.path, 'fast-manager');
		const decide = async (externalId: string, decision: 'confirm' | 'reverse') => {
			const response = await fetch(`${fast.url}/api/v1/sales/${externalId}/${decision}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${manager}` },
				body: JSON.stringify({ reason: 'checked' })
			});
			expect(response.status).toBe(200);
		};
		const text = sale('fast-decided-1', { seller: { email: seeded.people[2].email } });
		const first = await post(fast, text);
		expect(first.status).toBe(201);
		const again = await post(fast, text);
		expect(await post(fast, text)).toEqual(again);
		expect(again).toEqual(await post(kit, text));

		await decide('fast-decided-1', 'confirm');
		const confirmed = await post(fast, text);
		expect(confirmed).toEqual(await post(kit, text));
		expect(confirmed.json.sale.status).toBe('approved');
		expect(await post(fast, text)).toEqual(confirmed);

		await decide('fast-decided-1', 'reverse');
		const reversed = await post(fast, text);
		expect(reversed).toEqual(await post(kit, text));
		expect(reversed.json.sale.status).toBe('reversed');
		expect(await post(fast, text)).toEqual(reversed);
	});

	// The plain handler reads the token synchronously and writes its last use after answering.
	it("records the token's last use, at most once a minute", async () => {
		const created = await runCli(['token', 'create', '--name', 'fast-last-use'], seeded.path);
		expect(created.code, created.stderr).toBe(0);
		const own = lastLine(created.stdout);
		const lastUse = () =>
			withDb(
				seeded.path,
				(db) =>
					db.$client
						.prepare('select last_used_at from api_token where name = ?')
						.pluck()
						.get('fast-last-use') as number | null
			);
		expect(lastUse()).toBeNull();
		expect((await post(fast, sale('fast-last-use-1'), own)).status).toBe(201);
		await vi.waitFor(() => expect(lastUse()).toBeGreaterThan(Date.now() - 60_000));
		const first = lastUse();
		expect((await post(fast, sale('fast-last-use-2'), own)).status).toBe(201);
		expect((await post(fast, sale('fast-last-use-2'), own)).status).toBe(200);
		expect(lastUse()).toBe(first);
	});

	it('answers with the X-Request-Id given, or a new one, on a new sale, a replay and a refusal', async () => {
		const text = sale('fast-request-id-1');
		const idOf = async (server: RunningServer, body: string, given?: string, auth = token) => {
			const response = await postSaleBody(server.url, auth, body, {
				headers: given ? { 'x-request-id': given } : {}
			});
			await response.arrayBuffer();
			return response.headers.get('x-request-id');
		};
		for (const server of [fast, kit]) {
			expect(await idOf(server, text, 'crm-1')).toBe('crm-1');
			expect(await idOf(server, text, 'crm-2')).toBe('crm-2');
			expect(await idOf(server, text, 'crm-3', 'not-a-token')).toBe('crm-3');
			expect(await idOf(server, text)).toMatch(/^[0-9a-f-]{36}$/);
		}
	});
});
