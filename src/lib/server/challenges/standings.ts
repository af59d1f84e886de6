import { asc, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db';
import { read, type Store, type StoreDb } from '../db/store';
import { activeActivityTypes } from '../activities/types';
import { season, team, user, type Challenge, type SubjectType } from '../db/schema';
import { periodTotals, readPeriodTotals, type PeriodQuery } from '../formats/measure';
import { parseMeasure, valueOf, type Counting } from '../../contest/measure';
import { budgetLeft } from '../../contest/challenge';

// What a duel stands at, read from the ledger through periodTotals (the one query every format
// shares), and where the season's stake budget stands. No writes, no publishing: the format
// view (view.ts) and the services both read through here. Each read is on the store (db/store.ts,
// `db` a store's database or a read's or write's transaction); the format view and the feed,
// built inside the boards' synchronous reads, keep synchronous twins (`duelSeason`,
// `duelValues`, `subjectNames`).

type DuelRow = Pick<
	Challenge,
	'seasonId' | 'subjectType' | 'challengerId' | 'opponentId' | 'measure' | 'periodFrom' | 'periodTo'
>;

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

/** duelSeason on the store. */
export async function readDuelSeason(db: StoreDb, store: Store, seasonId: number) {
	const { season } = store.tables;
	const [row] = await db
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
		.where(eq(season.id, seasonId));
	return row;
}

export const countingOf = (rankBy: string): Counting =>
	rankBy === 'confirmed' ? 'confirmed' : 'total';

/** Both sides' values of the duel's measure over its period, as the season counts them. */
export function duelValues(db: Queryable, row: DuelRow, counting: Counting): [number, number] {
	const query = periodOf(row);
	return query ? bothValues(row, periodTotals(db, query), counting) : [0, 0];
}

/** duelValues on the store. */
export async function readDuelValues(
	db: StoreDb,
	store: Store,
	row: DuelRow,
	counting: Counting
): Promise<[number, number]> {
	const query = periodOf(row);
	return query
		? bothValues(row, await readPeriodTotals(db, store.tables, query), counting)
		: [0, 0];
}

function periodOf(row: DuelRow): PeriodQuery | null {
	const measure = parseMeasure(row.measure);
	if (!measure) return null;
	return {
		seasonId: row.seasonId,
		subject: row.subjectType,
		from: row.periodFrom,
		to: row.periodTo,
		measure,
		ids: [row.challengerId, row.opponentId]
	};
}

function bothValues(
	row: DuelRow,
	totals: Awaited<ReturnType<typeof readPeriodTotals>>,
	counting: Counting
): [number, number] {
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

/** subjectNames on the store. */
export async function readSubjectNames(
	db: StoreDb,
	store: Store,
	subject: SubjectType,
	ids: readonly number[]
): Promise<Map<number, SubjectName>> {
	if (ids.length === 0) return new Map();
	const { team, user } = store.tables;
	const unique = [...new Set(ids)];
	const rows =
		subject === 'user'
			? (
					await db
						.select({ id: user.id, name: user.displayName })
						.from(user)
						.where(inArray(user.id, unique))
				).map((r) => ({ ...r, emoji: null }))
			: await db
					.select({ id: team.id, name: team.name, emoji: team.emoji })
					.from(team)
					.where(inArray(team.id, unique));
	return new Map(rows.map((r) => [r.id, { name: r.name, emoji: r.emoji }]));
}

/** The stake budget and what is left of it (held by open duels, paid to winners), in one read. */
export async function stakeBudget(
	store: Store,
	seasonId: number
): Promise<{ budget: number; left: number }> {
	const { challenge, challengeSettings } = store.tables;
	return read(store, async (tx) => {
		const [settings] = await tx
			.select({ points: challengeSettings.stakeBudgetPoints })
			.from(challengeSettings)
			.where(eq(challengeSettings.seasonId, seasonId));
		const budget = settings?.points ?? 0;
		const duels = (
			await tx
				.select({
					status: challenge.status,
					stakePoints: challenge.stakePoints,
					payoutEntryId: challenge.payoutEntryId
				})
				.from(challenge)
				.where(eq(challenge.seasonId, seasonId))
		)
			.filter((d) => d.stakePoints > 0)
			.map((d) => ({ ...d, paid: d.payoutEntryId !== null }));
		return { budget, left: budgetLeft(budget, duels) };
	});
}

/**
 * Whom a person can challenge: the season's other people and other teams; and on what: its
 * categories and its active activity types (keys).
 */
export async function challengeChoices(
	store: Store,
	seasonId: number,
	userId: number,
	teamId: number | null
) {
	const { product, seasonMember, team, user } = store.tables;
	const people = (
		await store.db
			.select({ id: user.id, name: user.displayName })
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.where(eq(seasonMember.seasonId, seasonId))
			.orderBy(asc(user.displayName), asc(user.id))
	).filter((p) => p.id !== userId);
	const teams = (
		await store.db
			.select({ id: team.id, name: team.name, emoji: team.emoji })
			.from(team)
			.where(eq(team.seasonId, seasonId))
			.orderBy(asc(team.name), asc(team.id))
	).filter((t) => t.id !== teamId);
	const categories = (
		await store.db
			.selectDistinct({ category: product.category })
			.from(product)
			.where(eq(product.seasonId, seasonId))
			.orderBy(asc(product.category))
	)
		.map((r) => r.category)
		.filter((c): c is string => !!c);
	const activityTypes = (await activeActivityTypes(store, seasonId)).map((t) => t.key);
	return { people, teams, categories, activityTypes };
}
