import { and, asc, eq, gt, gte, ne, sql, type AnyColumn } from 'drizzle-orm';
import type { Store } from '../db/store';

/** One award as GET /api/v1/seasons/{id}/badges lists it: a `badge` frame with its id and times. */
export interface AwardEntry {
	id: number;
	subjectType: 'user' | 'team';
	subjectId: number;
	subjectName: string;
	badge: { id: number; name: string; emoji: string; description: string; points: number };
	provisional: boolean;
	periodKey: string;
	/** When it counts as earned (a weekly badge: the week's end), ms. */
	earnedAt: number;
	/** When it was written, and its `badge` frame sent, ms. */
	awardedAt: number;
}

/**
 * A season's awards written since `since` (ms), withdrawn ones left out, in the order they were
 * written (by id: one writer gives them out), `limit` at most, after the award `after`. What an
 * API-token client reads when its socket may have missed `badge` frames: a frame that Redis
 * refused during an outage reached the sockets of the node that sent it only (cluster.ts), and
 * the node cannot tell which of the frames a socket elsewhere got, so it sends a `badgesMissed`
 * hint and the client reads them here (docs/scale-out.md).
 * Read through award_season_created_idx: on a season of 200,000 awards a scan of the season's
 * rows took 0.3-0.6 s, which every node spent at the end of an outage (Publisher.badgesMissed).
 */
export async function awardsSince(
	store: Store,
	seasonId: number,
	options: { since: number; after?: number; limit: number }
): Promise<{ entries: AwardEntry[]; next: number | null }> {
	const { award, badge, team, user } = store.tables;
	const rows = await store.db
		.select({
			id: award.id,
			subjectType: award.subjectType,
			subjectId: award.subjectId,
			subjectName: sql<string | null>`case ${award.subjectType}
				when 'user' then (select ${user.displayName} from ${user} where ${user.id} = ${award.subjectId})
				else (select ${team.name} from ${team} where ${team.id} = ${award.subjectId}) end`,
			badge: {
				id: badge.id,
				name: badge.name,
				emoji: badge.emoji,
				description: badge.description,
				points: badge.points
			},
			status: award.status,
			periodKey: award.periodKey,
			earnedAt: award.earnedAt,
			awardedAt: award.createdAt
		})
		.from(award)
		.innerJoin(badge, eq(badge.id, award.badgeId))
		.where(writtenSince(award, seasonId, options))
		.orderBy(asc(award.id))
		.limit(options.limit);
	const entries = rows.map(({ status, subjectName, ...row }) => ({
		...row,
		subjectType: row.subjectType as 'user' | 'team',
		subjectName: subjectName ?? '',
		provisional: status === 'provisional'
	}));
	return {
		entries,
		next: entries.length === options.limit ? entries[entries.length - 1].id : null
	};
}

/** The award columns `writtenSince` filters on, of either dialect's table. */
type AwardColumns = Record<'id' | 'seasonId' | 'status' | 'createdAt', AnyColumn>;

/** A season's awards not withdrawn, written since `since` (ms), after the award `after`. */
function writtenSince(
	award: AwardColumns,
	seasonId: number,
	options: { since: number; after?: number }
) {
	return and(
		eq(award.seasonId, seasonId),
		ne(award.status, 'void'),
		gte(award.createdAt, options.since),
		options.after === undefined ? undefined : gt(award.id, options.after)
	);
}
