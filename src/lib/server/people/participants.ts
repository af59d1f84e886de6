import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Store } from '../db/store';
import { readLeaderboard } from '../boards/leaderboard';
import { readPersonHistory } from '../boards/person-history';

// The console's people of a season (/manage/people), through the store (db/store.ts): the board
// and the histories as any node wrote them.

interface Participant {
	id: number;
	rank: number;
	name: string;
	email: string;
	teamName: string;
	teamEmoji: string;
	confirmed: number;
	pending: number;
	salesCount: number;
	/** Invited but not joined yet: off the board (rank 0) until they accept the invitation. */
	invited: boolean;
}

/** '!' is the unusable password hash of an account whose invitation is not accepted yet. */
const NOT_JOINED = '!';

/** The season's members who have not accepted their invitation (the board leaves them out). */
async function invitees(store: Store, seasonId: number, ranked: Set<number>) {
	const { seasonMember, team, user } = store.tables;
	const rows = await store.db
		.select({
			id: user.id,
			name: user.displayName,
			email: user.email,
			teamName: team.name,
			teamEmoji: team.emoji
		})
		.from(seasonMember)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.where(and(eq(seasonMember.seasonId, seasonId), eq(user.passwordHash, NOT_JOINED)))
		.orderBy(user.displayName);
	return rows
		.filter((p) => !ranked.has(p.id))
		.map((p) => ({ ...p, rank: 0, confirmed: 0, pending: 0, salesCount: 0, invited: true }));
}

/**
 * The season's participants in ranking order, with what the console shows and searches; then
 * the people invited who have not joined yet (not on the board, but the manager works with them).
 */
export async function seasonPeople(store: Store, seasonId: number): Promise<Participant[]> {
	const { user } = store.tables;
	const board = await readLeaderboard(store, seasonId);
	if (!board) return [];
	const waiting = await invitees(store, seasonId, new Set(board.individual.map((e) => e.id)));
	if (board.individual.length === 0) return waiting;
	const emails = new Map(
		(
			await store.db
				.select({ id: user.id, email: user.email })
				.from(user)
				.where(
					inArray(
						user.id,
						board.individual.map((e) => e.id)
					)
				)
		).map((u) => [u.id, u.email])
	);
	return board.individual
		.map((entry) => ({
			id: entry.id,
			rank: entry.rank,
			name: entry.name,
			email: emails.get(entry.id) ?? '',
			teamName: entry.teamName ?? '',
			teamEmoji: entry.emoji ?? '',
			confirmed: entry.points,
			pending: entry.provisionalPoints,
			salesCount: entry.salesCount,
			invited: false
		}))
		.concat(waiting);
}

/** One participant of the season with their history, or undefined when they are not in it. */
export async function personInSeason(store: Store, seasonId: number, userId: number) {
	const { sale, user } = store.tables;
	const people = await seasonPeople(store, seasonId);
	const person = people.find((p) => p.id === userId);
	if (!person) return undefined;
	const history = await readPersonHistory(store, seasonId, userId);
	const saleIds = [...new Set(history.flatMap((row) => (row.sale ? [row.sale.id] : [])))];
	// Note: the history does not say who confirmed a sale (a confirmation adds no ledger entry).
	const reviews = new Map(
		saleIds.length === 0
			? []
			: (
					await store.db
						.select({ id: sale.id, at: sale.reviewedAt, by: user.displayName })
						.from(sale)
						.leftJoin(user, eq(user.id, sale.reviewedById))
						.where(inArray(sale.id, saleIds))
				).map((r) => [r.id, { at: r.at, by: r.by }])
	);
	return {
		person,
		of: people.filter((p) => !p.invited).length,
		adjusted: await manualAdjustments(store, seasonId, userId),
		history: history.map((row) => ({
			...row,
			review: row.sale ? (reviews.get(row.sale.id) ?? null) : null
		}))
	};
}

/** Net points of a person's manual adjustments (recalculations are adjustments tied to a sale). */
async function manualAdjustments(store: Store, seasonId: number, userId: number) {
	const { ledgerEntry } = store.tables;
	const [row] = await store.db
		.select({ points: sql<number>`coalesce(sum(${ledgerEntry.points}), 0)`.mapWith(Number) })
		.from(ledgerEntry)
		.where(
			and(
				eq(ledgerEntry.seasonId, seasonId),
				eq(ledgerEntry.userId, userId),
				eq(ledgerEntry.kind, 'adjustment'),
				isNull(ledgerEntry.saleId)
			)
		);
	return row?.points ?? 0;
}

/** A sale of this person in this season, so that a form cannot reach someone else's sale. */
export async function findPersonSale(
	store: Store,
	seasonId: number,
	userId: number,
	saleId: number
) {
	const { sale } = store.tables;
	const [row] = await store.db
		.select({ id: sale.id, status: sale.status })
		.from(sale)
		.where(and(eq(sale.id, saleId), eq(sale.seasonId, seasonId), eq(sale.sellerId, userId)));
	return row;
}

export async function personName(store: Store, userId: number): Promise<string | undefined> {
	const { user } = store.tables;
	const [row] = await store.db
		.select({ name: user.displayName })
		.from(user)
		.where(eq(user.id, userId));
	return row?.name;
}
