import * as z from 'zod';
import { formText } from '../shared/form';
import { localInput, parseLocalInput } from '../quizzes/quiz-form';
import type { Sprint } from '../db/schema';
import { parseMeasure } from '../../contest/measure';
import { m } from '../../paraglide/messages.js';

// The console's sprint form: values ↔ FormData ↔ schema. Times are wall-clock times in the
// season's zone, as a datetime-local input gives them.

const KEYS = [
	'name',
	'subject',
	'measure',
	'target',
	'startsAt',
	'endsAt',
	'prize',
	'requestId'
] as const;

export type SprintFormValues = Record<(typeof KEYS)[number], string>;

export const sprintFormValues = (form: FormData): SprintFormValues => formText(form, KEYS);

/** A sprint as its edit form shows it. */
export const sprintValuesOf = (row: Sprint, timeZone: string): SprintFormValues => ({
	name: row.name,
	subject: row.subject,
	measure: row.measure,
	target: String(row.target),
	startsAt: localInput(row.startsAt, timeZone),
	endsAt: localInput(row.endsAt, timeZone),
	prize: row.prize ?? '',
	requestId: ''
});

/**
 * An edit form's values: what it sent, and the stored value of each field it did not send (a
 * started sprint's form shows the fields it may not change as disabled, which a browser leaves
 * out of the post).
 */
export function sprintEditValues(form: FormData, stored: SprintFormValues): SprintFormValues {
	return editValues(form, KEYS, stored);
}

/** `stored` overridden by the fields `form` sent. */
export function editValues<K extends string>(
	form: FormData,
	keys: readonly K[],
	stored: Record<K, string>
): Record<K, string> {
	const sent = formText(form, keys);
	return Object.fromEntries(
		keys.map((key) => [key, form.has(key) ? sent[key] : stored[key]])
	) as Record<K, string>;
}

const whole = (min: number, max: number, message: () => string) =>
	z
		.string()
		.trim()
		.regex(/^\d+$/, { error: message })
		.transform(Number)
		.refine((n) => n >= min && n <= max, { error: message });

const instant = (timeZone: string, message: () => string) =>
	z.string().transform((text, ctx) => {
		const at = parseLocalInput(text, timeZone);
		if (at === null) {
			ctx.addIssue({ code: 'custom', message: message() });
			return z.NEVER;
		}
		return at;
	});

export const nameField = () =>
	z
		.string()
		.trim()
		.min(1, { error: () => m.sprints_error_name() })
		.max(80, { error: () => m.sprints_error_name() });

export const measureField = () =>
	z
		.string()
		.refine((key) => parseMeasure(key) !== null, { error: () => m.sprints_error_measure() });

export const prizeField = () =>
	z
		.string()
		.trim()
		.max(120, { error: () => m.sprints_error_prize() })
		.transform((t) => (t === '' ? null : t));

export const requestIdField = () => z.string().trim().min(8).max(100);

const endsAfterStart = (v: { startsAt: number; endsAt: number }) => v.endsAt > v.startsAt;
const endsError = { path: ['endsAt'], error: () => m.sprints_error_ends() };

/** What a sprint is, without the form's one-time id: creating and editing share it. */
function sprintFields(timeZone: string) {
	return z.object({
		name: nameField(),
		subject: z.enum(['user', 'team'], { error: () => m.sprints_error_subject() }),
		measure: measureField(),
		target: whole(1, 100_000_000, () => m.sprints_error_target()),
		startsAt: instant(timeZone, () => m.sprints_error_starts()),
		endsAt: instant(timeZone, () => m.sprints_error_ends()),
		prize: prizeField()
	});
}

export function sprintFormSchema(timeZone: string) {
	return sprintFields(timeZone)
		.extend({ requestId: requestIdField() })
		.refine(endsAfterStart, endsError);
}

/** The edit form: the same fields, checked the same way. */
export function sprintEditSchema(timeZone: string) {
	return sprintFields(timeZone).refine(endsAfterStart, endsError);
}

export type SprintInput = z.infer<ReturnType<typeof sprintFormSchema>>;
export type SprintEdit = z.infer<ReturnType<typeof sprintEditSchema>>;
