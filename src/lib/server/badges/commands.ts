import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { badge, type Badge } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { evaluateAwards } from './awards';
import type { BadgeDraft } from './badge-form';
import { requireSeasonBadge } from './queries';

// Changing a season's badges. A change applies from now on: awards already given stay, and so
// do the bonus points they added. Saving an active badge evaluates the season at once, so
// people who already qualify receive it (and see it celebrated).

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
function awardNow(db: Db, seasonId: number, badgeId: number, clock: Clock): number {
	return evaluateAwards(db, seasonId, { clock }).filter((e) => e.badge.id === badgeId).length;
}

export function createBadge(
	db: Db,
	seasonId: number,
	draft: BadgeDraft,
	actor: Actor,
	clock: Clock = systemClock
): BadgeSaved {
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
	return { badge: row, awarded: row.active ? awardNow(db, seasonId, row.id, clock) : 0 };
}

export function updateBadge(
	db: Db,
	seasonId: number,
	id: number,
	draft: BadgeDraft,
	actor: Actor,
	clock: Clock = systemClock
): BadgeSaved {
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
	return { badge: row, awarded: row.active ? awardNow(db, seasonId, row.id, clock) : 0 };
}

export function setBadgeActive(
	db: Db,
	seasonId: number,
	id: number,
	active: boolean,
	actor: Actor,
	clock: Clock = systemClock
): BadgeSaved {
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
	const awarded = result.changed && active ? awardNow(db, seasonId, id, clock) : 0;
	return { badge: result.row, awarded };
}
