import { z } from 'zod';
import { formText } from '$lib/server/shared/form';

// A team as the console's add and edit forms give it: a name, a colour and an emoji.

const TEAM_KEYS = ['name', 'color', 'emoji'] as const;

export const teamSchema = z.object({
	name: z
		.string()
		.trim()
		.min(1, 'Give the team a name')
		.max(40, 'Keep the name under 40 characters'),
	color: z
		.string()
		.trim()
		.regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #ef4444')
		.transform((c) => c.toLowerCase()),
	emoji: z.string().trim().min(1, 'Pick an emoji').max(16, 'One emoji is enough')
});
export type TeamInput = z.infer<typeof teamSchema>;

/** What the form sent, as text: checked by teamSchema and shown again when it fails. */
export const teamValues = (form: FormData) => formText(form, TEAM_KEYS);
