import { z } from 'zod';
import { TOKEN_ROLES } from './token-roles';
import { TOKEN_NAME_MAX } from './api-token';
import { m } from '../../paraglide/messages.js';

// The console's "new API token" form: a name, a role and an optional expiry day. The day is
// read as its start in UTC, as `npm run cli -- token create --expires 2027-01-31` reads it.

export const TOKEN_FORM_FIELDS = ['name', 'role', 'expiresOn'] as const;

// Built per form post, so that its messages are in the reader's language.
export const tokenFormSchema = () =>
	z.object({
		name: z
			.string()
			.trim()
			.min(1, { error: () => m.tokens_form_name_required() })
			.max(TOKEN_NAME_MAX, { error: () => m.tokens_form_name_too_long({ max: TOKEN_NAME_MAX }) }),
		role: z.enum(TOKEN_ROLES, { error: () => m.tokens_form_role_required() }),
		expiresOn: z
			.string()
			.trim()
			.refine((v) => v === '' || /^\d{4}-\d{2}-\d{2}$/.test(v), {
				error: () => m.tokens_form_date_required()
			})
			.transform((v) => (v === '' ? null : Date.parse(`${v}T00:00:00Z`)))
			.refine((v) => v === null || !Number.isNaN(v), { error: () => m.tokens_form_date_required() })
			.refine((v) => v === null || v > Date.now(), { error: () => m.tokens_form_expiry_past() })
	});
