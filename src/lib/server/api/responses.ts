import * as z from 'zod';
import { badgeAwardedData } from '../webhooks/events';

// What the API answers, as zod schemas: the OpenAPI document is generated from them and the API
// test checks every documented route's answer against them.

const iso = z.iso.datetime();
const id = z.number().int();

export const errorSchema = z.object({
	error: z.object({
		code: z.string(),
		message: z.string(),
		details: z.record(z.string(), z.unknown()).optional()
	})
});

export const saleResultSchema = z.object({
	sale: z.object({
		id,
		status: z.enum(['pending', 'approved', 'rejected', 'reversed']),
		points: z.number()
	}),
	seasonId: id,
	version: z.number().int(),
	flagReason: z.string().optional().describe('Why the sale waits for a manager (points ceiling)')
});

export const reviewResultSchema = z.object({
	sale: saleResultSchema.shape.sale,
	changed: z.boolean().describe('False when the sale already had this status')
});

export const seasonSchema = z.object({
	id,
	name: z.string(),
	startsAt: iso,
	endsAt: iso,
	status: z.enum(['draft', 'scheduled', 'live', 'ended', 'archived']),
	timeZone: z.string(),
	theme: z.object({
		primary: z.string(),
		accent: z.string(),
		emoji: z.string(),
		tagline: z.string(),
		banner: z.string().optional()
	}),
	recurrence: z.object({ every: z.number().int(), unit: z.enum(['week', 'month']) }).nullable(),
	requireConfirmation: z.boolean(),
	target: z.number().nullable(),
	graceDays: z.number().int(),
	multiplierMode: z.enum(['best', 'multiply']),
	maxSalePoints: z.number(),
	previousSeasonId: id.nullable()
});

export const seasonListSchema = z.object({ entries: z.array(seasonSchema) });
export const seasonCreatedSchema = z.object({ id, status: seasonSchema.shape.status });

export const productListSchema = z.object({
	entries: z.array(
		z.object({
			sku: z.string(),
			name: z.string(),
			category: z.string(),
			points: z.number(),
			price: z.number().describe('Unit price in the currency unit (e.g. 12.5)'),
			active: z.boolean()
		})
	)
});

const rankedEntry = z.object({
	rank: z.number().int(),
	id,
	name: z.string(),
	points: z.number().describe('Confirmed points: what the ranking counts'),
	provisionalPoints: z.number().describe('Points waiting for confirmation')
});

export const leaderboardSchema = z.object({
	seasonId: id,
	version: z.number().int().describe('Grows with every change of the standings'),
	scope: z.enum(['individual', 'team']),
	entries: z.array(
		rankedEntry.extend({
			salesCount: z.number().int(),
			teamId: id.optional(),
			teamName: z.string().optional(),
			emoji: z.string().optional(),
			color: z.string().optional()
		})
	)
});

export const badgeListSchema = z.object({
	seasonId: id,
	entries: z.array(
		z.object({
			id: id.describe('The award'),
			subjectType: z.enum(['user', 'team']),
			subjectId: id,
			subjectName: z.string(),
			// The badge as the badge.awarded webhook carries it: one shape for an award everywhere.
			badge: badgeAwardedData.shape.badge,
			provisional: z.boolean().describe('Earned by a sale still waiting for review'),
			periodKey: z.string(),
			earnedAt: iso.describe("When it counts as earned (the `badge` frame's `at`)"),
			awardedAt: iso.describe('When it was awarded and its `badge` frame sent')
		})
	),
	next: id.nullable().describe('`after` for the next page; null: this is the last')
});

const resultEntry = rankedEntry.extend({
	teamName: z.string().optional(),
	salesCount: z.number().int()
});
export const resultsSchema = z.object({
	seasonId: id,
	status: z.enum(['ended', 'archived']),
	final: z.boolean().describe('True once the grace period is over'),
	frozenAt: iso.nullable(),
	individual: z.array(resultEntry),
	teams: z.array(resultEntry)
});

const importReport = z
	.object({
		dryRun: z.boolean(),
		rows: z.number().int(),
		accepted: z.number().int(),
		rejected: z.number().int(),
		sales: z.object({
			new: z.number().int(),
			duplicate: z.number().int(),
			rejected: z.number().int()
		}),
		points: z.number(),
		errors: z.array(z.object({ row: z.number().int(), message: z.string() }).loose()),
		errorsTotal: z.number().int(),
		errorsTruncated: z.boolean(),
		errorsUrl: z.string().nullable()
	})
	.loose();

export const importReportSchema = importReport;
export const importJobSchema = z.object({
	job: z.object({
		id: z.string(),
		url: z.string(),
		status: z.enum(['running', 'done', 'failed']),
		dryRun: z.boolean(),
		done: z.number().int(),
		total: z.number().int(),
		error: z.string().nullable()
	}),
	report: importReport.nullable()
});

/** The OpenAPI document itself, loosely: an object with `openapi` and `paths`. */
export const openApiDocumentSchema = z
	.object({ openapi: z.string(), info: z.object({}).loose(), paths: z.object({}).loose() })
	.loose();
