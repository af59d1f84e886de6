import * as z from 'zod';
import { REFERRAL_LIMITS } from '../../contest/referral';
import { m } from '../../paraglide/messages.js';

// The referral forms' values and schemas, shared by the pages and the API.

const optionalText = (max: number) =>
	z
		.string()
		.trim()
		.max(max, { error: () => m.referral_error_too_long({ max }) })
		.transform((v) => v || null);

/** A rep's new referral, from the /referrals form. */
export const referralFormSchema = z.object({
	requestId: z.string().trim().min(8).max(100),
	customerName: z
		.string()
		.trim()
		.min(1, { error: () => m.referral_error_name_required() })
		.max(REFERRAL_LIMITS.customerName, {
			error: () => m.referral_error_too_long({ max: REFERRAL_LIMITS.customerName })
		}),
	customerRef: optionalText(REFERRAL_LIMITS.customerRef),
	contact: optionalText(REFERRAL_LIMITS.contact),
	note: optionalText(REFERRAL_LIMITS.note)
});
export type ReferralForm = z.infer<typeof referralFormSchema>;
export const REFERRAL_FORM_FIELDS = [
	'requestId',
	'customerName',
	'customerRef',
	'contact',
	'note'
] as const;

const reason = z
	.string()
	.trim()
	.min(3, { error: () => m.referral_error_reason_required() })
	.max(REFERRAL_LIMITS.reason, {
		error: () => m.referral_error_too_long({ max: REFERRAL_LIMITS.reason })
	});

const id = z.coerce.number().int().positive();

/** A manager's confirmation by hand: the referral and the (confirmed) sale it led to. */
export const confirmFormSchema = z.object({ id, saleId: id });
export const rejectFormSchema = z.object({ id, reason });

/** The season's referral settings. */
export const settingsFormSchema = z.object({
	seasonId: id,
	referralPoints: z.coerce.number().int().min(0).max(REFERRAL_LIMITS.points),
	referralLapseDays: z.coerce.number().int().min(1).max(REFERRAL_LIMITS.lapseDays)
});

export const REFERRAL_STATUSES = ['open', 'confirmed', 'lapsed', 'rejected'] as const;
