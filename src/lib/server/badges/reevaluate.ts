import { and, eq, ne } from 'drizzle-orm';
import { performance } from 'node:perf_hooks';
import { cacheKeyOf, storeClosed } from '../db/dialect';
import { write, type Store, type StoreDb } from '../db/store';
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
	contextOf,
	END_OF_SEASON,
	inReach,
	merge,
	publishAwardChanges,
	TEAM_ONLY,
	WEEKLY,
	type AwardChanges,
	type Candidate,
	type Found
} from './awards';
import {
	endedPeriodsReads,
	lastTeamReads,
	ownFactsReads,
	pendingReads,
	seasonSubjectsReads,
	talliesReads
} from './facts';
import { recordAwards, recordAwardsReads, teamTargetReads } from './probes';
import { applyPlanInWrite, withdrawAwardInWrite, type PlanInWrite } from './apply-in-write';
import { decideAwardsInWrite, decideWeekInWrite } from './decide-in-write';
import { seasonBadgesOn } from './queries';
import { either, rows, runInWrite, type Steps } from './steps';
import {
	countedDoersInWrite,
	countedEarned,
	countedEarnedInWrite,
	memberTeamInWrite
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
// on its own, a week's on the week totals; so a step reads the current state and decides that
// subject in one short write, and a sale recorded between two steps is decided by the sale's own
// step (scoring/sales.ts) whichever side of it its subject falls. Steps run in slices of about
// SLICE_MS, one write each, and yield to the event loop in between. One body for both dialects
// (#20 step 2): on SQLite the writes' queries run synchronously on its connection (steps.ts).
//
// Why slices on the main thread and not a worker: the work is mostly reads and writes inside the
// write that holds SQLite's write lock (or PostgreSQL's badge cursor row); a worker would need
// its own connection and then hand the decisions back to be written on the main thread,
// re-checked against what changed meanwhile. Exact steps make the re-check unnecessary.

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
 * another sale) is withdrawn. Steps (steps.ts), run in a store's write by decideSubjectInWrite.
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

/** The record badge's awards: read lazily on SQLite's connection, by pages on PostgreSQL. */
function recordsOf(seasonId: number, userId: number, timeZone: string, now: number) {
	return either(
		(db) => recordAwards(db, seasonId, userId, timeZone, now),
		(tx, store) => runInWrite(tx, store, recordAwardsReads(seasonId, userId, timeZone, now))
	);
}

/** A counted badge's awards: SQLite's statements run synchronously, a store's write awaits them. */
function countedOf(seasonId: number, userId: number, c: CountedCriterion) {
	return either(
		(db) => countedEarned(db, seasonId, userId, c),
		(tx, store) => countedEarnedInWrite(tx, store, seasonId, userId, c)
	);
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

interface Request extends SeasonRequest<AwardChanges> {
	/** The store it runs on; a request merged into another runs on that one's (same database). */
	store: Store;
	badgeIds: Set<number> | 'all';
	since?: number;
	weekly: boolean;
	clock: Clock;
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

/**
 * One re-evaluation at a time per season and database (its key: SQLite's connection, every
 * store on it being one database; PostgreSQL's pool); requests made meanwhile run once after
 * it, merged. Across PostgreSQL's nodes, the advisory lock below.
 */
const runs = new SeasonRuns<AwardChanges, Request, object>(
	(_database, seasonId, request) => runInSlices(seasonId, request),
	mergeInto
);

/**
 * Decides a season's badges for everyone, in slices that yield (see above), on either dialect;
 * resolves with what changed once done. Requests made while one runs for the same season are
 * merged and run once after it. A new or changed badge: `badgeIds`; new holidays: all badges;
 * after a rejection or a reversal: `since` (scoring/review.ts).
 *
 * Each slice is one write (reevaluateSliceInWrite): the facts take in the ledger, then the
 * requested badges are decided for every person and team the facts know, everyone who did what
 * a counted badge counts (a quiz passed, an activity logged) and, with `weekly`, every ended
 * week (decidingWeek, awards.ts). Each step is exact on its own (see above), so a sale committed
 * between two slices is decided by its own write whichever side of the cursor its subject is.
 */
export function reevaluateOnStore(
	store: Store,
	seasonId: number,
	options: Reevaluation = {}
): Promise<AwardChanges> {
	return new Promise<AwardChanges>((resolve, reject) => {
		const request: Request = {
			store,
			badgeIds: options.badgeIds ? new Set(options.badgeIds) : 'all',
			since: options.since,
			weekly: options.weekly ?? false,
			clock: options.clock ?? systemClock,
			waiters: [{ resolve, reject }]
		};
		runs.ask(cacheKeyOf(store), seasonId, request);
	});
}

/** The advisory lock's first key: the re-evaluations' ("BRev"); the second is the season. */
const REEVALUATE_LOCK = 0x42526576;

/** Runs one request over the season, one write per slice, each published once it commits. */
async function runInSlices(seasonId: number, request: Request): Promise<AwardChanges> {
	const { store } = request;
	const total: AwardChanges = { awarded: [], withdrawn: [] };
	// One run per season across the nodes: two runs' slices both move the badge facts' cursor
	// (the awards' ledger entries), and the one that commits less often ran out of retries.
	const lock = await seasonLock(store, REEVALUATE_LOCK, seasonId);
	try {
		let cursor: Cursor = { next: 0 };
		for (;;) {
			const started = performance.now();
			const now = request.clock();
			// The cursor moves once the slice has committed: a write run again starts it again.
			const slice = await write(store, (tx) =>
				reevaluateSliceInWrite(tx, store, seasonId, request, now, cursor)
			);
			sliceObserver?.(performance.now() - started);
			for (const [id, changes] of slice.changes) {
				publishAwardChanges(id, changes);
				if (id === seasonId) merge(total, changes);
			}
			cursor = slice.cursor;
			if (slice.finished) return total;
			await yieldToLoop();
		}
	} finally {
		await lock.release();
	}
}

/** Where a re-evaluation is: its steps, listed by the first slice to reach them. */
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
	request: Request,
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
			(request.badgeIds === 'all' || request.badgeIds.has(b.id))
	);
	const badges = requested.filter((b) => !WEEKLY.has(c(b)));
	const weekly = request.weekly ? requested.filter((b) => WEEKLY.has(c(b))) : [];
	const steps = cursor.steps ?? (await stepsInWrite(tx, store, s.id, badges, weekly, now));
	const mine = changes.get(seasonId) ?? { awarded: [], withdrawn: [] };
	let next = cursor.next;
	while (next < steps.length) {
		const step = steps[next++];
		merge(
			mine,
			step.kind === 'week'
				? await decideWeekInWrite(tx, store, s, weekly, step, now, request.since)
				: await decideSubjectInWrite(tx, store, s, badges, step, now, request.since)
		);
		if (performance.now() - started >= SLICE_MS) break;
	}
	changes.set(seasonId, mine);
	return { changes, cursor: { steps, next }, finished: next >= steps.length };
}

/**
 * A re-evaluation's steps: the people and teams the facts know, with everyone who did what a
 * counted badge of `badges` counts (who passed, won or logged but never sold is in no fact),
 * then each ended week when there are weekly badges to decide.
 */
async function stepsInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	badges: Badge[],
	weekly: Badge[],
	now: number
): Promise<Step[]> {
	const steps: Step[] = [];
	if (badges.length > 0) {
		steps.push(...(await runInWrite(tx, store, seasonSubjectsReads(seasonId))));
		const counted = badges.flatMap((b) => (isCounted(b.criterion) ? [b.criterion.kind] : []));
		const seen = new Set(steps.flatMap((step) => (step.kind === 'user' ? [step.id] : [])));
		for (const id of await countedDoersInWrite(tx, store, seasonId, counted))
			if (!seen.has(id)) steps.push({ kind: 'user', id });
	}
	if (weekly.length > 0)
		for (const p of await runInWrite(tx, store, endedPeriodsReads(seasonId, now)))
			steps.push({ kind: 'week', periodKey: p.periodKey, endsAt: p.endsAt });
	return steps;
}

/** `reevaluateOnStore` in the background: a failure is logged, unless the store was closed. */
export function reevaluateOnStoreInBackground(
	store: Store,
	seasonId: number,
	options: Reevaluation = {}
): void {
	reevaluateOnStore(store, seasonId, options).catch((error) => {
		if (!storeClosed(store)) log.error({ err: error, seasonId }, 'badge re-evaluation failed');
	});
}

/** Resolves once no re-evaluation is running or waiting on the store's database (tests, benches). */
export function reevaluationsSettled(store: Store): Promise<void> {
	return runs.settled(cacheKeyOf(store));
}
