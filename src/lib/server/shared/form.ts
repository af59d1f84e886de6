import { fail, type ActionFailure } from '@sveltejs/kit';
import { m } from '../../paraglide/messages.js';
import type { z } from 'zod';
import { AppError } from './errors';
import { isDatabaseBusy } from '../db/busy';
import type { CsvError } from '../../csv';

// Every form action refuses with the same payload, so every page reads `form` the same way:
// which action failed (pages with several forms show the message beside the right one), a
// sentence for the top of the form, one message per field, and what was sent, to show it again.
// A refused file also lists its problems row by row (`problems`), for the page's report.
// `action` keeps its literal type, so a page narrows `form` by testing `form?.action === 'x'`.

export interface FormFailure<A extends string = string, V = undefined> {
	action: A;
	message: string;
	errors: Record<string, string>;
	values?: V;
	problems?: CsvError[];
}

export function refuse<A extends string, V = undefined>(
	status: number,
	action: A,
	message: string,
	extra: { errors?: Record<string, string>; values?: V; problems?: CsvError[] } = {}
): ActionFailure<FormFailure<A, V>> {
	const { errors = {}, values, problems } = extra;
	return fail(status, { action, message, errors, values, ...(problems && { problems }) });
}

/** Said when another process holds the database's write lock for longer than we wait. */
export const databaseBusyMessage = () => m.server_database_busy();

/**
 * An AppError as the form's failure; a database locked by another process as a 503 that asks
 * to try again (the values are kept); anything else is rethrown (a bug answers 500).
 */
export function refuseError<A extends string, V = undefined>(
	error: unknown,
	action: A,
	values?: V
) {
	if (isDatabaseBusy(error)) return refuse(503, action, databaseBusyMessage(), { values });
	if (!(error instanceof AppError)) throw error;
	const errors = error.field ? { [error.field]: error.message } : {};
	return refuse(error.status, action, error.message, { errors, values });
}

/** Zod's issues as one message per field (the first for each), keyed by the field's path. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
	const errors: Record<string, string> = {};
	for (const issue of error.issues) {
		const key = issue.path.map(String).join('.') || '_';
		errors[key] ??= issue.message;
	}
	return errors;
}

export type Parsed<T, A extends string, V> =
	{ ok: true; data: T } | { ok: false; failure: ActionFailure<FormFailure<A, V>> };

/**
 * Checks a form's values against the entity's schema. On failure the payload names every bad
 * field; its message is the first field's, so a screen reader hears what to fix first.
 */
export function parseForm<S extends z.ZodType, A extends string, V = undefined>(
	schema: S,
	input: unknown,
	action: A,
	values?: V
): Parsed<z.infer<S>, A, V> {
	const parsed = schema.safeParse(input);
	if (parsed.success) return { ok: true, data: parsed.data };
	const errors = fieldErrors(parsed.error);
	const message = Object.values(errors)[0] ?? m.server_check_form();
	return { ok: false, failure: refuse(400, action, message, { errors, values }) };
}

/** A FormData's text fields as strings ('' when missing), for schemas and for showing again. */
export function formText<K extends string>(form: FormData, keys: readonly K[]): Record<K, string> {
	const values = {} as Record<K, string>;
	for (const key of keys) values[key] = String(form.get(key) ?? '');
	return values;
}
