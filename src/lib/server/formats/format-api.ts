import { eq, inArray } from 'drizzle-orm';
import * as z from 'zod';
import type { Store, Tables } from '../db/store';
import type { ApiPrincipal } from '../auth/api-token';
import { measureChoices } from '../sprints/console';
import { AppError } from '../shared/errors';

// What the API of the contest formats (duels, sprints, knockouts) shares: the season it works
// on, the measure check, people's emails beside their names, and the idempotency key of a
// token's create.

export const iso = z.iso.datetime();
export const isoOf = (ms: number) => new Date(ms).toISOString();

export const subjectKind = z
	.enum(['user', 'team'])
	.describe('Who takes part: people (`user`) or teams (`team`)');

export const measureDoc =
	'What counts: `points`, `sales`, `category:<name>` (points of that category) or `activity:<key>`';

/** A person or team as the formats show them; people carry their email, as the API names them. */
export const subjectSchema = z.object({
	id: z.number().int(),
	name: z.string(),
	email: z.string().optional().describe('For a person')
});

type Season = Tables['season']['$inferSelect'];

/** The season by id, or the API's 404. */
export async function formatSeason(store: Store, seasonId: number): Promise<Season> {
	const [found] = await store.db
		.select()
		.from(store.tables.season)
		.where(eq(store.tables.season.id, seasonId));
	if (!found) throw new AppError(404, 'not_found', `No season ${seasonId}`);
	return found;
}

/** A sprint or knockout is set up before or during its season, not after it. */
export async function openSeason(store: Store, seasonId: number): Promise<Season> {
	const found = await formatSeason(store, seasonId);
	if (found.status === 'ended' || found.status === 'archived')
		throw new AppError(422, 'season_closed', `Season ${found.id} is ${found.status}`);
	return found;
}

/** The measure must be one the console offers for this season (a known category or activity). */
export async function checkMeasure(store: Store, seasonId: number, measure: string): Promise<void> {
	const choices = await measureChoices(store, seasonId);
	if (!choices.includes(measure))
		throw new AppError(422, 'unknown_measure', `Season ${seasonId} has no measure ${measure}`, {
			field: 'measure',
			details: { choices }
		});
}

/** People's emails by id (teams have none). */
export async function readPersonEmails(
	store: Store,
	ids: readonly number[]
): Promise<Map<number, string>> {
	if (ids.length === 0) return new Map();
	const { user } = store.tables;
	const rows = await store.db
		.select({ id: user.id, email: user.email })
		.from(user)
		.where(inArray(user.id, [...ids]));
	return new Map(rows.map((r) => [r.id, r.email]));
}

/**
 * The create's idempotency key, apart for each token: the same `requestId` again answers the
 * first object (200), and two tokens never share one. Without it every request creates.
 */
export const apiRequestId = (principal: ApiPrincipal, requestId: string | undefined) =>
	`token:${principal.tokenId}:${requestId ?? crypto.randomUUID()}`;

export const requestIdDoc =
	'Idempotency key (8–100 characters): the same key again answers 200 with the first object and creates nothing';
