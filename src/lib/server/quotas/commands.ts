import { and, asc, eq, sql, type SQLWrapper } from 'drizzle-orm';
import type { SubjectType } from '../db/schema';
import { write, type Store, type StoreDb } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { notFound } from '../shared/errors';
import type { QuotaRow } from './quota-csv';
import { notifyLeaderboard } from '../realtime/publish';
import { m } from '../../paraglide/messages.js';

// Setting targets: one at a time from the console, or a whole file at once. Each is one write
// (db/store.ts) with its audit entry; setting the same target again changes nothing (a form sent
// twice is harmless). The boards hear of it after the commit.

async function checkSubjectInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	type: SubjectType,
	id: number
): Promise<void> {
	const { season, seasonMember, team } = store.tables;
	const [found] = await tx.select({ id: season.id }).from(season).where(eq(season.id, seasonId));
	if (!found) throw notFound('unknown_season', m.quotas_error_season());
	const [subject] =
		type === 'user'
			? await tx
					.select({ id: seasonMember.userId })
					.from(seasonMember)
					.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, id)))
			: await tx
					.select({ id: team.id })
					.from(team)
					.where(and(eq(team.seasonId, seasonId), eq(team.id, id)));
	if (!subject) throw notFound('unknown_subject', m.quotas_error_subject(), { field: 'subject' });
}

async function upsertInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	rows: readonly QuotaRow[],
	actor: Actor,
	now: number
): Promise<void> {
	const { quota } = store.tables;
	// A few hundred rows to a statement: within both dialects' limits on parameters.
	for (let from = 0; from < rows.length; from += UPSERT_CHUNK)
		await tx
			.insert(quota)
			.values(
				rows
					.slice(from, from + UPSERT_CHUNK)
					.map((row) => ({ seasonId, ...row, setById: actor.userId ?? null, updatedAt: now }))
			)
			.onConflictDoUpdate({
				target: [quota.seasonId, quota.subjectType, quota.subjectId],
				set: {
					targetPoints: sql`excluded.target_points`,
					setById: actor.userId ?? null,
					updatedAt: now
				}
			});
}

const UPSERT_CHUNK = 500;

export async function setQuota(
	store: Store,
	input: { seasonId: number; subject: { type: SubjectType; id: number }; target: number },
	actor: Actor,
	now: number
): Promise<void> {
	await write(store, async (tx) => {
		await checkSubjectInWrite(tx, store, input.seasonId, input.subject.type, input.subject.id);
		const row = {
			subjectType: input.subject.type,
			subjectId: input.subject.id,
			targetPoints: input.target
		};
		await upsertInWrite(tx, store, input.seasonId, [row], actor, now);
		await auditInWrite(
			tx,
			store,
			actor,
			'quota.set',
			`${input.subject.type}:${input.subject.id}`,
			{ seasonId: input.seasonId, target: input.target },
			now
		);
	});
	notifyLeaderboard(input.seasonId);
}

export async function removeQuota(
	store: Store,
	input: { seasonId: number; subject: { type: SubjectType; id: number } },
	actor: Actor,
	now: number
): Promise<void> {
	const { quota } = store.tables;
	await write(store, async (tx) => {
		const gone = await tx
			.delete(quota)
			.where(
				and(
					eq(quota.seasonId, input.seasonId),
					eq(quota.subjectType, input.subject.type),
					eq(quota.subjectId, input.subject.id)
				)
			)
			.returning({ id: quota.id });
		if (gone.length > 0)
			await auditInWrite(
				tx,
				store,
				actor,
				'quota.remove',
				`${input.subject.type}:${input.subject.id}`,
				{ seasonId: input.seasonId },
				now
			);
	});
	notifyLeaderboard(input.seasonId);
}

/**
 * A checked file's quotas, all in one write (parseQuotaCsv refused any bad file). The people
 * and teams are checked again inside it: one removed since the file was read fails the whole
 * file, and nothing is written.
 */
export async function importQuotas(
	store: Store,
	seasonId: number,
	rows: readonly QuotaRow[],
	actor: Actor,
	now: number
): Promise<number> {
	const n = await write(store, async (tx) => {
		await checkSubjectsInWrite(tx, store, seasonId, rows);
		await upsertInWrite(tx, store, seasonId, rows, actor, now);
		await auditInWrite(
			tx,
			store,
			actor,
			'quota.import',
			`season:${seasonId}`,
			{ rows: rows.length },
			now
		);
		return rows.length;
	});
	notifyLeaderboard(seasonId);
	return n;
}

/** Every row's person or team is the season's: two reads for the whole file, not one per row. */
async function checkSubjectsInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	rows: readonly QuotaRow[]
): Promise<void> {
	const { season, seasonMember, team } = store.tables;
	const [found] = await tx.select({ id: season.id }).from(season).where(eq(season.id, seasonId));
	if (!found) throw notFound('unknown_season', m.quotas_error_season());
	const [members, teams] = [
		new Set(
			(
				await tx
					.select({ id: seasonMember.userId })
					.from(seasonMember)
					.where(eq(seasonMember.seasonId, seasonId))
			).map((r) => r.id)
		),
		new Set(
			(await tx.select({ id: team.id }).from(team).where(eq(team.seasonId, seasonId))).map(
				(r) => r.id
			)
		)
	];
	for (const row of rows)
		if (!(row.subjectType === 'user' ? members : teams).has(row.subjectId))
			throw notFound('unknown_subject', m.quotas_error_subject(), { field: 'subject' });
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
	standing: Store['tables']['standing'],
	seasonId: number,
	type: SubjectType,
	id: SQLWrapper
) => ({
	join: and(
		eq(standing.seasonId, seasonId),
		eq(standing.subjectType, type),
		eq(standing.subjectId, id)
	),
	points: sql<number>`coalesce(${standing.confirmedPoints}, 0)`.mapWith(Number)
});

/** Everyone and every team of the season with their target (null: none), for the console. */
export async function quotaSheet(store: Store, seasonId: number): Promise<QuotaListRow[]> {
	const { quota, seasonMember, standing, team, user } = store.tables;
	const people = (
		await store.db
			.select({
				subjectId: seasonMember.userId,
				name: user.displayName,
				email: user.email,
				target: quota.targetPoints,
				points: pointsOf(standing, seasonId, 'user', seasonMember.userId).points
			})
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.leftJoin(standing, pointsOf(standing, seasonId, 'user', seasonMember.userId).join)
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
	).map((r) => ({ ...r, subjectType: 'user' as const }));
	const teams = (
		await store.db
			.select({
				subjectId: team.id,
				name: team.name,
				target: quota.targetPoints,
				points: pointsOf(standing, seasonId, 'team', team.id).points
			})
			.from(team)
			.leftJoin(standing, pointsOf(standing, seasonId, 'team', team.id).join)
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
	).map((r) => ({ ...r, email: null, subjectType: 'team' as const }));
	return [...teams, ...people];
}
