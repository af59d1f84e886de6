import { z } from 'zod';
import { formText } from '../shared/form';
import { parseLocalInput } from '../quizzes/quiz-form';
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

export function sprintFormSchema(timeZone: string) {
	return z
		.object({
			name: nameField(),
			subject: z.enum(['user', 'team'], { error: () => m.sprints_error_subject() }),
			measure: measureField(),
			target: whole(1, 100_000_000, () => m.sprints_error_target()),
			startsAt: instant(timeZone, () => m.sprints_error_starts()),
			endsAt: instant(timeZone, () => m.sprints_error_ends()),
			prize: prizeField(),
			requestId: requestIdField()
		})
		.refine((v) => v.endsAt > v.startsAt, {
			path: ['endsAt'],
			error: () => m.sprints_error_ends()
		});
}

export type SprintInput = z.infer<ReturnType<typeof sprintFormSchema>>;
