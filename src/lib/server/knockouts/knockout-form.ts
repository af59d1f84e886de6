import * as z from 'zod';
import { formText } from '../shared/form';
import { localInput, parseLocalInput } from '../quizzes/quiz-form';
import {
	editValues,
	measureField,
	nameField,
	prizeField,
	requestIdField
} from '../sprints/sprint-form';
import type { Knockout } from '../db/schema';
import { MAX_SIZE, MIN_SIZE } from '../../contest/knockout';
import { m } from '../../paraglide/messages.js';

// The console's knockout form: values ↔ FormData ↔ schema.

const KEYS = [
	'name',
	'subject',
	'measure',
	'size',
	'roundLength',
	'roundUnit',
	'graceHours',
	'startsAt',
	'prize',
	'requestId'
] as const;

export type KnockoutFormValues = Record<(typeof KEYS)[number], string>;

export const knockoutFormValues = (form: FormData): KnockoutFormValues => formText(form, KEYS);

/** A knockout as its edit form shows it. */
export const knockoutValuesOf = (row: Knockout, timeZone: string): KnockoutFormValues => ({
	name: row.name,
	subject: row.subject,
	measure: row.measure,
	size: String(row.size),
	roundLength: String(row.roundLength),
	roundUnit: row.roundUnit,
	graceHours: String(row.graceHours),
	startsAt: localInput(row.startsAt, timeZone),
	prize: row.prize ?? '',
	requestId: ''
});

/** An edit form's values, the fields it did not send (disabled: locked) as stored. */
export const knockoutEditValues = (form: FormData, stored: KnockoutFormValues) =>
	editValues(form, KEYS, stored);

const whole = (min: number, max: number, message: () => string) =>
	z
		.string()
		.trim()
		.regex(/^\d+$/, { error: message })
		.transform(Number)
		.refine((n) => n >= min && n <= max, { error: message });

/** What a knockout is, without the form's one-time id: creating and editing share it. */
export function knockoutEditSchema(timeZone: string) {
	return z.object({
		name: nameField(),
		subject: z.enum(['user', 'team'], { error: () => m.sprints_error_subject() }),
		measure: measureField(),
		size: whole(MIN_SIZE, MAX_SIZE, () => m.knockouts_error_size()),
		roundLength: whole(1, 60, () => m.knockouts_error_round()),
		roundUnit: z.enum(['day', 'hour'], { error: () => m.knockouts_error_round() }),
		graceHours: whole(0, 72, () => m.knockouts_error_grace()),
		startsAt: z.string().transform((text, ctx) => {
			const at = parseLocalInput(text, timeZone);
			if (at === null) {
				ctx.addIssue({ code: 'custom', message: m.sprints_error_starts() });
				return z.NEVER;
			}
			return at;
		}),
		prize: prizeField()
	});
}

export function knockoutFormSchema(timeZone: string) {
	return knockoutEditSchema(timeZone).extend({ requestId: requestIdField() });
}

export type KnockoutInput = z.infer<ReturnType<typeof knockoutFormSchema>>;
export type KnockoutEdit = z.infer<ReturnType<typeof knockoutEditSchema>>;
