import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db';
import { activeActivityTypesInView } from '../activities/types';
import {
	challenge,
	challengeSettings,
	product,
	season,
	seasonMember,
	team,
	user,
	type Challenge,
	type SubjectType
} from '../db/schema';
import { periodTotals } from '../formats/measure';
import { parseMeasure, valueOf, type Counting } from '../../contest/measure';
import { budgetLeft } from '../../contest/challenge';

// What a duel stands at, read from the ledger through periodTotals (the one query every format
// shares), and where the season's stake budget stands. No writes, no publishing: the format
// view (view.ts) and the services both read through here.

/** The season's ranking settings a duel needs: how values count, ties, the grace days. */
export function duelSeason(db: Queryable, seasonId: number) {
	return db
		.select({
			id: season.id,
			timeZone: season.timeZone,
			status: season.status,
			tieRule: season.tieRule,
			rankBy: season.rankBy,
			graceDays: season.graceDays,
			startsAt: season.startsAt,
			endsAt: season.endsAt
		})
		.from(season)
		.where(eq(season.id, seasonId))
		.get();
}

export const countingOf = (rankBy: string): Counting =>
	rankBy === 'confirmed' ? 'confirmed' : 'total';

/** Both sides' values of the duel's measure over its period, as the season counts them. */
export function duelValues(
	db: Queryable,
	row: Pick<
		Challenge,
		| 'seasonId'
		| 'subjectType'
		| 'challengerId'
		| 'opponentId'
		| 'measure'
		| 'periodFrom'
		| 'periodTo'
	>,
	counting: Counting
): [number, number] {
	const measure = parseMeasure(row.measure);
	if (!measure) return [0, 0];
	const totals = periodTotals(db, {
		seasonId: row.seasonId,
		subject: row.subjectType,
		from: row.periodFrom,
		to: row.periodTo,
		measure,
		ids: [row.challengerId, row.opponentId]
	});
	return [
		valueOf(totals.get(row.challengerId), counting),
		valueOf(totals.get(row.opponentId), counting)
	];
}

export interface SubjectName {
	name: string;
	emoji: string | null;
}

/** Display names of people or teams by id. */
export function subjectNames(
	db: Queryable,
	subject: SubjectType,
	ids: readonly number[]
): Map<number, SubjectName> {
	if (ids.length === 0) return new Map();
	const unique = [...new Set(ids)];
	const rows =
		subject === 'user'
			? db
					.select({ id: user.id, name: user.displayName })
					.from(user)
					.where(inArray(user.id, unique))
					.all()
					.map((r) => ({ ...r, emoji: null }))
			: db
					.select({ id: team.id, name: team.name, emoji: team.emoji })
					.from(team)
					.where(inArray(team.id, unique))
					.all();
	return new Map(rows.map((r) => [r.id, { name: r.name, emoji: r.emoji }]));
}

/** The season's stake budget in points (0: stakes are off). */
export function stakeBudgetOf(db: Queryable, seasonId: number): number {
	return (
		db
			.select({ points: challengeSettings.stakeBudgetPoints })
			.from(challengeSettings)
			.where(eq(challengeSettings.seasonId, seasonId))
			.get()?.points ?? 0
	);
}

/** The stake budget and what is left of it (held by open duels, paid to winners). */
export function stakeBudget(db: Queryable, seasonId: number): { budget: number; left: number } {
	const budget = stakeBudgetOf(db, seasonId);
	const duels = db
		.select({
			status: challenge.status,
			stakePoints: challenge.stakePoints,
			payoutEntryId: challenge.payoutEntryId
		})
		.from(challenge)
		.where(and(eq(challenge.seasonId, seasonId)))
		.all()
		.filter((d) => d.stakePoints > 0)
		.map((d) => ({ ...d, paid: d.payoutEntryId !== null }));
	return { budget, left: budgetLeft(budget, duels) };
}

/**
 * Whom a person can challenge: the season's other people and other teams; and on what: its
 * categories and its active activity types (keys).
 */
export function challengeChoices(
	db: Queryable,
	seasonId: number,
	userId: number,
	teamId: number | null
) {
	const people = db
		.select({ id: user.id, name: user.displayName })
		.from(seasonMember)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.where(eq(seasonMember.seasonId, seasonId))
		.orderBy(asc(user.displayName))
		.all()
		.filter((p) => p.id !== userId);
	const teams = db
		.select({ id: team.id, name: team.name, emoji: team.emoji })
		.from(team)
		.where(eq(team.seasonId, seasonId))
		.orderBy(asc(team.name))
		.all()
		.filter((t) => t.id !== teamId);
	const categories = db
		.selectDistinct({ category: product.category })
		.from(product)
		.where(eq(product.seasonId, seasonId))
		.orderBy(asc(product.category))
		.all()
		.map((r) => r.category)
		.filter((c): c is string => !!c);
	const activityTypes = activeActivityTypesInView(db, seasonId).map((t) => t.key);
	return { people, teams, categories, activityTypes };
}
