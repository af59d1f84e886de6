import { and, desc, eq, isNull, or } from 'drizzle-orm';
import type { Store } from '../db/store';

// A participant's badges as their profile (/people/[id]) shows them: earned, their team's, still
// to earn, withdrawn. Read through the store (db/store.ts) on either dialect; the badges' engine
// (badges/) writes them.

export interface TrophyBadge {
	id: number;
	name: string;
	emoji: string;
	description: string;
	/** Times earned (weekly and record badges can repeat). */
	times: number;
	/** When it was last earned. */
	earnedAt: number;
	/** Earned by a sale still waiting for review: it (and its points) may yet be withdrawn. */
	pending: boolean;
	/** The season's prize for everyone who earns this badge. */
	prize: string | null;
}

/** A badge withdrawn because the sale or activity that earned it no longer counts. */
export interface WithdrawnBadge {
	id: number;
	name: string;
	emoji: string;
	at: number;
	/** The prize that went with it. */
	prize: string | null;
}

/** Badges only teams earn: not in a person's "still to earn". */
const TEAM_KINDS = new Set(['team_target', 'season_best_team']);

/** A subject's awards in a season with their badge, newest first, withdrawn ones included. */
async function readAwardsOf(
	store: Store,
	seasonId: number,
	subjectType: 'user' | 'team',
	subjectId: number
) {
	const { award, badge } = store.tables;
	return store.db
		.select({
			id: award.id,
			earnedAt: award.earnedAt,
			status: award.status,
			voidedAt: award.voidedAt,
			badge
		})
		.from(award)
		.innerJoin(badge, eq(badge.id, award.badgeId))
		.where(
			and(
				eq(award.seasonId, seasonId),
				eq(award.subjectType, subjectType),
				eq(award.subjectId, subjectId)
			)
		)
		.orderBy(desc(award.earnedAt));
}

type Award = Awaited<ReturnType<typeof readAwardsOf>>[number];

/** The season's badges and those of every season, by id. */
async function readSeasonBadges(store: Store, seasonId: number) {
	const { badge } = store.tables;
	return store.db
		.select()
		.from(badge)
		.where(or(eq(badge.seasonId, seasonId), isNull(badge.seasonId)))
		.orderBy(badge.id);
}

function groupAwards(awards: Award[], prizes: ReadonlyMap<number, string>): TrophyBadge[] {
	const byBadge = new Map<number, TrophyBadge>();
	// Newest first, so the first award of a badge is its latest.
	for (const a of awards) {
		if (a.status === 'void') continue;
		const known = byBadge.get(a.badge.id);
		if (known) {
			known.times += 1;
			known.pending &&= a.status === 'provisional';
		} else
			byBadge.set(a.badge.id, {
				id: a.badge.id,
				name: a.badge.name,
				emoji: a.badge.emoji,
				description: a.badge.description,
				times: 1,
				earnedAt: a.earnedAt,
				pending: a.status === 'provisional',
				prize: prizes.get(a.badge.id) ?? null
			});
	}
	return [...byBadge.values()];
}

/** A participant's badges: earned, their team's, still to earn, withdrawn. */
export async function readProfileBadges(
	store: Store,
	seasonId: number,
	userId: number,
	teamId: number | null,
	prizes: ReadonlyMap<number, string>
) {
	const own = await readAwardsOf(store, seasonId, 'user', userId);
	const earned = groupAwards(own, prizes);
	const withdrawn: WithdrawnBadge[] = own
		.filter((a) => a.status === 'void')
		.map((a) => ({
			id: a.id,
			name: a.badge.name,
			emoji: a.badge.emoji,
			at: a.voidedAt ?? a.earnedAt,
			prize: prizes.get(a.badge.id) ?? null
		}))
		.sort((a, b) => b.at - a.at);
	const team = teamId
		? groupAwards(await readAwardsOf(store, seasonId, 'team', teamId), prizes)
		: [];
	const earnedIds = new Set(earned.map((b) => b.id));
	const toEarn = (await readSeasonBadges(store, seasonId))
		.filter((b) => b.active && !TEAM_KINDS.has(b.criterion.kind) && !earnedIds.has(b.id))
		.map((b) => ({ id: b.id, name: b.name, emoji: b.emoji, description: b.description }));
	return { earned, team, toEarn, withdrawn };
}
