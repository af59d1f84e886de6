import { asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import {
	season,
	seasonMember,
	seasonTransition,
	team,
	user,
	type Season,
	type SeasonStatus,
	type SeasonPrize,
	type SeasonTheme
} from '../db/schema';
import { mergeFormPrizes } from './prizes';
import { audit, type Actor } from '../audit/record';
import { cloneSeason } from './clone';
import { runScheduler } from './scheduler';
import { bumpVersion } from '../scoring/standings';
import { notifyLeaderboard, publishSeason } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import { localDateKey, type Recurrence } from '../../contest/calendar';
import type { TieRule } from '../../contest/types';

// The contest console's season commands: create (from scratch, a built-in theme or a copy),
// edit, and what the console lists. One transaction and one audit event per command.

export interface SeasonInput {
	name: string;
	theme: Omit<SeasonTheme, 'banner'>;
	timeZone: string;
	/** Local dates; `startsAt`/`endsAt` are their bounds in `timeZone` (end date inclusive). */
	startDate: string;
	endDate: string;
	startsAt: number;
	endsAt: number;
	recurrence: Recurrence | null;
	target: number | null;
	prizes: { place: number; title: string }[];
	tieRule: TieRule;
	requireConfirmation: boolean;
	graceDays: number;
}

export type BannerChange = { kind: 'keep' } | { kind: 'remove' } | { kind: 'set'; dataUrl: string };

export class SeasonConsoleError extends Error {
	constructor(
		readonly code: 'not_found' | 'locked',
		message: string
	) {
		super(message);
	}
}

/** What may still change: dates and zone before the start, contest rules until the end. */
export function editable(status: SeasonStatus): { dates: boolean; rules: boolean } {
	return {
		dates: status === 'draft' || status === 'scheduled',
		rules: status !== 'ended' && status !== 'archived'
	};
}

// Note: banners are kept in the theme as data URLs (no file store to back up or serve), so
// they are capped small; the board sends the theme with every page.
export const BANNER_MAX_BYTES = 300 * 1024;
const BANNER_TYPES: { type: string; matches: (b: Uint8Array) => boolean }[] = [
	{
		type: 'image/png',
		matches: (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v)
	},
	{ type: 'image/jpeg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
	{ type: 'image/gif', matches: (b) => String.fromCharCode(...b.slice(0, 6)).startsWith('GIF8') },
	{
		type: 'image/webp',
		matches: (b) =>
			String.fromCharCode(...b.slice(0, 4)) === 'RIFF' &&
			String.fromCharCode(...b.slice(8, 12)) === 'WEBP'
	}
];

/** A banner image upload as a data URL, checked by its bytes rather than its declared type. */
export async function bannerFromFile(
	file: File
): Promise<{ ok: true; dataUrl: string } | { ok: false; message: string }> {
	if (file.size > BANNER_MAX_BYTES)
		return {
			ok: false,
			message: 'The image is larger than 300 KB: use a smaller or more compressed one'
		};
	const bytes = new Uint8Array(await file.arrayBuffer());
	const kind = BANNER_TYPES.find((t) => t.matches(bytes));
	if (!kind) return { ok: false, message: 'Use a PNG, JPEG, WebP or GIF image' };
	return { ok: true, dataUrl: `data:${kind.type};base64,${Buffer.from(bytes).toString('base64')}` };
}

export function listConsoleSeasons(db: Db) {
	const counts = new Map(
		db
			.select({ seasonId: seasonMember.seasonId, members: sql<number>`count(*)` })
			.from(seasonMember)
			.groupBy(seasonMember.seasonId)
			.all()
			.map((r) => [r.seasonId, r.members])
	);
	const teams = new Map(
		db
			.select({ seasonId: team.seasonId, teams: sql<number>`count(*)` })
			.from(team)
			.groupBy(team.seasonId)
			.all()
			.map((r) => [r.seasonId, r.teams])
	);
	return db
		.select()
		.from(season)
		.orderBy(desc(season.startsAt), desc(season.id))
		.all()
		.map((s) => ({ ...s, members: counts.get(s.id) ?? 0, teams: teams.get(s.id) ?? 0 }));
}

/** The transitions a season went through, oldest first, with who made them. */
export function seasonHistory(db: Db, seasonId: number) {
	const rows = db
		.select({
			toStatus: seasonTransition.toStatus,
			at: seasonTransition.at,
			by: seasonTransition.by,
			name: user.displayName
		})
		.from(seasonTransition)
		.leftJoin(user, sql`${user.id} = cast(${seasonTransition.by} as integer)`)
		.where(eq(seasonTransition.seasonId, seasonId))
		.orderBy(asc(seasonTransition.at), asc(seasonTransition.id))
		.all();
	return rows.map((r) => ({
		toStatus: r.toStatus,
		at: r.at,
		by: r.by === 'scheduler' ? 'Scheduler' : (r.name ?? r.by)
	}));
}

export interface CreateOptions {
	status: 'draft' | 'scheduled';
	/** A data URL; null for none; left out, a copy keeps the original's banner. */
	banner?: string | null;
	/** Copy this season's catalogue, rules, badges, teams and members. */
	cloneOf?: number;
	/** The built-in theme it started from, for the audit trail. */
	themeKey?: string;
}

export function createConsoleSeason(
	db: Db,
	input: SeasonInput,
	options: CreateOptions,
	actor: Actor,
	clock: Clock = systemClock
): Season {
	const now = clock();
	const withBanner = (banner: string | null | undefined): SeasonTheme => ({
		...input.theme,
		...(banner ? { banner } : {})
	});
	const settings = {
		name: input.name,
		theme: withBanner(options.banner),
		timeZone: input.timeZone,
		startsAt: input.startsAt,
		endsAt: input.endsAt,
		status: options.status,
		recurrence: input.recurrence,
		target: input.target,
		prizes: input.prizes.length > 0 ? input.prizes : null,
		tieRule: input.tieRule,
		requireConfirmation: input.requireConfirmation,
		graceDays: input.graceDays
	};
	const created = db.transaction(
		(tx) => {
			let row: Season;
			if (options.cloneOf != null) {
				const source = tx.select().from(season).where(eq(season.id, options.cloneOf)).get();
				if (!source)
					throw new SeasonConsoleError('not_found', 'The season to copy no longer exists');
				const copy = cloneSeason(tx, source, {
					startsAt: input.startsAt,
					endsAt: input.endsAt,
					name: input.name,
					status: options.status,
					recurrence: input.recurrence,
					now
				});
				// The form shows the source's settings, as the manager may have changed them.
				const theme = withBanner(
					options.banner === undefined ? source.theme.banner : options.banner
				);
				row = tx
					.update(season)
					.set({ ...settings, theme })
					.where(eq(season.id, copy.id))
					.returning()
					.get();
			} else {
				row = tx
					.insert(season)
					.values({ ...settings, createdAt: now })
					.returning()
					.get();
			}
			tx.insert(seasonTransition)
				.values({
					seasonId: row.id,
					toStatus: options.status,
					at: now,
					by: String(actor.userId ?? 'api')
				})
				.run();
			const from =
				options.cloneOf != null
					? `clone:${options.cloneOf}`
					: options.themeKey
						? `theme:${options.themeKey}`
						: 'scratch';
			audit(
				tx,
				actor,
				'season.create',
				`season:${row.id}`,
				{ name: row.name, status: row.status, from },
				now
			);
			return row;
		},
		{ behavior: 'immediate' }
	);
	// A season scheduled to start today (or earlier) opens at once.
	if (created.status === 'scheduled') runScheduler(db, { clock });
	return db.select().from(season).where(eq(season.id, created.id)).get()!;
}

type Comparable = Pick<
	Season,
	| 'name'
	| 'timeZone'
	| 'startsAt'
	| 'endsAt'
	| 'target'
	| 'tieRule'
	| 'requireConfirmation'
	| 'graceDays'
> & {
	theme: Omit<SeasonTheme, 'banner'>;
	recurrence: Recurrence | null;
	prizes: SeasonPrize[] | null;
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Saves the form. Dates and the zone change only before the start, contest rules only until
 * the end; the dates keep their exact instants when the local days did not change.
 */
export function updateConsoleSeason(
	db: Db,
	seasonId: number,
	input: SeasonInput,
	banner: BannerChange,
	actor: Actor,
	clock: Clock = systemClock
): { season: Season; changed: string[] } {
	const now = clock();
	const result = db.transaction(
		(tx) => {
			const before = tx.select().from(season).where(eq(season.id, seasonId)).get();
			if (!before) throw new SeasonConsoleError('not_found', 'This season no longer exists');
			const can = editable(before.status);
			const { banner: oldBanner, ...oldTheme } = before.theme;
			const old: Comparable = {
				...before,
				theme: oldTheme,
				recurrence: before.recurrence ?? null,
				prizes: before.prizes ?? null
			};
			// Compared as local days, so that a season created by the API at 09:00 keeps its hour.
			const datesMoved =
				before.timeZone !== input.timeZone ||
				localDateKey(before.startsAt, before.timeZone) !== input.startDate ||
				localDateKey(before.endsAt - 1, before.timeZone) !== input.endDate;
			const next: Comparable = {
				name: input.name,
				theme: input.theme,
				prizes: mergeFormPrizes(before.prizes, input.prizes),
				...(can.dates && datesMoved
					? { timeZone: input.timeZone, startsAt: input.startsAt, endsAt: input.endsAt }
					: pick(old, ['timeZone', 'startsAt', 'endsAt'])),
				...(can.rules
					? {
							recurrence: input.recurrence,
							target: input.target,
							tieRule: input.tieRule,
							requireConfirmation: input.requireConfirmation,
							graceDays: input.graceDays
						}
					: pick(old, ['recurrence', 'target', 'tieRule', 'requireConfirmation', 'graceDays']))
			};
			const newBanner =
				banner.kind === 'keep' ? oldBanner : banner.kind === 'set' ? banner.dataUrl : undefined;
			const changed = (Object.keys(next) as (keyof Comparable)[]).filter(
				(key) => !same(old[key], next[key])
			) as string[];
			if (newBanner !== oldBanner) changed.push('banner');
			if (changed.length === 0) return { season: before, changed };
			const row = tx
				.update(season)
				.set({ ...next, theme: { ...next.theme, ...(newBanner ? { banner: newBanner } : {}) } })
				.where(eq(season.id, seasonId))
				.returning()
				.get();
			const diff = Object.fromEntries(
				changed.map((key) => [
					key,
					key === 'banner'
						? { set: newBanner != null }
						: { from: old[key as keyof Comparable], to: next[key as keyof Comparable] }
				])
			);
			audit(tx, actor, 'season.update', `season:${seasonId}`, diff, now);
			// A new tie rule reorders the board: a new version, pushed after the commit.
			if (changed.includes('tieRule')) bumpVersion(tx, seasonId);
			return { season: row, changed };
		},
		{ behavior: 'immediate' }
	);
	const s = result.season;
	if (result.changed.includes('tieRule')) notifyLeaderboard(seasonId);
	// Open screens reload the season (name, theme) when they hear about it.
	if (
		s.status === 'live' &&
		result.changed.some(
			(key) => key === 'name' || key === 'theme' || key === 'banner' || key === 'target'
		)
	) {
		publishSeason({ seasonId, status: s.status });
	}
	if (s.status === 'scheduled' && result.changed.includes('startsAt')) runScheduler(db, { clock });
	return {
		season: db.select().from(season).where(eq(season.id, seasonId)).get()!,
		changed: result.changed
	};
}

function pick<T, K extends keyof T>(from: T, keys: K[]): Pick<T, K> {
	return Object.fromEntries(keys.map((k) => [k, from[k]])) as Pick<T, K>;
}
