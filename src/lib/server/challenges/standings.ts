import { asc, eq, inArray } from 'drizzle-orm';
import { read, type Store, type StoreDb, type Tables } from '../db/store';
import { readsOnStore, rowsOf, type Reads } from '../db/reads';
import { activeActivityTypes } from '../activities/types';
import type { Challenge, SubjectType } from '../db/schema';
import { periodTotalsReads, type PeriodQuery } from '../formats/measure';
import { parseMeasure, valueOf, type Counting, type PeriodTotal } from '../../contest/measure';
import { budgetLeft } from '../../contest/challenge';

// What a duel stands at, read from the ledger through periodTotals (the one query every format
// shares), and where the season's stake budget stands. No writes, no publishing: the format
// view (view.ts) and the services both read through here. Each read is one body (a generator,
// db/reads.ts) that the format view runs synchronously in a push and on the store elsewhere;
// the services run it on the store (`db` a store's database or a read's or write's
// transaction).

type DuelRow = Pick<
	Challenge,
	'seasonId' | 'subjectType' | 'challengerId' | 'opponentId' | 'measure' | 'periodFrom' | 'periodTo'
>;

/** The season's ranking settings a duel needs: how values count, ties, the grace days. */
export function* duelSeasonReads(db: StoreDb, t: Tables, seasonId: number) {
	const { season } = t;
	const [row] = yield* rowsOf(
		db
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
	);
	return row;
}

/** duelSeasonReads on the store. */
export function readDuelSeason(db: StoreDb, store: Store, seasonId: number) {
	return readsOnStore(db, store, (d, t) => duelSeasonReads(d, t, seasonId));
}

export const countingOf = (rankBy: string): Counting =>
	rankBy === 'confirmed' ? 'confirmed' : 'total';

/** Both sides' values of the duel's measure over its period, as the season counts them. */
export function* duelValuesReads(
	db: StoreDb,
	t: Tables,
	row: DuelRow,
	counting: Counting
): Reads<[number, number]> {
	const query = periodOf(row);
	return query ? bothValues(row, yield* periodTotalsReads(db, t, query), counting) : [0, 0];
}

/** duelValuesReads on the store. */
export function readDuelValues(
	db: StoreDb,
	store: Store,
	row: DuelRow,
	counting: Counting
): Promise<[number, number]> {
	return readsOnStore(db, store, (d, t) => duelValuesReads(d, t, row, counting));
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
	totals: Map<number, PeriodTotal>,
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

/** Display names of people or teams by id, with the teams' emoji. */
export function* sideNamesReads(
	db: StoreDb,
	t: Tables,
	subject: SubjectType,
	ids: readonly number[]
): Reads<Map<number, SubjectName>> {
	if (ids.length === 0) return new Map();
	const { team, user } = t;
	const unique = [...new Set(ids)];
	const rows =
		subject === 'user'
			? (yield* rowsOf(
					db
						.select({ id: user.id, name: user.displayName })
						.from(user)
						.where(inArray(user.id, unique))
				)).map((r) => ({ ...r, emoji: null }))
			: yield* rowsOf(
					db
						.select({ id: team.id, name: team.name, emoji: team.emoji })
						.from(team)
						.where(inArray(team.id, unique))
				);
	return new Map(rows.map((r) => [r.id, { name: r.name, emoji: r.emoji }]));
}

/** sideNamesReads on the store. */
export function readSubjectNames(
	db: StoreDb,
	store: Store,
	subject: SubjectType,
	ids: readonly number[]
): Promise<Map<number, SubjectName>> {
	return readsOnStore(db, store, (d, t) => sideNamesReads(d, t, subject, ids));
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
