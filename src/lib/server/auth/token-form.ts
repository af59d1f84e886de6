import { z } from 'zod';
import { TOKEN_ROLES } from './token-roles';
import { TOKEN_NAME_MAX } from './api-token';

// The console's "new API token" form: a name, a role and an optional expiry day. The day is
// read as its start in UTC, as `npm run cli -- token create --expires 2027-01-31` reads it.

export const TOKEN_FORM_FIELDS = ['name', 'role', 'expiresOn'] as const;

export const tokenFormSchema = z.object({
	name: z
		.string()
		.trim()
		.min(1, 'Give the token a name, e.g. the system that will use it')
		.max(TOKEN_NAME_MAX, `At most ${TOKEN_NAME_MAX} characters`),
	role: z.enum(TOKEN_ROLES, 'Choose a role'),
	expiresOn: z
		.string()
		.trim()
		.refine((v) => v === '' || /^\d{4}-\d{2}-\d{2}$/.test(v), 'Choose a date')
		.transform((v) => (v === '' ? null : Date.parse(`${v}T00:00:00Z`)))
		.refine((v) => v === null || !Number.isNaN(v), 'Choose a date')
		.refine((v) => v === null || v > Date.now(), 'The expiry must be in the future')
});
