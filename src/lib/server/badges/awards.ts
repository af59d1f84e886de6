import { and, desc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import {
	award,
	badge,
	product,
	sale,
	saleLine,
	season,
	team,
	user,
	type Badge
} from '../db/schema';
import { evaluate, type BadgeSubject, type SaleFact } from '../../contest/badges';
import { appendEntry } from '../scoring/ledger';
import { countedSale } from '../scoring/counting';
import { bumpVersion } from '../scoring/standings';
import { enqueueWebhooks } from '../webhooks/delivery';
import { notifyLeaderboard, publishBadge } from '../realtime/publish';
import type { BadgeEvent } from '../../realtime/events';
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

/** The season's counted sales as the badge criteria see them. */
function seasonFacts(db: Queryable, seasonId: number): SaleFact[] {
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
	return sales.map((s) => {
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
}

const TEAM_ONLY = new Set(['team_target']);
const WEEKLY = new Set(['top_k_week', 'most_improved_week']);

/**
 * Evaluates every active badge of a season for the given subjects (all members and teams when
 * left out) and stores the awards they qualify for. Idempotent: an award already stored is
 * never given again, so replays, restarts and repeated ticks award nothing new.
 */
export function evaluateAwards(
	db: Db,
	seasonId: number,
	options: { userIds?: number[]; clock?: Clock; periodic?: boolean } = {}
): BadgeEvent[] {
	const now = (options.clock ?? systemClock)();
	// The pure evaluation runs outside the write transaction, so that it never holds the lock.
	const s = db.select().from(season).where(eq(season.id, seasonId)).get();
	if (!s) return [];
	// Weekly badges are decided only once a week has ended, and they are the costly ones:
	// a sale never needs them; the periodic job evaluates them.
	const badges = seasonBadges(db, seasonId).filter(
		(b) => b.active && (options.periodic || !WEEKLY.has(b.criterion.kind))
	);
	if (badges.length === 0) return [];
	const facts = seasonFacts(db, seasonId);
	const people = new Map(
		db
			.select({ id: user.id, name: user.displayName })
			.from(user)
			.where(inArray(user.id, [...new Set(options.userIds ?? facts.map((f) => f.userId))]))
			.all()
			.map((p) => [p.id, p.name])
	);
	const teams = new Map(
		db
			.select()
			.from(team)
			.where(eq(team.seasonId, seasonId))
			.all()
			.map((t) => [t.id, t])
	);
	const teamIds = new Set(facts.filter((f) => people.has(f.userId)).map((f) => f.teamId));
	const subjects: BadgeSubject[] = [
		...[...people.keys()].map((id) => ({ kind: 'user' as const, id })),
		...[...teamIds].map((id) => ({ kind: 'team' as const, id }))
	];
	const ctx = { now, timeZone: s.timeZone, holidays: s.holidays ?? [], tieRule: s.tieRule };
	const candidates: { b: Badge; subject: BadgeSubject; periodKey: string; at: number }[] = [];
	for (const b of badges) {
		const forTeams = TEAM_ONLY.has(b.criterion.kind);
		for (const subject of subjects) {
			if ((subject.kind === 'team') !== forTeams) continue;
			for (const earned of evaluate(b.criterion, subject, facts, ctx))
				candidates.push({ b, subject, ...earned });
		}
	}
	if (candidates.length === 0) return [];
	const events = db.transaction(
		(tx) => {
			const created: BadgeEvent[] = [];
			for (const { b, subject, periodKey, at } of candidates) {
				const inserted = tx
					.insert(award)
					.values({
						badgeId: b.id,
						seasonId,
						subjectType: subject.kind,
						subjectId: subject.id,
						periodKey,
						earnedAt: at,
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
								kind: 'badge',
								points: b.points,
								status: 'confirmed',
								reason: `Badge: ${b.name}`
							},
							now
						);
					}
				}
				created.push({
					seasonId,
					subjectType: subject.kind,
					subjectId: subject.id,
					subjectName:
						subject.kind === 'user'
							? (people.get(subject.id) ?? '')
							: (teams.get(subject.id)?.name ?? ''),
					userId: subject.kind === 'user' ? subject.id : undefined,
					userName: subject.kind === 'user' ? people.get(subject.id) : undefined,
					badge: {
						id: b.id,
						name: b.name,
						emoji: b.emoji,
						description: b.description,
						points: b.points
					},
					periodKey,
					at
				});
			}
			for (const event of created)
				enqueueWebhooks(
					tx,
					'badge.awarded',
					{ ...event, at: new Date(event.at).toISOString() },
					now
				);
			if (created.some((e) => e.badge.points !== 0)) bumpVersion(tx, seasonId);
			return created;
		},
		{ behavior: 'immediate' }
	);
	for (const event of events) publishBadge(event);
	if (events.some((e) => e.badge.points !== 0)) notifyLeaderboard(seasonId);
	return events;
}

/** A person's or team's badges in a season, newest first. */
export function awardsOf(
	db: Queryable,
	seasonId: number,
	subjectType: 'user' | 'team',
	subjectId: number
) {
	return db
		.select({ id: award.id, earnedAt: award.earnedAt, periodKey: award.periodKey, badge })
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
		.where(eq(award.seasonId, seasonId))
		.orderBy(desc(award.createdAt), desc(award.id))
		.limit(limit)
		.all();
}
