import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import {
	badge,
	display,
	product,
	rule,
	season,
	seasonMember,
	team,
	type Season
} from '../db/schema';
import { DEFAULT_THEME } from './fields';

// A season's launch checklist, and the one condition for going live: a season whose start has
// come opens only once it has people and something to sell. Until then it stays `scheduled`
// and is shown as "ready to launch" (not on any board, no sales), so a season created with
// today's start never appears empty on everyone's board.

/** What a season needs before the scheduler opens it. */
export const launchNeedsSql = sql<boolean>`(
	exists (select 1 from ${seasonMember} where ${seasonMember.seasonId} = ${season.id})
	and exists (select 1 from ${product} where ${product.seasonId} = ${season.id} and ${product.active} = 1)
)`;

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

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The checklist of a season, in the order a manager sets one up. */
export function launchState(db: Queryable, s: Season, now: number): LaunchState {
	const teams =
		db
			.select({ n: sql<number>`count(*)` })
			.from(team)
			.where(eq(team.seasonId, s.id))
			.get()?.n ?? 0;
	const displays =
		db
			.select({ n: sql<number>`count(*)` })
			.from(display)
			.where(and(eq(display.seasonId, s.id), isNull(display.revokedAt)))
			.get()?.n ?? 0;
	const people =
		db
			.select({ n: sql<number>`count(*)` })
			.from(seasonMember)
			.where(eq(seasonMember.seasonId, s.id))
			.get()?.n ?? 0;
	const products =
		db
			.select({ n: sql<number>`count(*)` })
			.from(product)
			.where(and(eq(product.seasonId, s.id), eq(product.active, true)))
			.get()?.n ?? 0;
	const rules =
		db
			.select({ n: sql<number>`count(*)` })
			.from(rule)
			.where(and(eq(rule.seasonId, s.id), eq(rule.active, true)))
			.get()?.n ?? 0;
	const badges =
		db
			.select({ n: sql<number>`count(*)` })
			.from(badge)
			.where(and(or(eq(badge.seasonId, s.id), isNull(badge.seasonId)), eq(badge.active, true)))
			.get()?.n ?? 0;
	const prizes = s.prizes?.length ?? 0;
	const themed =
		!!s.theme.banner ||
		s.theme.tagline !== '' ||
		s.theme.primary !== DEFAULT_THEME.primary ||
		s.theme.emoji !== DEFAULT_THEME.emoji;

	const steps: LaunchStep[] = [
		{
			key: 'theme',
			label: 'Theme',
			done: themed,
			detail: themed ? 'Colours, emoji and tagline set' : 'Still the default look',
			required: false
		},
		{
			key: 'teams',
			label: 'Teams',
			done: teams > 0,
			detail: teams > 0 ? plural(teams, 'team') : 'No team yet',
			required: false
		},
		{
			key: 'people',
			label: 'People',
			done: people > 0,
			detail: people > 0 ? plural(people, 'person', 'people') : 'Nobody invited yet',
			required: true
		},
		{
			key: 'catalogue',
			label: 'Catalogue',
			done: products > 0,
			detail: products > 0 ? plural(products, 'product') + ' on sale' : 'No product to sell yet',
			required: true
		},
		{
			key: 'rules',
			label: 'Rules',
			done: rules > 0,
			detail: rules > 0 ? plural(rules, 'rule') + ' on' : 'Base points only',
			required: false
		},
		{
			key: 'badges',
			label: 'Badges',
			done: badges > 0,
			detail: badges > 0 ? plural(badges, 'badge') : 'No badge yet: add the starter set',
			required: false
		},
		{
			key: 'prizes',
			label: 'Prizes',
			done: prizes > 0,
			detail: prizes > 0 ? plural(prizes, 'prize') : 'No prize yet',
			required: false
		},
		{
			key: 'displays',
			label: 'Displays',
			done: displays > 0,
			detail: displays > 0 ? plural(displays, 'TV display') : 'No TV display yet',
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
	return `Waiting for ${missing.join(' and ')}`;
}
