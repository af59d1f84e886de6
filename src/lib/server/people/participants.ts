import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { ledgerEntry, sale, seasonMember, team, user } from '../db/schema';
import { getLeaderboard } from '../boards/leaderboard';
import { personHistory } from '../boards/person-history';

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
function invitees(db: Queryable, seasonId: number, ranked: Set<number>): Participant[] {
	return db
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
		.orderBy(user.displayName)
		.all()
		.filter((p) => !ranked.has(p.id))
		.map((p) => ({ ...p, rank: 0, confirmed: 0, pending: 0, salesCount: 0, invited: true }));
}

/**
 * The season's participants in ranking order, with what the console shows and searches; then
 * the people invited who have not joined yet (not on the board, but the manager works with them).
 */
export function seasonPeople(db: Queryable, seasonId: number): Participant[] {
	const board = getLeaderboard(db, seasonId);
	if (!board) return [];
	const waiting = invitees(db, seasonId, new Set(board.individual.map((e) => e.id)));
	if (board.individual.length === 0) return waiting;
	const emails = new Map(
		db
			.select({ id: user.id, email: user.email })
			.from(user)
			.where(
				inArray(
					user.id,
					board.individual.map((e) => e.id)
				)
			)
			.all()
			.map((u) => [u.id, u.email])
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
export function personInSeason(db: Queryable, seasonId: number, userId: number) {
	const people = seasonPeople(db, seasonId);
	const person = people.find((p) => p.id === userId);
	if (!person) return undefined;
	const history = personHistory(db, seasonId, userId);
	const saleIds = [...new Set(history.flatMap((row) => (row.sale ? [row.sale.id] : [])))];
	// Note: personHistory does not say who confirmed a sale (a confirmation adds no ledger entry).
	const reviews = new Map(
		saleIds.length === 0
			? []
			: db
					.select({ id: sale.id, at: sale.reviewedAt, by: user.displayName })
					.from(sale)
					.leftJoin(user, eq(user.id, sale.reviewedById))
					.where(inArray(sale.id, saleIds))
					.all()
					.map((r) => [r.id, { at: r.at, by: r.by }])
	);
	return {
		person,
		of: people.filter((p) => !p.invited).length,
		adjusted: manualAdjustments(db, seasonId, userId),
		history: history.map((row) => ({
			...row,
			review: row.sale ? (reviews.get(row.sale.id) ?? null) : null
		}))
	};
}

/** Net points of a person's manual adjustments (recalculations are adjustments tied to a sale). */
function manualAdjustments(db: Queryable, seasonId: number, userId: number): number {
	return (
		db
			.select({ points: sql<number>`coalesce(sum(${ledgerEntry.points}), 0)` })
			.from(ledgerEntry)
			.where(
				and(
					eq(ledgerEntry.seasonId, seasonId),
					eq(ledgerEntry.userId, userId),
					eq(ledgerEntry.kind, 'adjustment'),
					isNull(ledgerEntry.saleId)
				)
			)
			.get()?.points ?? 0
	);
}

/** A sale of this person in this season, so that a form cannot reach someone else's sale. */
export function findPersonSale(db: Queryable, seasonId: number, userId: number, saleId: number) {
	return db
		.select({ id: sale.id, status: sale.status })
		.from(sale)
		.where(and(eq(sale.id, saleId), eq(sale.seasonId, seasonId), eq(sale.sellerId, userId)))
		.get();
}

export function personName(db: Queryable, userId: number): string | undefined {
	return db.select({ name: user.displayName }).from(user).where(eq(user.id, userId)).get()?.name;
}
