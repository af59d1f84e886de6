import { and, eq, isNull, ne, or, sql } from 'drizzle-orm';
import type { Badge } from '../db/schema';
import { read, type Store, type StoreDb } from '../db/store';
import { notFound } from '../shared/errors';
import type { CriterionKind } from './criteria';
import { describeCriterion } from '../../contest/badges';
import { m } from '../../paraglide/messages.js';

// Reading a season's badges for the console, through the store (db/store.ts): what any node
// saved. The badges' engine (awards.ts `seasonBadges`) keeps its own synchronous, prepared read.

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

/** The season's badges and the all-time ones, oldest first (as awards.ts `seasonBadges`). */
export async function seasonBadgesOn(
	db: StoreDb,
	store: Store,
	seasonId: number
): Promise<Badge[]> {
	const { badge } = store.tables;
	return db
		.select()
		.from(badge)
		.where(or(eq(badge.seasonId, seasonId), isNull(badge.seasonId)))
		.orderBy(badge.id);
}

/** The season's badges (and the all-time ones) with how many times each was awarded in it. */
export async function listSeasonBadges(store: Store, seasonId: number): Promise<BadgeListItem[]> {
	const { award } = store.tables;
	// One snapshot: an award another node writes meanwhile is counted with its badge or not at all.
	const { rows, counted } = await read(store, async (tx) => ({
		rows: await seasonBadgesOn(tx, store, seasonId),
		counted: await tx
			.select({ badgeId: award.badgeId, n: sql<number>`count(*)`.mapWith(Number) })
			.from(award)
			.where(and(eq(award.seasonId, seasonId), ne(award.status, 'void')))
			.groupBy(award.badgeId)
	}));
	const counts = new Map(counted.map((row) => [row.badgeId, row.n]));
	return rows.map((row) => ({
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

async function seasonBadgeOn(
	db: StoreDb,
	store: Store,
	seasonId: number,
	id: number
): Promise<Badge | undefined> {
	// A form's id that is no integer (NaN, 1.5) names no badge; PostgreSQL would refuse it as a
	// bigint with an error of its own.
	if (!Number.isSafeInteger(id)) return undefined;
	const { badge } = store.tables;
	const [row] = await db
		.select()
		.from(badge)
		.where(and(eq(badge.id, id), eq(badge.seasonId, seasonId)));
	return row;
}

/** A badge of this season (not an all-time one), so that a form cannot reach another season's. */
export function getSeasonBadge(
	store: Store,
	seasonId: number,
	id: number
): Promise<Badge | undefined> {
	return seasonBadgeOn(store.db, store, seasonId, id);
}

/** The badge of this season inside a write, or a 404 AppError (which rolls the write back). */
export async function requireSeasonBadgeInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	id: number
): Promise<Badge> {
	const row = await seasonBadgeOn(tx, store, seasonId, id);
	if (!row) throw notFound('not_found', m.badges_edit_missing());
	return row;
}
