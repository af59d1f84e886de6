import { json, type RequestEvent, type RequestHandler } from '@sveltejs/kit';
import type { z } from 'zod';
import { isDatabaseBusy, BUSY_RETRY_AFTER_SECONDS } from '../db';
import { getStore } from '../db/store';
import { heldApiToken, validateApiToken, type ApiPrincipal } from '../auth/api-token';
import type { TokenRole } from '../auth/token-roles';
import { AppError } from '../shared/errors';
import { log } from '../shared/log';

// Every API failure has one shape: `{ error: { code, message, details } }`; services and routes
// throw AppError and apiHandler answers it.

/** Largest JSON body an endpoint reads (a sale of 100 lines is a few kilobytes). */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

type ApiEvent = RequestEvent & { principal: ApiPrincipal };

/**
 * Wraps an API endpoint: checks the bearer token (and its role), turns AppError into the one
 * error shape and hides unexpected errors behind a 500. A database locked by another process
 * answers 503 with Retry-After: the client may send the same request (same externalId) again.
 */
export function apiHandler(
	fn: (event: ApiEvent) => Response | Promise<Response>,
	roles?: readonly TokenRole[]
): RequestHandler {
	return async (event) => {
		try {
			const principal = await authenticateRequest(
				event.request.headers.get('authorization'),
				roles
			);
			return await fn(Object.assign(event, { principal }));
		} catch (error) {
			const answer = errorAnswer(error);
			return json(answer.body, { status: answer.status, headers: answer.headers });
		}
	};
}

/** The bearer token's principal (with one of `roles`), or the 401/403 AppError to answer. */
export async function authenticateRequest(
	authorization: string | null | undefined,
	roles?: readonly TokenRole[]
): Promise<ApiPrincipal> {
	const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
	return permitted(match ? await validateApiToken(getStore(), match[1]) : null, roles);
}

/**
 * `authenticateRequest`'s answer without a promise when the token is held in memory
 * (auth/api-token.ts `heldApiToken`: an integration's every call after its first, on SQLite);
 * undefined when it must be awaited. Throws the 401/403 as it does.
 */
export function heldRequestPrincipal(
	authorization: string | null | undefined,
	roles?: readonly TokenRole[]
): ApiPrincipal | undefined {
	const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
	if (!match) return undefined;
	const principal = heldApiToken(getStore(), match[1]);
	return principal && permitted(principal, roles);
}

function permitted(principal: ApiPrincipal | null, roles?: readonly TokenRole[]): ApiPrincipal {
	if (!principal) {
		throw new AppError(
			401,
			'unauthorized',
			'A valid API token is required (Authorization: Bearer <token>)'
		);
	}
	if (roles && !roles.includes(principal.role)) {
		throw new AppError(403, 'forbidden', `This needs a token with role ${roles.join(' or ')}`);
	}
	return principal;
}

/**
 * What the API answers for an error: an AppError with its status and code, a busy database 503
 * with Retry-After, anything else a 500 (logged). Shared by apiHandler and the plain Node
 * handler of POST /api/v1/sales (api/fast-sales.ts).
 */
export function errorAnswer(error: unknown): {
	status: number;
	body: { error: { code: string; message: string; details: Record<string, unknown> } };
	headers: Record<string, string>;
} {
	const answer = (
		status: number,
		code: string,
		message: string,
		details: Record<string, unknown> = {},
		headers: Record<string, string> = {}
	) => ({ status, body: { error: { code, message, details } }, headers });
	if (error instanceof AppError) {
		const details = error.field ? { field: error.field, ...error.details } : error.details;
		// A refused body is left unread: the connection closes after the answer, so that
		// the client does not send its next request after the rest of this body.
		const headers: Record<string, string> = error.status === 413 ? { connection: 'close' } : {};
		return answer(error.status, error.code, error.message, details, headers);
	}
	if (isDatabaseBusy(error)) {
		return answer(
			503,
			'database_busy',
			'The database is busy, please try again in a moment',
			{ retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS },
			{ 'retry-after': String(BUSY_RETRY_AFTER_SECONDS) }
		);
	}
	log.error({ err: error }, 'API request failed');
	return answer(500, 'internal', 'Something went wrong on the server');
}

function issues(error: z.ZodError) {
	return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/** A 400 that lists what is wrong in a request body, field by field. */
export function invalidBody(error: z.ZodError): AppError {
	return new AppError(400, 'invalid_input', 'The request body is not valid', {
		details: { issues: issues(error) }
	});
}

export function tooLarge(limit: number): AppError {
	return new AppError(
		413,
		'payload_too_large',
		`The request body is too large (${limit.toLocaleString('en')} bytes at most)`,
		{ details: { limit } }
	);
}

/**
 * The body as text, refused with a 413 once it is over `limit` bytes: by its Content-Length
 * before reading, or while reading when it has none (chunked) or understates it.
 */
async function readBody(request: Request, limit: number): Promise<string> {
	const declared = Number(request.headers.get('content-length'));
	if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
	if (!request.body) return '';
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			size += value.byteLength;
			if (size > limit) {
				await reader.cancel().catch(() => {});
				throw tooLarge(limit);
			}
			chunks.push(value);
		}
	} catch (error) {
		if (error instanceof AppError) throw error;
		// adapter-node stops a body over BODY_SIZE_LIMIT with a 413 error of its own.
		if ((error as { status?: unknown })?.status === 413) throw tooLarge(limit);
		throw new AppError(400, 'invalid_body', 'The request body could not be read');
	}
	return Buffer.concat(chunks).toString('utf8');
}

/**
 * Parses a JSON body against a schema, or throws a 400 that says what is wrong and where
 * (a 413 when the body is over MAX_JSON_BODY_BYTES). With `whenEmpty`, a body left out is read
 * as that value (an endpoint whose fields are all optional).
 */
export async function parseJson<S extends z.ZodType>(
	request: Request,
	schema: S,
	options: { maxBytes?: number; whenEmpty?: unknown } = {}
): Promise<z.infer<S>> {
	const text = await readBody(request, options.maxBytes ?? MAX_JSON_BODY_BYTES);
	let body: unknown = options.whenEmpty;
	try {
		if (options.whenEmpty === undefined || text.trim() !== '') body = JSON.parse(text);
	} catch {
		throw new AppError(400, 'invalid_json', 'The request body is not valid JSON');
	}
	const parsed = schema.safeParse(body);
	if (!parsed.success) {
		throw invalidBody(parsed.error);
	}
	return parsed.data;
}

export function parseQuery<S extends z.ZodType>(url: URL, schema: S): z.infer<S> {
	const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) {
		throw new AppError(400, 'invalid_query', 'The query string is not valid', {
			details: { issues: issues(parsed.error) }
		});
	}
	return parsed.data;
}

export function parseId(value: string | undefined, name = 'id'): number {
	const id = Number(value);
	if (!Number.isSafeInteger(id) || id <= 0) {
		throw new AppError(400, 'invalid_id', `${name} must be a positive whole number`);
	}
	return id;
}
