import { and, count, eq, inArray, lt, ne, or, sql } from 'drizzle-orm';
import type { StoreDb, Tables } from '../../db/store';
import type { RankBy } from '../../db/schema';
import { rank, type Ranked, type RankInput } from '../../../contest/ranking';
import type { TieRule } from '../../../contest/types';
import { NO_PASSWORD } from '../../auth/links';

// A season's individual ranking as it stood at an instant, replayed from the ledger the way the
// board ranks (what rankBy counts, the tie rule, earlier to reach a score first): the digest's
// "last week" and the summary's "yesterday". One grouped read per season and instant; the
// digest and the summary run once a week and once a day, never per sale.
//
// Assumption: an entry counts with its status of today (a sale confirmed since still counts
// then as confirmed); the ledger keeps no history of a status, and the difference is a sale's
// points moving from pending to confirmed, which rankBy 'total' does not see at all.

export interface RankingSeason {
	id: number;
	rankBy: RankBy;
	tieRule: TieRule;
}

/**
 * Every joined member's rank and points at `at` (entries made before it), best first; people who
 * joined later and had nothing by then are not in it. In SQL both dialects speak, on `db` (the
 * store's, or a read's: the read thread reads several in one snapshot).
 */
export async function readRankingAt(
	db: StoreDb,
	tables: Tables,
	season: RankingSeason,
	at: number
): Promise<Ranked<RankInput>[]> {
	const { ledgerEntry, seasonMember, user } = tables;
	const statuses: ('confirmed' | 'provisional')[] =
		season.rankBy === 'total' ? ['confirmed', 'provisional'] : ['confirmed'];
	const rows = await db
		.select({
			id: seasonMember.userId,
			name: user.displayName,
			points: sql<number>`coalesce(sum(${ledgerEntry.points}), 0)`.mapWith(Number),
			reachedAt:
				sql<number>`coalesce(max(${ledgerEntry.createdAt}), ${seasonMember.joinedAt})`.mapWith(
					Number
				)
		})
		.from(seasonMember)
		.innerJoin(user, and(eq(user.id, seasonMember.userId), ne(user.passwordHash, NO_PASSWORD)))
		.leftJoin(
			ledgerEntry,
			and(
				eq(ledgerEntry.seasonId, seasonMember.seasonId),
				eq(ledgerEntry.userId, seasonMember.userId),
				lt(ledgerEntry.createdAt, at),
				inArray(ledgerEntry.status, statuses)
			)
		)
		.where(eq(seasonMember.seasonId, season.id))
		.groupBy(seasonMember.userId, user.displayName, seasonMember.joinedAt)
		.having(or(lt(seasonMember.joinedAt, at), sql`${count(ledgerEntry.id)} > 0`));
	return rank(
		rows.map((r) => ({ ...r, provisionalPoints: 0 })),
		season.tieRule
	);
}

/** A season's ranking at an instant: read here (readRankingAt) or handed over by the read thread. */
export type RankingsAt = (
	season: RankingSeason,
	at: number
) => Ranked<RankInput>[] | Promise<Ranked<RankInput>[]>;

/** Rankings read ahead (by the read thread), looked up by season and instant. */
export function rankingsFrom(
	read: readonly { seasonId: number; at: number; ranking: Ranked<RankInput>[] }[]
): RankingsAt {
	const byKey = new Map(read.map((r) => [`${r.seasonId}:${r.at}`, r.ranking]));
	return (season, at) => {
		const ranking = byKey.get(`${season.id}:${at}`);
		if (!ranking) throw new Error(`no ranking of season ${season.id} at ${at} was read`);
		return ranking;
	};
}
