import { eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { badge, type Badge } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { reevaluateSeason } from './reevaluate';
import type { BadgeDraft } from './badge-form';
import { requireSeasonBadge } from './queries';
import { seasonBadges } from './awards';
import type { BadgeCriterion } from '../../contest/badges';
import { m } from '../../paraglide/messages.js';

// Changing a season's badges. A change applies from now on: awards already given stay, and so
// do the bonus points they added. Saving an active badge evaluates the season at once (in
// slices that leave the server answering: reevaluate.ts), so people who already qualify receive
// it (and see it celebrated); the promise resolves once they have.

function snapshot(row: BadgeDraft) {
	const { name, emoji, description, points, criterion, active } = row;
	return { name, emoji, description, points, criterion, active };
}

export interface BadgeSaved {
	badge: Badge;
	/** People (or teams) who already qualified and received it now. */
	awarded: number;
}

/** Awards what the season already earns; only counts the awards of `badgeId`. */
async function awardNow(db: Db, seasonId: number, badgeId: number, clock: Clock) {
	const { awarded } = await reevaluateSeason(db, seasonId, { badgeIds: [badgeId], clock });
	return awarded.filter((e) => e.badge.id === badgeId).length;
}

export async function createBadge(
	db: Db,
	seasonId: number,
	draft: BadgeDraft,
	actor: Actor,
	clock: Clock = systemClock
): Promise<BadgeSaved> {
	const now = clock();
	const row = db.transaction(
		(tx) => {
			const created = tx
				.insert(badge)
				.values({ ...draft, seasonId, createdAt: now })
				.returning()
				.get();
			audit(
				tx,
				actor,
				'badge.create',
				`badge:${created.id}`,
				{ seasonId, ...snapshot(draft) },
				now
			);
			return created;
		},
		{ behavior: 'immediate' }
	);
	return { badge: row, awarded: row.active ? await awardNow(db, seasonId, row.id, clock) : 0 };
}

export async function updateBadge(
	db: Db,
	seasonId: number,
	id: number,
	draft: BadgeDraft,
	actor: Actor,
	clock: Clock = systemClock
): Promise<BadgeSaved> {
	const now = clock();
	const row = db.transaction(
		(tx) => {
			const before = requireSeasonBadge(tx, seasonId, id);
			const updated = tx.update(badge).set(draft).where(eq(badge.id, id)).returning().get();
			audit(
				tx,
				actor,
				'badge.update',
				`badge:${id}`,
				{ seasonId, name: draft.name, before: snapshot(before), after: snapshot(draft) },
				now
			);
			return updated;
		},
		{ behavior: 'immediate' }
	);
	return { badge: row, awarded: row.active ? await awardNow(db, seasonId, row.id, clock) : 0 };
}

export async function setBadgeActive(
	db: Db,
	seasonId: number,
	id: number,
	active: boolean,
	actor: Actor,
	clock: Clock = systemClock
): Promise<BadgeSaved> {
	const now = clock();
	const result = db.transaction(
		(tx) => {
			const before = requireSeasonBadge(tx, seasonId, id);
			if (before.active === active) return { row: before, changed: false };
			const row = tx.update(badge).set({ active }).where(eq(badge.id, id)).returning().get();
			audit(
				tx,
				actor,
				active ? 'badge.activate' : 'badge.deactivate',
				`badge:${id}`,
				{ seasonId, name: before.name },
				now
			);
			return { row, changed: true };
		},
		{ behavior: 'immediate' }
	);
	const awarded = result.changed && active ? await awardNow(db, seasonId, id, clock) : 0;
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

const sameCriterion = (a: BadgeCriterion, b: BadgeCriterion) =>
	JSON.stringify(a) === JSON.stringify(b);

/** The starter badges the season does not have yet (same name or same criterion). */
export function missingStarterBadges(db: Queryable, seasonId: number) {
	const existing = seasonBadges(db, seasonId);
	return STARTER_BADGES.filter(
		(starter) =>
			!existing.some(
				(b) =>
					b.name.toLowerCase() === starter.name.toLowerCase() ||
					sameCriterion(b.criterion, starter.criterion)
			)
	);
}

/**
 * Adds the starter badges the season lacks, in one transaction and one audit event; the ones
 * it already has (by name or by criterion) are skipped, so a second click adds nothing.
 */
export async function addStarterBadges(
	db: Db,
	seasonId: number,
	actor: Actor,
	clock: Clock = systemClock
): Promise<{ added: Badge[]; awarded: number }> {
	const now = clock();
	const added = db.transaction(
		(tx) => {
			const missing = missingStarterBadges(tx, seasonId);
			if (missing.length === 0) return [];
			const rows = tx
				.insert(badge)
				.values(missing.map((b) => ({ ...b, active: true, seasonId, createdAt: now })))
				.returning()
				.all();
			audit(
				tx,
				actor,
				'badge.starter',
				`season:${seasonId}`,
				{ seasonId, added: rows.map((r) => r.name) },
				now
			);
			return rows;
		},
		{ behavior: 'immediate' }
	);
	if (added.length === 0) return { added, awarded: 0 };
	const ids = new Set(added.map((b) => b.id));
	const changes = await reevaluateSeason(db, seasonId, { badgeIds: [...ids], clock });
	const awarded = changes.awarded.filter((e) => ids.has(e.badge.id)).length;
	return { added, awarded };
}
