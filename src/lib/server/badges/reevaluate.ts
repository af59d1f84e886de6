import { and, eq, isNull, ne, or } from 'drizzle-orm';
import { performance } from 'node:perf_hooks';
import type { Db, Queryable } from '../db';
import { unportedSqlite, write, type Store, type StoreDb } from '../db/store';
import { season, type Award, type Badge } from '../db/schema';
import {
	evaluate,
	isCounted,
	type BadgeAward,
	type BadgeSubject,
	type CountedCriterion,
	type SaleFact
} from '../../contest/badges';
import {
	applyNewSales,
	applyPlan,
	contextOf,
	decideWeek,
	END_OF_SEASON,
	inReach,
	merge,
	publishAwardChanges,
	seasonBadges,
	TEAM_ONLY,
	WEEKLY,
	withdrawAward,
	type AwardChanges,
	type Candidate,
	type Found
} from './awards';
import {
	catchUpFacts,
	endedPeriods,
	endedPeriodsReads,
	isPending,
	lastTeamOf,
	lastTeamReads,
	ownFactsReads,
	pendingReads,
	seasonSubjects,
	seasonSubjectsReads,
	talliesReads
} from './facts';
import { recordAwards, recordAwardsReads, teamTargetReads } from './probes';
import { applyPlanInWrite, withdrawAwardInWrite, type PlanInWrite } from './apply-in-write';
import { decideAwardsInWrite, decideWeekInWrite } from './decide-in-write';
import { seasonBadgesOn } from './queries';
import { either, rows, runInWrite, runSync, type Steps } from './steps';
import type { ActivityItem } from '../../realtime/events';
import {
	awardCountedToDoersInWrite,
	countedEarned,
	memberTeam,
	memberTeamInWrite,
	withCountedDoers
} from './counted';
import { systemClock, type Clock } from '../shared/clock';
import { log } from '../shared/log';
import { SeasonRuns, type SeasonRequest } from '../shared/season-runs';
import { seasonLock } from '../shared/season-lock';
import { yieldToLoop } from '../shared/yield-to-loop';

// Re-evaluating a whole season (a new or changed badge, new holidays, and after a rejection or a
// reversal) without holding the server: the work is cut into steps, one per person, team or
// ended week, and each step is exact on its own. A person's awards depend only on their own
// sales (records: the season's biggest sales down to the person's first, probes.ts), a team's
// on its own (summed by SQLite), a week's on the week totals; so a step reads the current state and decides that
// subject in one short transaction, and a sale recorded between two steps is decided by the
// sale's own step (scoring/sales.ts) whichever side of it its subject falls. Steps run in
// slices of about SLICE_MS and yield to the event loop in between.
//
// Why slices on the main thread and not a worker: the work is mostly SQLite reads and writes
// on the one connection that holds the write lock; a worker would need its own connection and
// then hand the decisions back to be written on the main thread, re-checked against what
// changed meanwhile. Exact steps make the re-check unnecessary.

/** How long a slice may hold the event loop: well under the 50 ms target on a loaded machine. */
const SLICE_MS = 8;
/** Ledger entries the facts take in per slice before the steps go on (as the periodic job). */
const ENTRIES_PER_SLICE = 50;

export interface Reevaluation {
	/** The badges to decide; all the season's active ones when left out. */
	badgeIds?: number[];
	/** A reconciliation: awards earned since then that no longer hold are withdrawn. */
	since?: number;
	/** Weekly badges too (decided per ended week from the week totals). */
	weekly?: boolean;
	clock?: Clock;
}

interface Request extends SeasonRequest<AwardChanges> {
	badgeIds: Set<number> | 'all';
	since?: number;
	weekly: boolean;
	clock: Clock;
}

type Step =
	{ kind: 'user' | 'team'; id: number } | { kind: 'week'; periodKey: string; endsAt: number };

let sliceObserver: ((wallMs: number) => void) | undefined;

/** Hears the wall time of every slice (bench:badges). */
export function observeReevaluationSlices(observer: ((wallMs: number) => void) | undefined) {
	sliceObserver = observer;
}

/** What deciding one subject afresh found: awards to withdraw, and a plan of the missing ones. */
interface SubjectDecision {
	stale: { a: Award; b: Badge }[];
	found: Found;
}

/**
 * One person or team decided afresh: what the subject earns now under `badges` is given if
 * missing; with `since`, what it holds, was earned since then and is no longer earned (or by
 * another sale) is withdrawn. Steps (steps.ts): run on SQLite's connection by decideSubject,
 * in a store's write by decideSubjectInWrite.
 */
function* decidingSubject(
	s: typeof season.$inferSelect,
	badges: Badge[],
	subject: BadgeSubject,
	now: number,
	since: number | undefined
): Steps<SubjectDecision> {
	const ctx = contextOf(s, now);
	const mine = badges.filter((b) => TEAM_ONLY.has(b.criterion.kind) === (subject.kind === 'team'));
	const stored = new Map<string, Award>();
	const held = yield* rows((db, { award }) =>
		db
			.select()
			.from(award)
			.where(
				and(
					eq(award.seasonId, s.id),
					eq(award.subjectType, subject.kind),
					eq(award.subjectId, subject.id),
					ne(award.status, 'void')
				)
			)
	);
	for (const a of held) stored.set(`${a.badgeId}|${a.periodKey}`, a);
	// Awarded before `since` (or at all, outside a reconciliation): decided by earlier sales that
	// still count, so it holds and the subject's sales need not be read for it.
	const settled = (b: Badge) => {
		const a = stored.get(`${b.id}|`);
		return a !== undefined && (since === undefined || a.earnedAt < since);
	};
	let own: SaleFact[] | undefined;
	const tallies = yield* talliesReads(s.id, subject.kind, subject.id);
	const wanted = new Map<string, Candidate>();
	for (const b of mine) {
		const c = b.criterion;
		let earned: BadgeAward[];
		if (c.kind === 'record_sale') earned = yield* recordsOf(s.id, subject.id, ctx.timeZone, now);
		else if (settled(b)) continue;
		else if (isCounted(c)) earned = yield* countedOf(s.id, subject.id, c);
		else if (!inReach(c, tallies)) earned = [];
		else if (c.kind === 'team_target')
			earned = yield* teamTargetReads(s.id, subject.id, c.target, c.metric ?? 'points', now);
		else {
			own ??= (yield* ownFactsReads(s.id, subject.id))
				.filter((f) => f.occurredAt <= now)
				.sort((a, b) => a.occurredAt - b.occurredAt || a.saleId - b.saleId);
			earned = evaluate(c, subject, own, ctx);
		}
		for (const e of earned) wanted.set(`${b.id}|${e.periodKey}`, { b, subject, ...e });
	}
	const stale: SubjectDecision['stale'] = [];
	if (since !== undefined) {
		const ids = new Map(mine.map((b) => [b.id, b]));
		for (const [key, a] of stored) {
			const b = ids.get(a.badgeId);
			if (!b || a.earnedAt < since) continue;
			const want = wanted.get(key);
			if (want && (a.saleId == null || want.saleId == null || want.saleId === a.saleId)) continue;
			stale.push({ a, b });
			stored.delete(key);
		}
	}
	return {
		stale,
		found: {
			seasonId: s.id,
			badgeIds: new Set(mine.map((b) => b.id)),
			candidates: [...wanted].filter(([key]) => !stored.has(key)).map(([, c]) => c)
		}
	};
}

/** The record badge's awards: SQLite reads the biggest sales lazily, a store's write by pages. */
function recordsOf(seasonId: number, userId: number, timeZone: string, now: number) {
	return either(
		(db) => recordAwards(db, seasonId, userId, timeZone, now),
		(tx, store) => runInWrite(tx, store, recordAwardsReads(seasonId, userId, timeZone, now))
	);
}

/** A counted badge's awards; in a store's write they are awardCountedToDoersInWrite's. */
function countedOf(seasonId: number, userId: number, c: CountedCriterion) {
	return either(
		(db) => countedEarned(db, seasonId, userId, c),
		() => Promise.reject(new Error('counted badges on the store: awardCountedToDoersInWrite'))
	);
}

/** decidingSubject inside the caller's SQLite transaction. */
function decideSubject(
	tx: Queryable,
	s: typeof season.$inferSelect,
	badges: Badge[],
	subject: BadgeSubject,
	now: number,
	since: number | undefined
): AwardChanges {
	const { stale, found } = runSync(tx, decidingSubject(s, badges, subject, now, since));
	const withdrawn: ActivityItem[] = [];
	for (const { a, b } of stale) {
		const item = withdrawAward(tx, a, b, now);
		if (item) withdrawn.push(item);
	}
	const plan = {
		...found,
		isPending: (id: number) => isPending(tx, id),
		// A person who only passed quizzes or logged activities has no sale: their badge points
		// go to their team.
		teamOf: (userId: number) => lastTeamOf(tx, s.id, userId) ?? memberTeam(tx, s.id, userId)
	};
	return applyPlan(tx, plan, now, withdrawn);
}

/** decidingSubject inside a store's write, on either dialect. */
async function decideSubjectInWrite(
	tx: StoreDb,
	store: Store,
	s: typeof season.$inferSelect,
	badges: Badge[],
	subject: BadgeSubject,
	now: number,
	since: number | undefined
): Promise<AwardChanges> {
	const { stale, found } = await runInWrite(
		tx,
		store,
		decidingSubject(s, badges, subject, now, since)
	);
	const withdrawn: AwardChanges = { awarded: [], withdrawn: [] };
	for (const { a, b } of stale) merge(withdrawn, await withdrawAwardInWrite(tx, store, a, b, now));
	const plan: PlanInWrite = {
		...found,
		isPending: (id) => runInWrite(tx, store, pendingReads(id)),
		teamOf: async (userId) =>
			(await runInWrite(tx, store, lastTeamReads(s.id, userId))) ??
			memberTeamInWrite(tx, store, s.id, userId)
	};
	return applyPlanInWrite(tx, store, plan, now, withdrawn);
}

const c = (b: Badge) => b.criterion.kind;

/** The badges a request decides, as the season has them now. */
function requestedBadges(tx: Queryable, seasonId: number, request: Request): Badge[] {
	return seasonBadges(tx, seasonId).filter(
		(b) =>
			b.active &&
			!END_OF_SEASON.has(c(b)) &&
			(request.badgeIds === 'all' || request.badgeIds.has(b.id))
	);
}

/** Runs one request over the season, slice by slice. */
async function run(db: Db, seasonId: number, request: Request): Promise<AwardChanges> {
	const total: AwardChanges = { awarded: [], withdrawn: [] };
	let steps: Step[] | undefined;
	let next = 0;
	for (;;) {
		if (!db.$client.open) break;
		const started = performance.now();
		const now = request.clock();
		const { changes, finished } = db.transaction(
			(tx) => {
				// The facts first: a step trusts the running totals, so they must be up to date.
				const caught = catchUpFacts(tx, ENTRIES_PER_SLICE);
				const changes = applyNewSales(tx, caught.added, now);
				if (!caught.done) return { changes, finished: false };
				const s = tx.select().from(season).where(eq(season.id, seasonId)).get();
				if (!s) return { changes, finished: true };
				const badges = requestedBadges(tx, seasonId, request);
				if (!steps) {
					// People who passed, won or logged but never sold are in no fact: add them.
					const counted = badges.flatMap((b) => (isCounted(b.criterion) ? [b.criterion.kind] : []));
					steps = withCountedDoers(seasonSubjects(tx, seasonId), tx, seasonId, counted);
					if (request.weekly && badges.some((b) => WEEKLY.has(c(b))))
						for (const p of endedPeriods(tx, seasonId, now))
							steps.push({ kind: 'week', periodKey: p.periodKey, endsAt: p.endsAt });
				}
				const perSubject = badges.filter((b) => !WEEKLY.has(c(b)));
				const weekly = badges.filter((b) => WEEKLY.has(c(b)));
				const mine = changes.get(seasonId) ?? { awarded: [], withdrawn: [] };
				while (next < steps.length) {
					const step = steps[next++];
					merge(
						mine,
						step.kind === 'week'
							? decideWeek(tx, s, weekly, step, now, request.since)
							: decideSubject(tx, s, perSubject, step, now, request.since)
					);
					if (performance.now() - started >= SLICE_MS) break;
				}
				changes.set(seasonId, mine);
				return { changes, finished: next >= steps.length };
			},
			{ behavior: 'immediate' }
		);
		sliceObserver?.(performance.now() - started);
		for (const [id, c] of changes) {
			publishAwardChanges(id, c);
			if (id === seasonId) merge(total, c);
		}
		if (finished) break;
		await yieldToLoop();
	}
	return total;
}

function mergeInto(into: Request, more: Request) {
	into.badgeIds =
		into.badgeIds === 'all' || more.badgeIds === 'all'
			? 'all'
			: new Set([...into.badgeIds, ...more.badgeIds]);
	if (more.since !== undefined) into.since = Math.min(into.since ?? Infinity, more.since);
	into.weekly ||= more.weekly;
	into.waiters.push(...more.waiters);
}

/** One re-evaluation at a time per season; requests made meanwhile run once after it, merged. */
const runs = new SeasonRuns<AwardChanges, Request>(run, mergeInto);

/**
 * Decides a season's badges for everyone, in slices that yield (see above); resolves with what
 * changed once done. Requests made while one runs for the same season are merged and run once
 * after it. A new or changed badge: `badgeIds`; new holidays: all badges; after a rejection or
 * a reversal: `since` (scoring/review.ts, through reevaluateOnStore).
 */
export function reevaluateSeason(
	db: Db,
	seasonId: number,
	options: Reevaluation = {}
): Promise<AwardChanges> {
	return new Promise<AwardChanges>((resolve, reject) => {
		const request: Request = {
			badgeIds: options.badgeIds ? new Set(options.badgeIds) : 'all',
			since: options.since,
			weekly: options.weekly ?? false,
			clock: options.clock ?? systemClock,
			waiters: [{ resolve, reject }]
		};
		runs.ask(db, seasonId, request);
	});
}

/**
 * `reevaluateSeason` after a command ported to the store (db/store.ts) committed. On SQLite the
 * slices above run on its connection (`unportedSqlite`). On PostgreSQL in slices too, each one
 * write (reevaluateSliceInWrite): the facts take in the ledger, then the requested badges a sale
 * decides are decided for every person and team the facts know or that hold an award
 * (decidingSubject) and, with `weekly`, for every ended week (decidingWeek, awards.ts); then the
 * requested counted badges go to everyone who earns them, in a write of their own
 * (reevaluateCountedInWrite). Each step is exact on its own (see above), so a sale committed
 * between two slices is decided by its own write whichever side of the cursor its subject is.
 */
export async function reevaluateOnStore(
	store: Store,
	seasonId: number,
	options: Reevaluation = {}
): Promise<AwardChanges> {
	const db = unportedSqlite(store);
	if (db) return reevaluateSeason(db, seasonId, options);
	const clock = options.clock ?? systemClock;
	const total: AwardChanges = { awarded: [], withdrawn: [] };
	const publish = (changes: Map<number, AwardChanges>) => {
		for (const [id, c] of changes) {
			publishAwardChanges(id, c);
			if (id === seasonId) merge(total, c);
		}
	};
	// One run per season across the nodes: two runs' slices both move the badge facts' cursor
	// (the awards' ledger entries), and the one that commits less often ran out of retries.
	const lock = await seasonLock(store, REEVALUATE_LOCK, seasonId);
	try {
		await reevaluateInSlices(store, seasonId, options, clock, publish);
	} finally {
		await lock.release();
	}
	const now = clock();
	const counted = await write(store, (tx) =>
		reevaluateCountedInWrite(tx, store, seasonId, options, now)
	);
	publish(new Map([[seasonId, counted]]));
	return total;
}

/** The advisory lock's first key: the re-evaluations' ("BRev"); the second is the season. */
const REEVALUATE_LOCK = 0x42526576;

/** The slices of a re-evaluation on the store, each one write, published as they commit. */
async function reevaluateInSlices(
	store: Store,
	seasonId: number,
	options: Reevaluation,
	clock: Clock,
	publish: (changes: Map<number, AwardChanges>) => void
): Promise<void> {
	let cursor: Cursor = { next: 0 };
	for (;;) {
		const started = performance.now();
		const now = clock();
		// The cursor moves once the slice has committed: a write run again starts it again.
		const slice = await write(store, (tx) =>
			reevaluateSliceInWrite(tx, store, seasonId, options, now, cursor)
		);
		sliceObserver?.(performance.now() - started);
		publish(slice.changes);
		cursor = slice.cursor;
		if (slice.finished) return;
		await yieldToLoop();
	}
}

/** Where a re-evaluation on the store is: its steps, listed by the first slice to reach them. */
interface Cursor {
	steps?: Step[];
	next: number;
}

/**
 * One slice of a re-evaluation in a store's write: the facts take in at most ENTRIES_PER_SLICE
 * ledger entries first (a step trusts the running totals); once they are up to date, the steps
 * from the cursor on until the slice has taken SLICE_MS.
 */
async function reevaluateSliceInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	options: Reevaluation,
	now: number,
	cursor: Cursor
): Promise<{ changes: Map<number, AwardChanges>; cursor: Cursor; finished: boolean }> {
	const started = performance.now();
	const caught = await decideAwardsInWrite(tx, store, now, ENTRIES_PER_SLICE);
	const { changes } = caught;
	if (caught.backlog) return { changes, cursor, finished: false };
	const { season: seasons } = store.tables;
	const [s] = await tx.select().from(seasons).where(eq(seasons.id, seasonId));
	if (!s) return { changes, cursor, finished: true };
	const requested = (await seasonBadgesOn(tx, store, seasonId)).filter(
		(b) =>
			b.active &&
			!END_OF_SEASON.has(c(b)) &&
			!isCounted(b.criterion) &&
			(!options.badgeIds || options.badgeIds.includes(b.id))
	);
	const badges = requested.filter((b) => !WEEKLY.has(c(b)));
	const weekly = options.weekly ? requested.filter((b) => WEEKLY.has(c(b))) : [];
	const steps: Step[] = cursor.steps ?? [
		...(badges.length > 0 ? await runInWrite(tx, store, seasonSubjectsReads(seasonId)) : []),
		...(weekly.length > 0
			? (await runInWrite(tx, store, endedPeriodsReads(seasonId, now))).map((p) => ({
					kind: 'week' as const,
					periodKey: p.periodKey,
					endsAt: p.endsAt
				}))
			: [])
	];
	const mine = changes.get(seasonId) ?? { awarded: [], withdrawn: [] };
	let next = cursor.next;
	while (next < steps.length) {
		const step = steps[next++];
		merge(
			mine,
			step.kind === 'week'
				? await decideWeekInWrite(tx, store, s, weekly, step, now, options.since)
				: await decideSubjectInWrite(tx, store, s, badges, step, now, options.since)
		);
		if (performance.now() - started >= SLICE_MS) break;
	}
	changes.set(seasonId, mine);
	return { changes, cursor: { steps, next }, finished: next >= steps.length };
}

/** The requested badges of the season that are counted, given to everyone who earns them. */
async function reevaluateCountedInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	options: Reevaluation,
	now: number
): Promise<AwardChanges> {
	const { badge } = store.tables;
	const requested = options.badgeIds ? new Set(options.badgeIds) : undefined;
	const kinds = (
		await tx
			.select({ id: badge.id, criterion: badge.criterion })
			.from(badge)
			.where(and(eq(badge.active, true), or(eq(badge.seasonId, seasonId), isNull(badge.seasonId))))
	).flatMap((b) =>
		isCounted(b.criterion) && (!requested || requested.has(b.id)) ? [b.criterion.kind] : []
	);
	return awardCountedToDoersInWrite(tx, store, seasonId, kinds, now);
}

/** `reevaluateOnStore` in the background: a failure is logged, unless the connection closed. */
export function reevaluateOnStoreInBackground(
	store: Store,
	seasonId: number,
	options: Reevaluation = {}
): void {
	reevaluateOnStore(store, seasonId, options).catch((error) => {
		const db = unportedSqlite(store);
		if (!db || db.$client.open) log.error({ err: error, seasonId }, 'badge re-evaluation failed');
	});
}

/** Resolves once no re-evaluation is running or waiting on this database (tests, benches). */
export function reevaluationsSettled(db: Db): Promise<void> {
	return runs.settled(db);
}
