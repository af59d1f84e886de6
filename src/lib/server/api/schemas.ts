import { z } from 'zod';

export const saleLineSchema = z.object({
	sku: z.string().trim().min(1).max(64),
	quantity: z.number().int().min(1).max(10_000),
	/** Price of one unit in the currency's main unit (e.g. 49.90). */
	unitPrice: z.number().min(0).max(10_000_000)
});

export const createSaleSchema = z.object({
	externalId: z.string().trim().min(1).max(200),
	seller: z.object({ email: z.email().max(254) }),
	occurredAt: z.iso.datetime({ offset: true }),
	lines: z.array(saleLineSchema).min(1).max(100),
	customerRef: z.string().trim().max(120).optional()
});

export const leaderboardQuerySchema = z.object({
	scope: z.enum(['individual', 'team']).default('individual'),
	limit: z.coerce.number().int().min(1).max(1000).default(100)
});

/** Form input of the "register a sale" page. */
export const saleFormSchema = z.object({
	requestId: z.string().trim().min(8).max(100),
	customerRef: z.string().trim().max(120).optional(),
	lines: z
		.array(
			z.object({ sku: z.string().trim().min(1).max(64), quantity: z.number().int().min(1).max(99) })
		)
		.min(1, 'Pick at least one product')
		.max(30)
});
