import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { quota, season, seasonMember, standing, team, user, type SubjectType } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { notFound } from '../shared/errors';
import type { QuotaRow } from './quota-csv';
import { notifyLeaderboard } from '../realtime/publish';
import { m } from '../../paraglide/messages.js';

// Setting targets: one at a time from the console, or a whole file at once. Each is one
// transaction; setting the same target again changes nothing (a form sent twice is harmless).

function checkSubject(tx: Queryable, seasonId: number, type: SubjectType, id: number): void {
	if (!tx.select({ id: season.id }).from(season).where(eq(season.id, seasonId)).get())
		throw notFound('unknown_season', m.quotas_error_season());
	const found =
		type === 'user'
			? tx
					.select({ id: seasonMember.userId })
					.from(seasonMember)
					.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, id)))
					.get()
			: tx
					.select({ id: team.id })
					.from(team)
					.where(and(eq(team.seasonId, seasonId), eq(team.id, id)))
					.get();
	if (!found) throw notFound('unknown_subject', m.quotas_error_subject(), { field: 'subject' });
}

function upsert(tx: Queryable, seasonId: number, row: QuotaRow, actor: Actor, now: number) {
	tx.insert(quota)
		.values({ seasonId, ...row, setById: actor.userId ?? null, updatedAt: now })
		.onConflictDoUpdate({
			target: [quota.seasonId, quota.subjectType, quota.subjectId],
			set: { targetPoints: row.targetPoints, setById: actor.userId ?? null, updatedAt: now }
		})
		.run();
}

export function setQuota(
	db: Db,
	input: { seasonId: number; subject: { type: SubjectType; id: number }; target: number },
	actor: Actor,
	now: number
): void {
	db.transaction(
		(tx) => {
			checkSubject(tx, input.seasonId, input.subject.type, input.subject.id);
			const row = {
				subjectType: input.subject.type,
				subjectId: input.subject.id,
				targetPoints: input.target
			};
			upsert(tx, input.seasonId, row, actor, now);
			audit(
				tx,
				actor,
				'quota.set',
				`${input.subject.type}:${input.subject.id}`,
				{ seasonId: input.seasonId, target: input.target },
				now
			);
		},
		{ behavior: 'immediate' }
	);
	notifyLeaderboard(input.seasonId);
}

export function removeQuota(
	db: Db,
	input: { seasonId: number; subject: { type: SubjectType; id: number } },
	actor: Actor,
	now: number
): void {
	db.transaction(
		(tx) => {
			const gone = tx
				.delete(quota)
				.where(
					and(
						eq(quota.seasonId, input.seasonId),
						eq(quota.subjectType, input.subject.type),
						eq(quota.subjectId, input.subject.id)
					)
				)
				.run();
			if (gone.changes > 0)
				audit(
					tx,
					actor,
					'quota.remove',
					`${input.subject.type}:${input.subject.id}`,
					{ seasonId: input.seasonId },
					now
				);
		},
		{ behavior: 'immediate' }
	);
	notifyLeaderboard(input.seasonId);
}

/** A checked file's quotas, all in one transaction (parseQuotaCsv refused any bad file). */
export function importQuotas(
	db: Db,
	seasonId: number,
	rows: readonly QuotaRow[],
	actor: Actor,
	now: number
): number {
	const n = db.transaction(
		(tx) => {
			for (const row of rows) checkSubject(tx, seasonId, row.subjectType, row.subjectId);
			for (const row of rows) upsert(tx, seasonId, row, actor, now);
			audit(tx, actor, 'quota.import', `season:${seasonId}`, { rows: rows.length }, now);
			return rows.length;
		},
		{ behavior: 'immediate' }
	);
	notifyLeaderboard(seasonId);
	return n;
}

export interface QuotaListRow {
	subjectType: SubjectType;
	subjectId: number;
	name: string;
	email: string | null;
	target: number | null;
	/** Confirmed points so far. */
	points: number;
}

const pointsOf = (
	seasonId: number,
	type: SubjectType,
	id: typeof seasonMember.userId | typeof team.id
) => ({
	join: and(
		eq(standing.seasonId, seasonId),
		eq(standing.subjectType, type),
		eq(standing.subjectId, id)
	),
	points: sql<number>`coalesce(${standing.confirmedPoints}, 0)`
});

/** Everyone and every team of the season with their target (null: none), for the console. */
export function quotaSheet(db: Queryable, seasonId: number): QuotaListRow[] {
	const people = db
		.select({
			subjectId: seasonMember.userId,
			name: user.displayName,
			email: user.email,
			target: quota.targetPoints,
			points: pointsOf(seasonId, 'user', seasonMember.userId).points
		})
		.from(seasonMember)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.leftJoin(standing, pointsOf(seasonId, 'user', seasonMember.userId).join)
		.leftJoin(
			quota,
			and(
				eq(quota.seasonId, seasonMember.seasonId),
				eq(quota.subjectType, 'user'),
				eq(quota.subjectId, seasonMember.userId)
			)
		)
		.where(eq(seasonMember.seasonId, seasonId))
		.orderBy(asc(sql`lower(${user.displayName})`))
		.all()
		.map((r) => ({ ...r, subjectType: 'user' as const }));
	const teams = db
		.select({
			subjectId: team.id,
			name: team.name,
			target: quota.targetPoints,
			points: pointsOf(seasonId, 'team', team.id).points
		})
		.from(team)
		.leftJoin(standing, pointsOf(seasonId, 'team', team.id).join)
		.leftJoin(
			quota,
			and(
				eq(quota.seasonId, team.seasonId),
				eq(quota.subjectType, 'team'),
				eq(quota.subjectId, team.id)
			)
		)
		.where(eq(team.seasonId, seasonId))
		.orderBy(asc(team.name))
		.all()
		.map((r) => ({ ...r, email: null, subjectType: 'team' as const }));
	return [...teams, ...people];
}
