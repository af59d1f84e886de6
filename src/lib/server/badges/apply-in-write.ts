import { and, eq, sql } from 'drizzle-orm';
import { preparedQuery, type Store, type StoreDb, type Tables } from '../db/store';
import { appendEntryInWrite } from '../scoring/ledger';
import { bumpVersionInWrite, type StandingMove } from '../scoring/standings';
import { enqueueWebhooksInWrite } from '../webhooks/delivery';
import type { BadgeEvent } from '../../realtime/events';
import { withdrawnItem, type AwardChanges, type Plan } from './awards';

// The awards' writes on the store (db/store.ts, #20), inside the caller's write: a plan's new
// awards and a withdrawal. What the badges' points moved
// goes into the changes' `moved`, marked by publishAwardChanges once the write has committed
// (the mark is memory: PostgreSQL may run a write's callback twice).

type Award = Tables['award']['$inferSelect'];
type Badge = Tables['badge']['$inferSelect'];

/** A plan whose lookups are awaited in the write. */
export interface PlanInWrite extends Omit<Plan, 'isPending' | 'teamOf'> {
	isPending: (saleId: number) => Promise<boolean>;
	teamOf: (userId: number) => Promise<number | undefined>;
}

const insertAwardQuery = (db: StoreDb, { award }: Tables) =>
	db
		.insert(award)
		.values({
			badgeId: sql.placeholder('badgeId'),
			seasonId: sql.placeholder('seasonId'),
			subjectType: sql.placeholder('subjectType'),
			subjectId: sql.placeholder('subjectId'),
			periodKey: sql.placeholder('periodKey'),
			earnedAt: sql.placeholder('earnedAt'),
			saleId: sql.placeholder('saleId'),
			status: sql.placeholder('status'),
			createdAt: sql.placeholder('createdAt')
		})
		// The award's unique index: a badge already given (by another node too) is not given twice.
		.onConflictDoNothing()
		.returning({ id: award.id })
		.prepare('badge_insert_award');

const userNameQuery = (db: StoreDb, { user }: Tables) =>
	db
		.select({ name: user.displayName })
		.from(user)
		.where(eq(user.id, sql.placeholder('id')))
		.prepare('badge_user_name');
const teamNameQuery = (db: StoreDb, { team }: Tables) =>
	db
		.select({ name: team.name })
		.from(team)
		.where(eq(team.id, sql.placeholder('id')))
		.prepare('badge_team_name');

async function nameInWrite(
	tx: StoreDb,
	store: Store,
	subjectType: 'user' | 'team',
	subjectId: number
): Promise<string> {
	const query = subjectType === 'user' ? userNameQuery : teamNameQuery;
	const [row] = await preparedQuery(tx, store, query).execute({ id: subjectId });
	return row?.name ?? '';
}

/**
 * Stores a plan's new awards inside a store's write: their points on the ledger for the
 * team `teamOf` gives, `badge.awarded` queued, the season's version bumped when points moved.
 * `withdrawn`: what the caller withdrew in the same write, returned with them.
 */
export async function applyPlanInWrite(
	tx: StoreDb,
	store: Store,
	plan: PlanInWrite,
	now: number,
	withdrawn: AwardChanges = { awarded: [], withdrawn: [] }
): Promise<AwardChanges> {
	const { seasonId } = plan;
	const awarded: BadgeEvent[] = [];
	const moved: StandingMove[] = [...(withdrawn.moved ?? [])];
	for (const { b, subject, periodKey, at, saleId } of plan.candidates) {
		const provisional = saleId != null && (await plan.isPending(saleId));
		const status = provisional ? 'provisional' : 'confirmed';
		const [inserted] = await preparedQuery(tx, store, insertAwardQuery).execute({
			badgeId: b.id,
			seasonId,
			subjectType: subject.kind,
			subjectId: subject.id,
			periodKey,
			earnedAt: at,
			saleId: saleId ?? null,
			status,
			createdAt: now
		});
		if (!inserted) continue;
		if (b.points !== 0 && subject.kind === 'user') {
			const teamId = await plan.teamOf(subject.id);
			if (teamId != null)
				await appendEntryInWrite(
					tx,
					store,
					{
						seasonId,
						userId: subject.id,
						teamId,
						awardId: inserted.id,
						kind: 'badge',
						points: b.points,
						status,
						reason: `Badge: ${b.name}`
					},
					now,
					moved
				);
		}
		const name = await nameInWrite(tx, store, subject.kind, subject.id);
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
		await enqueueWebhooksInWrite(
			tx,
			store,
			'badge.awarded',
			{ ...event, at: new Date(event.at).toISOString() },
			now
		);
	if (awarded.some((e) => e.badge.points !== 0) || withdrawn.withdrawn.some((w) => w.points !== 0))
		await bumpVersionInWrite(tx, store, seasonId);
	return { awarded, withdrawn: withdrawn.withdrawn, moved };
}

const awardNetQuery = (db: StoreDb, { ledgerEntry }: Tables) =>
	db
		.select({
			status: ledgerEntry.status,
			points: sql<number>`sum(${ledgerEntry.points})`.mapWith(Number)
		})
		.from(ledgerEntry)
		.where(eq(ledgerEntry.awardId, sql.placeholder('awardId')))
		.groupBy(ledgerEntry.status)
		.prepare('badge_award_net');

const firstEntryQuery = (db: StoreDb, { ledgerEntry }: Tables) =>
	db
		.select({ userId: ledgerEntry.userId, teamId: ledgerEntry.teamId })
		.from(ledgerEntry)
		.where(eq(ledgerEntry.awardId, sql.placeholder('awardId')))
		.orderBy(ledgerEntry.id)
		.limit(1)
		.prepare('badge_award_first_entry');

const teamNameOfMemberQuery = (db: StoreDb, { seasonMember, team }: Tables) =>
	db
		.select({ name: team.name })
		.from(seasonMember)
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.where(
			and(
				eq(seasonMember.seasonId, sql.placeholder('seasonId')),
				eq(seasonMember.userId, sql.placeholder('userId'))
			)
		)
		.prepare('badge_member_team_name');

/**
 * withdrawAward inside a store's write: the award becomes void and its points are cancelled by
 * compensating badge entries of the same statuses (nothing is deleted). Its feed item, for a
 * person's award, is in the changes' `withdrawn`.
 */
export async function withdrawAwardInWrite(
	tx: StoreDb,
	store: Store,
	a: Award,
	b: Badge,
	now: number
): Promise<AwardChanges> {
	const { award } = store.tables;
	const moved: StandingMove[] = [];
	await tx.update(award).set({ status: 'void', voidedAt: now }).where(eq(award.id, a.id));
	const [first] = await preparedQuery(tx, store, firstEntryQuery).execute({ awardId: a.id });
	const net = { confirmed: 0, provisional: 0 };
	for (const row of await preparedQuery(tx, store, awardNetQuery).execute({ awardId: a.id }))
		if (row.status === 'confirmed' || row.status === 'provisional') net[row.status] = row.points;
	if (first)
		for (const status of ['provisional', 'confirmed'] as const) {
			if (net[status] === 0) continue;
			await appendEntryInWrite(
				tx,
				store,
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
				now,
				moved
			);
		}
	if (a.subjectType !== 'user') return { awarded: [], withdrawn: [], moved };
	const [team] = await preparedQuery(tx, store, teamNameOfMemberQuery).execute({
		seasonId: a.seasonId,
		userId: a.subjectId
	});
	const item = withdrawnItem({
		awardId: a.id,
		seasonId: a.seasonId,
		userId: a.subjectId,
		userName: await nameInWrite(tx, store, 'user', a.subjectId),
		teamName: team?.name ?? '',
		badge: b,
		points: -(net.confirmed + net.provisional),
		provisional: a.status === 'provisional',
		at: now
	});
	return { awarded: [], withdrawn: [item], moved };
}
