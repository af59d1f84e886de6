import { and, eq, ne, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { award, badge, type Badge } from '../db/schema';
import { notFound } from '../shared/errors';
import { seasonBadges } from './awards';
import type { CriterionKind } from './criteria';
import { describeCriterion } from '../../contest/badges';
import { m } from '../../paraglide/messages.js';

// Reading a season's badges for the console.

interface BadgeListItem {
	id: number;
	name: string;
	emoji: string;
	description: string;
	criterion: string;
	kind: CriterionKind;
	points: number;
	active: boolean;
	/** All-time badges belong to no season: they are shown, not edited, here. */
	allSeasons: boolean;
	awarded: number;
}

/** The season's badges (and the all-time ones) with how many times each was awarded in it. */
export function listSeasonBadges(db: Queryable, seasonId: number): BadgeListItem[] {
	const counts = new Map(
		db
			.select({ badgeId: award.badgeId, n: sql<number>`count(*)` })
			.from(award)
			.where(and(eq(award.seasonId, seasonId), ne(award.status, 'void')))
			.groupBy(award.badgeId)
			.all()
			.map((row) => [row.badgeId, row.n])
	);
	return seasonBadges(db, seasonId).map((row) => ({
		id: row.id,
		name: row.name,
		emoji: row.emoji,
		description: row.description,
		criterion: describeCriterion(row.criterion),
		kind: row.criterion.kind,
		points: row.points,
		active: row.active,
		allSeasons: row.seasonId === null,
		awarded: counts.get(row.id) ?? 0
	}));
}

/** A badge of this season (not an all-time one), so that a form cannot reach another season's. */
export function getSeasonBadge(db: Queryable, seasonId: number, id: number): Badge | undefined {
	return db
		.select()
		.from(badge)
		.where(and(eq(badge.id, id), eq(badge.seasonId, seasonId)))
		.get();
}

/** The badge of this season, or a 404 AppError. */
export function requireSeasonBadge(db: Queryable, seasonId: number, id: number): Badge {
	const row = getSeasonBadge(db, seasonId, id);
	if (!row) throw notFound('not_found', m.badges_edit_missing());
	return row;
}
