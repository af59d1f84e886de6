// POST /api/v1/sales, the API's hot endpoint (every sale of every integration), as a plain Node
// handler that server.ts mounts before SvelteKit's: no Request/Response objects, no hooks, no
// routing for the one path that needs none of them (docs/benchmarks.md, "Ingest"). The SvelteKit
// route (routes/api/v1/sales/+server.ts) stays for `vite dev` and shares the same core below:
// the same token check, body limit, zod schema, scoring path, answers and headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import {
	authenticateRequest,
	heldRequestPrincipal,
	errorAnswer,
	invalidBody,
	MAX_JSON_BODY_BYTES,
	tooLarge
} from './respond';
import { createSaleSchema } from './schemas';
import type { RecordSaleInput } from '../scoring/sales';
import { getStore, preparedQuery, type Store } from '../db/store';
import { replayAnswerOf, type ReplayAnswerRow } from '../scoring/sale-queries';
import { normalizeEmail } from '../people/users';
import { recordSaleGrouped } from '../scoring/group-commit';
import { AppError } from '../shared/errors';
import { AnsweredBodies, bodyKey } from './answered-bodies';
import { HeldAnswers, HOLD } from './held-answers';
import { requestContext, withRequestContext } from '../shared/log';

export type CreateSaleBody = z.infer<typeof createSaleSchema>;

/** What POST /api/v1/sales answers for a sale recorded (201) or replayed (200). */
export interface SaleAnswer {
	sale: { id: number; status: string; points: number };
	seasonId: number;
	version: number;
	flagReason?: string;
}

/** A sale sent to the API, recorded: the answer's status and body. */
export function createSaleAnswer(
	body: CreateSaleBody
): Promise<{ status: number; body: SaleAnswer }> {
	const input: RecordSaleInput = {
		source: 'api',
		externalId: body.externalId,
		seller: { email: body.seller.email },
		occurredAt: Date.parse(body.occurredAt),
		lines: body.lines.map((line) => ({
			sku: line.sku,
			quantity: line.quantity,
			unitPrice: Math.round(line.unitPrice * 100)
		})),
		customerRef: body.customerRef
	};
	// Recorded with the others of this turn of the event loop, in one write (a SQLite database
	// locked by another process is retried there, then 503). A known externalId is answered
	// there too, as a replay: the group reads which of its ids have a sale in one statement
	// (SaleLookups), where a read of its own before queueing cost every new sale a statement and
	// its promises (on PostgreSQL a round trip). Most replays never get here: their text was
	// answered before (knownBody).
	// Its promise's then, not an async function's await: one promise fewer per sale.
	return recordSaleGrouped(getStore(), input).then((result) => ({
		status: result.created ? 201 : 200,
		body: saleAnswer(result.sale, result.seasonId, result.version, result.flagReason)
	}));
}

function saleAnswer(
	sale: SaleAnswer['sale'],
	seasonId: number,
	version: number,
	flagReason: string | null
): SaleAnswer {
	return {
		sale,
		seasonId,
		version,
		// Above the season's points ceiling: recorded, pending until a manager checks it.
		...(flagReason && { flagReason })
	};
}

/**
 * At most this many bodies are kept (~80 bytes each: ~78 MB at the most, ~18 MB for a season of
 * 229,000 sales). By their text, a budget of 24 M characters held ~133,000 typical bodies: a
 * CRM sending a week of sales again, or bench:ingest's replays spread over every sale of the
 * run, took the full path for the others (docs/benchmarks.md, "Replays at any season size").
 */
const ANSWERED_MOST = 1_000_000;
/**
 * Bodies already answered, by the digest of their text (bodyKey): the sale they recorded or
 * replayed. Once recorded, a sale's seller, time, season, customer and lines never change (its
 * status and points do), so the same text again is that sale's replay: one indexed read answers
 * it (replayAnswerOf: the status, points and season version as they are now, and whether the
 * body's email is still the seller's), without validating and comparing the body again
 * (docs/benchmarks.md, "Ingest"). When the read finds nothing (the seller's email changed, the
 * sale is gone), the body takes the full path. The oldest go first.
 */
const answered = new AnsweredBodies<number>(ANSWERED_MOST);

/**
 * The externalId and email of a body, from its JSON alone (no schema): null when it has none,
 * and the body takes the full path, which says what is wrong. Trimmed as the schema trims the
 * externalId, lower-cased as emails are stored.
 */
function sentIdentity(text: string): { externalId: string; email: string } | null {
	let raw: { externalId?: unknown; seller?: { email?: unknown } } | null;
	try {
		raw = JSON.parse(text);
	} catch {
		return null;
	}
	const externalId = raw?.externalId;
	const email = raw?.seller?.email;
	if (typeof externalId !== 'string' || typeof email !== 'string') return null;
	return { externalId: externalId.trim(), email: normalizeEmail(email) };
}

/**
 * Replays' answers held while nothing is written to the database: a replay of an unchanged
 * season is answered without its read (held-answers.ts). ~350 bytes each (measured with
 * --expose-gc): 70 MB at the most, held only through a stretch of replays with no write.
 */
const HELD_MOST = 200_000;
const held = new HeldAnswers(HELD_MOST);

/** A body answered before, whose sale is to be read (readAgain). */
interface KnownBody {
	saleId: number;
	externalId: string;
	email: string;
	/** Its answer to be held (HeldAnswers.lookup said HOLD). */
	hold: boolean;
}

/**
 * What answers `text` again (a replay): its held JSON text, its sale to read (readAgain), or
 * null when it takes the full path. Without a promise: most bodies are not replays.
 */
function knownBody(store: Store, text: string, key: string): string | KnownBody | null {
	const saleId = answered.get(key);
	if (saleId === undefined) return null;
	// The digest alone does not answer: the sale read must be this body's (its externalId, an
	// integration's; its seller with this email), so that two texts of the same digest could
	// never get each other's sale.
	const sent = sentIdentity(text);
	if (!sent) {
		answered.forget(key);
		return null;
	}
	const kept = held.lookup(store, saleId);
	// Held for this externalId and email, unchanged since: what the read would say.
	if (kept && kept !== HOLD && kept.externalId === sent.externalId && kept.email === sent.email)
		return kept.payload;
	return { saleId, externalId: sent.externalId, email: sent.email, hold: kept === HOLD };
}

/** The JSON text answering a known body from its sale as it is now; null when it is not its. */
function readAgain(store: Store, known: KnownBody, key: string): Promise<string | null> {
	const { saleId, externalId, email } = known;
	return preparedQuery(store.db, store, replayAnswerOf)
		.execute({ saleId, email, externalId })
		.then(([row]) => {
			if (!row) {
				answered.forget(key);
				return null;
			}
			const payload = replayPayload(saleId, row);
			if (known.hold) held.keep(saleId, { externalId, email, payload });
			return payload;
		});
}

/**
 * The JSON text of a replay's answer: what JSON.stringify(saleAnswer(…)) writes for the same
 * sale, key for key, written out instead (~0.5 µs of a replay: no object to build and walk).
 * The strings (status, flagReason) go through JSON.stringify, which escapes them.
 */
export function replayPayload(saleId: number, row: ReplayAnswerRow): string {
	const { status, points, seasonId, flagReason, version } = row;
	const flag = flagReason ? `,"flagReason":${JSON.stringify(flagReason)}` : '';
	return (
		`{"sale":{"id":${saleId},"status":${JSON.stringify(status)},"points":${points}},` +
		`"seasonId":${seasonId},"version":${version}${flag}}`
	);
}

/** The JSON text of a body, checked against the sale schema (400 saying what is wrong). */
export function parseSaleBody(text: string): CreateSaleBody {
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		throw new AppError(400, 'invalid_json', 'The request body is not valid JSON');
	}
	const parsed = createSaleSchema.safeParse(raw);
	if (!parsed.success) throw invalidBody(parsed.error);
	return parsed.data;
}

const PATH = '/api/v1/sales';

// What hooks.server.ts (handleSecurityHeaders) adds to every answer: names and values in turn.
const SECURITY_HEADERS = [
	'x-content-type-options',
	'nosniff',
	'referrer-policy',
	'same-origin',
	'x-frame-options',
	'DENY'
];

/**
 * Answers POST /api/v1/sales and returns true; any other request returns false and is left to
 * SvelteKit. Off with HONORBOARD_FAST_SALES=0 (then SvelteKit's route answers it).
 */
export function handleFastSales(req: IncomingMessage, res: ServerResponse): boolean {
	if (req.method !== 'POST' || fastSalesOff) return false;
	const url = req.url ?? '';
	const query = url.indexOf('?');
	if ((query === -1 ? url : url.slice(0, query)) !== PATH) return false;
	// Named like SvelteKit's route in the access log and the request metrics.
	const context = requestContext();
	if (context) context.route = PATH;
	// The body is callbacks (below): what one of them throws at once is answered here, not thrown
	// into the server's request listener.
	try {
		answer(req, res);
	} catch (failure) {
		lost(res)(failure);
	}
	return true;
}
const fastSalesOff = process.env.HONORBOARD_FAST_SALES === '0';

// One body for both dialects, in callbacks rather than awaits: in Node 20 every promise runs the
// async hooks that carry the request's context (AsyncLocalStorage), and an await makes two. A
// token held in memory, the body, a held replay and a new sale's way to its group take none of
// them; a promise is made only where the store is read: a token not held (its row, always on
// PostgreSQL), a replay's sale (readAgain), the group's write (createSaleAnswer).
function answer(req: IncomingMessage, res: ServerResponse): void {
	const authorization = req.headers.authorization;
	let principal;
	try {
		principal = heldRequestPrincipal(authorization);
	} catch (error) {
		return refuse(req, res, error);
	}
	if (principal) return readThenAnswer(req, res);
	authenticateRequest(authorization)
		.then(
			() => readThenAnswer(req, res),
			(error) => refuse(req, res, error)
		)
		.catch(lost(res));
}

/**
 * Reads the body, then answers it. The body's callbacks run outside the request's context: they
 * get it back (its reqId in any line logged while answering).
 */
function readThenAnswer(req: IncomingMessage, res: ServerResponse): void {
	const context = requestContext();
	readBody(req, MAX_JSON_BODY_BYTES, (error, text) => {
		try {
			if (context) withRequestContext(context, () => answerBody(req, res, error, text));
			else answerBody(req, res, error, text);
		} catch (failure) {
			lost(res)(failure);
		}
	});
}

/**
 * A body answered before is answered from its sale as it is now (knownBody: its held answer, or
 * readAgain), any other through the full path (answerSale).
 */
function answerBody(
	req: IncomingMessage,
	res: ServerResponse,
	error: AppError | null,
	text: string
): void {
	if (error) return refuse(req, res, error);
	const store = getStore();
	const key = bodyKey(text);
	let known: string | KnownBody | null;
	try {
		known = knownBody(store, text, key);
	} catch (failure) {
		// A database locked by another process (503), or worse (500, logged).
		return refuse(req, res, failure);
	}
	if (typeof known === 'string') return sendText(res, 200, known);
	if (known === null) return answerSale(res, text, key);
	readAgain(store, known, key)
		.then(
			(again) => (again ? sendText(res, 200, again) : answerSale(res, text, key)),
			(failure) => refuse(req, res, failure)
		)
		.catch(lost(res));
}

/** Only a failure to write the answer lands here (a socket gone): nothing more to say. */
const lost = (res: ServerResponse) => (failure: unknown) => {
	if (!res.headersSent) send(res, errorAnswer(failure));
	else res.destroy();
};

/** A sale not answered from memory: recorded, or replayed from its read; `key` remembers it. */
function answerSale(res: ServerResponse, text: string, key: string): void {
	let body: CreateSaleBody;
	try {
		body = parseSaleBody(text);
	} catch (error) {
		return send(res, errorAnswer(error));
	}
	createSaleAnswer(body)
		.then(
			(recorded) => {
				answered.remember(key, recorded.body.sale.id);
				send(res, { ...recorded, headers: {} });
			},
			(error) => send(res, errorAnswer(error))
		)
		.catch(lost(res));
}

function refuse(req: IncomingMessage, res: ServerResponse, error: unknown): void {
	const refused = errorAnswer(error);
	if (refused.status === 413) return refuseTooLarge(req, res, refused);
	send(res, refused);
}

/** How long a refused upload may go on being read (and dropped) after its 413 has gone out. */
const DRAIN_AFTER_413_MS = 5_000;

/**
 * A 413 while the client may still be sending its body. Closing at once would reset the
 * connection under a client that is still writing, which then sees EPIPE instead of this
 * answer: the rest of the body is read and dropped instead, for a few seconds at most (the
 * connection is closed when that time is up, and kept when the body has ended).
 */
function refuseTooLarge(
	req: IncomingMessage,
	res: ServerResponse,
	refused: { status: number; body: unknown; headers: Record<string, string> }
): void {
	const headers = Object.fromEntries(
		Object.entries(refused.headers).filter(([name]) => name.toLowerCase() !== 'connection')
	);
	send(res, { ...refused, headers });
	const socket = req.socket;
	const cap = setTimeout(() => socket.destroy(), DRAIN_AFTER_413_MS);
	cap.unref();
	req.on('data', () => {});
	// Read to its end, the connection is in step again and stays open: closing it here raced a
	// client that had already taken it from its pool for the next request ("other side closed").
	req.once('end', () => clearTimeout(cap));
	req.once('close', () => clearTimeout(cap));
	req.resume();
}

function send(
	res: ServerResponse,
	answer: { status: number; body: unknown; headers: Record<string, string> }
): void {
	const extra = Object.entries(answer.headers).flat();
	sendText(res, answer.status, JSON.stringify(answer.body), extra);
}

/**
 * Writes an answer's JSON text with its headers in one writeHead, as a flat list of names and
 * values: Node reads it as it is, where an object was built by spreading and then walked
 * (~1 µs of a replay).
 */
function sendText(
	res: ServerResponse,
	status: number,
	payload: string,
	extra: string[] = []
): void {
	// server.ts leaves X-Request-Id to this handler (see there).
	const reqId = requestContext()?.reqId;
	const headers: (string | number)[] = [
		'content-type',
		'application/json',
		'content-length',
		Buffer.byteLength(payload),
		...SECURITY_HEADERS
	];
	if (reqId) headers.push('X-Request-Id', reqId);
	if (extra.length > 0) headers.push(...extra);
	res.writeHead(status, headers);
	res.end(payload);
}

/**
 * The body as text, refused with a 413 once it is over `limit` bytes: by its Content-Length
 * before reading, or while reading when it has none (chunked) or understates it. A refused
 * body is left unread (the answer closes the connection). `done` is called once.
 */
function readBody(
	req: IncomingMessage,
	limit: number,
	done: (error: AppError | null, text: string) => void
): void {
	const declared = Number(req.headers['content-length']);
	if (Number.isFinite(declared) && declared > limit) return done(tooLarge(limit), '');
	const chunks: Buffer[] = [];
	let size = 0;
	let settled = false;
	const stop = (error: AppError) => {
		req.off('data', onData);
		req.off('end', onEnd);
		req.pause();
		if (settled) return;
		settled = true;
		done(error, '');
	};
	const onData = (chunk: Buffer) => {
		size += chunk.length;
		if (size > limit) return stop(tooLarge(limit));
		chunks.push(chunk);
	};
	const onEnd = () => {
		settled = true;
		done(
			null,
			chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')
		);
	};
	// Stays on for the request's life: a connection reset after the end (or while a refused
	// body is drained, refuseTooLarge) must not become an unhandled 'error'; once answered it
	// changes nothing.
	const onError = () =>
		stop(new AppError(400, 'invalid_body', 'The request body could not be read'));
	req.on('data', onData);
	req.on('end', onEnd);
	req.on('error', onError);
}
