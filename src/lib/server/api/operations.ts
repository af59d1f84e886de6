import * as z from 'zod';
import {
	createSaleSchema,
	importJobQuerySchema,
	importSalesQuerySchema,
	badgeListQuerySchema,
	leaderboardQuerySchema,
	reviewBodySchema,
	seasonListQuerySchema
} from './schemas';
import { newSeasonSchema } from '../seasons/fields';
import {
	badgeListSchema,
	errorSchema,
	importJobSchema,
	importReportSchema,
	leaderboardSchema,
	openApiDocumentSchema,
	productListSchema,
	resultsSchema,
	reviewResultSchema,
	saleResultSchema,
	seasonCreatedSchema,
	seasonListSchema,
	seasonSchema
} from './responses';
import type { TokenRole } from '../auth/token-roles';
import {
	referralConfirmBodySchema,
	referralDecisionSchema,
	referralListQuerySchema,
	referralListSchema,
	referralRejectBodySchema
} from '../referrals/referral-api';
import {
	activityResultSchema,
	createActivitySchema,
	voidActivityResultSchema
} from '../activities/activity-api';
import {
	challengeCreateSchema,
	challengeListQuerySchema,
	challengeListSchema,
	challengeSchema
} from '../challenges/challenge-api';
import { sprintCreateSchema, sprintListSchema, sprintSchema } from '../sprints/sprint-api';
import {
	knockoutBracketSchema,
	knockoutCreateSchema,
	knockoutListSchema
} from '../knockouts/knockout-api';

// Every /api/v1 operation, described once: the OpenAPI document (openapi.ts) is generated from
// this list, with the very schemas the routes validate with (`validates` names them; a test checks
// that each route file uses them and that every exported method is listed here, and back).

export type Method = 'get' | 'post';

export interface Answer {
	description: string;
	/** JSON body; `csv` for a text/csv body; neither for an empty one. */
	schema?: z.ZodType;
	csv?: true;
}

export interface Operation {
	method: Method;
	/** OpenAPI path under /api/v1, `{name}` for a parameter. */
	path: string;
	summary: string;
	description?: string;
	tag: 'Sales' | 'Activities' | 'Seasons' | 'Formats' | 'Imports' | 'Referrals' | 'Reference';
	/** Token roles allowed; undefined: any valid token; `public`: no token. */
	auth: readonly TokenRole[] | 'any' | 'public';
	params?: z.ZodObject;
	query?: z.ZodObject;
	body?: { schema: z.ZodType } | { csv: true };
	/** Names of the exported schemas the route validates with (checked against its source). */
	validates?: string[];
	responses: Record<number, Answer>;
}

const error = (description: string): Answer => ({ description, schema: errorSchema });
const seasonId = z.object({ id: z.coerce.number().int().positive().describe('A season id') });
const externalId = z.object({
	externalId: z.string().describe('The externalId the sale was registered with')
});
const activityExternalId = z.object({
	externalId: z.string().describe('The externalId the activity was logged with')
});
const referralId = z.object({ id: z.coerce.number().int().positive().describe('A referral id') });
const jobId = z.object({ id: z.string().describe('The job id from the 202 answer') });
const knockoutId = z.object({ id: z.coerce.number().int().positive().describe('A knockout id') });

const common = {
	400: error('The input is not valid: `error.details.issues` lists what and where'),
	401: error('No valid API token (Authorization: Bearer <token>)')
};
const forbidden = { 403: error("The token's role may not do this") };
const busy = { 503: error('The database is busy: send the same request again (Retry-After)') };

export const operations: Operation[] = [
	{
		method: 'post',
		path: '/sales',
		tag: 'Sales',
		summary: 'Register a sale',
		description:
			'The externalId is the idempotency key: the same body again answers 200 with the first result and counts nothing twice; a different body with the same externalId is 409.',
		auth: 'any',
		body: { schema: createSaleSchema },
		validates: ['createSaleSchema'],
		responses: {
			201: { description: 'Recorded', schema: saleResultSchema },
			200: { description: 'Already recorded with this externalId', schema: saleResultSchema },
			...common,
			409: error('Same externalId, different sale (idempotency_conflict)'),
			413: error('The body is over 1 MB'),
			422: error('Unknown seller, product or no live season'),
			...busy
		}
	},
	...(['confirm', 'reverse'] as const).map((decision): Operation => ({
		method: 'post',
		path: `/sales/{externalId}/${decision}`,
		tag: 'Sales',
		summary: decision === 'confirm' ? 'Confirm a pending sale' : 'Reverse a sale',
		description:
			decision === 'confirm'
				? 'Its provisional points become confirmed. Repeating it is harmless (changed: false).'
				: 'Its points are taken back with compensating ledger entries; `reason` is required and shown to the seller. Repeating it is harmless.',
		auth: ['admin', 'manager'],
		params: externalId,
		body: { schema: reviewBodySchema },
		validates: ['reviewBodySchema'],
		responses: {
			200: { description: 'The sale after the decision', schema: reviewResultSchema },
			...common,
			...forbidden,
			404: error('No API sale with this externalId'),
			409: error('The sale cannot take this decision (already final, season closed)')
		}
	})),
	{
		method: 'get',
		path: '/seasons',
		tag: 'Seasons',
		summary: 'List seasons',
		auth: 'any',
		query: seasonListQuerySchema,
		validates: ['seasonListQuerySchema'],
		responses: {
			200: { description: 'Seasons, newest first', schema: seasonListSchema },
			...common
		}
	},
	{
		method: 'post',
		path: '/seasons',
		tag: 'Seasons',
		summary: 'Create a season',
		auth: ['admin', 'manager'],
		body: { schema: newSeasonSchema },
		validates: ['newSeasonSchema'],
		responses: {
			201: { description: 'Created (as a draft or scheduled)', schema: seasonCreatedSchema },
			...common,
			...forbidden
		}
	},
	{
		method: 'get',
		path: '/seasons/current',
		tag: 'Seasons',
		summary: 'The live season',
		auth: 'any',
		responses: {
			200: { description: 'The season that is live now', schema: seasonSchema },
			401: common[401],
			404: error('No season is live (no_live_season)')
		}
	},
	{
		method: 'get',
		path: '/seasons/{id}',
		tag: 'Seasons',
		summary: 'One season',
		auth: 'any',
		params: seasonId,
		responses: {
			200: { description: 'The season', schema: seasonSchema },
			...common,
			404: error('No such season')
		}
	},
	{
		method: 'get',
		path: '/seasons/{id}/products',
		tag: 'Seasons',
		summary: "A season's products and their points",
		auth: 'any',
		params: seasonId,
		responses: {
			200: { description: 'The catalogue of the season', schema: productListSchema },
			...common,
			404: error('No such season')
		}
	},
	{
		method: 'get',
		path: '/seasons/{id}/leaderboard',
		tag: 'Seasons',
		summary: 'The live ranking',
		auth: 'any',
		params: seasonId,
		query: leaderboardQuerySchema,
		validates: ['leaderboardQuerySchema'],
		responses: {
			200: { description: 'People or teams by rank', schema: leaderboardSchema },
			...common,
			404: error('No such season (or a draft)')
		}
	},
	{
		method: 'get',
		path: '/seasons/{id}/badges',
		tag: 'Seasons',
		summary: 'The badges awarded since an instant',
		description:
			'What an API-token socket may have missed: after a Redis outage the nodes send a ' +
			'`badgesMissed` frame with `since` (docs/scale-out.md). The same award as a `badge` ' +
			'frame has the same `badge.id`, `subjectType`, `subjectId` and `periodKey`.',
		auth: 'any',
		params: seasonId,
		query: badgeListQuerySchema,
		validates: ['badgeListQuerySchema'],
		responses: {
			200: { description: 'The awards, in the order they were given', schema: badgeListSchema },
			...common,
			404: error('No such season (or a draft)')
		}
	},
	{
		method: 'get',
		path: '/seasons/{id}/results',
		tag: 'Seasons',
		summary: 'The frozen final standings',
		auth: 'any',
		params: seasonId,
		responses: {
			200: { description: 'The results once the season has ended', schema: resultsSchema },
			...common,
			404: error('No such season'),
			409: error('The season has not ended yet (not_ended)')
		}
	},
	{
		method: 'post',
		path: '/imports/sales',
		tag: 'Imports',
		summary: 'Import sales from a CSV file',
		description:
			'The body is the CSV file (content-type: text/csv), one line per sale line. A dry run unless dryRun=0. Up to 10,000 rows answer at once; more, or async=1, answer 202 with a job to poll.',
		auth: ['integration', 'manager', 'admin'],
		query: importSalesQuerySchema,
		body: { csv: true },
		validates: ['importSalesQuerySchema'],
		responses: {
			200: { description: 'The import report', schema: importReportSchema },
			202: { description: 'Running as a job: poll job.url', schema: importJobSchema },
			...common,
			...forbidden,
			413: error('The file is over 50 MB'),
			415: error('The body is not text/csv'),
			422: error('The header lacks required columns (missing_columns); nothing is stored')
		}
	},
	{
		method: 'get',
		path: '/imports/jobs/{id}',
		tag: 'Imports',
		summary: "An import job's progress and report",
		auth: ['integration', 'manager', 'admin'],
		params: jobId,
		query: importJobQuerySchema,
		validates: ['importJobQuerySchema'],
		responses: {
			200: { description: 'The job, and its report once done', schema: importJobSchema },
			...common,
			...forbidden,
			404: error('Unknown or expired job, or started with another token (unknown_job)')
		}
	},
	{
		method: 'get',
		path: '/imports/jobs/{id}/errors.csv',
		tag: 'Imports',
		summary: 'Every error of a finished import, as CSV',
		auth: ['integration', 'manager', 'admin'],
		params: jobId,
		responses: {
			200: { description: 'row,column,message', csv: true },
			401: common[401],
			...forbidden,
			404: error('Unknown or expired job (unknown_job)'),
			409: error('The import has not finished yet (job_running)')
		}
	},
	{
		method: 'get',
		path: '/referrals',
		tag: 'Referrals',
		summary: 'List referrals',
		description: 'Newest first; `duplicateOfId` flags a customer referred before.',
		auth: ['admin', 'manager'],
		query: referralListQuerySchema,
		validates: ['referralListQuerySchema'],
		responses: {
			200: { description: 'Referrals', schema: referralListSchema },
			...common,
			...forbidden
		}
	},
	{
		method: 'post',
		path: '/referrals/{id}/confirm',
		tag: 'Referrals',
		summary: 'Confirm a referral by the sale it led to',
		description:
			"The sale (by its API or import externalId) must be confirmed and in the same season; the referral's provisional points become confirmed. Repeating it is harmless (changed: false).",
		auth: ['admin', 'manager'],
		params: referralId,
		body: { schema: referralConfirmBodySchema },
		validates: ['referralConfirmBodySchema'],
		responses: {
			200: { description: 'The referral after the decision', schema: referralDecisionSchema },
			...common,
			...forbidden,
			404: error('No such referral or sale'),
			409: error(
				'Already decided, the sale is not confirmed or in another season, or the season is closed'
			)
		}
	},
	{
		method: 'post',
		path: '/referrals/{id}/reject',
		tag: 'Referrals',
		summary: 'Reject a referral',
		description:
			'Its provisional points are voided; `reason` is shown to the referrer. Repeating it is harmless.',
		auth: ['admin', 'manager'],
		params: referralId,
		body: { schema: referralRejectBodySchema },
		validates: ['referralRejectBodySchema'],
		responses: {
			200: { description: 'The referral after the decision', schema: referralDecisionSchema },
			...common,
			...forbidden,
			404: error('No such referral'),
			409: error('Already decided otherwise, or the season is closed')
		}
	},
	{
		method: 'post',
		path: '/activities',
		tag: 'Activities',
		summary: 'Log an activity (a call, a visit, a demo…)',
		description:
			"Earns quantity × the type's points, confirmed at once. The externalId is the idempotency key, shared with CSV imports of activities: the same body again answers 200 with the first result and counts nothing twice; a different body with the same externalId is 409.",
		auth: 'any',
		body: { schema: createActivitySchema },
		validates: ['createActivitySchema'],
		responses: {
			201: { description: 'Logged', schema: activityResultSchema },
			200: { description: 'Already logged with this externalId', schema: activityResultSchema },
			...common,
			409: error('Same externalId, different activity (idempotency_conflict)'),
			413: error('The body is over 1 MB'),
			422: error(
				'Unknown person or activity type (unknown_activity_type), no live season, or a time outside it'
			),
			...busy
		}
	},
	// ---- Formats (#17): duels, sprints and knockouts ----
	{
		method: 'get',
		path: '/seasons/{id}/challenges',
		tag: 'Formats',
		summary: "A season's duels",
		description:
			'Head-to-head challenges between two people or two teams, newest period first, with both values as the board counts them.',
		auth: 'any',
		params: seasonId,
		query: challengeListQuerySchema,
		validates: ['challengeListQuerySchema'],
		responses: {
			200: { description: 'Duels', schema: challengeListSchema },
			...common,
			404: error('No such season')
		}
	},
	{
		method: 'post',
		path: '/seasons/{id}/challenges',
		tag: 'Formats',
		summary: 'Set a duel between two people or two teams',
		description:
			"A manager's duel, as the console sets it: accepted at once, in a live season. People are named by email, teams by teamId or teamName. The same requestId again answers 200 with the first duel.",
		auth: ['admin', 'manager'],
		params: seasonId,
		body: { schema: challengeCreateSchema },
		validates: ['challengeCreateSchema'],
		responses: {
			201: { description: 'Created', schema: challengeSchema },
			200: { description: 'Already created with this requestId', schema: challengeSchema },
			...common,
			...forbidden,
			404: error('No such season'),
			422: error(
				'unknown_person, not_a_member, unknown_team, unknown_measure, season_not_live, bad_period, self, stake_*: nothing is created'
			),
			...busy
		}
	},
	{
		method: 'get',
		path: '/seasons/{id}/sprints',
		tag: 'Formats',
		summary: "A season's sprints",
		description:
			"First to reach a target wins: each sprint with its winner and the leaders' progress, as the board shows them, latest deadline first.",
		auth: 'any',
		params: seasonId,
		responses: {
			200: { description: 'Sprints', schema: sprintListSchema },
			...common,
			404: error('No such season')
		}
	},
	{
		method: 'post',
		path: '/seasons/{id}/sprints',
		tag: 'Formats',
		summary: 'Create a sprint',
		description:
			"What the console's sprint form creates; live at once when startsAt has passed. The same requestId again answers 200 with the first sprint.",
		auth: ['admin', 'manager'],
		params: seasonId,
		body: { schema: sprintCreateSchema },
		validates: ['sprintCreateSchema'],
		responses: {
			201: { description: 'Created', schema: sprintSchema },
			200: { description: 'Already created with this requestId', schema: sprintSchema },
			...common,
			...forbidden,
			404: error('No such season'),
			422: error('unknown_measure, season_closed or period_over: nothing is created'),
			...busy
		}
	},
	{
		method: 'get',
		path: '/seasons/{id}/knockouts',
		tag: 'Formats',
		summary: "A season's knockouts",
		description: 'Each knockout in brief, latest start first; its bracket is at /knockouts/{id}.',
		auth: 'any',
		params: seasonId,
		responses: {
			200: { description: 'Knockouts', schema: knockoutListSchema },
			...common,
			404: error('No such season')
		}
	},
	{
		method: 'post',
		path: '/seasons/{id}/knockouts',
		tag: 'Formats',
		summary: 'Create a knockout',
		description:
			"What the console's knockout form creates: the entrants are seeded from the ranking when it starts. The same requestId again answers 200 with the first knockout.",
		auth: ['admin', 'manager'],
		params: seasonId,
		body: { schema: knockoutCreateSchema },
		validates: ['knockoutCreateSchema'],
		responses: {
			201: { description: 'Created', schema: knockoutBracketSchema },
			200: { description: 'Already created with this requestId', schema: knockoutBracketSchema },
			...common,
			...forbidden,
			404: error('No such season'),
			422: error('unknown_measure or season_closed: nothing is created'),
			...busy
		}
	},
	{
		method: 'get',
		path: '/knockouts/{id}',
		tag: 'Formats',
		summary: "A knockout's bracket",
		description:
			'The rounds with their periods, each pairing with both sides, their values, byes and winners, as the board shows them. Empty until the entrants are seeded.',
		auth: 'any',
		params: knockoutId,
		responses: {
			200: { description: 'The knockout and its bracket', schema: knockoutBracketSchema },
			...common,
			404: error('No such knockout')
		}
	},
	// ---- end of Formats ----
	{
		method: 'post',
		path: '/activities/{externalId}/void',
		tag: 'Activities',
		summary: 'Void an activity',
		description:
			'Its points are taken back by a compensating ledger entry; the activity stays, with who voided it, when and why. `reason` is required and shown to the person. The externalId is the one the API or a CSV import of activities logged it under. Voiding again is harmless (changed: false).',
		auth: ['admin', 'manager'],
		params: activityExternalId,
		body: { schema: reviewBodySchema },
		validates: ['reviewBodySchema'],
		responses: {
			200: { description: 'The activity after voiding', schema: voidActivityResultSchema },
			...common,
			...forbidden,
			404: error('No activity logged by the API or an import with this externalId'),
			409: error("The season's results are final (season_final)"),
			...busy
		}
	},
	{
		method: 'get',
		path: '/openapi.json',
		tag: 'Reference',
		summary: 'This document',
		description: 'The OpenAPI 3.1 description of /api/v1; no token needed.',
		auth: 'public',
		responses: { 200: { description: 'The OpenAPI document', schema: openApiDocumentSchema } }
	}
];

/** `/seasons/{id}/leaderboard` → `seasons/[id]/leaderboard`: the route folder under api/v1. */
export function routeFolder(path: string): string {
	return path.replace(/^\//, '').replace(/\{(\w+)\}/g, '[$1]');
}
