import { and, eq, lte, or, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Season, SeasonStatus } from '../db/schema';
import { offLoopReader } from '../db/dialect';
import { othersCommitVersion, write, type Store, type StoreDb, type Tables } from '../db/store';
import { readLeaderboardInWrite } from '../boards/leaderboard';
import { graceEndOf } from './queries';
import { launchNeedsSql } from './launch';
import { isStillCurrentInWrite, readFinalBoardOnStore, type FinalBoard } from './final-board';
import { getReadThread } from '../reads/thread';
import type { LeaderboardSnapshot } from '../../realtime/events';
import { seasonBadgesOn } from '../badges/queries';
import { cloneSeasonInWrite } from './clone';
import { carryDivisionsInWrite, recarryDivisionsInWrite } from '../divisions/carry';
import { divisionBoardsOn } from '../divisions/standings';
import { insertRowsInWrite } from '../db/rows-in-write';
import { publishBadge, publishSeason, notifyLeaderboard } from '../realtime/publish';
import type { BadgeEvent } from '../../realtime/events';
import { enqueueWebhooksInWrite } from '../webhooks/delivery';
import { emitDomainEventInWrite } from '../notify/events';
import { systemClock, type Clock } from '../shared/clock';
import { countSchedulerTransitions } from '../shared/metrics';
import { readOrganisation } from '../organisation/settings';
import type { Locale } from '../../i18n/locales';
import { m } from '../../paraglide/messages.js';

const LEASE = 'scheduler';
const LEASE_MS = 60_000;

interface SchedulerOptions {
	clock?: Clock;
	/** Who runs it: one name per process, so that two processes never both run. */
	holder?: string;
	leaseMs?: number;
}

interface Transition {
	seasonId: number;
	to: SeasonStatus;
	/** The next season a recurrence created. */
	nextSeasonId?: number;
}

// This process's side of the lease. The app is bundled more than once (SvelteKit's server,
// server.ts), so it lives on globalThis: every copy runs the scheduler as the same holder, and
// once the process has released the lease for good (shutdown) no copy takes it again.
interface ProcessScheduler {
	/** Host, process and a random part: a restarted container is pid 1 again, yet a new holder. */
	holder: string;
	/** The lease was given up for good: this process is stopping. */
	released: boolean;
	/** The running loop's "look again when the next transition is due", when there is a loop. */
	rearm?: () => void;
}
const STATE = Symbol.for('honorboard.scheduler');
function processScheduler(): ProcessScheduler {
	const holder = globalThis as { [STATE]?: ProcessScheduler };
	holder[STATE] ??= {
		holder: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
		released: false
	};
	return holder[STATE];
}

/**
 * Takes or renews the scheduler lease; false when another live holder has it. The conditional
 * upsert is the claim: only an expired lease, or the holder's own, changes hands, so of two nodes
 * asking at once one gets the row back and the other nothing. Exported for the store test, which
 * asks from several holders at once.
 */
export async function acquireLease(
	store: Store,
	holder: string,
	now: number,
	leaseMs: number
): Promise<boolean> {
	const { schedulerLease } = store.tables;
	const [current] = await store.db
		.select()
		.from(schedulerLease)
		.where(eq(schedulerLease.name, LEASE));
	// Held by another process and not expired: no need to ask for the write lock.
	if (current && current.holder !== holder && current.expiresAt > now) return false;
	const expiresAt = now + leaseMs;
	const taken = await write(store, (tx) =>
		tx
			.insert(schedulerLease)
			.values({ name: LEASE, holder, expiresAt })
			.onConflictDoUpdate({
				target: schedulerLease.name,
				set: { holder, expiresAt },
				setWhere: or(lte(schedulerLease.expiresAt, now), eq(schedulerLease.holder, holder))
			})
			.returning({ holder: schedulerLease.holder })
	);
	return taken.length === 1;
}

/**
 * Gives the lease up (only if this process holds it), so that the next process runs the
 * scheduler at once instead of waiting for the lease to expire; afterwards this process no
 * longer runs the scheduler. Called on shutdown (by the stop function of startScheduler).
 */
export async function releaseLease(
	store: Store,
	holder = processScheduler().holder
): Promise<void> {
	if (holder === processScheduler().holder) processScheduler().released = true;
	const { schedulerLease } = store.tables;
	await write(store, (tx) =>
		tx
			.delete(schedulerLease)
			.where(and(eq(schedulerLease.name, LEASE), eq(schedulerLease.holder, holder)))
	);
}

/** The conditions of a waiting transition, as SQL on the store's tables. */
function waiting(t: Tables) {
	// A season without people or products never opens by itself (launch.ts).
	return { launchable: launchNeedsSql(t), graceEnd: graceEndOf(t.season) };
}

/**
 * When the next transition is due (epoch ms), or null when no season is waiting for one: the
 * earliest start of a scheduled season that may open, end of a live one, end of the grace
 * period of an ended one.
 */
export async function nextTransitionAt(store: Store): Promise<number | null> {
	const { season } = store.tables;
	const { launchable, graceEnd } = waiting(store.tables);
	const [row] = await store.db
		.select({
			start: sql<
				number | null
			>`min(case when ${season.status} = 'scheduled' and ${launchable} then ${season.startsAt} end)`.mapWith(
				Number
			),
			end: sql<
				number | null
			>`min(case when ${season.status} = 'live' then ${season.endsAt} end)`.mapWith(Number),
			archive: sql<
				number | null
			>`min(case when ${season.status} = 'ended' and ${season.finalizedAt} is null then ${graceEnd} end)`.mapWith(
				Number
			)
		})
		.from(season);
	const times = [row?.start, row?.end, row?.archive].filter((t): t is number => t != null);
	return times.length > 0 ? Math.min(...times) : null;
}

/** `transition` inside a store's write: the row, then the move guarded by the old status. */
async function transitionInWrite(
	tx: StoreDb,
	store: Store,
	s: Season,
	from: SeasonStatus,
	to: SeasonStatus,
	now: number,
	by = 'scheduler'
): Promise<boolean> {
	const { season, seasonTransition } = store.tables;
	const logged = await tx
		.insert(seasonTransition)
		.values({ seasonId: s.id, toStatus: to, at: now, by })
		.onConflictDoNothing()
		.returning({ id: seasonTransition.id });
	if (logged.length === 0) return false;
	const moved = await tx
		.update(season)
		.set({ status: to })
		.where(and(eq(season.id, s.id), eq(season.status, from)))
		.returning({ id: season.id });
	if (moved.length !== 1) throw new Error(`season ${s.id} is not ${from}`);
	return true;
}

/** The season_result columns freezeResults writes. */
const RESULT_COLUMNS = [
	'seasonId',
	'subjectType',
	'subjectId',
	'name',
	'teamName',
	'rank',
	'points',
	'provisionalPoints',
	'salesCount',
	'frozenAt'
] as const;

/** A frozen result as awardEndOfSeason needs it. */
interface FrozenResult {
	subjectType: 'user' | 'team';
	subjectId: number;
	name: string;
	rank: number;
	points: number;
	provisionalPoints: number;
}

/**
 * Freezes the board (the current standings, ranks as displayed) as the season's results;
 * returns them, so that the end-of-season badges need not read them back.
 */
async function freezeResultsInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	now: number,
	board: LeaderboardSnapshot
): Promise<FrozenResult[]> {
	const { seasonResult } = store.tables;
	await tx.delete(seasonResult).where(eq(seasonResult.seasonId, seasonId));
	const rows: (typeof seasonResult.$inferInsert)[] = [];
	const results: FrozenResult[] = [];
	for (const [subjectType, entries] of [
		['user', board.individual],
		['team', board.teams]
	] as const)
		for (const e of entries) {
			results.push({
				subjectType,
				subjectId: e.id,
				name: e.name,
				rank: e.rank,
				points: e.points,
				provisionalPoints: e.provisionalPoints
			});
			rows.push({
				seasonId,
				subjectType,
				subjectId: e.id,
				name: e.name,
				teamName: e.teamName ?? null,
				rank: e.rank,
				points: e.points,
				provisionalPoints: e.provisionalPoints,
				salesCount: e.salesCount,
				frozenAt: now
			});
		}
	// Many rows per statement (a season of 1,000 people: db/rows-in-write.ts).
	await insertRowsInWrite(tx, store, seasonResult, RESULT_COLUMNS, rows);
	// In the order the badges read them back from the table before (its key: teams, then people,
	// by id), so that awards, webhooks and events come in the same order as they did.
	return results.sort(
		(a, b) =>
			(a.subjectType === b.subjectType ? 0 : a.subjectType < b.subjectType ? -1 : 1) ||
			a.subjectId - b.subjectId
	);
}

// Badges written once, when the first season ends: data from then on, so worded in the
// organisation's default language.
const END_BADGES = (locale: Locale) => [
	{
		name: m.seasons_end_badge_champion_name({}, { locale }),
		emoji: '👑',
		description: m.seasons_end_badge_champion_description({}, { locale }),
		criterion: { kind: 'season_place', maxRank: 1 } as const
	},
	{
		name: m.seasons_end_badge_podium_name({}, { locale }),
		emoji: '🏅',
		description: m.seasons_end_badge_podium_description({}, { locale }),
		criterion: { kind: 'season_place', maxRank: 3 } as const
	},
	{
		name: m.seasons_end_badge_team_name({}, { locale }),
		emoji: '🏆',
		description: m.seasons_end_badge_team_description({}, { locale }),
		criterion: { kind: 'season_best_team' } as const
	}
];

/**
 * The end-of-season badges from the frozen results, each given once: the starter champion,
 * podium and best-team badges (created the first time a season ends) and every other active
 * badge of the season on a final place — in the season (`season_place`, any rank), as its best
 * team, or in one's own division (`division_place`, #17). Run again when the results become
 * final: whoever a late confirmation lifted gets the badge too; nobody loses one. Inside the
 * end's or the archive's write.
 */
async function awardEndOfSeasonInWrite(
	tx: StoreDb,
	store: Store,
	s: Season,
	now: number,
	results: FrozenResult[]
): Promise<BadgeEvent[]> {
	const { award, badge, quota } = store.tables;
	const badges = await seasonBadgesOn(tx, store, s.id);
	const { defaultLocale } = await readOrganisation(tx, store);
	for (const def of END_BADGES(defaultLocale)) {
		const exists = badges.some(
			(e) => e.seasonId === s.id && sameCriterion(e.criterion, def.criterion)
		);
		if (!exists) {
			const [created] = await tx
				.insert(badge)
				.values({ ...def, seasonId: s.id })
				.returning();
			badges.push(created);
		}
	}
	let divisions: Awaited<ReturnType<typeof divisionBoardsOn>> | undefined;
	const events: BadgeEvent[] = [];
	for (const b of badges) {
		const c = b.criterion;
		if (!b.active) continue;
		let winners: { subjectType: 'user' | 'team'; subjectId: number; name: string }[];
		if (c.kind === 'season_place')
			winners = results.filter(
				(r) => r.subjectType === 'user' && r.rank <= c.maxRank && r.points > 0
			);
		else if (c.kind === 'season_best_team')
			winners = results.filter((r) => r.subjectType === 'team' && r.rank === 1 && r.points > 0);
		else if (c.kind === 'division_place') {
			divisions ??= await divisionBoardsOn(tx, store, s.id);
			winners = (divisions ?? []).flatMap((d) =>
				d.entries
					.filter((e) => e.rank <= c.maxRank && e.counted > 0)
					.map((e) => ({ subjectType: 'user' as const, subjectId: e.id, name: e.name }))
			);
		} else if (c.kind === 'quota_attained') {
			const result = new Map(results.map((r) => [`${r.subjectType}:${r.subjectId}`, r]));
			winners = (await tx.select().from(quota).where(eq(quota.seasonId, s.id))).flatMap((q) => {
				const r = result.get(`${q.subjectType}:${q.subjectId}`);
				if (!r) return [];
				const counted = s.rankBy === 'total' ? r.points + r.provisionalPoints : r.points;
				return counted > 0 && counted * 100 >= q.targetPoints * c.percent ? [r] : [];
			});
		} else continue;
		for (const w of winners) {
			const [row] = await tx
				.insert(award)
				.values({
					badgeId: b.id,
					seasonId: s.id,
					subjectType: w.subjectType,
					subjectId: w.subjectId,
					periodKey: '',
					earnedAt: s.endsAt,
					createdAt: now
				})
				.onConflictDoNothing()
				.returning({ id: award.id });
			if (!row) continue;
			await enqueueWebhooksInWrite(
				tx,
				store,
				'badge.awarded',
				{
					seasonId: s.id,
					subjectType: w.subjectType,
					subjectId: w.subjectId,
					subjectName: w.name,
					badge: {
						id: b.id,
						name: b.name,
						emoji: b.emoji,
						description: b.description,
						points: 0
					},
					provisional: false,
					periodKey: '',
					at: new Date(s.endsAt).toISOString()
				},
				now
			);
			events.push({
				seasonId: s.id,
				subjectType: w.subjectType,
				subjectId: w.subjectId,
				subjectName: w.name,
				userId: w.subjectType === 'user' ? w.subjectId : undefined,
				userName: w.subjectType === 'user' ? w.name : undefined,
				badge: { id: b.id, name: b.name, emoji: b.emoji, description: b.description, points: 0 },
				periodKey: '',
				at: s.endsAt
			});
		}
	}
	return events;
}

/** Two criteria alike, whatever their keys' order (PostgreSQL's jsonb does not keep it). */
function sameCriterion(a: object, b: object): boolean {
	const sorted = (o: object) =>
		JSON.stringify(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1)));
	return sorted(a) === sorted(b);
}

/** What a step changed: its transitions, its badges, and other boards that moved (`boards`). */
type Step = { transitions: Transition[]; badges: BadgeEvent[]; boards?: number[] };

/**
 * Where a step that freezes results takes the board from: `read`, a board read before the step
 * (by the read thread on SQLite, through the store on PostgreSQL: `readFinalBoardOnStore`), if
 * nothing it was read from has changed since; otherwise, when `inline`, its own read in the
 * step's write (`readLeaderboardInWrite`); or nothing: the step does nothing and says STALE.
 */
interface BoardSource {
	read?: FinalBoard;
	inline: boolean;
}
const INLINE: BoardSource = { inline: true };
const STALE = 'stale';

async function boardToFreeze(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	source: BoardSource
): Promise<LeaderboardSnapshot | null> {
	if (source.read?.seasonId === seasonId && (await isStillCurrentInWrite(tx, store, source.read)))
		return source.read.board;
	// Note: the whole board inside the write, on both dialects: on PostgreSQL a serializable
	// write that read it is run again if a sale moved a standing meanwhile (db/store.ts `write`).
	if (!source.inline) return null;
	return readLeaderboardInWrite(tx, store, seasonId);
}

/** The season whose transition is due first at `now`, if any. */
async function dueSeason(db: StoreDb, store: Store, now: number): Promise<Season | undefined> {
	const { season } = store.tables;
	const { launchable, graceEnd } = waiting(store.tables);
	const [due] = await db
		.select()
		.from(season)
		.where(
			sql`(${season.status} = 'scheduled' and ${season.startsAt} <= ${now} and ${launchable})
				or (${season.status} = 'live' and ${season.endsAt} <= ${now})
				or (${season.status} = 'ended' and ${graceEnd} <= ${now})`
		)
		.orderBy(season.endsAt, season.id)
		.limit(1);
	return due;
}

/**
 * The due transition, in one write on both dialects: a start (the transition and
 * `season.started`), an end (the transition, the frozen results, the end-of-season badges, the
 * recurrence's next season with its divisions carried, `season.ended`) or an archive (the results
 * frozen again as final, the transition, the divisions carried again, the badges a late
 * confirmation earned). Announced after the commit by the caller (`announce`).
 */
function stepOnce(store: Store, now: number, source = INLINE): Promise<Step | typeof STALE | null> {
	return write(store, async (tx) => {
		const due = await dueSeason(tx, store, now);
		if (!due) return null;
		if (due.status === 'scheduled') {
			// A season whose whole window passed while the server was down still opens (and
			// then ends at once), so that it exists and its recurrence carries on.
			if (await transitionInWrite(tx, store, due, 'scheduled', 'live', now))
				await emitDomainEventInWrite(
					tx,
					store,
					'season.started',
					{
						season: {
							id: due.id,
							name: due.name,
							startsAt: new Date(due.startsAt).toISOString(),
							endsAt: new Date(due.endsAt).toISOString()
						}
					},
					now
				);
			return { transitions: [{ seasonId: due.id, to: 'live' }], badges: [] };
		}
		// Checked before anything is written: a stale board leaves the step undone.
		const board = await boardToFreeze(tx, store, due.id, source);
		if (!board) return STALE;
		return endOrArchiveInWrite(tx, store, due, now, board);
	});
}

/** A live season's end or an ended one's archive, inside the step's write. */
async function endOrArchiveInWrite(
	tx: StoreDb,
	store: Store,
	due: Season,
	now: number,
	board: LeaderboardSnapshot
): Promise<Step> {
	const { season, seasonResult } = store.tables;
	if (due.status === 'live') {
		await transitionInWrite(tx, store, due, 'live', 'ended', now);
		const results = await freezeResultsInWrite(tx, store, due.id, now, board);
		const badges = await awardEndOfSeasonInWrite(tx, store, due, now, results);
		const next = due.recurrence
			? await cloneSeasonInWrite(tx, store, due, { recurrence: due.recurrence, now })
			: undefined;
		if (next) await carryDivisionsInWrite(tx, store, due, next, now);
		const top = (type: 'user' | 'team') =>
			tx
				.select({
					rank: seasonResult.rank,
					id: seasonResult.subjectId,
					name: seasonResult.name,
					points: seasonResult.points
				})
				.from(seasonResult)
				.where(
					and(
						eq(seasonResult.seasonId, due.id),
						eq(seasonResult.subjectType, type),
						// In SQL, not after: the podium, not 1,000 rows read to keep three.
						lte(seasonResult.rank, 3)
					)
				)
				.orderBy(seasonResult.rank, seasonResult.name);
		const ended = { id: due.id, name: due.name, endsAt: new Date(due.endsAt).toISOString() };
		await enqueueWebhooksInWrite(
			tx,
			store,
			'season.ended',
			{
				season: ended,
				podium: await top('user'),
				teams: await top('team'),
				nextSeasonId: next?.id ?? null
			},
			now
		);
		return { transitions: [{ seasonId: due.id, to: 'ended', nextSeasonId: next?.id }], badges };
	}
	// Grace period over: late confirmations are in, the results become final.
	const results = await freezeResultsInWrite(tx, store, due.id, now, board);
	await transitionInWrite(tx, store, due, 'ended', 'archived', now);
	await tx.update(season).set({ finalizedAt: now }).where(eq(season.id, due.id));
	// Promotions and relegations into the rerun follow the final results too.
	const rerun = await recarryDivisionsInWrite(tx, store, due, now);
	// Whoever a late confirmation lifted onto the podium gets the badge too; nobody loses one.
	return {
		transitions: [{ seasonId: due.id, to: 'archived' }],
		badges: await awardEndOfSeasonInWrite(tx, store, due, now, results),
		boards: rerun === null ? [] : [rerun]
	};
}

/**
 * Runs every transition that is due at the clock's time, oldest first, each in its own
 * transaction: scheduled → live at the start (once it has people and products: until then it
 * waits, "ready to launch"), live → ended at the end (results frozen,
 * end-of-season badges, the next season of a recurrence), ended → archived after the grace
 * period (results final). Safe to call from several processes and after any downtime. On
 * PostgreSQL the board an end freezes is read before its write, through the store
 * (`runSchedulerOffThread` with `boardsThroughStore`).
 */
export async function runScheduler(
	store: Store,
	options: SchedulerOptions = {}
): Promise<Transition[]> {
	// Where the store reads off the loop without a thread (PostgreSQL's pool): the board first.
	const pool = offLoopReader(store, undefined, boardsThroughStore(store));
	if (pool) return runSchedulerOffThread(store, pool, options);
	const clock = options.clock ?? systemClock;
	const state = processScheduler();
	const holder = options.holder ?? state.holder;
	if (holder === state.holder && state.released) return [];
	if (!(await acquireLease(store, holder, clock(), options.leaseMs ?? LEASE_MS))) return [];
	const done: Transition[] = [];
	for (let i = 0; i < 1000; i++) {
		const step = await stepOnce(store, clock());
		if (!step || step === STALE) break;
		announce(step, done);
	}
	// A season was created, published or moved: the running loop looks again at the next time.
	if (holder === state.holder) state.rearm?.();
	return done;
}

/** Counts and publishes what a step changed; adds its transitions to `done`. */
function announce(step: Step, done: Transition[]): void {
	done.push(...step.transitions);
	countSchedulerTransitions(step.transitions);
	for (const t of step.transitions) {
		publishSeason({ seasonId: t.seasonId, status: t.to, nextSeasonId: t.nextSeasonId });
		notifyLeaderboard(t.seasonId);
	}
	for (const event of step.badges) publishBadge(event);
	for (const seasonId of step.boards ?? []) notifyLeaderboard(seasonId);
}

/** Reads a season's whole board off the event loop (the read thread's finalBoard). */
export interface BoardReader {
	finalBoard(seasonId: number): Promise<FinalBoard | null>;
}

/** The board an end freezes, read through the store before the write (PostgreSQL). */
function boardsThroughStore(store: Store): BoardReader {
	return { finalBoard: (seasonId) => readFinalBoardOnStore(store, seasonId) };
}

/**
 * How many times an end reads its board again when something it read changed before the write
 * (a sale, a team move): then it reads the board in its own write.
 */
const BOARD_READS = 3;

/**
 * runScheduler with the board that an end freezes read by `reader` before the step's write
 * (the read thread on SQLite, off the event loop; the store on PostgreSQL): the write only checks
 * that nothing the board was read from has changed since (final-board.ts) and writes. Something
 * changed: the board is read again, at most BOARD_READS times, then in the write as
 * runScheduler does on SQLite. The step stays one write: a season is ended with its results or not, and a crash before the write leaves
 * it live, to be ended by the next run.
 */
export async function runSchedulerOffThread(
	store: Store,
	reader: BoardReader,
	options: SchedulerOptions = {}
): Promise<Transition[]> {
	const clock = options.clock ?? systemClock;
	const state = processScheduler();
	const holder = options.holder ?? state.holder;
	const released = () => holder === state.holder && state.released;
	if (released()) return [];
	if (!(await acquireLease(store, holder, clock(), options.leaseMs ?? LEASE_MS))) return [];
	const done: Transition[] = [];
	for (let i = 0; i < 1000; i++) {
		const due = await dueSeason(store.db, store, clock());
		if (!due) break;
		let step: Step | typeof STALE | null = STALE;
		for (let reads = 0; step === STALE && reads < BOARD_READS; reads++) {
			const read =
				due.status === 'scheduled' ? null : await reader.finalBoard(due.id).catch(() => null);
			// Stopping while the thread read: the next process ends the season.
			if (released()) return done;
			step = await stepOnce(store, clock(), {
				read: read ?? undefined,
				inline: read === null || reads + 1 >= BOARD_READS
			});
		}
		if (!step || step === STALE) break;
		announce(step, done);
	}
	if (holder === state.holder) state.rearm?.();
	return done;
}

/** setTimeout's longest wait (about 24.8 days); a later time is reached in several waits. */
const MAX_TIMEOUT = 2 ** 31 - 1;

/**
 * How often the loop asks whether another process wrote. A season published, created or given
 * its people on another server cannot wake this loop (wakeScheduler is per process), and it
 * would wait for its safety tick (30 s): this bounds the wait to about a second, for one
 * data_version read a second on SQLite and one nextTransitionAt query a second on PostgreSQL
 * (where another node's commit leaves no cheaper sign).
 */
const WATCH_MS = 1_000;

export interface RunningScheduler {
	/** Looks again when the next transition is due (after a season's dates changed). */
	wake: () => void;
	/** Stops the timers and releases the lease, so that the next process takes over at once. */
	stop: () => Promise<void>;
}

/**
 * The server's scheduler loop: runs at once (at boot), then again at the next transition time
 * (a season's start or end, the end of a grace period) and every `intervalMs` as a safety net
 * (a season that gets its people later, a clock change). While another process holds the lease
 * it asks again every `retryMs`, so that it takes over within seconds once that process has
 * released it. It also looks again within about a second of another process's write (see
 * WATCH_MS). `onTransition` hears of each transition it made.
 */
export function startScheduler(
	store: Store,
	options: {
		clock?: Clock;
		intervalMs?: number;
		retryMs?: number;
		/** How often to look for another process's writes (WATCH_MS). */
		watchMs?: number;
		onTransition?: (t: Transition) => void;
		onError?: (error: unknown) => void;
		/** Where ends read their board off the event loop (SQLite); none: in their transaction. */
		reader?: () => BoardReader | undefined;
	} = {}
): RunningScheduler {
	const clock = options.clock ?? systemClock;
	const state = processScheduler();
	const interval = options.intervalMs ?? 30_000;
	const retry = options.retryMs ?? 2_000;
	const { schedulerLease } = store.tables;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let stopped = false;
	// What asks the database now (a run, the watch's look, the wait's read): stop waits for it,
	// so that none of it meets the database closed after stop (the server closes it then).
	const pending = new Set<Promise<unknown>>();
	const track = <T>(work: Promise<T>): Promise<T> => {
		pending.add(work);
		work.then(
			() => pending.delete(work),
			() => pending.delete(work)
		);
		return work;
	};

	const arm = (delay: number) => {
		clearTimeout(timer);
		if (stopped) return;
		timer = setTimeout(run, Math.min(Math.max(0, delay), MAX_TIMEOUT));
		timer.unref();
	};
	/** The wait until the next run: the next transition, at most the safety interval. */
	const nextDelay = async () => {
		const [lease] = await store.db
			.select()
			.from(schedulerLease)
			.where(eq(schedulerLease.name, LEASE));
		const now = clock();
		if (lease && lease.holder !== state.holder && lease.expiresAt > now)
			return Math.min(retry, lease.expiresAt - now);
		const next = await nextTransitionAt(store);
		if (next === null) return interval;
		// Still due after a run: it failed (onError heard why); try again a little later.
		if (next <= now) return retry;
		// A few ms late, so that `<= now` holds when the timer fires.
		return Math.min(interval, next - now + 5);
	};
	const rearm = () => {
		if (stopped) return;
		track(nextDelay()).then(arm, (error) => {
			options.onError?.(error);
			arm(interval);
		});
	};
	// The read thread reads SQLite's file; on PostgreSQL an end's board is read through the store
	// before its write.
	const throughStore = boardsThroughStore(store);
	const reader = () => offLoopReader(store, (options.reader ?? getReadThread)(), throughStore);
	// A run that waits (for the read thread, for the database) is still running when a timer or
	// the watch asks for another: that one runs once after it, so that two runs never interleave.
	let running = false;
	let again = false;
	function run() {
		if (stopped) return;
		if (running) {
			again = true;
			return;
		}
		running = true;
		const thread = reader();
		track(thread ? runSchedulerOffThread(store, thread, { clock }) : runScheduler(store, { clock }))
			.then((done) => {
				for (const t of done) options.onTransition?.(t);
			})
			.catch((error) => options.onError?.(error))
			.finally(() => {
				running = false;
				if (again) {
					again = false;
					run();
				} else rearm();
			});
	}
	// Another process committed: a transition may be due now (run it), or later than the timer
	// says (arm again). This process's own writes (on this connection) do not move data_version.
	let seen = othersCommitVersion(store);
	let looking = false;
	const watch = setInterval(() => {
		if (stopped || looking) return;
		const version = othersCommitVersion(store);
		if (version !== null && version === seen) return;
		seen = version;
		looking = true;
		track(nextTransitionAt(store))
			.then((next) => {
				if (next !== null && next <= clock()) run();
				else if (version !== null) rearm();
			})
			.catch((error) => options.onError?.(error))
			.finally(() => (looking = false));
	}, options.watchMs ?? WATCH_MS);
	watch.unref();
	state.released = false;
	state.rearm = rearm;
	run();
	return {
		wake: rearm,
		stop: async () => {
			if (stopped) return;
			stopped = true;
			clearTimeout(timer);
			clearInterval(watch);
			if (state.rearm === rearm) state.rearm = undefined;
			await Promise.allSettled(pending);
			try {
				await releaseLease(store, state.holder);
			} catch (error) {
				options.onError?.(error);
			}
		}
	};
}

/** Asks the running loop (if any in this process) to look again at the next transition time. */
export function wakeScheduler(): void {
	processScheduler().rearm?.();
}
