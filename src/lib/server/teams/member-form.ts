import * as z from 'zod';
import { formText } from '$lib/server/shared/form';
import { m } from '../../paraglide/messages.js';

// A person brought into a team, as the invite form and the members file (members-csv.ts) both
// check them: the same fields and limits, with messages for who reads them (a manager at the
// form, or the report on a file's rows).

const MAX_NAME = 100;
const MAX_EMAIL = 254;

// Messages are functions: they are worded when a value fails, in the reader's language.
type Message = () => string;

export const nameField = (missing: Message) =>
	z
		.string()
		.trim()
		.min(1, { error: missing })
		.max(MAX_NAME, { error: () => m.teams_error_name_long({ max: MAX_NAME }) });

export function emailField(messages: { missing?: Message; tooLong: Message; invalid: Message }) {
	const text = z.string().trim();
	return (messages.missing ? text.min(1, { error: messages.missing }) : text)
		.max(MAX_EMAIL, { error: messages.tooLong })
		.pipe(z.email({ error: messages.invalid }));
}

const INVITE_KEYS = ['name', 'email', 'teamId'] as const;

export const inviteSchema = z.object({
	name: nameField(m.teams_error_person_name),
	email: emailField({ tooLong: m.teams_error_email_long, invalid: m.teams_error_email }),
	teamId: z.coerce
		.number({ error: () => m.teams_error_team() })
		.int()
		.positive({ error: () => m.teams_error_team() })
});

/** What the invite form sent, as text: checked by inviteSchema and shown again when it fails. */
export const inviteValues = (form: FormData) => formText(form, INVITE_KEYS);
