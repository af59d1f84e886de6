// The season scheduler across restarts (issue #16): the lease is released on shutdown, the new
// process runs the scheduler at boot, and a running scheduler wakes at the next transition
// instead of only on its safety tick. Two servers up at the same time (a season ended once, a
// season published on the node without the lease): tests/integration/two-processes.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeMember, makeProduct, makeSeason, makeTeam } from '../helpers/factories';
import { startServer, type RunningServer } from '../helpers/server';
import { readDb, seedServerDb, waitFor, withDb, type SeededDb } from '../helpers/seeded';
import { schedulerLease, season, seasonResult } from '../../src/lib/server/db/schema';
import {
	nextTransitionAt,
	runScheduler,
	startScheduler,
	wakeScheduler,
	type BoardReader
} from '../../src/lib/server/seasons/scheduler';
import { readFinalBoardOnStore } from '../../src/lib/server/seasons/final-board';
import { sqliteStore } from '../../src/lib/server/db/store';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('the scheduler loop in one process', () => {
	let ctx: ReturnType<typeof tempDb>;
	beforeEach(() => {
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
		ctx = tempDb();
	});
	afterEach(() => {
		vi.useRealTimers();
		ctx.cleanup();
	});
	const status = (id: number) =>
		ctx.db.select().from(season).where(eq(season.id, id)).get()!.status;
	/**
	 * Lets the loop's runs finish: a run's writes each start on a turn of the event loop of their
	 * own (db/store.ts write, on setImmediate, which the fake timers leave real), and the loop
	 * arms its next timer after the run. A count of turns, not a time.
	 */
	const settle = async () => {
		for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
	};
	/** Moves the fake clock on, then lets what its timers started finish. */
	const advance = async (ms: number) => {
		vi.advanceTimersByTime(ms);
		await settle();
	};

	it('wakes when a season ends, not only on its safety tick', async () => {
		const s = makeSeason(ctx.db, { endsAt: Date.now() + 10 * MINUTE });
		expect(await nextTransitionAt(sqliteStore(ctx.db))).toBe(s.endsAt);
		// A tick once a day: only the wake at the end can end the season on time.
		const scheduler = startScheduler(sqliteStore(ctx.db), { intervalMs: DAY });
		try {
			await settle();
			await advance(10 * MINUTE - 1000);
			expect(status(s.id)).toBe('live');
			await advance(1000 + 10);
			expect(status(s.id)).toBe('ended');
		} finally {
			await scheduler.stop();
		}
	});

	it('wakes when a season with people and products starts, and when its grace period ends', async () => {
		vi.useRealTimers(); // argon2 for the member's password runs on real timers
		const start = Date.now() + 5 * MINUTE;
		const s = makeSeason(ctx.db, {
			status: 'scheduled',
			startsAt: start,
			endsAt: start + 60 * MINUTE,
			graceDays: 1
		});
		await makeMember(ctx.db, s.id, makeTeam(ctx.db, s.id).id);
		makeProduct(ctx.db, s.id);
		// An empty season waiting for its start is no transition: it never opens by itself.
		makeSeason(ctx.db, { status: 'scheduled', startsAt: start - MINUTE, endsAt: start + DAY });
		expect(await nextTransitionAt(sqliteStore(ctx.db))).toBe(start);
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
		const scheduler = startScheduler(sqliteStore(ctx.db), { intervalMs: 10 * DAY });
		try {
			await settle();
			await advance(5 * MINUTE + 10);
			expect(status(s.id)).toBe('live');
			await advance(60 * MINUTE);
			expect(status(s.id)).toBe('ended');
			await advance(DAY);
			expect(status(s.id)).toBe('archived');
		} finally {
			await scheduler.stop();
		}
	});

	it('an end whose board the read thread reads writes nothing until it comes, one run at a time', async () => {
		vi.useRealTimers();
		const s = makeSeason(ctx.db, { endsAt: Date.now() - 1000 });
		makeTeam(ctx.db, s.id, 'Only team');
		let asked = 0;
		let release: (() => void) | undefined;
		const reader: BoardReader = {
			async finalBoard(id) {
				asked++;
				await new Promise<void>((resolve) => (release = resolve));
				return readFinalBoardOnStore(sqliteStore(ctx.db), id);
			}
		};
		// retryMs 0: a wake while the board is read asks for a run at once.
		const scheduler = startScheduler(sqliteStore(ctx.db), {
			intervalMs: DAY,
			retryMs: 0,
			reader: () => reader
		});
		try {
			await vi.waitFor(() => expect(asked).toBe(1));
			// What saving a season does meanwhile: the season is due, so the loop runs at once.
			scheduler.wake();
			await new Promise((resolve) => setTimeout(resolve, 50));
			expect(asked).toBe(1);
			expect(status(s.id)).toBe('live');
			release!();
			await vi.waitFor(() => expect(status(s.id)).toBe('ended'));
			const frozen = ctx.db
				.select()
				.from(seasonResult)
				.where(eq(seasonResult.seasonId, s.id))
				.all();
			expect(frozen.map((r) => [r.subjectType, r.name, r.rank])).toEqual([
				['team', 'Only team', 1]
			]);
			expect(asked).toBe(1);
		} finally {
			await scheduler.stop();
		}
	});

	it('a season moved earlier wakes the scheduler at its new end', async () => {
		const s = makeSeason(ctx.db, { endsAt: Date.now() + 60 * MINUTE });
		const scheduler = startScheduler(sqliteStore(ctx.db), { intervalMs: DAY });
		try {
			await settle();
			ctx.db
				.update(season)
				.set({ endsAt: Date.now() + 2 * MINUTE })
				.where(eq(season.id, s.id))
				.run();
			wakeScheduler(); // what saving the season in the console does (edit.ts)
			await settle();
			await advance(2 * MINUTE + 10);
			expect(status(s.id)).toBe('ended');
		} finally {
			await scheduler.stop();
		}
	});

	it('stopping releases the lease: another process runs the scheduler at once', async () => {
		const s = makeSeason(ctx.db, { endsAt: Date.now() + 60 * MINUTE });
		const scheduler = startScheduler(sqliteStore(ctx.db), { intervalMs: DAY });
		await settle();
		expect(ctx.db.select().from(schedulerLease).all()).toHaveLength(1);
		await scheduler.stop();
		expect(ctx.db.select().from(schedulerLease).all()).toEqual([]);
		await advance(60 * MINUTE + 10);
		// This process no longer runs it (a request during shutdown cannot take the lease back)...
		expect(await runScheduler(sqliteStore(ctx.db))).toEqual([]);
		expect(status(s.id)).toBe('live');
		// ...the next one does, without waiting for a lease to expire.
		expect(await runScheduler(sqliteStore(ctx.db), { holder: 'next-process' })).toEqual([
			{ seasonId: s.id, to: 'ended' }
		]);
	});

	it('while another process holds the lease, it takes over soon after that one releases it', async () => {
		const s = makeSeason(ctx.db, { endsAt: Date.now() + 20_000 });
		// The old process is still shutting down: its lease is live for another minute.
		await runScheduler(sqliteStore(ctx.db), { holder: 'old-process' });
		const scheduler = startScheduler(sqliteStore(ctx.db), { intervalMs: DAY, retryMs: 2000 });
		try {
			await settle();
			// The retries every 2 s, each let finish.
			for (let waited = 0; waited < 30_000; waited += 2000) await advance(2000);
			expect(status(s.id)).toBe('live');
			ctx.db.delete(schedulerLease).run(); // the old process's releaseLease
			await advance(2000);
			expect(status(s.id)).toBe('ended');
		} finally {
			await scheduler.stop();
		}
	});
});

describe('the production server across a restart', () => {
	let seeded: SeededDb | undefined;
	let server: RunningServer | undefined;
	afterEach(async () => {
		await server?.stop();
		seeded?.cleanup();
		server = seeded = undefined;
	});
	const statusIn = (path: string, id: number) =>
		readDb(path, (db) => db.prepare('select status from season where id = ?').pluck().get(id));

	it('a season whose end passed while the server was down ends within seconds of the restart', async () => {
		seeded = await seedServerDb({ teams: 1, people: 1 });
		server = await startServer({ dbPath: seeded.path });
		expect(await server.stop()).toBe(0);
		// SIGTERM gave the lease up.
		expect(readDb(seeded.path, (db) => db.prepare('select * from scheduler_lease').all())).toEqual(
			[]
		);
		const id = seeded.seasonId;
		withDb(seeded.path, (db) =>
			db
				.update(season)
				.set({ endsAt: Date.now() - 1000 })
				.where(eq(season.id, id))
				.run()
		);
		server = await startServer({ dbPath: seeded.path });
		// The old lease would have held it back for a minute, the old tick for 30 s more.
		await waitFor(() => statusIn(seeded!.path, id) === 'ended', 15_000, 'the season to end');
	});

	it('a running server ends a season at its end, long before its 30 s tick', async () => {
		seeded = await seedServerDb({ teams: 1, people: 1 });
		const id = seeded.seasonId;
		const endsAt = Date.now() + 8000;
		withDb(seeded.path, (db) => db.update(season).set({ endsAt }).where(eq(season.id, id)).run());
		server = await startServer({ dbPath: seeded.path });
		expect(statusIn(seeded.path, id)).toBe('live');
		await waitFor(
			() => statusIn(seeded!.path, id) === 'ended',
			endsAt - Date.now() + 10_000,
			'the season to end'
		);
	});
});
