import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect } from 'vitest';
import { apiTokenFor, seedServerDb, type SeededDb } from './seeded';

/** An answer of the fast sales handler: its status and JSON body. */
export interface FastSalesAnswer {
	status: number;
	body: Record<string, unknown>;
	/**
	 * Written before the event loop turned after the body ended (a replay answered from its
	 * sale's read or its held answer), not after a group's write (the full path).
	 */
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
	// A stream, as Node's request is: the body waits in it until the handler reads it.
	const req = Object.assign(new PassThrough(), {
		method: 'POST',
		url: '/api/v1/sales',
		headers: {
			authorization: `Bearer ${token}`,
			'content-type': 'application/json',
			'content-length': String(Buffer.byteLength(text))
		},
		socket: { destroy() {} }
	});
	let answer: Omit<FastSalesAnswer, 'atOnce'> | null = null;
	// Whether the event loop turned since the body ended (registered before the handler's
	// listener: runs first), when the answer is written.
	let ended = false;
	let turned = false;
	req.once('end', () => {
		ended = true;
		setImmediate(() => (turned = true));
	});
	let atOnce = false;
	let status = 0;
	const res = {
		headersSent: false,
		writeHead(code: number) {
			status = code;
			this.headersSent = true;
		},
		end(payload: string) {
			answer = { status, body: JSON.parse(payload) };
			atOnce = ended && !turned;
		},
		destroy() {}
	};
	req.end(Buffer.from(text));
	expect(handleFastSales(req as never, res as never)).toBe(true);
	for (let i = 0; i < 300 && !answer; i++) await new Promise((r) => setTimeout(r, 10));
	expect(answer, 'no answer').not.toBeNull();
	return { ...(answer as unknown as Omit<FastSalesAnswer, 'atOnce'>), atOnce };
}

/** The fast sales handler in the test's process, on a seeded database of its own. */
export interface FastSalesInProcess {
	seeded: SeededDb;
	/** An API token of the seeded organisation. */
	token: string;
	fastSales: typeof import('../../src/lib/server/api/fast-sales');
	db: typeof import('../../src/lib/server/db');
	/** Posts `text` with `token` and waits for the answer (postToFastSales). */
	post(text: string): Promise<FastSalesAnswer>;
	/**
	 * What SvelteKit's route answers for `text`: the same core, always the full path (a refused
	 * body as its error answer).
	 */
	fullPath(text: string): Promise<SaleAnswer>;
	/** A sale's body: one phone sold a minute before the file started, by the first person. */
	saleBody(externalId: string, overrides?: Record<string, unknown>): string;
}

/** An answer's status and JSON body. */
export interface SaleAnswer {
	status: number;
	body: Record<string, unknown>;
}

/** The id of the sale an answer reports. */
export const saleIdOf = (answer: SaleAnswer) => (answer.body.sale as { id: number }).id;

/**
 * Seeds a server database (one team, two people), points DATABASE_URL at it and imports the
 * fast sales handler (in beforeAll; the fields are there once it has run); closes and removes
 * it after the file.
 */
export function fastSalesInProcess(): FastSalesInProcess {
	const occurredAt = new Date(Date.now() - 60_000).toISOString();
	const server = {
		post: (text: string) => postToFastSales(server.fastSales.handleFastSales, server.token, text),
		async fullPath(text: string) {
			try {
				const { createSaleAnswer, parseSaleBody } = server.fastSales;
				const answer = await createSaleAnswer(parseSaleBody(text));
				return { status: answer.status, body: JSON.parse(JSON.stringify(answer.body)) };
			} catch (error) {
				const { errorAnswer } = await import('../../src/lib/server/api/respond');
				const refused = errorAnswer(error);
				return { status: refused.status, body: JSON.parse(JSON.stringify(refused.body)) };
			}
		},
		saleBody: (externalId: string, overrides: Record<string, unknown> = {}) =>
			JSON.stringify({
				externalId,
				seller: { email: server.seeded.people[0].email },
				occurredAt,
				lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 999 }],
				...overrides
			})
	} as FastSalesInProcess;
	beforeAll(async () => {
		server.seeded = await seedServerDb({ teams: 1, people: 2 });
		server.token = apiTokenFor(server.seeded.path);
		process.env.DATABASE_URL = server.seeded.path;
		server.fastSales = await import('../../src/lib/server/api/fast-sales');
		server.db = await import('../../src/lib/server/db');
	}, 120_000);
	afterAll(() => {
		server.db?.closeDb();
		server.seeded?.cleanup();
	});
	return server;
}
