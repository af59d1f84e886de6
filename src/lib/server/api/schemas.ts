import * as z from 'zod';
import { saleFields } from '../scoring/sales';
import { readingOptions } from '../imports/options';

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

/** GET /seasons/{id}/badges: the awards written since an instant, a page at a time. */
export const badgeListQuerySchema = z.object({
	since: z.iso.datetime({ offset: true }).describe("An instant: a `badgesMissed` frame's `since`"),
	/** The `next` of the previous page. */
	after: z.coerce.number().int().positive().optional(),
	limit: z.coerce.number().int().min(1).max(1000).default(100)
});

export const seasonListQuerySchema = z.object({
	status: z.enum(['draft', 'scheduled', 'live', 'ended', 'archived']).optional()
});

/** confirm and reverse: a reason (required to reverse, shown to the seller); the body may be empty. */
export const reviewBodySchema = z
	.object({ reason: z.string().trim().max(500).optional() })
	.default({});

const flag = z.enum(['0', '1', 'true', 'false']);
/** POST /api/v1/imports/sales: a dry run unless dryRun=0; async=1 always answers with a job. */
/** The flags, and how the file is read (`map.<field>=<header>` pairs are read apart). */
export const importSalesQuerySchema = readingOptions.extend({
	dryRun: flag.default('1'),
	details: flag.default('0'),
	async: flag.default('0')
});

export const importJobQuerySchema = z.object({ details: z.enum(['0', '1']).default('0') });
