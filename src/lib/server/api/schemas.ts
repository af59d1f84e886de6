import { z } from 'zod';
import { saleFields } from '../scoring/sales';

const saleLineSchema = z.object({
	sku: saleFields.sku,
	quantity: saleFields.quantity,
	unitPrice: saleFields.unitPrice
});

export const createSaleSchema = z.object({
	externalId: saleFields.externalId,
	seller: z.object({ email: saleFields.sellerEmail }),
	occurredAt: z.iso.datetime({ offset: true }),
	lines: z.array(saleLineSchema).min(1).max(100),
	customerRef: saleFields.customerRef.optional()
});

export const leaderboardQuerySchema = z.object({
	scope: z.enum(['individual', 'team']).default('individual'),
	limit: z.coerce.number().int().min(1).max(1000).default(100),
	/** The `next` of the previous page: the page after it (individual ranking). */
	after: z.string().min(1).max(200).optional(),
	/** A person's id: their rank and neighbours come back as `standing`. */
	around: z.coerce.number().int().positive().optional()
});
