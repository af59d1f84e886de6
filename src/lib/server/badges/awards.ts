import { and, eq, isNull, ne, or, sql } from 'drizzle-orm';
import { prepared } from '../db/prepared';
import type { Queryable } from '../db';
import { badge, season, type Award, type Badge } from '../db/schema';
import {
	evaluate,
	isCounted,
	weeklyWinners,
	type BadgeAward,
	type BadgeContext,
	type BadgeCriterion,
	type BadgeSubject,
	type SaleFact
} from '../../contest/badges';
import {
	dayKeyOf as localDateKey,
	weekKeyOf as weekKey,
	weekRangeOf as weekRange
} from '../../contest/zone-calendar';
import {
	dayFacts,
	firstOfDay,
	formerFirstSale,
	hasEarlierSale,
	ownFactsReads,
	recordSaleReads,
	saleFact,
	talliesReads,
	weekTotalsReads,
	type NewSale
} from './facts';
import { all, either, rows, type Steps, type Twin } from './steps';
import { teamTargetReads } from './probes';
import { markStandingsMoved, type StandingMove } from '../scoring/standings';
import { notifyLeaderboard, publishActivity, publishBadge } from '../realtime/publish';
import type { ActivityItem, BadgeEvent } from '../../realtime/events';
import { preparedQuery, type StoreDb, type Tables } from '../db/store';

// Prepared once per connection: built by Drizzle on every call, the badges' query alone was
// 6.5 % of a backlog's catch-up (one call per slice of 50 entries).
const badgesQuery = (db: Queryable) =>
	db
		.select()
		.from(badge)
		.where(or(eq(badge.seasonId, sql.placeholder('seasonId')), isNull(badge.seasonId)))
		.orderBy(badge.id)
		.prepare();
const seasonQuery = (db: Queryable) =>
	db
		.select()
		.from(season)
		.where(eq(season.id, sql.placeholder('id')))
		.prepare();

/** The season's badges and the all-time ones. */
export function seasonBadges(db: Queryable, seasonId: number): Badge[] {
	return prepared(db, badgesQuery).all({ seasonId });
}

export const TEAM_ONLY = new Set(['team_target']);
export const WEEKLY = new Set(['top_k_week', 'most_improved_week']);
/** Awarded by the season's end (scheduler.ts) from the frozen results, never by `evaluate`. */
export const END_OF_SEASON = new Set([
	'season_place',
	'season_best_team',
	'division_place',
	'quota_attained'
]);

export interface Candidate {
	b: Badge;
	subject: BadgeSubject;
	periodKey: string;
	at: number;
	saleId?: number;
}

export interface Plan {
	seasonId: number;
	isPending: (saleId: number) => boolean;
	/** The team a person's badge points go to: that of their latest sale that counts. */
	teamOf: (userId: number) => number | undefined;
	/** The badges evaluated: only their awards can be found stale. */
	badgeIds: Set<number>;
	candidates: Candidate[];
}

export function contextOf(s: typeof season.$inferSelect, now: number): BadgeContext {
	return { now, timeZone: s.timeZone, holidays: s.holidays ?? [], tieRule: s.tieRule };
}

/** A necessary condition for a once-only criterion, from the subject's running totals. */
export function inReach(criterion: BadgeCriterion, tallies: Map<string, number>): boolean {
	// A sale never earns a counted criterion: counted.ts decides them where they happen.
	if (isCounted(criterion)) return false;
	const t = (metric: string) => tallies.get(metric) ?? 0;
	switch (criterion.kind) {
		case 'first_sale':
			return t('sales') >= 1;
		case 'sales_count':
			return (
				t(criterion.category === undefined ? 'sales' : `cat:${criterion.category}`) >=
				criterion.count
			);
		case 'points_at_least':
			return t('points') >= criterion.points;
		case 'revenue_at_least':
			return t('amount') >= criterion.amount;
		case 'cross_sells':
			return t('cross') >= criterion.count;
		case 'team_target':
			return t(criterion.metric === 'amount' ? 'amount' : 'points') >= criterion.target;
		default:
			return true;
	}
}

/**
 * The keys `badgeId|` of the once-only badges (period key '') a subject holds (not void) in a
 * season, among `badgeIds` (a JSON array). Only these are read: a sale's step asks no other
 * period but a record sale's day, and a day already held is left to the insert, which gives
 * nothing twice (applyPlanInWrite). Raw SQL, by seeks in award_once_uq (it holds every column asked
 * but the season, whose term `+` keeps off the index): reading all of a subject's awards (its
 * record days and weekly ones too) was ~15 % of the step at 200,000 sales (bench/badge-step.ts).
 * PostgreSQL reads the JSON array with its own function and takes no `+` hint.
 */
const ONCE_HELD: Twin = {
	sqlite: `SELECT badge_id AS "badgeId" FROM award
	WHERE badge_id IN (SELECT value FROM json_each(?)) AND subject_type = ? AND subject_id = ?
		AND period_key = '' AND status <> 'void' AND +season_id = ?`,
	postgres: `SELECT badge_id AS "badgeId" FROM award
	WHERE badge_id IN (SELECT value::bigint FROM json_array_elements_text(?::json))
		AND subject_type = ? AND subject_id = ? AND period_key = '' AND status <> 'void'
		AND season_id = ?`
};

function* onceHeld(
	seasonId: number,
	badgeIds: string,
	subjectType: 'user' | 'team',
	subjectId: number
): Steps<Set<string>> {
	const rows = yield* all<{ badgeId: number }>(
		ONCE_HELD,
		badgeIds,
		subjectType,
		subjectId,
		seasonId
	);
	return new Set(rows.map((r) => `${r.badgeId}|`));
}

/** The season and its badges, each path its own way (Drizzle maps their JSON and booleans). */
function* seasonAndBadges(
	seasonId: number
): Steps<{ s: typeof season.$inferSelect | undefined; badges: Badge[] }> {
	return yield* either(
		(db) => ({
			s: prepared(db, seasonQuery).get({ id: seasonId }),
			badges: seasonBadges(db, seasonId)
		}),
		async (tx, store) => {
			const rows = await preparedQuery(tx, store, seasonWithBadges).execute({ id: seasonId });
			return {
				s: rows[0]?.season,
				badges: rows.flatMap((r) => (r.badge ? [r.badge] : []))
			};
		}
	);
}

/**
 * The season with its badges and the all-time ones (seasonBadgesOn's), one row each (one with no
 * badge when it has none): one round trip where the season and its badges were two, on
 * PostgreSQL each sale's badge step.
 */
function seasonWithBadges(db: StoreDb, { season: seasons, badge: badges }: Tables) {
	return db
		.select({ season: seasons, badge: badges })
		.from(seasons)
		.leftJoin(badges, or(eq(badges.seasonId, seasons.id), isNull(badges.seasonId)))
		.where(eq(seasons.id, sql.placeholder('id')))
		.orderBy(badges.id)
		.prepare('badges_season_with_badges');
}

/** A season's new awards as decideNewSales finds them: a Plan without its lookups. */
export type Found = Omit<Plan, 'isPending' | 'teamOf'>;

/**
 * What decideNewSales reads, read ahead in the same write before its sales were written (a
 * group's sellers' read ahead on PostgreSQL, scoring/sale-lookups.ts) and brought up to date with
 * them (decide-in-write.ts): the write's snapshot is its first statement's, so these are the
 * rows the step would read itself. What is missing is read as usual.
 */
export interface DecisionAhead {
	/** Each season read with its badges and the all-time ones (seasonAndBadges). */
	seasons: Map<number, { s: typeof season.$inferSelect; badges: Badge[] }>;
	/** The once-only badges (period key '') a subject holds (not void), by `seasonId:kind:id`. */
	held: Map<string, readonly number[]>;
	/** Each season's first sale that counts, the write's own included; null: none. */
	first: Map<number, { occurredAt: number; id: number } | null>;
}

/**
 * The awards that sales which just started counting earn, from the badge facts: a once-only
 * badge already held costs a set lookup; one whose total is not reached a map lookup; only a
 * badge within reach reads the subject's own sales (once, to find the deciding sale), a streak
 * only the person's days, and a record one seek of badge_record. Nothing reads the season's sales.
 * Equal to the full evaluation of the sellers and their teams (tests/integration/badge-facts).
 */
export function* decideNewSales(
	added: NewSale[],
	now: number,
	ahead?: DecisionAhead
): Steps<Map<number, Found>> {
	const bySeason = new Map<number, NewSale[]>();
	for (const a of added) {
		const ids = bySeason.get(a.seasonId);
		// Note: pushed, not copied: a window of an import brings hundreds of sales.
		if (ids) ids.push(a);
		else bySeason.set(a.seasonId, [a]);
	}
	const plans = new Map<number, Found>();
	for (const [seasonId, saleIds] of bySeason) {
		const { s, badges: all } = ahead?.seasons.get(seasonId) ?? (yield* seasonAndBadges(seasonId));
		if (!s) continue;
		const badges = all.filter(
			(b) => b.active && !END_OF_SEASON.has(b.criterion.kind) && !WEEKLY.has(b.criterion.kind)
		);
		const plan: Found = {
			seasonId,
			badgeIds: new Set(badges.map((b) => b.id)),
			candidates: []
		};
		plans.set(seasonId, plan);
		if (badges.length === 0) continue;
		const ctx = contextOf(s, now);
		const sales: SaleFact[] = [];
		for (const a of saleIds) {
			const f = a.fact === undefined ? yield* saleFact(a.saleId) : (a.fact ?? undefined);
			if (f !== undefined && f.occurredAt <= now) sales.push(f);
		}
		sales.sort((a, b) => a.occurredAt - b.occurredAt || a.saleId - b.saleId);
		// A sale now first in the season makes the former first sale comparable: it may be a
		// record now, whoever sold it (the full evaluation gives it to its seller at once).
		const former =
			sales.length > 0 && !(yield* earlierSale(sales[0], seasonId, ahead))
				? yield* formerFirstSale(seasonId, new Set(sales.map((f) => f.saleId)))
				: undefined;
		const subjects = new Map<string, { subject: BadgeSubject; sales: SaleFact[] }>();
		if (former)
			subjects.set(`user:${former.userId}`, {
				subject: { kind: 'user', id: former.userId },
				sales: []
			});
		for (const f of sales) {
			for (const subject of [
				{ kind: 'user', id: f.userId },
				{ kind: 'team', id: f.teamId }
			] as BadgeSubject[]) {
				const key = `${subject.kind}:${subject.id}`;
				const entry = subjects.get(key) ?? { subject, sales: [] };
				entry.sales.push(f);
				subjects.set(key, entry);
			}
		}
		const onceIds = badges.filter((b) => b.criterion.kind !== 'record_sale').map((b) => b.id);
		const onceOnly = JSON.stringify(onceIds);
		for (const { subject, sales: newSales } of subjects.values()) {
			const heldAhead = ahead?.held.get(`${seasonId}:${subject.kind}:${subject.id}`);
			const held = heldAhead
				? new Set(heldAhead.filter((id) => onceIds.includes(id)).map((id) => `${id}|`))
				: yield* onceHeld(seasonId, onceOnly, subject.kind, subject.id);
			// Read once a badge needs them: at size everyone holds the once-only badges a sale
			// can earn, and the step read every seller's and team's totals for nothing.
			let tallies: Map<string, number> | undefined;
			let own: SaleFact[] | undefined;
			const push = (b: Badge, earned: BadgeAward[]) => {
				for (const e of earned) {
					const key = `${b.id}|${e.periodKey}`;
					if (held.has(key)) continue;
					held.add(key);
					plan.candidates.push({ b, subject, ...e });
				}
			};
			for (const b of badges) {
				const c = b.criterion;
				if (TEAM_ONLY.has(c.kind) !== (subject.kind === 'team')) continue;
				if (c.kind === 'record_sale') {
					const mine = former && former.userId === subject.id ? [former] : [];
					for (const f of [...mine, ...newSales])
						if (yield* recordSaleReads(f, seasonId))
							push(b, [
								{
									periodKey: localDateKey(f.occurredAt, ctx.timeZone),
									at: f.occurredAt,
									saleId: f.saleId
								}
							]);
					continue;
				}
				if (held.has(`${b.id}|`)) continue;
				if (c.kind === 'streak') {
					// Only a sale that opens a day can complete a run of days.
					let opensDay = false;
					for (const f of newSales) {
						opensDay = yield* firstOfDay(seasonId, subject.id, f);
						if (opensDay) break;
					}
					if (opensDay) push(b, evaluate(c, subject, yield* dayFacts(seasonId, subject.id), ctx));
					continue;
				}
				// A sale never earns a counted criterion (inReach): no totals read for it.
				if (isCounted(c)) continue;
				tallies ??= yield* talliesReads(seasonId, subject.kind, subject.id);
				if (!inReach(c, tallies)) continue;
				if (c.kind === 'team_target') {
					push(
						b,
						yield* teamTargetReads(seasonId, subject.id, c.target, c.metric ?? 'points', now)
					);
					continue;
				}
				own ??= yield* ownFactsReads(seasonId, subject.id);
				push(b, evaluate(c, subject, own, ctx));
			}
		}
	}
	return plans;
}

/** Whether a sale that counts comes before `s` in its season: from the first one read ahead. */
function* earlierSale(s: SaleFact, seasonId: number, ahead?: DecisionAhead): Steps<boolean> {
	if (!ahead?.first.has(seasonId)) return yield* hasEarlierSale(s, seasonId);
	const first = ahead.first.get(seasonId);
	return (
		!!first &&
		(first.occurredAt < s.occurredAt || (first.occurredAt === s.occurredAt && first.id < s.saleId))
	);
}

/** The feed's line for a withdrawn badge (live and from the database alike). */
export function withdrawnItem(w: {
	awardId: number;
	seasonId: number;
	userId: number;
	userName: string;
	teamName: string;
	badge: Pick<Badge, 'name' | 'emoji'>;
	points: number;
	provisional: boolean;
	at: number;
}): ActivityItem {
	return {
		id: `award:${w.awardId}:withdrawn`,
		seasonId: w.seasonId,
		kind: 'badge_withdrawn',
		userId: w.userId,
		userName: w.userName,
		teamName: w.teamName,
		summary: `${w.badge.emoji} ${w.badge.name} withdrawn: the sale or activity that earned it no longer counts`,
		badge: { name: w.badge.name, emoji: w.badge.emoji },
		points: w.points,
		provisional: w.provisional,
		at: w.at
	};
}

export interface AwardChanges {
	awarded: BadgeEvent[];
	withdrawn: ActivityItem[];
	/** The standings the badges' points moved in a store's write (apply-in-write.ts), to mark once it has committed. */
	moved?: StandingMove[];
}

/** Pushes what a committed transaction changed in the awards. */
export function publishAwardChanges(seasonId: number, changes: AwardChanges): void {
	if (changes.moved) markStandingsMoved(changes.moved);
	for (const event of changes.awarded) publishBadge(event);
	for (const item of changes.withdrawn) publishActivity(item);
	if (
		changes.awarded.some((e) => e.badge.points !== 0) ||
		changes.withdrawn.some((w) => w.points !== 0)
	)
		notifyLeaderboard(seasonId);
}

export function merge(into: AwardChanges, more: AwardChanges): AwardChanges {
	into.awarded.push(...more.awarded);
	into.withdrawn.push(...more.withdrawn);
	if (more.moved) (into.moved ??= []).push(...more.moved);
	return into;
}

/**
 * At most this many ledger entries are taken in per call on a request's path (beyond the
 * caller's own): a backlog (after an upgrade, or sales recorded without the badge step) is
 * taken in by the slices (catch-up.ts), not by the requests. With 1,000 every sale behind
 * a 200,000-entry backlog spent ~60 ms of CPU on it, the first seconds after a restart
 * (docs/benchmarks.md, "A restart behind a badge backlog"); 50 is a slice's worth.
 */
export const ENTRIES_PER_CALL = 50;

/** Awards decided inside a transaction: to publish once it has committed. */
export interface DecidedAwards {
	changes: Map<number, AwardChanges>;
	/** The facts did not take in the whole ledger: the catch-up's slices take in the rest. */
	backlog: boolean;
}

/** What deciding an ended week found: awards to withdraw, and a plan of the missing ones. */
export interface WeekDecision {
	stale: { a: Award; b: Badge }[];
	found: Found;
}

/**
 * A season's weekly badges for one ended week, from the week totals (those who sold that week,
 * and the week before's points). With `since`, the week's awards of those badges earned since
 * then that the totals no longer give are stale. Steps (steps.ts): applied by decideWeekInWrite
 * (decide-in-write.ts) in a store's write.
 */
export function* decidingWeek(
	s: typeof season.$inferSelect,
	badges: Badge[],
	period: { periodKey: string; endsAt: number },
	since?: number
): Steps<WeekDecision> {
	const totals = yield* weekTotalsReads(s.id, period.periodKey);
	const start = weekRange(period.endsAt - 1, s.timeZone)[0];
	const before = yield* weekTotalsReads(s.id, weekKey(start - 1, s.timeZone));
	const previous = new Map([...before].map(([id, t]) => [id, t.points]));
	const found: Found = {
		seasonId: s.id,
		badgeIds: new Set(badges.map((b) => b.id)),
		candidates: []
	};
	const stale: WeekDecision['stale'] = [];
	for (const b of badges) {
		const winners = new Set(
			[...weeklyWinners(b.criterion, { totals, previous }, s.tieRule)].filter((id) =>
				totals.has(id)
			)
		);
		for (const id of winners)
			found.candidates.push({
				b,
				subject: { kind: 'user', id },
				periodKey: period.periodKey,
				at: period.endsAt
			});
		if (since === undefined || period.endsAt < since) continue;
		const held = yield* rows((db, { award }) =>
			db
				.select()
				.from(award)
				.where(
					and(
						eq(award.badgeId, b.id),
						eq(award.periodKey, period.periodKey),
						eq(award.seasonId, s.id),
						ne(award.status, 'void')
					)
				)
		);
		for (const a of held)
			if (a.subjectType !== 'user' || !winners.has(a.subjectId)) stale.push({ a, b });
	}
	return { stale, found };
}
