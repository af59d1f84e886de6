import { z } from 'zod';
import { formText } from '$lib/server/shared/form';

// A person brought into a team, as the invite form and the members file (members-csv.ts) both
// check them: the same fields and limits, with messages for who reads them (a manager at the
// form, or the report on a file's rows).

const MAX_NAME = 100;
const MAX_EMAIL = 254;

export const nameField = (missing: string) =>
	z.string().trim().min(1, missing).max(MAX_NAME, `Keep the name under ${MAX_NAME} characters`);

export function emailField(messages: { missing?: string; tooLong: string; invalid: string }) {
	const text = z.string().trim();
	return (messages.missing ? text.min(1, messages.missing) : text)
		.max(MAX_EMAIL, messages.tooLong)
		.pipe(z.email(messages.invalid));
}

const INVITE_KEYS = ['name', 'email', 'teamId'] as const;

export const inviteSchema = z.object({
	name: nameField('Enter their name'),
	email: emailField({
		tooLong: 'This email is too long',
		invalid: 'Enter an email address like ana@example.com'
	}),
	teamId: z.coerce.number({ message: 'Choose a team' }).int().positive('Choose a team')
});

/** What the invite form sent, as text: checked by inviteSchema and shown again when it fails. */
export const inviteValues = (form: FormData) => formText(form, INVITE_KEYS);
