import type { Queryable } from '../db';
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
import { buckets, dayStarts, directBuckets, type Bucket } from './daily';
import {
	campaignEffects,
	currentLeaders,
	dashboardSeason,
	defaultDashboardSeason,
	memberCount,
	participation,
	seasonHistory,
	seasonTeams,
	seasonVersion,
	topProducts
} from './queries';

// The executive dashboard's figures. Points come from the ledger (every entry but 'void'), dated
// by the sale they belong to (bonuses and adjustments by when they were made), so that a
// rejected or reversed sale nets to zero on the day it happened. Sales, revenue and products
// count only sales that still stand (pending or approved); revenue only approved ones.

/**
 * Everything the dashboard shows for one season, as plain data; null for an unknown season.
 * `direct` recomputes from the sales and the ledger instead of the rollups (tests and benchmarks
 * compare the two).
 */
export function dashboardData(
	db: Queryable,
	seasonId: number,
	filters: DashboardFilters,
	clock: Clock,
	{ direct = false }: { direct?: boolean } = {}
) {
	const now = clock();
	const s = dashboardSeason(db, seasonId);
	if (!s) return null;
	const teams = seasonTeams(db, s.id);
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

	const all = (direct ? directBuckets : buckets)(db, s, days);
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
	const products = topProducts(db, s.id, teamId, range, direct);
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
		participation: participation(db, s, teamId, week, range),
		products: {
			byPoints: products.slice(0, 10),
			byUnits: [...products].sort((a, b) => b.units - a.units || b.points - a.points).slice(0, 10)
		},
		campaigns: campaignEffects(db, s, teamId, now, direct),
		history: {
			current: {
				id: s.id,
				name: s.name,
				points:
					s.rankBy === 'total'
						? seasonTotals.confirmed + seasonTotals.provisional
						: seasonTotals.confirmed,
				provisional: seasonTotals.provisional,
				participants: memberCount(db, s.id),
				...currentLeaders(db, s)
			},
			past: seasonHistory(db, s)
		}
	};
}

export type DashboardData = NonNullable<ReturnType<typeof dashboardData>>;

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

/**
 * The figures from the cache, else computed (`compute`) and kept; null for an unknown season.
 * A failed computation is not kept.
 */
function cachedDashboard(
	db: Queryable,
	seasonId: number,
	filters: DashboardFilters,
	now: number,
	compute: () => Entry
): Entry {
	const version = seasonVersion(db, seasonId);
	if (version === undefined) return null;
	const key = JSON.stringify([seasonId, version, Math.floor(now / 60_000), filters]);
	let entries = cache.get(db);
	if (!entries) cache.set(db, (entries = new Map()));
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

/** The chosen season (?season=) or the default one; null when there is none. */
function dashboardSeasonOf(db: Queryable, params: URLSearchParams, now: number): number | null {
	const requested = Number(params.get('season'));
	return Number.isInteger(requested) && requested > 0 ? requested : defaultDashboardSeason(db, now);
}

/**
 * What the page and the CSV export read: the chosen (or default) season with the URL's
 * filters, computed inline (the dev server, scripts and tests without a read thread).
 */
export function loadDashboard(db: Queryable, params: URLSearchParams, clock: Clock) {
	const now = clock();
	const seasonId = dashboardSeasonOf(db, params, now);
	if (seasonId === null) return null;
	const filters = parseFilters(params);
	const data = cachedDashboard(db, seasonId, filters, now, () =>
		dashboardData(db, seasonId, filters, () => now)
	);
	// A computation the read thread has under way: this caller computes its own.
	return data instanceof Promise ? dashboardData(db, seasonId, filters, () => now) : data;
}

/**
 * loadDashboard for a running server: the figures are computed by the read thread when there is
 * one (reads/thread.ts; ~100–140 ms at 200,000 sales that the event loop does not wait on),
 * inline when there is none or it fails.
 */
export async function loadDashboardOffThread(
	db: Queryable,
	params: URLSearchParams,
	clock: Clock
): Promise<DashboardData | null> {
	const thread = getReadThread();
	if (!thread) return loadDashboard(db, params, clock);
	const now = clock();
	const seasonId = dashboardSeasonOf(db, params, now);
	if (seasonId === null) return null;
	const filters = parseFilters(params);
	try {
		return await cachedDashboard(db, seasonId, filters, now, () =>
			thread.dashboard(seasonId, filters, now)
		);
	} catch (error) {
		log.error({ err: error }, 'the dashboard could not be read in the read thread');
		return loadDashboard(db, params, clock);
	}
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
