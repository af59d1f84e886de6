import { and, eq, ne } from 'drizzle-orm';
import type { LedgerStatus, RankBy, Season } from '../db/schema';
import type { Store } from '../db/store';
import { readLeaderboard } from './leaderboard';
import { readProfileBadges } from './profile-badges';
import { readPersonHistory } from './person-history';
import { readPrizes } from '../seasons/prizes';
import { rank } from '../../contest/ranking';
import { localDayRange, playedDays, type DateKey } from '../../contest/calendar';
import { DEFAULT_TIERS, progress, type Tier } from '../../contest/tiers';
import type { TieRule } from '../../contest/types';
import { breakdownLabel } from '../../contest/breakdown-words';

// A participant's profile ("trophy case"): totals, level, how points and rank moved over the
// season, badges and the latest sales. Everyone signed in may look at it, so it shows what
// the board already shows plus sales summaries, never customer references. Read through the
// store (db/store.ts): the board, the ledger, the prizes, the sales and the badges
// (profile-badges.ts) any node wrote.

/** One ledger entry as the charts need it. */
export interface PointEvent {
	userId: number;
	points: number;
	status: LedgerStatus;
	at: number;
}

/** The instant each local day ends (exclusive). */
function dayEnds(days: readonly DateKey[], timeZone: string): number[] {
	return days.map((day) => localDayRange(day, timeZone)[1]);
}

/** A person's confirmed + pending points at the end of each day (void entries never count). */
export function cumulativePoints(
	events: readonly PointEvent[],
	userId: number,
	days: readonly DateKey[],
	timeZone: string
): number[] {
	const own = events
		.filter((e) => e.userId === userId && e.status !== 'void')
		.sort((a, b) => a.at - b.at);
	let i = 0;
	let total = 0;
	return dayEnds(days, timeZone).map((end) => {
		while (i < own.length && own[i].at < end) total += own[i++].points;
		return total;
	});
}

const counts = (measure: RankBy, status: LedgerStatus) =>
	status === 'confirmed' || (measure === 'total' && status === 'provisional');

/**
 * A person's rank at the end of each day, replaying the season's ledger for every member and
 * ranking them the way the board does (what `rankBy` counts, the season's tie rule, earlier to
 * reach a score first). Null on days before anyone had points: everyone would share rank 1.
 */
export function rankHistory(
	events: readonly PointEvent[],
	members: readonly { id: number; name: string; joinedAt: number }[],
	userId: number,
	days: readonly DateKey[],
	options: { timeZone: string; rankBy: RankBy; tieRule: TieRule }
): (number | null)[] {
	const sorted = events.filter((e) => counts(options.rankBy, e.status)).sort((a, b) => a.at - b.at);
	const totals = new Map(
		members.map((m) => [m.id, { ...m, points: 0, provisionalPoints: 0, reachedAt: m.joinedAt }])
	);
	let i = 0;
	let anyone = false;
	return dayEnds(days, options.timeZone).map((end) => {
		for (; i < sorted.length && sorted[i].at < end; i++) {
			const event = sorted[i];
			const entry = totals.get(event.userId);
			if (!entry || event.points === 0) continue;
			entry.points += event.points;
			entry.reachedAt = event.at;
			anyone = true;
		}
		if (!anyone) return null;
		return rank([...totals.values()], options.tieRule).find((e) => e.id === userId)?.rank ?? null;
	});
}

export interface ProfileSale {
	id: number;
	at: number;
	points: number;
	/** provisional: waiting for confirmation; void: the sale was rejected. */
	status: LedgerStatus;
	saleStatus: string | null;
	title: string;
	items: { label: string; points: number; rule: boolean }[];
}

const RECENT_SALES = 5;

/**
 * A participant's profile read through the store, all but the badges: undefined when they are
 * not taking part in `s`. `badgePrizes` (each badge's prize) and `teamId` are what
 * `readProfileBadges` needs.
 */
export async function readProfile(store: Store, s: Season, userId: number, now: number) {
	const board = await readLeaderboard(store, s.id);
	const me = board?.individual.find((e) => e.id === userId);
	if (!board || !me) return undefined;

	const { ledgerEntry, seasonMember, user } = store.tables;
	const members = await store.db
		.select({ id: user.id, name: user.displayName, joinedAt: seasonMember.joinedAt })
		.from(seasonMember)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.where(eq(seasonMember.seasonId, s.id));
	const events: PointEvent[] = await store.db
		.select({
			userId: ledgerEntry.userId,
			points: ledgerEntry.points,
			status: ledgerEntry.status,
			at: ledgerEntry.createdAt
		})
		.from(ledgerEntry)
		.where(and(eq(ledgerEntry.seasonId, s.id), ne(ledgerEntry.status, 'void')));
	const days = playedDays(s, now);
	const cumulative = cumulativePoints(events, userId, days, s.timeZone);
	const ranks = rankHistory(events, members, userId, days, {
		timeZone: s.timeZone,
		rankBy: s.rankBy,
		tieRule: s.tieRule
	});

	const tiers: readonly Tier[] = s.tiers && s.tiers.length > 0 ? s.tiers : DEFAULT_TIERS;
	// Levels follow what the ranking counts, so the level and the rank never disagree.
	const levelPoints = s.rankBy === 'total' ? me.points + me.provisionalPoints : me.points;

	// A badge's prize goes with the badge: withdrawn with it.
	const prizes = new Map(
		(await readPrizes(store, s.id)).flatMap((p) =>
			p.badge ? [[p.badge.id, p.title] as const] : []
		)
	);
	const recent: ProfileSale[] = (await readPersonHistory(store, s.id, userId, 100))
		.filter((row) => row.kind === 'sale')
		.slice(0, RECENT_SALES)
		.map((row) => ({
			id: row.id,
			at: row.sale?.occurredAt ?? row.at,
			points: row.points,
			status: row.status as LedgerStatus,
			saleStatus: row.sale?.status ?? null,
			title: row.breakdown?.lines?.map((l) => `${l.quantity} × ${l.name}`).join(', ') || 'Sale',
			items: (row.breakdown?.items ?? []).map((item) => ({
				label: breakdownLabel(item),
				points: item.points,
				rule: item.ruleId != null
			}))
		}));

	return {
		person: {
			id: me.id,
			name: me.name,
			teamName: me.teamName ?? '',
			teamEmoji: me.emoji ?? '',
			teamColor: me.color ?? null
		},
		totals: {
			confirmed: me.points,
			pending: me.provisionalPoints,
			rank: me.rank,
			of: board.individual.length,
			salesCount: me.salesCount
		},
		level: {
			points: levelPoints,
			...progress(levelPoints, tiers),
			tiers: [...tiers].sort((a, b) => a.minPoints - b.minPoints)
		},
		timeline: days.map((day, i) => ({ day, points: cumulative[i], rank: ranks[i] })),
		badgePrizes: prizes,
		teamId: me.teamId ?? null,
		recent
	};
}

/** The profile of a participant of `s` with their badges, or undefined when they are not taking part. */
export async function buildProfile(store: Store, s: Season, userId: number, now: number) {
	const found = await readProfile(store, s, userId, now);
	if (!found) return undefined;
	const { badgePrizes, teamId, ...profile } = found;
	return {
		...profile,
		badges: await readProfileBadges(store, s.id, userId, teamId, badgePrizes)
	};
}

export type Profile = NonNullable<Awaited<ReturnType<typeof buildProfile>>>;
