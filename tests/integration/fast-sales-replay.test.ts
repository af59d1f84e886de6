// A replay of a body already answered (api/fast-sales.ts) is answered from its sale's read,
// before the event loop turns after the body ended: not through a group's write (which waits
// for the next turn). The handler runs in this process on a fake request (a stream, as Node's
// is) and response, so that "answered at once" is checked without any timing.
import { PassThrough } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { apiTokenFor, seedServerDb, withDb, type SeededDb } from '../helpers/seeded';
import { sale as saleTable } from '../../src/lib/server/db/schema';

let seeded: SeededDb;
let token: string;
let handleFastSales: (req: IncomingMessage, res: ServerResponse) => boolean;
let closeDb: () => void;

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 1, people: 2 });
	token = apiTokenFor(seeded.path);
	// The handler reads the connection of the process (getDb), opened on first use.
	process.env.DATABASE_URL = seeded.path;
	({ handleFastSales } = await import('../../src/lib/server/api/fast-sales'));
	({ closeDb } = await import('../../src/lib/server/db'));
}, 120_000);

afterAll(() => {
	closeDb?.();
	seeded?.cleanup();
});

interface Sent {
	status: number;
	headers: Record<string, unknown>;
	body: Record<string, unknown>;
}

/** Starts a request, sends `text` as its body; `sent()` is the answer once written. */
function request(text: string, auth = `Bearer ${token}`) {
	const req = Object.assign(new PassThrough(), {
		method: 'POST',
		url: '/api/v1/sales',
		headers: {
			authorization: auth,
			'content-type': 'application/json',
			'content-length': String(Buffer.byteLength(text))
		},
		socket: { destroy() {} }
	});
	let answer: Sent | null = null;
	// Whether the event loop turned since the body ended (registered before the handler's
	// listener: runs first), when the answer is written.
	let ended = false;
	let turned = false;
	let atOnce = false;
	req.once('end', () => {
		ended = true;
		setImmediate(() => (turned = true));
	});
	let headers: Sent['headers'] = {};
	let status = 0;
	const res = {
		headersSent: false,
		writeHead(code: number, given: Record<string, unknown> | unknown[]) {
			status = code;
			// Names and values in turn (the handler's form), or an object.
			headers = Array.isArray(given)
				? Object.fromEntries(
						given.flatMap((name, i) =>
							i % 2 === 0 ? [[String(name).toLowerCase(), given[i + 1]]] : []
						)
					)
				: given;
			this.headersSent = true;
		},
		end(payload: string) {
			answer = { status, headers, body: JSON.parse(payload) };
			atOnce = ended && !turned;
		},
		destroy() {}
	};
	expect(handleFastSales(req as never, res as never)).toBe(true);
	return {
		/** The body arrives and ends. */
		send() {
			req.end(Buffer.from(text));
		},
		sent: () => answer as Sent | null,
		/** Whether the answer went out before the event loop turned after the body ended. */
		atOnce: () => atOnce,
		/** Whether the handler left the body unread. */
		unread: () => req.listenerCount('data') === 0 && req.readableLength > 0,
		/** The connection reset after the body (a client gone): must not throw, nor answer again. */
		reset: () => req.emit('error', new Error('aborted'))
	};
}

async function answered(call: ReturnType<typeof request>): Promise<Sent> {
	for (let i = 0; i < 200 && !call.sent(); i++) await new Promise((r) => setTimeout(r, 10));
	return call.sent()!;
}

const occurredAt = new Date(Date.now() - 60_000).toISOString();
const body = (id: string) =>
	JSON.stringify({
		externalId: id,
		seller: { email: seeded.people[0].email },
		occurredAt,
		lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 999 }]
	});

describe('a replay on the plain handler', () => {
	it('is answered when its body ends, with the sale as it is now', async () => {
		const text = body('in-process-1');
		const first = request(text);
		first.send();
		const recorded = await answered(first);
		expect(recorded.status).toBe(201);
		const saleId = (recorded.body.sale as { id: number }).id;

		const again = request(text);
		again.send();
		expect(await answered(again)).toMatchObject({
			status: 200,
			headers: { 'content-type': 'application/json', 'x-frame-options': 'DENY' },
			body: { sale: { id: saleId, status: 'approved' }, seasonId: seeded.seasonId }
		});
		expect(again.atOnce()).toBe(true);

		// Its status as it is now, read again on every replay.
		withDb(seeded.path, (db) =>
			db
				.update(saleTable)
				.set({ status: 'rejected', points: 0 })
				.where(eq(saleTable.id, saleId))
				.run()
		);
		const later = request(text);
		later.send();
		expect((await answered(later)).body).toMatchObject({
			sale: { id: saleId, status: 'rejected', points: 0 }
		});
		expect(later.atOnce()).toBe(true);

		// A reset once answered is handled (an 'error' without a listener would throw) and
		// changes nothing.
		const answer = later.sent();
		expect(later.reset()).toBe(true);
		expect(later.sent()).toBe(answer);
	});

	it('still refuses a bad token before reading the body, and a sale gone takes the full path', async () => {
		const refused = request(body('in-process-2'), 'Bearer nope');
		refused.send();
		expect(await answered(refused)).toMatchObject({ status: 401 });
		expect(refused.unread()).toBe(true);

		const text = body('in-process-3');
		const first = request(text);
		first.send();
		const saleId = ((await answered(first)).body.sale as { id: number }).id;
		// Gone by hand (the app never deletes a sale): its ledger rows are left dangling.
		withDb(seeded.path, (db) => {
			db.$client.pragma('foreign_keys = OFF');
			db.delete(saleTable).where(eq(saleTable.id, saleId)).run();
		});
		const again = request(text);
		again.send();
		// Not answered from the read (the sale is gone): recorded again as a new sale.
		const recorded = await answered(again);
		expect(again.atOnce()).toBe(false);
		expect(recorded.status).toBe(201);
		expect((recorded.body.sale as { id: number }).id).not.toBe(saleId);
	});
});
