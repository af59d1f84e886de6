import * as z from 'zod';
import { ACTIVITY_LIMITS } from '../../contest/activity';
import { WHOLE_NUMBER } from '../scoring/sales';
import { parseLocalInput } from '../quizzes/quiz-form';
import { m } from '../../paraglide/messages.js';

// The /sell "Activity" tab's form: a type (by key), a quantity and when it happened (a
// datetime-local value in the season's time zone; empty: now), with the one-time requestId that
// makes a double tap or a resend log it once.

const QUANTITY = {
	error: () => m.activities_error_quantity({ max: ACTIVITY_LIMITS.formQuantity })
};

export const activityFormSchema = z.object({
	requestId: z.string().trim().min(8).max(100),
	type: z
		.string()
		.trim()
		.min(1, { error: () => m.activities_error_pick_type() })
		.max(ACTIVITY_LIMITS.key),
	quantity: z
		.string()
		.trim()
		.regex(WHOLE_NUMBER, QUANTITY)
		.transform(Number)
		.pipe(z.number().int().min(1, QUANTITY).max(ACTIVITY_LIMITS.formQuantity, QUANTITY)),
	when: z.string().trim().max(40)
});

export type ActivityFormValues = { type: string; quantity: string; when: string };

/** What was typed, to show a refused form again. */
export function activityFormValues(form: FormData): ActivityFormValues {
	const text = (name: string) => String(form.get(name) ?? '').slice(0, 100);
	return { type: text('type'), quantity: text('quantity'), when: text('when') };
}

export type ParsedActivityForm =
	| { ok: true; requestId: string; type: string; quantity: number; occurredAt: number }
	| { ok: false; errors: Record<string, string>; message: string };

/** Reads the form; `when` is read in the season's zone (DST: a local time that does not exist moves forward). */
export function parseActivityForm(
	form: FormData,
	timeZone: string,
	now: number
): ParsedActivityForm {
	const parsed = activityFormSchema.safeParse({
		requestId: form.get('requestId') ?? '',
		type: form.get('type') ?? '',
		quantity: form.get('quantity') ?? '',
		when: form.get('when') ?? ''
	});
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const field = String(issue.path[0] ?? '');
		return { ok: false, errors: { [field]: issue.message }, message: issue.message };
	}
	const { requestId, type, quantity, when } = parsed.data;
	const occurredAt = when === '' ? now : parseLocalInput(when, timeZone);
	if (occurredAt === null)
		return {
			ok: false,
			errors: { when: m.activities_error_when() },
			message: m.activities_error_when()
		};
	return { ok: true, requestId, type, quantity, occurredAt };
}
