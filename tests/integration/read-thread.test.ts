// The read thread (reads/thread.ts): the built thread (build/read-thread.js, `npm run build`)
// reads the contest format views, the scheduler's sprint decisions and the dashboard's figures
// on its own connection to a real temp database, and answers what the same functions answer
// inline. The scheduler writes a decision read there only while the sprint is still what it
// was read from, and the publisher pushes views built there, then builds them inline once the
// thread is gone.
import { sqliteStore } from '../../src/lib/server/db/store';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { eq } from 'drizzle-orm';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDb } from '../helpers/db';
import { recordingIo } from '../helpers/recording-io';
import { makeContest, makeCup, makeUser } from '../helpers/factories';
import { ReadThread, startReadThread, stopReadThread } from '../../src/lib/server/reads/thread';
import { readRankingAt } from '../../src/lib/server/notify/digest/ranking-at';
import { createDigestCheck } from '../../src/lib/server/notify/digest/job';
import { readSeasonYesterday } from '../../src/lib/server/notify/digest/summary';
import { liveSeasons } from '../../src/lib/server/notify/digest/seasons';
import { formatViewsOf } from '../../src/lib/server/formats/views';
import { dashboardData } from '../../src/lib/server/dashboard/figures';
import { parseFilters } from '../../src/lib/server/dashboard/filters';
import { createSprint } from '../../src/lib/server/sprints/commands';
import { advanceSprints, readSprintDecision } from '../../src/lib/server/sprints/decide';
import { recordOn } from '../helpers/record-sale';
import { advanceKnockouts, readDueRound } from '../../src/lib/server/knockouts/advance';
import { Publisher } from '../../src/lib/server/realtime/publish';
import { seasonRoom, type LeaderboardDelta } from '../../src/lib/realtime/events';
import type { SprintsState } from '../../src/lib/server/sprints/view';
import {
	knockout,
	knockoutMatch,
	outgoingMessage,
	season,
	sprint
} from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';
import { readFinalBoardOnStore } from '../../src/lib/server/seasons/final-board';
import { runSchedulerOffThread } from '../../src/lib/server/seasons/scheduler';
import { seasonResult } from '../../src/lib/server/db/schema';
import { renderMetrics } from '../../src/lib/server/shared/metrics';
import { filesLoadedAtStart } from '../helpers/bundle-files';

const ENTRY = resolve('build/read-thread.js');
const CHUNKS = resolve('build/read-thread-chunks');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let ctx: ReturnType<typeof tempDb>;
let db: Db;
let thread: ReadThread;
let publisher: Publisher | undefined;

beforeAll(() => {
	if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` first`);
});
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
	thread = new ReadThread(ENTRY, ctx.path);
});
afterEach(async () => {
	publisher?.close();
	publisher = undefined;
	await thread.close();
	ctx.cleanup();
});

/** A season of three with a sprint "first to 100 points" from `base` for two days. */
async function race(base: number) {
	const contest = await makeContest(db, { teams: 1, people: 3 });
	const { sprint: created } = await createSprint(
		sqliteStore(db),
		contest.season.id,
		{
			name: 'First to 100',
			subject: 'user',
			measure: 'points',
			target: 100,
			startsAt: base,
			endsAt: base + 2 * DAY,
			prize: null,
			requestId: 'race'
		},
		{ userId: null },
		() => base - DAY
	);
	let n = 0;
	const sell = (userId: number, occurredAt: number, quantity = 1) =>
		recordOn(
			db,
			{
				source: 'api',
				externalId: `s${++n}`,
				seller: { userId },
				occurredAt,
				lines: [{ sku: 'PHONE', quantity }]
			},
			() => occurredAt + 1000,
			{ awards: false }
		);
	return { ...contest, sprintId: created.id, sell };
}

/** What a value looks like once it has crossed a thread (no undefined, no Map order games). */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('the read thread', () => {
	it('answers the views and the sprint decision the inline functions give, on the same data', async () => {
		const base = Date.now() - DAY;
		const { season, people, sprintId, sell } = await race(base);
		await sell(people[1].id, base + HOUR);
		await sell(people[0].id, base + 2 * HOUR, 2);
		await sell(people[2].id, base + 3 * HOUR, 2);
		const now = Date.now();

		const views = await thread.views(season.id, now);
		expect(plain(views)).toEqual(plain(formatViewsOf(db, season.id, now)));
		const sprints = views.sprints as SprintsState;
		expect(sprints.sprints[0].winner?.id).toBe(people[0].id);

		const decided = await thread.decideSprint(sprintId, now);
		const { db: storeDb, tables } = sqliteStore(db);
		expect(decided).toEqual(await readSprintDecision(storeDb, tables, sprintId, now));
		expect(decided?.phase).toBe('won');
		expect(decided?.winner).toMatchObject({ id: people[0].id, reachedAt: base + 2 * HOUR });
		// A sprint that does not exist is nothing to decide.
		expect(await thread.decideSprint(sprintId + 99, now)).toBeNull();
	});

	it('answers the dashboard figures dashboardData gives inline', async () => {
		const base = Date.now() - DAY;
		const { season, teams, people, sell } = await race(base);
		await sell(people[0].id, base + HOUR, 2);
		await sell(people[1].id, base + 2 * HOUR);
		const now = Date.now();
		for (const query of ['', 'period=7d', `team=${teams[0].id}&period=season`]) {
			const filters = parseFilters(new URLSearchParams(query));
			const inline = dashboardData(db, season.id, filters, () => now);
			expect(plain(await thread.dashboard(season.id, filters, now)), query).toEqual(plain(inline));
		}
		expect(
			await thread.dashboard(season.id + 99, parseFilters(new URLSearchParams()), now)
		).toBeNull();
	});

	it('sees what the server committed a moment before', async () => {
		const base = Date.now() - DAY;
		const { season, people, sell } = await race(base);
		const before = (await thread.views(season.id, Date.now())).sprints as SprintsState;
		expect(before.sprints[0].winner).toBeNull();
		await sell(people[2].id, base + HOUR, 2);
		const after = (await thread.views(season.id, Date.now())).sprints as SprintsState;
		expect(after.sprints[0].winner?.id).toBe(people[2].id);
	});

	it('fails a request whose read fails, and goes on answering the next', async () => {
		const base = Date.now() - DAY;
		const { season } = await race(base);
		db.$client.exec('ALTER TABLE sprint RENAME TO sprint_gone');
		await expect(thread.views(season.id, Date.now())).rejects.toThrow(/sprint/);
		db.$client.exec('ALTER TABLE sprint_gone RENAME TO sprint');
		await expect(thread.views(season.id, Date.now())).resolves.toHaveProperty('sprints');
		expect(thread.alive).toBe(true);
	});

	it('answers requests sent at once as it answers them one by one', async () => {
		const base = Date.now() - DAY;
		const { season, people, sprintId, sell } = await race(base);
		await sell(people[0].id, base + HOUR, 2);
		const now = Date.now();
		const filters = parseFilters(new URLSearchParams());
		const rankings = [base, now].map((at) => ({ season, at }));
		const requests: (() => Promise<unknown>)[] = [
			() => thread.views(season.id, now),
			() => thread.decideSprint(sprintId, now),
			() => thread.dashboard(season.id, filters, now),
			() => thread.finalBoard(season.id),
			() => thread.rankingsAt(rankings)
		];
		const oneByOne = [];
		for (const request of requests) oneByOne.push(await request());
		const atOnce = await Promise.all([...requests, ...requests].map((request) => request()));
		expect(atOnce).toEqual([...oneByOne, ...oneByOne]);
	});
});

describe("the read thread's metrics", () => {
	it("leaves prom-client out of the thread's bundle", () => {
		expect(existsSync(CHUNKS), CHUNKS).toBe(true);
		const files = [ENTRY, ...readdirSync(CHUNKS).map((name) => join(CHUNKS, name))];
		for (const file of files)
			expect(readFileSync(file, 'utf8'), file).not.toContain('node_modules/prom-client/');
	});

	it("counts what code in the thread records in the server's registry", async () => {
		// A thread whose code records a metric as the read paths would, through the module the
		// build puts in the place of shared/metrics.ts there (scripts/build-server.mjs).
		const root = resolve('.svelte-kit/test-entries');
		mkdirSync(root, { recursive: true });
		const entry = join(mkdtempSync(join(root, 'thread-metrics-')), 'recorder.mjs');
		await bundleScript(
			"import { countSchedulerTransitions } from './src/lib/server/reads/thread-metrics';\n" +
				"countSchedulerTransitions([{ to: 'final' }, { to: 'final' }]);",
			entry
		);
		const counted = async () => {
			const line = (await renderMetrics())
				.split('\n')
				.find((l) => l.startsWith('honorboard_scheduler_transitions_total{to="final"}'));
			return line ? Number(line.split(' ').at(-1)) : 0;
		};
		const before = await counted();
		const recorder = new ReadThread(entry, ctx.path);
		try {
			const deadline = Date.now() + 5_000;
			while ((await counted()) < before + 2) {
				if (Date.now() > deadline) throw new Error('the thread’s count never arrived');
				await new Promise((r) => setTimeout(r, 20));
			}
			expect(await counted()).toBe(before + 2);
		} finally {
			await recorder.close();
		}
	});
});

describe('what the thread loads at its start, on SQLite', () => {
	it("leaves PostgreSQL's driver and pino out of the files a start loads", () => {
		const chunks = readdirSync(CHUNKS).map((name) => join(CHUNKS, name));
		// The driver is in the bundle, in a chunk openStore loads for a PostgreSQL store only: its
		// modules are there to be found (bundled CommonJS keeps each module's path).
		expect(chunks.some((file) => readFileSync(file, 'utf8').includes('node_modules/pg/'))).toBe(
			true
		);
		const atStart = filesLoadedAtStart(ENTRY);
		expect(atStart.length).toBeGreaterThan(1);
		for (const { file } of atStart) {
			const text = readFileSync(file, 'utf8');
			for (const module of ['pg', 'pg-pool', 'pg-protocol', 'pino', 'thread-stream'])
				expect(text, file).not.toContain(`node_modules/${module}/`);
		}
	});

	it('writes the lines its code logs as shared/log.ts writes them, in order', async () => {
		// The same lines logged through the module the build puts in the place of shared/log.ts
		// in the thread (scripts/build-server.mjs) and through shared/log.ts, each in a process.
		const root = resolve('.svelte-kit/test-entries');
		mkdirSync(root, { recursive: true });
		const dir = mkdtempSync(join(root, 'thread-log-'));
		const lines = async (module: string) => {
			const entry = join(dir, `${module.split('/').at(-1)}.mjs`);
			await bundleScript(
				`import { log, withRequestContext } from './${module}';\n` +
					"import { AppError } from './src/lib/server/shared/errors';\n" +
					"log.info('started');\n" +
					"const cause = new Error('the disk is full');\n" +
					"const error = Object.assign(new AppError(503, 'database_busy', 'busy'), { cause });\n" +
					"withRequestContext({ reqId: 'r-1' }, () => log.error({ err: error }, 'a read failed'));\n" +
					"log.warn({ message: 'gone', code: '57P01' }, 'PostgreSQL: an idle connection failed');\n" +
					"log.debug('below the level');",
				entry,
				// pino's bundled CommonJS asks for require.
				"import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
			);
			const { stdout } = await promisify(execFile)(process.execPath, [entry], {
				env: { ...process.env, LOG_LEVEL: 'info', LOG_PRETTY: '0', NODE_ENV: 'production' }
			});
			// Each line as written, but its time and its stack's frames (two bundles: other lines).
			return stdout
				.trim()
				.split('\n')
				.map((text) => {
					const line = { ...JSON.parse(text), time: undefined };
					if (line.err) line.err.stack = line.err.stack.replace(/\n\s+at .*/g, '');
					return line;
				});
		};
		const expected = await lines('src/lib/server/shared/log');
		expect(expected.map((line) => line.msg)).toEqual([
			'started',
			'a read failed',
			'PostgreSQL: an idle connection failed'
		]);
		expect(expected[1]).toMatchObject({ reqId: 'r-1', err: { type: 'AppError' } });
		expect(await lines('src/lib/server/reads/thread-log')).toEqual(expected);
	});
});

describe('the scheduler with decisions read off the event loop', () => {
	const state = (id: number) =>
		db
			.select({ status: sprint.status, winnerId: sprint.winnerId, reachedAt: sprint.reachedAt })
			.from(sprint)
			.where(eq(sprint.id, id))
			.get();

	it('moves a sprint through live, won and final as the inline scheduler does', async () => {
		const base = Date.now() - 10 * DAY;
		const { season, people, sprintId, sell } = await race(base);
		expect(await advanceSprints(sqliteStore(db), () => base + 1, thread)).toEqual([season.id]);
		expect(state(sprintId)?.status).toBe('live');
		await sell(people[1].id, base + HOUR, 2);
		expect(await advanceSprints(sqliteStore(db), () => base + 2 * HOUR, thread)).toEqual([
			season.id
		]);
		expect(state(sprintId)).toEqual({
			status: 'won',
			winnerId: people[1].id,
			reachedAt: base + HOUR
		});
		// Nothing new: nothing written, no season to push.
		expect(await advanceSprints(sqliteStore(db), () => base + 3 * HOUR, thread)).toEqual([]);
		const final = base + 9 * DAY;
		expect(await advanceSprints(sqliteStore(db), () => final, thread)).toEqual([season.id]);
		expect(state(sprintId)?.status).toBe('final');
		// The inline scheduler agrees that nothing is left to do.
		expect(await advanceSprints(sqliteStore(db), () => final + HOUR)).toEqual([]);
	});

	it('does not write a decision read before a manager changed the sprint', async () => {
		const base = Date.now() - DAY;
		const { people, sprintId, sell } = await race(base);
		await advanceSprints(sqliteStore(db), () => base + 1);
		await sell(people[0].id, base + HOUR, 2);
		// The target is raised while the thread decides: the decision was read for 100.
		const racing = {
			decideSprint: async (id: number, now: number) => {
				const decided = await thread.decideSprint(id, now);
				db.update(sprint).set({ target: 1000 }).where(eq(sprint.id, id)).run();
				return decided;
			}
		};
		expect(await advanceSprints(sqliteStore(db), () => base + 2 * HOUR, racing)).toEqual([]);
		expect(state(sprintId)).toEqual({ status: 'live', winnerId: null, reachedAt: null });
		// The next run decides from the sprint as it is now: 100 points is not 1000.
		await advanceSprints(sqliteStore(db), () => base + 3 * HOUR, thread);
		expect(state(sprintId)?.status).toBe('live');
	});
});

describe('knockout rounds read off the event loop', () => {
	/** Four people seeded 1…4 in a knockout of one-day rounds from `base` (grace 2 hours). */
	async function cup(base: number) {
		const { season, people } = await makeContest(db, { teams: 1, people: 4 });
		let n = 0;
		const sell = (userId: number, occurredAt: number, quantity = 1) =>
			recordOn(
				db,
				{
					source: 'api',
					externalId: `k${++n}`,
					seller: { userId },
					occurredAt,
					lines: [{ sku: 'PHONE', quantity }]
				},
				() => occurredAt,
				{ awards: false }
			);
		for (const [i, phones] of [4, 3, 2, 1].entries()) await sell(people[i].id, base - DAY, phones);
		const { knockout: k } = await makeCup(db, season.id, base);
		return { season, people, sell, id: k.id };
	}
	const matches = (id: number) =>
		db
			.select({
				round: knockoutMatch.round,
				aId: knockoutMatch.aId,
				bId: knockoutMatch.bId,
				aValue: knockoutMatch.aValue,
				bValue: knockoutMatch.bValue,
				winnerId: knockoutMatch.winnerId
			})
			.from(knockoutMatch)
			.where(eq(knockoutMatch.knockoutId, id))
			.orderBy(knockoutMatch.round, knockoutMatch.slot)
			.all();
	const row = (id: number) => db.select().from(knockout).where(eq(knockout.id, id)).get()!;

	it('freezes every round as the inline scheduler does, asking the thread only when one is due', async () => {
		const base = Date.now() - 10 * DAY;
		const { season, people, sell, id } = await cup(base);
		const [, p2, p3, p4] = people;
		let asked = 0;
		const counting = {
			dueKnockoutRound: (knockoutId: number, now: number) => {
				asked += 1;
				return thread.dueKnockoutRound(knockoutId, now);
			}
		};
		expect(await advanceKnockouts(sqliteStore(db), () => base, counting)).toEqual([season.id]);
		await sell(p4.id, base + HOUR);
		await sell(p3.id, base + 2 * HOUR, 2);
		// Round 1 runs, then its grace period: nothing to read yet.
		for (const at of [base + HOUR, base + DAY + HOUR])
			expect(await advanceKnockouts(sqliteStore(db), () => at, counting)).toEqual([]);
		expect(asked).toBe(0);
		const freeze1 = base + DAY + 2 * HOUR;
		// What the thread reads is what the inline read gives.
		const { db: storeDb, tables } = sqliteStore(db);
		expect(await thread.dueKnockoutRound(id, freeze1)).toEqual(
			plain(await readDueRound(storeDb, tables, id, freeze1))
		);
		expect(await advanceKnockouts(sqliteStore(db), () => freeze1, counting)).toEqual([season.id]);
		// Once: whether the next round is due is known without a read (it is not).
		expect(asked).toBe(1);
		expect(row(id).roundsFrozen).toBe(1);
		// The final: 4 v 3, 2 sells for nobody in it.
		await sell(p2.id, base + DAY + 3 * HOUR, 5);
		await sell(p4.id, base + DAY + 4 * HOUR, 3);
		const end = base + 2 * DAY + 2 * HOUR;
		expect(await advanceKnockouts(sqliteStore(db), () => end, counting)).toEqual([season.id]);
		expect(row(id)).toMatchObject({ status: 'final', winnerId: p4.id, roundsFrozen: 2 });
		expect(matches(id)).toEqual([
			{ round: 0, aId: people[0].id, bId: p4.id, aValue: 0, bValue: 50, winnerId: p4.id },
			{ round: 0, aId: p2.id, bId: p3.id, aValue: 0, bValue: 100, winnerId: p3.id },
			{ round: 1, aId: p4.id, bId: p3.id, aValue: 150, bValue: 0, winnerId: p4.id }
		]);
		// The inline scheduler agrees that nothing is left to do.
		expect(await advanceKnockouts(sqliteStore(db), () => end + HOUR)).toEqual([]);
	});

	it('does not write a round read before the knockout was cancelled or frozen elsewhere', async () => {
		const base = Date.now() - 10 * DAY;
		const { people, sell, id } = await cup(base);
		await advanceKnockouts(sqliteStore(db), () => base);
		await sell(people[3].id, base + HOUR);
		const freeze1 = base + DAY + 2 * HOUR;
		const racing = (change: () => unknown) => ({
			dueKnockoutRound: async (knockoutId: number, now: number) => {
				const due = await thread.dueKnockoutRound(knockoutId, now);
				await change();
				return due;
			}
		});
		// Another node froze the round while the thread read it: written once, by that node.
		const before = matches(id);
		let other = false;
		const frozenElsewhere = racing(async () => {
			if (other) return;
			other = true;
			expect(await advanceKnockouts(sqliteStore(db), () => freeze1)).toHaveLength(1);
		});
		await advanceKnockouts(sqliteStore(db), () => freeze1, frozenElsewhere);
		expect(row(id).roundsFrozen).toBe(1);
		expect(matches(id)).not.toEqual(before);
		// A manager cancels it while the thread reads the final: nothing is written.
		const frozen = matches(id);
		const cancelled = racing(() =>
			db.update(knockout).set({ status: 'cancelled' }).where(eq(knockout.id, id)).run()
		);
		expect(
			await advanceKnockouts(sqliteStore(db), () => base + 2 * DAY + 2 * HOUR, cancelled)
		).toEqual([]);
		expect(row(id)).toMatchObject({ status: 'cancelled', roundsFrozen: 1, winnerId: null });
		expect(matches(id)).toEqual(frozen);
	});
});

describe('pushes with views built by the read thread', () => {
	type Pushed = LeaderboardDelta & { formats?: { sprints?: SprintsState } };

	async function watched() {
		const base = Date.now() - DAY;
		const contest = await race(base);
		const sent: Pushed[] = [];
		const io = recordingIo(seasonRoom(contest.season.id), sent);
		return { ...contest, base, sent, io };
	}

	/** Resolves with the first push (after `from`) that carries the sprint views. */
	async function sprintsPush(sent: Pushed[], from: number, ms = 15_000): Promise<Pushed> {
		const until = Date.now() + ms;
		for (;;) {
			const found = sent.slice(from).find((p) => p.formats?.sprints);
			if (found) return found;
			if (Date.now() > until) throw new Error(`no push with the sprint views within ${ms} ms`);
			await new Promise((done) => setTimeout(done, 5));
		}
	}

	it('the board goes at once; the sprint card follows when the thread has built it', async () => {
		const { season, people, base, sent, io, sell } = await watched();
		publisher = new Publisher(io, sqliteStore(db), {
			intervalMs: 0,
			formatBuilder: thread,
			formatsInlineMaxMs: 0
		});
		publisher.leaderboardChanged(season.id);
		const first = await sprintsPush(sent, 0);
		expect(first.formats?.sprints?.sprints[0].winner).toBeNull();

		const from = sent.length;
		await sell(people[1].id, base + HOUR, 2);
		publisher.leaderboardChanged(season.id);
		const won = await sprintsPush(sent, from);
		expect(won.formats?.sprints?.sprints[0].winner?.id).toBe(people[1].id);
		// The push of the sale itself did not wait for the views.
		expect(sent[from].individual.map((e) => e.id)).toContain(people[1].id);
		// Settled: a page gets what was pushed without building anything (once the thread's
		// answer is in, which a loaded machine may take more than a few milliseconds to hand on).
		const expected = plain(formatViewsOf(db, season.id).sprints);
		await expect
			.poll(() => publisher!.settledFormats(season.id)?.sprints, { timeout: 5_000, interval: 10 })
			.toEqual(expected);
	});

	it('cheap views (demo size) are built in the push itself once their cost is known', async () => {
		const { season, people, base, sent, io, sell } = await watched();
		// A thread whose code has run (its very first read costs far more than the views do).
		for (let i = 0; i < 3; i++) await thread.views(season.id, Date.now());
		// Below the line even on a loaded machine (the default line is 20 ms).
		publisher = new Publisher(io, sqliteStore(db), {
			intervalMs: 0,
			formatBuilder: thread,
			formatsInlineMaxMs: 1_000
		});
		publisher.leaderboardChanged(season.id);
		// Their cost is not known yet: the first build is the thread's.
		await sprintsPush(sent, 0);
		const from = sent.length;
		await sell(people[1].id, base + HOUR, 2);
		publisher.leaderboardChanged(season.id);
		const won = await sprintsPush(sent, from);
		// Cheap: built inline, so the sale's own push carries the card.
		expect(won).toBe(sent[from]);
		expect(won.formats?.sprints?.sprints[0].winner?.id).toBe(people[1].id);
	});

	it("a watcher's first views come from the thread, and then from what the room holds", async () => {
		const { season, people, base, io, sell } = await watched();
		await sell(people[0].id, base + HOUR, 2);
		let asked = 0;
		const counting = {
			get alive() {
				return thread.alive;
			},
			views: (seasonId: number, now: number) => {
				asked++;
				return thread.views(seasonId, now);
			}
		};
		publisher = new Publisher(io, sqliteStore(db), { intervalMs: 0, formatBuilder: counting });
		const first = await publisher.formatsForWatch(season.id);
		expect(asked).toBe(1);
		expect(plain(first)).toEqual(plain(formatViewsOf(db, season.id)));
		expect((first.sprints as SprintsState).sprints[0].winner?.id).toBe(people[0].id);
		// A second watcher: the room has every view, nothing is read again.
		expect(await publisher.formatsForWatch(season.id)).toEqual(first);
		expect(asked).toBe(1);
	});

	it('builds them inline once the thread is gone', async () => {
		const { season, people, base, sent, io, sell } = await watched();
		publisher = new Publisher(io, sqliteStore(db), {
			intervalMs: 0,
			formatBuilder: thread,
			formatsInlineMaxMs: 0
		});
		await thread.close();
		expect(thread.alive).toBe(false);
		await sell(people[2].id, base + HOUR, 2);
		publisher.leaderboardChanged(season.id);
		const pushed = await sprintsPush(sent, 0);
		expect(pushed.formats?.sprints?.sprints[0].winner?.id).toBe(people[2].id);
	});
});

describe("the read thread and a season's end", () => {
	it('reads the board the end freezes as the store reads it, and the end writes that board', async () => {
		const base = Date.now() - DAY;
		const { season, people, sell } = await race(base);
		await sell(people[1].id, base + HOUR, 3);
		await sell(people[0].id, base + 2 * HOUR, 2);
		const read = await thread.finalBoard(season.id);
		expect(read).toEqual(plain(await readFinalBoardOnStore(sqliteStore(db), season.id)));
		expect(read!.board.individual.map((e) => e.id)).toEqual([
			people[1].id,
			people[0].id,
			people[2].id
		]);
		const ended = await runSchedulerOffThread(sqliteStore(db), thread, {
			clock: () => season.endsAt + 1
		});
		expect(ended.map((t) => t.to)).toEqual(['ended']);
		const frozen = db
			.select()
			.from(seasonResult)
			.where(eq(seasonResult.seasonId, season.id))
			.all()
			.filter((r) => r.subjectType === 'user')
			.sort((a, b) => a.rank - b.rank || a.subjectId - b.subjectId);
		expect(frozen.map((r) => [r.subjectId, r.rank, r.points])).toEqual(
			read!.board.individual.map((e) => [e.id, e.rank, e.points])
		);
	});
});

describe('the read thread and the mails’ rankings', () => {
	it('reads a season’s ranking at past instants and a summary’s yesterday as inline, and the digest check uses them', async () => {
		const base = Date.parse('2026-12-07T07:00:00Z');
		const { season: s, people, sell } = await race(base - 5 * DAY);
		const [ann, bo, cy] = people;
		await sell(ann.id, base - 4 * DAY, 2);
		await sell(bo.id, base - 3 * DAY, 3);
		await sell(cy.id, base - 2 * DAY, 1);
		await sell(ann.id, base - DAY, 2);
		const rankingSeason = { id: s.id, rankBy: s.rankBy, tieRule: s.tieRule };
		const instants = [base - 6 * DAY, base - 3.5 * DAY, base - 2.5 * DAY, base];
		const read = await thread.rankingsAt(instants.map((at) => ({ season: rankingSeason, at })));
		expect(read.map((r) => r.at)).toEqual(instants);
		const { db: storeDb, tables } = sqliteStore(db);
		for (const r of read)
			expect(r.ranking).toEqual(plain(await readRankingAt(storeDb, tables, rankingSeason, r.at)));
		// The standings moved between the instants, so equal answers are not equal by chance.
		expect(read.map((r) => r.ranking[0]?.id)).toEqual([undefined, ann.id, bo.id, ann.id]);

		// The check asks the server's thread (getReadThread), and the mails tell what it read.
		db.update(season)
			.set({ timeZone: 'UTC', startsAt: base - 10 * DAY, endsAt: base + 10 * DAY })
			.where(eq(season.id, s.id))
			.run();
		await makeUser(db, { role: 'manager' });
		const server = startReadThread(ENTRY, ctx.path)!;
		try {
			const live = (await liveSeasons(sqliteStore(db))).find((l) => l.id === s.id)!;
			expect(
				await server.summaries([{ season: live, date: '2026-12-07', now: base + HOUR }])
			).toEqual(
				plain([await readSeasonYesterday(storeDb, tables, live, '2026-12-07', base + HOUR)])
			);
			const rankings = vi.spyOn(server, 'rankingsAt');
			const summaries = vi.spyOn(server, 'summaries');
			expect(await createDigestCheck(sqliteStore(db)).check(base + HOUR)).toEqual({
				digests: 3,
				summaries: 1
			});
			expect([rankings.mock.calls.length, summaries.mock.calls.length]).toEqual([1, 1]);
		} finally {
			stopReadThread();
		}
		const summary = db
			.select({ body: outgoingMessage.body })
			.from(outgoingMessage)
			.where(eq(outgoingMessage.kind, 'daily_summary'))
			.get()!;
		expect(summary.body).toContain(`Biggest climber: ${ann.displayName}, from #2 to #1.`);
	});
});

/** Bundles `contents` (TypeScript, from the project's root) into the ESM script `outfile`. */
async function bundleScript(contents: string, outfile: string, banner?: string): Promise<void> {
	await build({
		stdin: { contents, resolveDir: resolve('.'), loader: 'ts' },
		outfile,
		bundle: true,
		platform: 'node',
		format: 'esm',
		...(banner ? { banner: { js: banner } } : {}),
		logLevel: 'warning'
	});
}
