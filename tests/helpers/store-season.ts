// What the store tests of #20 (tests/integration/*-store.test.ts) set up the same way on both
// dialects: a live season with teams and members written through a store (db/store.ts), and the
// code an AppError was thrown with, the audit entries about a subject, and a subject's points.
import { and, eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { AppError } from '../../src/lib/server/shared/errors';
import { theme } from './factories';

let serial = 0;

/**
 * A season (live unless `status` says otherwise) ending at `endsAt`, with the teams named and
 * `size` participants spread over them in turn (the first to the first team, …). With `points`,
 * each member also has a standing of those confirmed points, reached in the members' order.
 * Emails are unique per test file's databases.
 */
export async function liveSeasonOn(
	store: Store,
	options: {
		size: number;
		teams: string[];
		endsAt: number;
		points?: number[];
		status?: 'live' | 'draft';
		timeZone?: string;
	}
) {
	const { season, team, user, seasonMember, standing } = store.tables;
	const n = ++serial;
	const [made] = await store.db
		.insert(season)
		.values({
			name: `Season ${n}`,
			theme,
			startsAt: 0,
			endsAt: options.endsAt,
			status: options.status ?? 'live',
			...(options.timeZone ? { timeZone: options.timeZone } : {})
		})
		.returning({ id: season.id, name: season.name });
	const teams = await store.db
		.insert(team)
		.values(options.teams.map((name) => ({ seasonId: made.id, name })))
		.returning({ id: team.id });
	const people: { id: number; name: string; email: string }[] = [];
	for (let i = 0; i < options.size; i++) {
		const [person] = await store.db
			.insert(user)
			.values({
				email: `s${n}-p${i}@example.test`,
				displayName: `Person ${n}.${i}`,
				role: 'participant',
				passwordHash: 'not-a-real-hash'
			})
			.returning({ id: user.id, name: user.displayName, email: user.email });
		await store.db
			.insert(seasonMember)
			.values({ seasonId: made.id, userId: person.id, teamId: teams[i % teams.length].id });
		if (options.points)
			await store.db.insert(standing).values({
				seasonId: made.id,
				subjectType: 'user',
				subjectId: person.id,
				confirmedPoints: options.points[i],
				reachedAt: i,
				updatedAt: 0
			});
		people.push(person);
	}
	return { seasonId: made.id, name: made.name, teamIds: teams.map((t) => t.id), people };
}

/** The store tests' catalogue for a season: a PHONE (100 points, 500.00) and a CASE (10, 20.00). */
export async function phoneAndCaseOn(store: Store, seasonId: number): Promise<void> {
	await store.db.insert(store.tables.product).values([
		{ seasonId, sku: 'PHONE', name: 'Phone', category: 'Phones', points: 100, price: 50000 },
		{ seasonId, sku: 'CASE', name: 'Case', category: 'Cases', points: 10, price: 2000 }
	]);
}

/** What an AppError was thrown with (its code), or 'ok'. */
export async function appErrorCode(run: () => Promise<unknown>): Promise<string> {
	try {
		await run();
		return 'ok';
	} catch (error) {
		if (error instanceof AppError) return error.code;
		throw error;
	}
}

/** The audit entries about a subject ("rule:7", "season:3", …), oldest first: action and data. */
export async function auditsOf(store: Store, subject: string) {
	const { auditEvent } = store.tables;
	return store.db
		.select({ action: auditEvent.action, data: auditEvent.data })
		.from(auditEvent)
		.where(eq(auditEvent.subject, subject))
		.orderBy(auditEvent.id);
}

/** A subject's confirmed and provisional points in a season (undefined without a standing). */
export async function pointsOf(
	store: Store,
	seasonId: number,
	subjectType: 'user' | 'team',
	subjectId: number
) {
	const { standing } = store.tables;
	const [row] = await store.db
		.select({ confirmed: standing.confirmedPoints, provisional: standing.provisionalPoints })
		.from(standing)
		.where(
			and(
				eq(standing.seasonId, seasonId),
				eq(standing.subjectType, subjectType),
				eq(standing.subjectId, subjectId)
			)
		);
	return row;
}
