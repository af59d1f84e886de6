// Activities beyond sales (#17): calls, visits, demos… A season's manager defines activity types
// with points per unit; a logged activity earns quantity × points, once per idempotency key.
// Pure rules shared by the /sell tab, the API, the CSV import and the console.

/** Limits of an activity and its type, stated once for the form, the API and the import. */
export const ACTIVITY_LIMITS = {
	key: 32,
	name: 60,
	emoji: 16,
	/** Points per unit of one type. */
	points: 10_000,
	/** Units in one activity sent by the API or a file. */
	quantity: 1_000,
	/** Units in one activity logged from the /sell tab (its stepper's range). */
	formQuantity: 99,
	externalId: 200,
	/** Rows in one imported file. */
	importRows: 5_000
} as const;

/** A type key as integrations send it: lower case letters, digits, `-` and `_`, a letter first. */
export const ACTIVITY_KEY = /^[a-z][a-z0-9_-]*$/;

/** A type's key from what a manager typed: trimmed and lower case ("Call " → "call"). */
export function normaliseKey(text: string): string {
	return text.trim().toLowerCase();
}

export function isActivityKey(key: string): boolean {
	return key.length <= ACTIVITY_LIMITS.key && ACTIVITY_KEY.test(key);
}

/** What an activity earns: its quantity times its type's points per unit. */
export function activityPoints(pointsPerUnit: number, quantity: number): number {
	return pointsPerUnit * quantity;
}

// Clocks drift between a phone, a CRM and this server: a little "future" is tolerated (as sales).
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

export type TimeProblem = 'in_the_future' | 'outside_season';

/** Why an activity at `occurredAt` cannot count in a season, or null when it can. */
export function timeProblem(
	occurredAt: number,
	now: number,
	season: { startsAt: number; endsAt: number }
): TimeProblem | null {
	if (occurredAt > now + FUTURE_TOLERANCE_MS) return 'in_the_future';
	if (occurredAt < season.startsAt || occurredAt >= season.endsAt) return 'outside_season';
	return null;
}

/** The sources whose ids are one space (a CRM's ids): the same id from either is one activity. */
export const INTEGRATION_SOURCES: ReadonlySet<string> = new Set(['api', 'import']);

export interface ActivityFacts {
	userId: number;
	typeKey: string;
	quantity: number;
	occurredAt: number;
	seasonId: number;
}

/**
 * What differs between a recorded activity and a new request with its idempotency key (empty:
 * the same activity sent again, to be answered with the first result). Only the integrations
 * state an activity's time: the form's is the clock's, which moves between two sends. A request
 * naming no season (`seasonId` undefined) states none.
 */
export function activityDifferences(
	recorded: ActivityFacts,
	sent: Omit<ActivityFacts, 'seasonId'> & { seasonId?: number },
	source: string
): string[] {
	const differs: string[] = [];
	if (sent.userId !== recorded.userId) differs.push('person');
	if (sent.typeKey !== recorded.typeKey) differs.push('type');
	if (sent.quantity !== recorded.quantity) differs.push('quantity');
	if (INTEGRATION_SOURCES.has(source) && sent.occurredAt !== recorded.occurredAt)
		differs.push('occurredAt');
	if (sent.seasonId !== undefined && sent.seasonId !== recorded.seasonId) differs.push('season');
	return differs;
}
