import * as z from 'zod';
import { formText } from '../shared/form';
import { m } from '../../paraglide/messages.js';

// The console's quota forms: one target (a person's or a team's), a removal, a CSV file.
// Values ↔ FormData ↔ schema, as every *-form.ts.

/** The largest target a quota takes: far above any season's points, far below overflow. */
export const MAX_TARGET = 100_000_000;

export const targetSchema = z
	.string()
	.trim()
	.regex(/^\d+$/, { error: () => m.quotas_error_target({ max: MAX_TARGET }) })
	.transform(Number)
	.refine((n) => n >= 1 && n <= MAX_TARGET, {
		error: () => m.quotas_error_target({ max: MAX_TARGET })
	});

const id = z
	.string()
	.trim()
	.regex(/^\d+$/, { error: () => m.quotas_error_subject() })
	.transform(Number);

const QUOTA_KEYS = ['seasonId', 'subject', 'target'] as const;
export type QuotaFormValues = Record<(typeof QUOTA_KEYS)[number], string>;
export const quotaFormValues = (form: FormData): QuotaFormValues => formText(form, QUOTA_KEYS);

/** `subject` is "user:12" or "team:3", as the form's picker sends it. */
const subject = z
	.string()
	.trim()
	.regex(/^(user|team):\d+$/, { error: () => m.quotas_error_subject() })
	.transform((text) => {
		const [type, n] = text.split(':');
		return { type: type as 'user' | 'team', id: Number(n) };
	});

export const quotaFormSchema = z.object({ seasonId: id, subject, target: targetSchema });
export type QuotaInput = z.infer<typeof quotaFormSchema>;

export const removeFormSchema = z.object({ seasonId: id, subject });
