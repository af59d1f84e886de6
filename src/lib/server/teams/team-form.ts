import * as z from 'zod';
import { formText } from '$lib/server/shared/form';
import { m } from '../../paraglide/messages.js';

// A team as the console's add and edit forms give it: a name, a colour and an emoji.

const TEAM_KEYS = ['name', 'color', 'emoji'] as const;

export const teamSchema = z.object({
	name: z
		.string()
		.trim()
		.min(1, { error: () => m.teams_error_name() })
		.max(40, { error: () => m.teams_error_name_long({ max: 40 }) }),
	color: z
		.string()
		.trim()
		.regex(/^#[0-9a-fA-F]{6}$/, { error: () => m.teams_error_colour() })
		.transform((c) => c.toLowerCase()),
	emoji: z
		.string()
		.trim()
		.min(1, { error: () => m.seasons_error_emoji() })
		.max(16, { error: () => m.seasons_error_emoji_long() })
});
export type TeamInput = z.infer<typeof teamSchema>;

/** What the form sent, as text: checked by teamSchema and shown again when it fails. */
export const teamValues = (form: FormData) => formText(form, TEAM_KEYS);
