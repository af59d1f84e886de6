import { eq } from 'drizzle-orm';
import type { Badge } from '../db/schema';
import { write, type Store } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { reevaluateOnStore } from './reevaluate';
import type { BadgeDraft } from './badge-form';
import { requireSeasonBadgeInWrite, seasonBadgesOn } from './queries';
import type { BadgeCriterion } from '../../contest/badges';
import { m } from '../../paraglide/messages.js';

// Changing a season's badges. A change applies from now on: awards already given stay, and so
// do the bonus points they added. Each command is one write (db/store.ts) with its audit entry:
// a badge saved on one node is what every node reads. Saving an active badge then evaluates the
// season at once (in slices that leave the server answering: reevaluate.ts), so people who
// already qualify receive it (and see it celebrated); the promise resolves once they have.

function snapshot(row: BadgeDraft) {
	const { name, emoji, description, points, criterion, active } = row;
	return { name, emoji, description, points, criterion, active };
}

export interface BadgeSaved {
	badge: Badge;
	/** People (or teams) who already qualified and received it now. */
	awarded: number;
}

/**
 * Awards what the season already earns under `badgeIds` (reevaluate.ts `reevaluateOnStore`, on
 * either dialect); counts only their awards.
 */
async function awardNow(store: Store, seasonId: number, badgeIds: number[], clock: Clock) {
	const ids = new Set(badgeIds);
	const { awarded } = await reevaluateOnStore(store, seasonId, { badgeIds, clock });
	return awarded.filter((e) => ids.has(e.badge.id)).length;
}

export async function createBadge(
	store: Store,
	seasonId: number,
	draft: BadgeDraft,
	actor: Actor,
	clock: Clock = systemClock
): Promise<BadgeSaved> {
	const now = clock();
	const { badge } = store.tables;
	const row = await write(store, async (tx) => {
		const [created] = await tx
			.insert(badge)
			.values({ ...draft, seasonId, createdAt: now })
			.returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'badge.create',
			`badge:${created.id}`,
			{ seasonId, ...snapshot(draft) },
			now
		);
		return created;
	});
	return { badge: row, awarded: row.active ? await awardNow(store, seasonId, [row.id], clock) : 0 };
}

export async function updateBadge(
	store: Store,
	seasonId: number,
	id: number,
	draft: BadgeDraft,
	actor: Actor,
	clock: Clock = systemClock
): Promise<BadgeSaved> {
	const now = clock();
	const { badge } = store.tables;
	const row = await write(store, async (tx) => {
		const before = await requireSeasonBadgeInWrite(tx, store, seasonId, id);
		const [updated] = await tx.update(badge).set(draft).where(eq(badge.id, id)).returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'badge.update',
			`badge:${id}`,
			{ seasonId, name: draft.name, before: snapshot(before), after: snapshot(draft) },
			now
		);
		return updated;
	});
	return { badge: row, awarded: row.active ? await awardNow(store, seasonId, [row.id], clock) : 0 };
}

export async function setBadgeActive(
	store: Store,
	seasonId: number,
	id: number,
	active: boolean,
	actor: Actor,
	clock: Clock = systemClock
): Promise<BadgeSaved> {
	const now = clock();
	const { badge } = store.tables;
	const result = await write(store, async (tx) => {
		const before = await requireSeasonBadgeInWrite(tx, store, seasonId, id);
		if (before.active === active) return { row: before, changed: false };
		const [row] = await tx.update(badge).set({ active }).where(eq(badge.id, id)).returning();
		await auditInWrite(
			tx,
			store,
			actor,
			active ? 'badge.activate' : 'badge.deactivate',
			`badge:${id}`,
			{ seasonId, name: before.name },
			now
		);
		return { row, changed: true };
	});
	const awarded = result.changed && active ? await awardNow(store, seasonId, [id], clock) : 0;
	return { badge: result.row, awarded };
}

/**
 * The badges most contests start with, offered in one click on the badges page; their names and
 * descriptions are read in the manager's language when offered and when added.
 */
export const STARTER_BADGES: readonly Omit<BadgeDraft, 'active'>[] = [
	{
		get name() {
			return m.badges_starter_first_sale_name();
		},
		emoji: '🎉',
		get description() {
			return m.badges_starter_first_sale_description();
		},
		points: 0,
		criterion: { kind: 'first_sale' }
	},
	{
		get name() {
			return m.badges_starter_hat_trick_name();
		},
		emoji: '🎩',
		get description() {
			return m.badges_starter_hat_trick_description();
		},
		points: 0,
		criterion: { kind: 'sales_count', count: 3 }
	},
	{
		get name() {
			return m.badges_starter_on_fire_name();
		},
		emoji: '🔥',
		get description() {
			return m.badges_starter_on_fire_description();
		},
		points: 0,
		criterion: { kind: 'streak', days: 3 }
	},
	{
		get name() {
			return m.badges_starter_record_name();
		},
		emoji: '🚀',
		get description() {
			return m.badges_starter_record_description();
		},
		points: 0,
		criterion: { kind: 'record_sale' }
	},
	{
		get name() {
			return m.badges_starter_club_500_name();
		},
		emoji: '💯',
		get description() {
			return m.badges_starter_club_500_description();
		},
		points: 0,
		criterion: { kind: 'points_at_least', points: 500 }
	},
	{
		get name() {
			return m.badges_starter_cross_seller_name();
		},
		emoji: '🔗',
		get description() {
			return m.badges_starter_cross_seller_description();
		},
		points: 0,
		criterion: { kind: 'cross_sells', count: 5 }
	}
];

/**
 * A criterion as text with its keys sorted: PostgreSQL's jsonb does not keep the order they
 * were written in, so two equal criteria may read back in different orders.
 */
function criterionKey(c: BadgeCriterion): string {
	return JSON.stringify(Object.entries(c).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The starter badges that `existing` lacks (none there of the same name or criterion). */
function lackingStarters(existing: Badge[]) {
	const names = new Set(existing.map((b) => b.name.toLowerCase()));
	const criteria = new Set(existing.map((b) => criterionKey(b.criterion)));
	return STARTER_BADGES.filter(
		(starter) =>
			!names.has(starter.name.toLowerCase()) && !criteria.has(criterionKey(starter.criterion))
	);
}

/** The starter badges the season does not have yet (same name or same criterion). */
export async function missingStarterBadges(store: Store, seasonId: number) {
	return lackingStarters(await seasonBadgesOn(store.db, store, seasonId));
}

/**
 * Adds the starter badges the season lacks, in one write and one audit event; the ones it
 * already has (by name or by criterion) are skipped, so a second click, on any node, adds
 * nothing.
 */
export async function addStarterBadges(
	store: Store,
	seasonId: number,
	actor: Actor,
	clock: Clock = systemClock
): Promise<{ added: Badge[]; awarded: number }> {
	const now = clock();
	const { badge } = store.tables;
	const added = await write(store, async (tx) => {
		const missing = lackingStarters(await seasonBadgesOn(tx, store, seasonId));
		if (missing.length === 0) return [];
		const rows = await tx
			.insert(badge)
			.values(missing.map((b) => ({ ...b, active: true, seasonId, createdAt: now })))
			.returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'badge.starter',
			`season:${seasonId}`,
			{ seasonId, added: rows.map((r) => r.name) },
			now
		);
		return rows;
	});
	if (added.length === 0) return { added, awarded: 0 };
	const awarded = await awardNow(
		store,
		seasonId,
		added.map((b) => b.id),
		clock
	);
	return { added, awarded };
}
