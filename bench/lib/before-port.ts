// The synchronous bodies that store ports replaced, kept for the benchmarks that time a port
<<<<<<< HEAD
// against what it replaced (bench/adjust-points.ts, season-choice.ts, store-statements.ts,
// season-home.ts).
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../src/lib/server/db';
import { badge, season, seasonMember, user } from '../../src/lib/server/db/schema';
import { prizeViews } from '../../src/lib/server/seasons/prizes';
=======
// against what it replaced (bench/adjust-points.ts, season-choice.ts, store-statements.ts, scheduler-run.ts).
import { and, desc, eq, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../src/lib/server/db';
import {
	product,
	schedulerLease,
	season,
	seasonMember,
	user
} from '../../src/lib/server/db/schema';
>>>>>>> hb-storesched
import { appendEntry } from '../../src/lib/server/scoring/ledger';
import { bumpVersion } from '../../src/lib/server/scoring/standings';
import { audit } from '../../src/lib/server/audit/record';
import {
	getLiveSeasonFor,
	getMembership,
	getSeason,
	graceEndOf
} from '../../src/lib/server/seasons/queries';

export interface Adjustment {
	seasonId: number;
	userId: number;
	points: number;
	reason: string;
	actor: { userId: number };
}

/**
 * adjustPoints' body before its port (base 9e8d5a1; its checks left out: the benchmarks pass
 * them): one `db.transaction(…, { behavior: 'immediate' })` of the member's read, `appendEntry`,
 * `audit` and `bumpVersion`, which the sales path keeps.
 */
export function adjustBefore(db: Db, { seasonId, userId, points, reason, actor }: Adjustment) {
	const now = Date.now();
	return db.transaction(
		(tx) => {
			const member = tx
				.select({ teamId: seasonMember.teamId, name: user.displayName })
				.from(seasonMember)
				.innerJoin(user, eq(user.id, seasonMember.userId))
				.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)))
				.get()!;
			const id = appendEntry(
				tx,
				{
					...{ seasonId, userId, teamId: member.teamId, kind: 'adjustment', points },
					...{ status: 'confirmed', reason, createdById: actor.userId }
				},
				now
			);
			audit(tx, actor, 'points.adjust', `user:${userId}`, { seasonId, points, reason }, now);
			bumpVersion(tx, seasonId);
			return id;
		},
		{ behavior: 'immediate' }
	);
}

/**
 * The app layout's reads before the port (choice.ts and +layout.server.ts): the person's live
 * seasons (the switcher), the chosen season again by id or the latest live one, their team.
 */
export function layoutReadsBefore(db: Db, person: { id: number; cookie?: string }) {
	const options = db
		.select({ id: season.id, name: season.name, theme: season.theme })
		.from(season)
		.innerJoin(seasonMember, eq(seasonMember.seasonId, season.id))
		.where(and(eq(season.status, 'live'), eq(seasonMember.userId, person.id)))
		.orderBy(desc(season.startsAt), desc(season.id))
		.all()
		.map((r) => ({ id: r.id, name: r.name, emoji: r.theme.emoji }));
	const remembered = Number(person.cookie);
	const pick = options.some((o) => o.id === remembered) ? remembered : undefined;
	const chosen = (pick ? getSeason(db, pick) : undefined) ?? getLiveSeasonFor(db, person.id);
	return chosen ? getMembership(db, chosen.id, person.id) : undefined;
}

<<<<<<< HEAD
/** A season's prizes as `listPrizes` read them before `readPrizes` replaced it (seasons/prizes.ts). */
export function listPrizesBefore(db: Db, seasonId: number) {
	const row = db
		.select({ prizes: season.prizes })
		.from(season)
		.where(eq(season.id, seasonId))
		.get();
	const prizes = row?.prizes ?? [];
	const badgeIds = prizes.flatMap((p) => (p.badgeId != null ? [p.badgeId] : []));
	const badges =
		badgeIds.length === 0
			? []
			: db
					.select({ id: badge.id, name: badge.name, emoji: badge.emoji })
					.from(badge)
					.where(inArray(badge.id, badgeIds))
					.all();
	return prizeViews(seasonId, prizes, badges);
=======
/**
 * A scheduler run with nothing due before its port (base ef47e55, seasons/scheduler.ts), what
 * the seasons' console ran synchronously on every load: the lease read, taken or renewed by an
 * upsert and read back, then the due season's query (none).
 */
export function schedulerRunBefore(db: Db, holder: string, now: number): boolean {
	const current = db
		.select()
		.from(schedulerLease)
		.where(eq(schedulerLease.name, 'scheduler'))
		.get();
	if (current && current.holder !== holder && current.expiresAt > now) return false;
	const expiresAt = now + 60_000;
	db.insert(schedulerLease)
		.values({ name: 'scheduler', holder, expiresAt })
		.onConflictDoUpdate({
			target: schedulerLease.name,
			set: { holder, expiresAt },
			setWhere: or(lte(schedulerLease.expiresAt, now), eq(schedulerLease.holder, holder))
		})
		.run();
	if (
		db.select().from(schedulerLease).where(eq(schedulerLease.name, 'scheduler')).get()?.holder !==
		holder
	)
		return false;
	const launchNeeds = sql`(
		exists (select 1 from ${seasonMember} where ${seasonMember.seasonId} = ${season.id})
		and exists (select 1 from ${product} where ${product.seasonId} = ${season.id} and ${product.active} = 1)
	)`;
	const due = db
		.select()
		.from(season)
		.where(
			sql`(${season.status} = 'scheduled' and ${season.startsAt} <= ${now} and ${launchNeeds})
				or (${season.status} = 'live' and ${season.endsAt} <= ${now})
				or (${season.status} = 'ended' and ${graceEndOf(season)} <= ${now})`
		)
		.orderBy(season.endsAt, season.id)
		.limit(1)
		.get();
	return due === undefined;
>>>>>>> hb-storesched
}
