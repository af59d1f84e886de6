import * as z from 'zod';
import { REFERRAL_LIMITS } from '../../contest/referral';
import { REFERRAL_STATUSES } from './referral-form';
import type { listReferrals } from './queries';

// The referral API's requests and answers, as zod schemas: the routes validate with them and the
// OpenAPI document (api/operations.ts) is generated from them.

export const referralListQuerySchema = z.object({
	status: z.enum(REFERRAL_STATUSES).optional(),
	seasonId: z.coerce.number().int().positive().optional(),
	limit: z.coerce.number().int().min(1).max(1000).default(200)
});

export const referralConfirmBodySchema = z.object({
	saleExternalId: z
		.string()
		.trim()
		.min(1)
		.max(200)
		.describe('The externalId of the confirmed API or import sale the referral led to')
});

export const referralRejectBodySchema = z.object({
	reason: z.string().trim().min(3).max(REFERRAL_LIMITS.reason)
});

const iso = z.iso.datetime();
const status = z.enum(REFERRAL_STATUSES);

export const referralSchema = z.object({
	id: z.number().int(),
	seasonId: z.number().int(),
	status,
	referrer: z.object({ id: z.number().int(), name: z.string(), email: z.string() }),
	customerName: z.string(),
	customerRef: z.string().nullable(),
	contact: z.string().nullable(),
	note: z.string().nullable(),
	points: z.number().int(),
	duplicateOfId: z
		.number()
		.int()
		.nullable()
		.describe('An earlier open or confirmed referral of the same customer'),
	matchedSaleId: z.number().int().nullable(),
	expiresAt: iso,
	createdAt: iso,
	decidedAt: iso.nullable(),
	decisionReason: z.string().nullable()
});

export const referralListSchema = z.object({ entries: z.array(referralSchema) });

export const referralDecisionSchema = z.object({
	referral: z.object({ id: z.number().int(), status, matchedSaleId: z.number().int().nullable() }),
	changed: z.boolean().describe('False when the referral already had this outcome')
});

const isoOf = (ms: number) => new Date(ms).toISOString();

export function referralJson(
	r: Awaited<ReturnType<typeof listReferrals>>[number]
): z.infer<typeof referralSchema> {
	return {
		id: r.id,
		seasonId: r.seasonId,
		status: r.status,
		referrer: r.referrer,
		customerName: r.customerName,
		customerRef: r.customerRef,
		contact: r.contact,
		note: r.note,
		points: r.points,
		duplicateOfId: r.duplicateOfId,
		matchedSaleId: r.matchedSaleId,
		expiresAt: isoOf(r.expiresAt),
		createdAt: isoOf(r.createdAt),
		decidedAt: r.decidedAt == null ? null : isoOf(r.decidedAt),
		decisionReason: r.decisionReason
	};
}
