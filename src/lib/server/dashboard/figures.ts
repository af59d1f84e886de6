import type { Queryable } from '../db';
import { read, unportedSqlite, type Store } from '../db/store';
import { runRawOnStore, runRawSync, type RawReads as Reads } from '../db/raw-reads';
import type { Clock } from '../shared/clock';
import { log } from '../shared/log';
import { getReadThread } from '../reads/thread';
import {
	dayList,
	daysLeft,
	localDateKey,
	seasonDayBounds,
	localDayRange,
	weekRange
} from '../../contest/calendar';
import { parseFilters, resolvePeriod, type DashboardFilters } from './filters';
import { bucketsReads, dayStarts, directBucketsReads, type Bucket } from './daily';
import {
	campaignEffectsReads,
	currentLeadersReads,
	dashboardSeasonReads,
	dashboardSeasonsReads,
	defaultDashboardSeasonReads,
	memberCountReads,
	participationReads,
	seasonHistoryReads,
	seasonTeamsReads,
	seasonVersionReads,
	topProductsReads
} from './queries';

// The executive dashboard's figures. Points come from the ledger (every entry but 'void'), dated
// by the sale they belong to (bonuses and adjustments by when they were made), so that a
// rejected or reversed sale nets to zero on the day it happened. Sales, revenue and products
// count only sales that still stand (pending or approved); revenue only approved ones.

/** Recompute from the sales and the ledger instead of the rollups (tests and benchmarks compare). */
type Options = { direct?: boolean };

/**
 * Everything the dashboard shows for one season, as plain data; null for an unknown season.
 * Its queries are yielded (queries.ts): `dashboardData` runs them on a SQLite connection (the
 * read thread), `readDashboardData` in a store's read on either dialect.
 */
function* dashboardReads(
	seasonId: number,
	filters: DashboardFilters,
	now: number,
	{ direct = false }: Options
) {
	const s = yield* dashboardSeasonReads(seasonId);
	if (!s) return null;
	const teams = yield* seasonTeamsReads(s.id);
	const teamId =
		filters.teamId !== null && teams.some((t) => t.id === filters.teamId) ? filters.teamId : null;
	const { first, last } = seasonDayBounds(s);
	const days = dayList(first, last);
	const period = resolvePeriod(s, { ...filters, teamId }, now);
	const fromIndex = days.indexOf(period.from);
	const toIndex = days.indexOf(period.to);
	const starts = dayStarts(days, s.timeZone);
	const range: [number, number] = [
		fromIndex >= 0 ? starts[fromIndex] : localDayRange(period.from, s.timeZone)[0],
		toIndex >= 0 ? starts[toIndex + 1] : localDayRange(period.to, s.timeZone)[1]
	];
	const todayIndex =
		now < s.startsAt
			? -1
			: now >= s.endsAt
				? days.length - 1
				: days.indexOf(localDateKey(now, s.timeZone));

	const all = yield* (direct ? directBucketsReads : bucketsReads)(s, days);
	const inScope = (b: Bucket) =>
		(teamId === null || b.teamId === teamId) && b.day >= fromIndex && b.day <= toIndex;
	const kpis = { confirmedPoints: 0, provisionalPoints: 0, revenue: 0, sales: 0 };
	for (const b of all.filter(inScope)) {
		kpis.confirmedPoints += b.confirmed;
		kpis.provisionalPoints += b.provisional;
		kpis.revenue += b.revenue;
		kpis.sales += b.sales;
	}

	// The race: each team's points accumulated over the period's days, up to today.
	const raceDays = days.slice(fromIndex, Math.max(fromIndex, Math.min(toIndex, todayIndex)) + 1);
	const race = teams
		.filter((t) => teamId === null || t.id === teamId)
		.map((t) => {
			const daily = new Array<number>(raceDays.length).fill(0);
			for (const b of all) {
				if (b.teamId === t.id && b.day >= fromIndex && b.day < fromIndex + raceDays.length) {
					daily[b.day - fromIndex] += b.confirmed + b.provisional;
				}
			}
			let sum = 0;
			return { ...t, points: daily.map((v) => (sum += v)) };
		});

	// Progress: the whole season and every team, against a straight pace from 0 to the target.
	const seasonTotals = { confirmed: 0, provisional: 0 };
	const confirmedByDay = new Array<number>(days.length).fill(0);
	const totalByDay = new Array<number>(days.length).fill(0);
	for (const b of all) {
		seasonTotals.confirmed += b.confirmed;
		seasonTotals.provisional += b.provisional;
		confirmedByDay[b.day] += b.confirmed;
		totalByDay[b.day] += b.confirmed + b.provisional;
	}
	const cumulate = (values: number[]) => {
		let sum = 0;
		return values.map((v, i) => (i <= todayIndex ? (sum += v) : null));
	};
	const length = s.endsAt - s.startsAt;
	const progress = {
		days,
		confirmed: cumulate(confirmedByDay),
		total: cumulate(totalByDay),
		pace:
			s.target === null
				? null
				: days.map((_, i) => {
						const end = Math.min(starts[i + 1], s.endsAt);
						return Math.round((s.target! * (end - s.startsAt)) / length);
					})
	};

	const week = weekRange(Math.min(Math.max(now, s.startsAt), s.endsAt - 1), s.timeZone);
	const products = yield* topProductsReads(s.id, teamId, range, direct);
	const participation = yield* participationReads(s, teamId, week, range);
	const campaigns = yield* campaignEffectsReads(s, teamId, now, direct);
	const participants = yield* memberCountReads(s.id);
	const leaders = yield* currentLeadersReads(s);
	const past = yield* seasonHistoryReads(s);
	return {
		season: {
			id: s.id,
			name: s.name,
			status: s.status,
			timeZone: s.timeZone,
			startsAt: s.startsAt,
			endsAt: s.endsAt,
			target: s.target
		},
		teams,
		filters: { teamId, period: filters.period, from: period.from, to: period.to },
		kpis: {
			...kpis,
			target: s.target,
			seasonConfirmed: seasonTotals.confirmed,
			seasonProvisional: seasonTotals.provisional,
			percentOfTarget: s.target
				? Math.round((seasonTotals.confirmed / s.target) * 1000) / 10
				: null,
			percentWithProvisional: s.target
				? Math.round(((seasonTotals.confirmed + seasonTotals.provisional) / s.target) * 1000) / 10
				: null,
			daysLeft: daysLeft(now, s)
		},
		race: { days: raceDays, teams: race },
		progress,
		participation,
		products: {
			byPoints: products.slice(0, 10),
			byUnits: [...products].sort((a, b) => b.units - a.units || b.points - a.points).slice(0, 10)
		},
		campaigns,
		history: {
			current: {
				id: s.id,
				name: s.name,
				points:
					s.rankBy === 'total'
						? seasonTotals.confirmed + seasonTotals.provisional
						: seasonTotals.confirmed,
				provisional: seasonTotals.provisional,
				participants,
				...leaders
			},
			past
		}
	};
}

export type DashboardData = NonNullable<
	ReturnType<typeof dashboardReads> extends Reads<infer T> ? T : never
>;

/** The figures read synchronously on a SQLite connection (the read thread, scripts, tests). */
export function dashboardData(
	db: Queryable,
	seasonId: number,
	filters: DashboardFilters,
	clock: Clock,
	options: Options = {}
): DashboardData | null {
	return runRawSync(db, dashboardReads(seasonId, filters, clock(), options));
}

/** The figures read through the store, in one snapshot, on either dialect. */
export function readDashboardData(
	store: Store,
	seasonId: number,
	filters: DashboardFilters,
	clock: Clock,
	options: Options = {}
): Promise<DashboardData | null> {
	const now = clock();
	return read(store, (tx) =>
		runRawOnStore(tx, store, () => dashboardReads(seasonId, filters, now, options))
	);
}

// Figures per database, season version, filters and minute: a page that many executives keep
// open (and that reloads on every leaderboard change) computes them once per change. Changes that
// do not bump the version (a new member, an edited rule) show within a minute.
// On globalThis: server.ts (which warms it at start) and SvelteKit's bundle each have a copy of
// this module. Figures being computed are shared too, so that a burst of reloads computes once.
const KEY = Symbol.for('honorboard.dashboardCache');
type Entry = DashboardData | null | Promise<DashboardData | null>;
const cache: WeakMap<object, Map<string, Entry>> = ((
	globalThis as { [KEY]?: WeakMap<object, Map<string, Entry>> }
)[KEY] ??= new WeakMap());
const CACHE_SIZE = 50;

/** The season a dashboard shows and the version of its boards. */
type Chosen = { seasonId: number; version: number };

/** The chosen season (?season=) or the default one, with its version; null: none, or unknown. */
function* chosenSeasonReads(params: URLSearchParams, now: number): Reads<Chosen | null> {
	const requested = Number(params.get('season'));
	const seasonId =
		Number.isInteger(requested) && requested > 0
			? requested
			: yield* defaultDashboardSeasonReads(now);
	if (seasonId === null) return null;
	const version = yield* seasonVersionReads(seasonId);
	return version === undefined ? null : { seasonId, version };
}

/**
 * The figures from the cache of `owner` (a SQLite connection, a PostgreSQL store), else computed
 * (`compute`) and kept. A failed computation is not kept.
 */
function cachedDashboard(
	owner: object,
	chosen: Chosen,
	filters: DashboardFilters,
	now: number,
	compute: () => Entry
): Entry {
	const key = JSON.stringify([chosen.seasonId, chosen.version, Math.floor(now / 60_000), filters]);
	let entries = cache.get(owner);
	if (!entries) cache.set(owner, (entries = new Map()));
	if (entries.has(key)) return entries.get(key)!;
	const data = compute();
	if (entries.size >= CACHE_SIZE) entries.delete(entries.keys().next().value!);
	entries.set(key, data);
	if (data instanceof Promise) {
		const kept = entries;
		data.then(
			(value) => kept.get(key) === data && kept.set(key, value),
			() => kept.get(key) === data && kept.delete(key)
		);
	}
	return data;
}

/**
 * What the page and the CSV export read on SQLite: the chosen (or default) season with the
 * URL's filters, computed inline (the dev server, scripts and tests without a read thread).
 */
export function loadDashboard(db: Queryable, params: URLSearchParams, clock: Clock) {
	const now = clock();
	const chosen = runRawSync(db, chosenSeasonReads(params, now));
	if (!chosen) return null;
	const filters = parseFilters(params);
	const data = cachedDashboard(db, chosen, filters, now, () =>
		dashboardData(db, chosen.seasonId, filters, () => now)
	);
	// A computation the read thread has under way: this caller computes its own.
	return data instanceof Promise ? dashboardData(db, chosen.seasonId, filters, () => now) : data;
}

/**
 * loadDashboard for a running server on SQLite: the figures are computed by the read thread
 * when there is one (reads/thread.ts; ~100–140 ms at 200,000 sales that the event loop does not
 * wait on), inline when there is none or it fails.
 */
export async function loadDashboardOffThread(
	db: Queryable,
	params: URLSearchParams,
	clock: Clock
): Promise<DashboardData | null> {
	const thread = getReadThread();
	if (!thread) return loadDashboard(db, params, clock);
	const now = clock();
	const chosen = runRawSync(db, chosenSeasonReads(params, now));
	if (!chosen) return null;
	const filters = parseFilters(params);
	try {
		return await cachedDashboard(db, chosen, filters, now, () =>
			thread.dashboard(chosen.seasonId, filters, now)
		);
	} catch (error) {
		log.error({ err: error }, 'the dashboard could not be read in the read thread');
		return loadDashboard(db, params, clock);
	}
}

/**
 * What the page and the CSV export read: on SQLite as loadDashboardOffThread (the read thread
 * keeps the event loop free); on PostgreSQL through the pool, cached the same way. There the
 * season and its version are one read and the figures another: figures a commit newer than the
 * version they are kept under are replaced at the next version.
 */
export async function readDashboard(
	store: Store,
	params: URLSearchParams,
	clock: Clock
): Promise<DashboardData | null> {
	const db = unportedSqlite(store);
	if (db) return loadDashboardOffThread(db, params, clock);
	const now = clock();
	const chosen = await read(store, (tx) =>
		runRawOnStore(tx, store, () => chosenSeasonReads(params, now))
	);
	if (!chosen) return null;
	const filters = parseFilters(params);
	return cachedDashboard(store, chosen, filters, now, () =>
		readDashboardData(store, chosen.seasonId, filters, () => now)
	);
}

/** The seasons the dashboard's picker offers, newest first. */
export function readDashboardSeasons(store: Store) {
	return read(store, (tx) => runRawOnStore(tx, store, () => dashboardSeasonsReads()));
}

/**
 * At a server's start, the read thread computes the default dashboard once: the first
 * executive to open it then gets cached figures (or a thread whose code has run), instead of
 * paying for code running the first time (docs/benchmarks.md, "bench:dashboard"). Nothing
 * without a read thread: inline, it would hold the event loop at start.
 */
export async function warmDashboard(db: Queryable, clock: Clock): Promise<void> {
	if (!getReadThread()) return;
	await loadDashboardOffThread(db, new URLSearchParams(), clock);
}
