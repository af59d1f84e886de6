import { json, type RequestEvent, type RequestHandler } from '@sveltejs/kit';
import type { z } from 'zod';
import { getDb } from '../db';
import { validateApiToken, type ApiPrincipal } from '../auth/api-token';
import type { TokenRole } from '../auth/token-roles';
import { AppError } from '../shared/errors';

// Every API failure has one shape: `{ error: { code, message, details } }`; services and routes
// throw AppError and apiHandler answers it.

function errorResponse(status: number, code: string, message: string, details = {}) {
	return json({ error: { code, message, details } }, { status });
}

type ApiEvent = RequestEvent & { principal: ApiPrincipal };

/**
 * Wraps an API endpoint: checks the bearer token (and its role), turns AppError into the one
 * error shape and hides unexpected errors behind a 500.
 */
export function apiHandler(
	fn: (event: ApiEvent) => Response | Promise<Response>,
	roles?: readonly TokenRole[]
): RequestHandler {
	return async (event) => {
		try {
			const header = event.request.headers.get('authorization') ?? '';
			const match = /^Bearer\s+(\S+)$/i.exec(header);
			const principal = match ? validateApiToken(getDb(), match[1]) : null;
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
			return await fn(Object.assign(event, { principal }));
		} catch (error) {
			if (error instanceof AppError) {
				const details = error.field ? { field: error.field, ...error.details } : error.details;
				return errorResponse(error.status, error.code, error.message, details);
			}
			console.error(error);
			return errorResponse(500, 'internal', 'Something went wrong on the server');
		}
	};
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

/** Parses a JSON body against a schema, or throws a 400 that says what is wrong and where. */
export async function parseJson<S extends z.ZodType>(
	request: Request,
	schema: S
): Promise<z.infer<S>> {
	let body: unknown;
	try {
		body = await request.json();
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
