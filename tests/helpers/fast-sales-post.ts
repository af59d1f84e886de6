import { EventEmitter } from 'node:events';
import { expect } from 'vitest';

/** An answer of the fast sales handler: its status and JSON body. */
export interface FastSalesAnswer {
	status: number;
	body: Record<string, unknown>;
	/** Written when the body ended, in the same turn (a replay), not after a write. */
	atOnce: boolean;
}

/**
 * Posts `text` to the fast sales handler (api/fast-sales.ts `handleFastSales`, imported by the
 * test after it set DATABASE_URL) with the API token `token`, through a fake request and
 * response, and waits for its answer.
 */
export async function postToFastSales(
	handleFastSales: (req: never, res: never) => boolean,
	token: string,
	text: string
): Promise<FastSalesAnswer> {
	const req = Object.assign(new EventEmitter(), {
		method: 'POST',
		url: '/api/v1/sales',
		headers: {
			authorization: `Bearer ${token}`,
			'content-type': 'application/json',
			'content-length': String(Buffer.byteLength(text))
		},
		socket: { destroy() {} },
		pause() {},
		resume() {}
	});
	let answer: Omit<FastSalesAnswer, 'atOnce'> | null = null;
	let status = 0;
	const res = {
		headersSent: false,
		writeHead(code: number) {
			status = code;
			this.headersSent = true;
		},
		end(payload: string) {
			answer = { status, body: JSON.parse(payload) };
		},
		destroy() {}
	};
	expect(handleFastSales(req as never, res as never)).toBe(true);
	req.emit('data', Buffer.from(text));
	req.emit('end');
	const atOnce = answer !== null;
	for (let i = 0; i < 300 && !answer; i++) await new Promise((r) => setTimeout(r, 10));
	expect(answer, 'no answer').not.toBeNull();
	return { ...(answer as unknown as Omit<FastSalesAnswer, 'atOnce'>), atOnce };
}
