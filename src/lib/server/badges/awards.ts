import { and, desc, eq, isNull, ne, or } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import {
	award,
	badge,
	ledgerEntry,
	product,
	sale,
	saleLine,
	season,
	seasonMember,
	team,
	user,
	type Award,
	type Badge
} from '../db/schema';
import { evaluate, type BadgeSubject, type SaleFact } from '../../contest/badges';
import { appendEntry, awardNet, changeAwardEntriesStatus } from '../scoring/ledger';
import { countedSale } from '../scoring/counting';
import { bumpVersion } from '../scoring/standings';
import { enqueueWebhooks } from '../webhooks/delivery';
import { notifyLeaderboard, publishActivity, publishBadge } from '../realtime/publish';
import type { ActivityItem, BadgeEvent } from '../../realtime/events';
import { systemClock, type Clock } from '../shared/clock';

/** The season's badges and the all-time ones. */
export function seasonBadges(db: Queryable, seasonId: number): Badge[] {
	return db
		.select()
		.from(badge)
		.where(or(eq(badge.seasonId, seasonId), isNull(badge.seasonId)))
		.orderBy(badge.id)
		.all();
}

/** The season's counted sales as the badge criteria see them, and which of them are pending. */
function seasonFacts(db: Queryable, seasonId: number): { facts: SaleFact[]; pending: Set<number> } {
	const sales = db
		.select()
		.from(sale)
		.where(and(eq(sale.seasonId, seasonId), countedSale))
		.all();
	const categories = new Map<number, Set<string>>();
	for (const line of db
		.select({ saleId: saleLine.saleId, category: product.category })
		.from(saleLine)
		.innerJoin(product, eq(product.id, saleLine.productId))
		.where(eq(product.seasonId, seasonId))
		.all()) {
		const set = categories.get(line.saleId) ?? new Set<string>();
		set.add(line.category);
		categories.set(line.saleId, set);
	}
	const facts = sales.map((s) => {
		const cats = [...(categories.get(s.id) ?? [])];
		return {
			saleId: s.id,
			userId: s.sellerId,
			teamId: s.teamId,
			occurredAt: s.occurredAt,
			amount: s.amount,
			points: s.points,
			categories: cats,
			// A cross-sell: the sale combines products of more than one category.
			crossSell: cats.length > 1
		};
	});
	return { facts, pending: new Set(sales.filter((s) => s.status === 'pending').map((s) => s.id)) };
}

const TEAM_ONLY = new Set(['team_target']);
const WEEKLY = new Set(['top_k_week', 'most_improved_week']);
/** Awarded by the season's end (scheduler.ts) from the frozen results, never by `evaluate`. */
const END_OF_SEASON = new Set(['season_place', 'season_best_team']);

interface Candidate {
	b: Badge;
	subject: BadgeSubject;
	periodKey: string;
	at: number;
	saleId?: number;
}

interface Plan {
	seasonId: number;
	facts: SaleFact[];
	pending: Set<number>;
	/** The badges evaluated: only their awards can be found stale. */
	badgeIds: Set<number>;
	candidates: Candidate[];
}

/** Evaluates the season's active badges for the subjects (everyone with a counted sale). */
function planAwards(
	db: Queryable,
	seasonId: number,
	options: { userIds?: number[]; periodic?: boolean; now: number }
): Plan | undefined {
	const s = db.select().from(season).where(eq(season.id, seasonId)).get();
	if (!s) return undefined;
	// Weekly badges are decided only once a week has ended, and they are the costly ones:
	// a sale never needs them; the periodic job evaluates them.
	const badges = seasonBadges(db, seasonId).filter(
		(b) =>
			b.active &&
			!END_OF_SEASON.has(b.criterion.kind) &&
			(options.periodic || !WEEKLY.has(b.criterion.kind))
	);
	const { facts, pending } = seasonFacts(db, seasonId);
	const plan: Plan = {
		seasonId,
		facts,
		pending,
		badgeIds: new Set(badges.map((b) => b.id)),
		candidates: []
	};
	if (badges.length === 0) return plan;
	const userIds = new Set(options.userIds ?? facts.map((f) => f.userId));
	const teamIds = new Set(facts.filter((f) => userIds.has(f.userId)).map((f) => f.teamId));
	const subjects: BadgeSubject[] = [
		...[...userIds].map((id) => ({ kind: 'user' as const, id })),
		...[...teamIds].map((id) => ({ kind: 'team' as const, id }))
	];
	const ctx = {
		now: options.now,
		timeZone: s.timeZone,
		holidays: s.holidays ?? [],
		tieRule: s.tieRule
	};
	for (const b of badges) {
		const forTeams = TEAM_ONLY.has(b.criterion.kind);
		for (const subject of subjects) {
			if ((subject.kind === 'team') !== forTeams) continue;
			for (const earned of evaluate(b.criterion, subject, facts, ctx))
				plan.candidates.push({ b, subject, ...earned });
		}
	}
	return plan;
}

function nameOf(tx: Queryable, subjectType: 'user' | 'team', subjectId: number): string {
	const row =
		subjectType === 'user'
			? tx.select({ name: user.displayName }).from(user).where(eq(user.id, subjectId)).get()
			: tx.select({ name: team.name }).from(team).where(eq(team.id, subjectId)).get();
	return row?.name ?? '';
}

function teamNameOf(tx: Queryable, seasonId: number, userId: number): string {
	return (
		tx
			.select({ name: team.name })
			.from(seasonMember)
			.innerJoin(team, eq(team.id, seasonMember.teamId))
			.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
			.get()?.name ?? ''
	);
}

const awardKey = (badgeId: number, type: string, id: number, periodKey: string) =>
	`${badgeId}|${type}|${id}|${periodKey}`;

/**
 * Withdraws an award: it becomes void and its points are cancelled by compensating badge
 * entries of the same statuses (nothing is deleted). Returns the feed item that says so.
 */
function withdrawAward(tx: Queryable, a: Award, b: Badge, now: number): ActivityItem | undefined {
	tx.update(award).set({ status: 'void', voidedAt: now }).where(eq(award.id, a.id)).run();
	const first = tx.select().from(ledgerEntry).where(eq(ledgerEntry.awardId, a.id)).get();
	const net = awardNet(tx, a.id);
	if (first) {
		for (const status of ['provisional', 'confirmed'] as const) {
			if (net[status] === 0) continue;
			appendEntry(
				tx,
				{
					seasonId: a.seasonId,
					userId: first.userId,
					teamId: first.teamId,
					awardId: a.id,
					kind: 'badge',
					points: -net[status],
					status,
					reason: `Badge withdrawn: ${b.name}`
				},
				now
			);
		}
	}
	if (a.subjectType !== 'user') return undefined;
	return withdrawnItem({
		awardId: a.id,
		seasonId: a.seasonId,
		userId: a.subjectId,
		userName: nameOf(tx, 'user', a.subjectId),
		teamName: teamNameOf(tx, a.seasonId, a.subjectId),
		badge: b,
		points: -(net.confirmed + net.provisional),
		provisional: a.status === 'provisional',
		at: now
	});
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
		summary: `${w.badge.emoji} ${w.badge.name} withdrawn: the sale that earned it no longer counts`,
		points: w.points,
		provisional: w.provisional,
		at: w.at
	};
}

export interface AwardChanges {
	awarded: BadgeEvent[];
	withdrawn: ActivityItem[];
}

/**
 * Stores a plan's new awards inside the caller's transaction. With `reconcileSince`, awards
 * the season's sales no longer earn are withdrawn first: those whose sale stopped counting,
 * and those decided since that instant that the evaluation no longer gives (or gives for
 * another sale), so that a badge goes to whoever meets its criterion now.
 */
function applyPlan(tx: Queryable, plan: Plan, now: number, reconcileSince?: number): AwardChanges {
	const { seasonId, facts } = plan;
	const withdrawn: ActivityItem[] = [];
	if (reconcileSince !== undefined) {
		const counted = new Set(facts.map((f) => f.saleId));
		const wanted = new Map(
			plan.candidates.map((c) => [awardKey(c.b.id, c.subject.kind, c.subject.id, c.periodKey), c])
		);
		const stored = tx
			.select({ award, badge })
			.from(award)
			.innerJoin(badge, eq(badge.id, award.badgeId))
			.where(and(eq(award.seasonId, seasonId), ne(award.status, 'void')))
			.all();
		for (const { award: a, badge: b } of stored) {
			const saleGone = a.saleId != null && !counted.has(a.saleId);
			let stale = false;
			if (plan.badgeIds.has(a.badgeId) && a.earnedAt >= reconcileSince) {
				const c = wanted.get(awardKey(a.badgeId, a.subjectType, a.subjectId, a.periodKey));
				stale = !c || (a.saleId != null && c.saleId != null && c.saleId !== a.saleId);
			}
			if (!saleGone && !stale) continue;
			const item = withdrawAward(tx, a, b, now);
			if (item) withdrawn.push(item);
		}
	}
	const awarded: BadgeEvent[] = [];
	for (const { b, subject, periodKey, at, saleId } of plan.candidates) {
		const provisional = saleId != null && plan.pending.has(saleId);
		const inserted = tx
			.insert(award)
			.values({
				badgeId: b.id,
				seasonId,
				subjectType: subject.kind,
				subjectId: subject.id,
				periodKey,
				earnedAt: at,
				saleId: saleId ?? null,
				status: provisional ? 'provisional' : 'confirmed',
				createdAt: now
			})
			.onConflictDoNothing()
			.returning({ id: award.id })
			.get();
		if (!inserted) continue;
		if (b.points !== 0 && subject.kind === 'user') {
			const teamId = facts.findLast((f) => f.userId === subject.id)?.teamId;
			if (teamId != null) {
				appendEntry(
					tx,
					{
						seasonId,
						userId: subject.id,
						teamId,
						awardId: inserted.id,
						kind: 'badge',
						points: b.points,
						status: provisional ? 'provisional' : 'confirmed',
						reason: `Badge: ${b.name}`
					},
					now
				);
			}
		}
		const name = nameOf(tx, subject.kind, subject.id);
		awarded.push({
			seasonId,
			subjectType: subject.kind,
			subjectId: subject.id,
			subjectName: name,
			userId: subject.kind === 'user' ? subject.id : undefined,
			userName: subject.kind === 'user' ? name : undefined,
			badge: {
				id: b.id,
				name: b.name,
				emoji: b.emoji,
				description: b.description,
				points: b.points
			},
			provisional,
			periodKey,
			at
		});
	}
	for (const event of awarded)
		enqueueWebhooks(tx, 'badge.awarded', { ...event, at: new Date(event.at).toISOString() }, now);
	if (awarded.some((e) => e.badge.points !== 0) || withdrawn.some((w) => w.points !== 0))
		bumpVersion(tx, seasonId);
	return { awarded, withdrawn };
}

/** Pushes what a committed transaction changed in the awards. */
export function publishAwardChanges(seasonId: number, changes: AwardChanges): void {
	for (const event of changes.awarded) publishBadge(event);
	for (const item of changes.withdrawn) publishActivity(item);
	if (
		changes.awarded.some((e) => e.badge.points !== 0) ||
		changes.withdrawn.some((w) => w.points !== 0)
	)
		notifyLeaderboard(seasonId);
}

/**
 * Evaluates every active badge of a season for the given subjects (all members and teams when
 * left out) and stores the awards they qualify for. Idempotent: an award already stored is
 * never given again, so replays, restarts and repeated ticks award nothing new. An award
 * earned by a pending sale is provisional, its points too, until the sale is reviewed.
 */
export function evaluateAwards(
	db: Db,
	seasonId: number,
	options: { userIds?: number[]; clock?: Clock; periodic?: boolean } = {}
): BadgeEvent[] {
	const now = (options.clock ?? systemClock)();
	// The pure evaluation runs outside the write transaction, so that it never holds the lock.
	const plan = planAwards(db, seasonId, { ...options, now });
	if (!plan || plan.candidates.length === 0) return [];
	const changes = db.transaction((tx) => applyPlan(tx, plan, now), { behavior: 'immediate' });
	publishAwardChanges(seasonId, changes);
	return changes.awarded;
}

/**
 * After sales of a season were rejected or reversed (inside that transaction): withdraws the
 * awards they earned or that no longer hold, and gives each badge to whoever now earns it.
 * The caller publishes the result once the transaction has committed.
 */
export function reconcileAwards(
	tx: Queryable,
	seasonId: number,
	since: number,
	now: number
): AwardChanges {
	const plan = planAwards(tx, seasonId, { periodic: true, now });
	if (!plan) return { awarded: [], withdrawn: [] };
	return applyPlan(tx, plan, now, since);
}

/** A sale was confirmed: the awards it earned, and their points, are confirmed with it. */
export function confirmSaleAwards(tx: Queryable, saleId: number, now: number): void {
	const provisional = tx
		.select({ id: award.id })
		.from(award)
		.where(and(eq(award.saleId, saleId), eq(award.status, 'provisional')))
		.all();
	for (const a of provisional) {
		tx.update(award).set({ status: 'confirmed' }).where(eq(award.id, a.id)).run();
		changeAwardEntriesStatus(tx, a.id, 'provisional', 'confirmed', now);
	}
}

/** A person's or team's badges in a season, newest first, withdrawn ones (status void) included. */
export function awardsOf(
	db: Queryable,
	seasonId: number,
	subjectType: 'user' | 'team',
	subjectId: number
) {
	return db
		.select({
			id: award.id,
			earnedAt: award.earnedAt,
			periodKey: award.periodKey,
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
		.orderBy(desc(award.earnedAt))
		.all();
}

/** The season's latest awards, for the board and the TV. */
export function recentAwards(db: Queryable, seasonId: number, limit = 10) {
	return db
		.select({
			id: award.id,
			subjectType: award.subjectType,
			subjectId: award.subjectId,
			earnedAt: award.earnedAt,
			badge
		})
		.from(award)
		.innerJoin(badge, eq(badge.id, award.badgeId))
		.where(and(eq(award.seasonId, seasonId), ne(award.status, 'void')))
		.orderBy(desc(award.createdAt), desc(award.id))
		.limit(limit)
		.all();
}
