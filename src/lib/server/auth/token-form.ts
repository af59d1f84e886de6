import * as z from 'zod';
import { TOKEN_ROLES } from './token-roles';
import { TOKEN_NAME_MAX } from './api-token';
import { AppError } from '../shared/errors';
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

// The token service words its refusals in English, for the CLI; the console says them in the
// reader's language, by their code.
const REFUSALS: Record<string, (error: AppError) => string> = {
	invalid_name: () => m.tokens_form_name_too_long({ max: TOKEN_NAME_MAX }),
	invalid_role: () => m.tokens_form_role_required(),
	invalid_expiry: () => m.tokens_form_expiry_past(),
	token_name_taken: (error) => m.tokens_error_name_taken({ name: String(error.details.name) }),
	unknown_token: () => m.tokens_error_unknown()
};

/** A refusal of the token service as the console says it; anything else as it was thrown. */
export function tokenRefusal(error: unknown): unknown {
	if (!(error instanceof AppError) || !(error.code in REFUSALS)) return error;
	const { status, code, field, details } = error;
	return new AppError(status, code, REFUSALS[code](error), { field, details });
}
