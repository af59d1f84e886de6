// The fast sales path's promises (api/fast-sales.ts): in Node 20 each one runs the async hooks
// that carry the request's context (AsyncLocalStorage), a part of every request's CPU. A token
// held in memory, the body and a held replay are answered in callbacks, without a promise; a new
// sale reaches its group's queue (scoring/group-commit.ts) without one. Counted by an async hook
// for the promises made in the request's context, on the handler in this process (SQLite: the
// token and the answers are held in memory only there).
import { createHook } from 'node:async_hooks';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { fastSalesInProcess, postToFastSales } from '../helpers/fast-sales-post';
import {
	requestContext,
	withRequestContext,
	type RequestContext
} from '../../src/lib/server/shared/log';

const counted = vi.hoisted(() => ({ promises: 0, atQueue: [] as number[] }));
vi.mock('../../src/lib/server/scoring/group-commit', async (importOriginal) => {
	const original =
		await importOriginal<typeof import('../../src/lib/server/scoring/group-commit')>();
	return {
		...original,
		recordSaleGrouped: (...args: Parameters<typeof original.recordSaleGrouped>) => {
			counted.atQueue.push(counted.promises);
			return original.recordSaleGrouped(...args);
		}
	};
});

const server = fastSalesInProcess();
let context: RequestContext | null = null;
const hook = createHook({
	init(_id, type) {
		if (type === 'PROMISE' && context && requestContext() === context) counted.promises++;
	}
}).enable();
afterAll(() => hook.disable());

/** Posts `text` as one request with a context of its own: its answer and the promises it made. */
async function post(text: string) {
	const own: RequestContext = { reqId: `promises-${Math.random()}` };
	context = own;
	counted.promises = 0;
	counted.atQueue = [];
	const answer = await postToFastSales(
		(req, res) => withRequestContext(own, () => server.fastSales.handleFastSales(req, res)),
		server.token,
		text
	);
	context = null;
	return { status: answer.status, promises: counted.promises, atQueue: counted.atQueue };
}

describe('the fast sales path without promises', () => {
	it('takes a new sale to its group without one, once the token is held', async () => {
		// The first request reads the token (and writes its last use): held from then on.
		expect((await post(server.saleBody('promises-warm'))).status).toBe(201);
		const recorded = await post(server.saleBody('promises-new'));
		expect(recorded.status).toBe(201);
		expect(recorded.atQueue).toEqual([0]);
	});

	it('answers a held replay without one', async () => {
		const text = server.saleBody('promises-replay');
		expect((await post(text)).status).toBe(201);
		// The first replay reads its sale and marks it, the second holds its answer.
		expect((await post(text)).status).toBe(200);
		expect((await post(text)).status).toBe(200);
		const held = await post(text);
		expect(held.status).toBe(200);
		expect(held.promises).toBe(0);
	});
});
