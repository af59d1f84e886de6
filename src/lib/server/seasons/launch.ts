import { and, count, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgTable } from 'drizzle-orm/pg-core';
import type { Season } from '../db/schema';
import type { Store, Tables } from '../db/store';
import { DEFAULT_THEME } from './fields';
import { m } from '../../paraglide/messages.js';

// A season's launch checklist, and the one condition for going live: a season whose start has
// come opens only once it has people and something to sell. Until then it stays `scheduled`
// and is shown as "ready to launch" (not on any board, no sales), so a season created with
// today's start never appears empty on everyone's board.

/** What a season needs before the scheduler opens it, on the store's tables (either dialect). */
export function launchNeedsSql(t: Tables): SQL<boolean> {
	const { product, season, seasonMember } = t;
	return sql<boolean>`(
		exists (select 1 from ${seasonMember} where ${seasonMember.seasonId} = ${season.id})
		and exists (select 1 from ${product} where ${product.seasonId} = ${season.id} and ${eq(product.active, true)})
	)`;
}

export type LaunchStepKey =
	'theme' | 'teams' | 'people' | 'catalogue' | 'rules' | 'badges' | 'prizes' | 'displays';

export interface LaunchStep {
	key: LaunchStepKey;
	label: string;
	done: boolean;
	/** What there is, or what is missing, in a few words. */
	detail: string;
	/** Needed before the season can go live (the others are recommended). */
	required: boolean;
}

export interface LaunchState {
	steps: LaunchStep[];
	/** People and products are there: the scheduler may open it at its start. */
	ready: boolean;
	/** What keeps a season whose start has come off the boards, e.g. ['people', 'products']. */
	missing: string[];
	/** Its start has come, it is scheduled and not ready: it waits as "ready to launch". */
	waiting: boolean;
}

/** A count of rows, read through the store (`count(*)` is int8 on PostgreSQL: a number). */
async function countOf(store: Store, table: AnyPgTable, where: SQL | undefined): Promise<number> {
	const [row] = await store.db.select({ n: count() }).from(table).where(where);
	return row?.n ?? 0;
}

/**
 * The checklist of a season, in the order a manager sets one up; through the store
 * (db/store.ts), so what another node added counts at once.
 */
export async function launchState(store: Store, s: Season, now: number): Promise<LaunchState> {
	const { badge, display, product, rule, seasonMember, team } = store.tables;
	const teams = await countOf(store, team, eq(team.seasonId, s.id));
	const displays = await countOf(
		store,
		display,
		and(eq(display.seasonId, s.id), isNull(display.revokedAt))
	);
	const people = await countOf(store, seasonMember, eq(seasonMember.seasonId, s.id));
	const products = await countOf(
		store,
		product,
		and(eq(product.seasonId, s.id), eq(product.active, true))
	);
	const rules = await countOf(store, rule, and(eq(rule.seasonId, s.id), eq(rule.active, true)));
	const badges = await countOf(
		store,
		badge,
		and(or(eq(badge.seasonId, s.id), isNull(badge.seasonId)), eq(badge.active, true))
	);
	const prizes = s.prizes?.length ?? 0;
	const themed =
		!!s.theme.banner ||
		s.theme.tagline !== '' ||
		s.theme.primary !== DEFAULT_THEME.primary ||
		s.theme.emoji !== DEFAULT_THEME.emoji;

	const steps: LaunchStep[] = [
		{
			key: 'theme',
			label: m.seasons_step_theme(),
			done: themed,
			detail: themed ? m.seasons_step_theme_done() : m.seasons_step_theme_todo(),
			required: false
		},
		{
			key: 'teams',
			label: m.seasons_step_teams(),
			done: teams > 0,
			detail: teams > 0 ? m.seasons_step_teams_done({ count: teams }) : m.seasons_step_teams_todo(),
			required: false
		},
		{
			key: 'people',
			label: m.seasons_step_people(),
			done: people > 0,
			detail:
				people > 0 ? m.seasons_step_people_done({ count: people }) : m.seasons_step_people_todo(),
			required: true
		},
		{
			key: 'catalogue',
			label: m.seasons_step_catalogue(),
			done: products > 0,
			detail:
				products > 0
					? m.seasons_step_catalogue_done({ count: products })
					: m.seasons_step_catalogue_todo(),
			required: true
		},
		{
			key: 'rules',
			label: m.seasons_step_rules(),
			done: rules > 0,
			detail: rules > 0 ? m.seasons_step_rules_done({ count: rules }) : m.seasons_step_rules_todo(),
			required: false
		},
		{
			key: 'badges',
			label: m.seasons_step_badges(),
			done: badges > 0,
			detail:
				badges > 0 ? m.seasons_step_badges_done({ count: badges }) : m.seasons_step_badges_todo(),
			required: false
		},
		{
			key: 'prizes',
			label: m.seasons_step_prizes(),
			done: prizes > 0,
			detail:
				prizes > 0 ? m.seasons_step_prizes_done({ count: prizes }) : m.seasons_step_prizes_todo(),
			required: false
		},
		{
			key: 'displays',
			label: m.seasons_step_displays(),
			done: displays > 0,
			detail:
				displays > 0
					? m.seasons_step_displays_done({ count: displays })
					: m.seasons_step_displays_todo(),
			required: false
		}
	];
	const missing = [...(people === 0 ? ['people'] : []), ...(products === 0 ? ['products'] : [])];
	return {
		steps,
		ready: missing.length === 0,
		missing,
		waiting: s.status === 'scheduled' && s.startsAt <= now && missing.length > 0
	};
}

/** "Waiting for people and products" for the seasons list and the season page. */
export function waitingText(missing: string[]): string {
	if (missing.includes('people') && missing.includes('products')) return m.seasons_waiting_both();
	return missing.includes('people') ? m.seasons_waiting_people() : m.seasons_waiting_products();
}
