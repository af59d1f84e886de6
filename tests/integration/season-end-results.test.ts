import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeProduct, makeSeason, makeTeam } from '../helpers/factories';
import { openDatabase, type Db } from '../../src/lib/server/db';
import { season, seasonMember, seasonResult, team, user } from '../../src/lib/server/db/schema';
import {
	runScheduler,
	runSchedulerOffThread,
	type BoardReader
} from '../../src/lib/server/seasons/scheduler';
import { readFinalBoardOnStore } from '../../src/lib/server/seasons/final-board';
import { readLeaderboard } from '../../src/lib/server/boards/leaderboard';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { createBadge } from '../../src/lib/server/badges/commands';
import { sqliteStore } from '../../src/lib/server/db/store';
import { reevaluationsSettled } from '../../src/lib/server/badges/reevaluate';
import * as delivery from '../../src/lib/server/webhooks/delivery';

// The season's end writes its results with raw multi-row INSERTs and gives the end-of-season
// badges from the rows it just froze (docs/benchmarks.md, "Season end without the builder").
// These tests hold it to what it did before: the results are the board as shown at the end
// (the reference: readLeaderboard read just before), the badges follow them, and a sale is
// either in the results or refused, never half.

// A hook run inside the end's transaction, when it enqueues the season.ended webhook.
let duringEnd: (() => void) | undefined;
vi.mock('../../src/lib/server/webhooks/delivery', async (original) => {
	const actual = await original<typeof delivery>();
	return {
		...actual,
		enqueueWebhooksInWrite: ((...args: Parameters<typeof actual.enqueueWebhooksInWrite>) => {
			if (args[2] === 'season.ended') duringEnd?.();
			return actual.enqueueWebhooksInWrite(...args);
		}) as typeof actual.enqueueWebhooksInWrite
	};
});

const DAY = 86_400_000;
const NOW = Date.parse('2027-03-01T12:00:00Z');
let ctx: ReturnType<typeof tempDb>;
beforeEach(() => {
	ctx = tempDb();
	duringEnd = undefined;
});
afterEach(() => ctx.cleanup());

/**
 * A live season ending at NOW with 300 people in 4 teams (more than one 256-row INSERT), many
 * tied on points, some pending points, one person invited but not joined, one never selling.
 */
async function bigSeason(db: Db) {
	const s = makeSeason(
		db,
		{ startsAt: NOW - 20 * DAY, endsAt: NOW, requireConfirmation: true },
		NOW
	);
	const teams = Array.from({ length: 4 }, (_, i) => makeTeam(db, s.id, `Team ${i}`));
	makeProduct(db, s.id, { sku: 'PHONE', points: 50 });
	makeProduct(db, s.id, { sku: 'CASE', points: 5 });
	const people: number[] = [];
	for (let i = 0; i < 300; i++) {
		const u = db
			.insert(user)
			.values({
				email: `p${i}@test.test`,
				displayName: `Person ${String(i % 50).padStart(2, '0')}`,
				role: 'participant',
				// One invitation not accepted yet: not a player until they score.
				passwordHash: i === 7 ? '!' : 'no-password'
			})
			.returning()
			.get();
		db.insert(seasonMember)
			.values({ seasonId: s.id, userId: u.id, teamId: teams[i % 4].id, joinedAt: NOW - 20 * DAY })
			.run();
		people.push(u.id);
	}
	let n = 0;
	const sales: number[] = [];
	for (let i = 0; i < people.length; i++) {
		if (i === 7 || i === 11) continue;
		for (const [sku, quantity] of [
			['PHONE', i % 4],
			['CASE', i % 3]
		] as const) {
			if (quantity === 0) continue;
			const at = NOW - 10 * DAY + i * 60_000;
			const recorded = await recordOn(
				db,
				{
					source: 'api',
					externalId: `s${n++}`,
					seller: { userId: people[i] },
					occurredAt: at,
					lines: [{ sku, quantity }]
				},
				() => at
			);
			sales.push(recorded.sale.id);
		}
	}
	// Two thirds confirmed, the rest pending: confirmed points rank, pending ones show.
	await reviewSales(
		sqliteStore(db),
		sales.filter((_, i) => i % 3 !== 0),
		{ decision: 'confirm', actor: {} },
		() => NOW - DAY
	);
	return { season: s, people };
}

/** The board as season_result rows, the way the end froze it before (the reference). */
async function referenceResults(db: Db, seasonId: number, frozenAt: number) {
	const board = (await readLeaderboard(sqliteStore(db), seasonId))!;
	return [
		...board.individual.map((e) => ({ subjectType: 'user' as const, ...e })),
		...board.teams.map((e) => ({ subjectType: 'team' as const, ...e }))
	]
		.map((e) => ({
			seasonId,
			subjectType: e.subjectType,
			subjectId: e.id,
			name: e.name,
			teamName: e.teamName ?? null,
			rank: e.rank,
			points: e.points,
			provisionalPoints: e.provisionalPoints,
			salesCount: e.salesCount,
			frozenAt
		}))
		.sort((a, b) => a.subjectType.localeCompare(b.subjectType) || a.subjectId - b.subjectId);
}

function storedResults(db: Db, seasonId: number) {
	return db
		.select()
		.from(seasonResult)
		.where(eq(seasonResult.seasonId, seasonId))
		.all()
		.sort((a, b) => a.subjectType.localeCompare(b.subjectType) || a.subjectId - b.subjectId);
}

function awards(db: Db, seasonId: number) {
	return db.all<{ badge: string; type: string; id: number }>(
		sql`select b.name as badge, a.subject_type as type, a.subject_id as id from award a
			join badge b on b.id = a.badge_id where a.season_id = ${seasonId} and a.period_key = ''
			order by a.id`
	);
}

describe("the season's end", () => {
	it('freezes the board as shown and gives the end badges from it, at the end and when final', async () => {
		const db = ctx.db;
		const { season: s, people } = await bigSeason(db);
		await createBadge(
			sqliteStore(db),
			s.id,
			{
				name: 'Top ten',
				criterion: { kind: 'season_place', maxRank: 10 },
				emoji: '🏅',
				description: '',
				points: 0,
				active: true
			},
			{ userId: null },
			() => NOW - DAY
		);
		await reevaluationsSettled(sqliteStore(db));

		const expected = await referenceResults(db, s.id, NOW + 1);
		expect(expected.filter((r) => r.subjectType === 'user')).toHaveLength(299); // all but the invitation not accepted
		expect(
			(await runScheduler(sqliteStore(db), { clock: () => NOW + 1 })).map((t) => t.to)
		).toEqual(['ended']);
		expect(storedResults(db, s.id)).toEqual(expected);

		// The badges follow the frozen ranks, in key order (teams, then people, by id).
		const users = expected.filter((r) => r.subjectType === 'user');
		const teams = expected.filter((r) => r.subjectType === 'team');
		const place = (max: number) =>
			users.filter((r) => r.rank <= max && r.points > 0).map((r) => r.subjectId);
		const given = awards(db, s.id);
		const of = (name: string) => given.filter((a) => a.badge === name).map((a) => a.id);
		expect(of('Top ten')).toEqual(place(10));
		expect(of('Season champion')).toEqual(place(1));
		expect(of('Season podium')).toEqual(place(3));
		expect(of('Best team')).toEqual(
			teams.filter((r) => r.rank === 1 && r.points > 0).map((r) => r.subjectId)
		);
		expect(place(10).length).toBeGreaterThan(3);

		// Late confirmations in the grace period lift people; the final freeze is the board then.
		const pending = db.all<{ id: number }>(
			sql`select id from sale where season_id = ${s.id} and status = 'pending' order by id`
		);
		await reviewSales(
			sqliteStore(db),
			pending.map((p) => p.id),
			{ decision: 'confirm', actor: {} },
			() => NOW + DAY
		);
		const before = given.length;
		const final = await referenceResults(db, s.id, NOW + 400 * DAY);
		expect(final).not.toEqual(expected.map((r) => ({ ...r, frozenAt: NOW + 400 * DAY })));
		expect(
			(await runScheduler(sqliteStore(db), { clock: () => NOW + 400 * DAY })).map((t) => t.to)
		).toEqual(['archived']);
		expect(storedResults(db, s.id)).toEqual(final);
		// Nobody loses a badge; whoever the confirmations lifted into the top ten gets it.
		const after = awards(db, s.id);
		expect(after.slice(0, before)).toEqual(given);
		const finalTop = final
			.filter((r) => r.subjectType === 'user' && r.rank <= 10 && r.points > 0)
			.map((r) => r.subjectId);
		expect(
			after
				.filter((a) => a.badge === 'Top ten')
				.map((a) => a.id)
				.sort((a, b) => a - b)
		).toEqual([...new Set([...place(10), ...finalTop])].sort((a, b) => a - b));
		expect(people).toHaveLength(300);
	});

	it('counts a sale posted before the end and refuses one posted during or after it, never half', async () => {
		const db = ctx.db;
		const { season: s, people } = await bigSeason(db);
		// Another process's connection, failing at once on the lock instead of waiting for it.
		const other = openDatabase(ctx.path);
		other.$client.pragma('busy_timeout = 0');
		const sell = (on: Db, id: string, who: number, now: number) =>
			recordOn(
				on,
				{
					source: 'api',
					externalId: id,
					seller: { userId: people[who] },
					occurredAt: NOW - 1000,
					lines: [{ sku: 'PHONE', quantity: 40 }]
				},
				() => now
			);
		const salesOf = () =>
			db.get<{ n: number }>(sql`select count(*) as n from sale where season_id = ${s.id}`)!.n;

		// Past the end but not yet ended: a late post for the last minute still counts.
		await sell(db, 'late-but-live', 11, NOW + 5);
		const count = salesOf();
		// During the end (inside its transaction) another process cannot begin a write: its sale
		// waits for the lock (retryWhenBusy). A sale posted meanwhile is written once the end has
		// committed, and is refused: its season has ended.
		let locked: unknown;
		let posted: Promise<unknown> | undefined;
		duringEnd = () => {
			try {
				other.$client.exec('BEGIN IMMEDIATE');
			} catch (error) {
				locked = error;
			}
			posted = sell(other, 'during', 12, NOW + 6);
		};
		expect(
			(await runScheduler(sqliteStore(db), { clock: () => NOW + 6 })).map((t) => t.to)
		).toEqual(['ended']);
		expect(String(locked)).toMatch(/SQLITE_BUSY|database is locked/);
		await expect(posted).rejects.toThrow(/not in a live season/);
		expect(salesOf()).toBe(count);
		// After it, the season is ended: refused, and the results stay as frozen.
		await expect(sell(other, 'during', 12, NOW + 7)).rejects.toThrow(/not in a live season/);
		await expect(sell(db, 'after', 13, NOW + 7)).rejects.toThrow(/not in a live season/);
		expect(salesOf()).toBe(count);

		const results = storedResults(db, s.id);
		expect(results).toEqual(await referenceResults(db, s.id, NOW + 6));
		// The late sale (40 phones, pending: provisional points) is in person 11's result.
		const eleven = results.find((r) => r.subjectType === 'user' && r.subjectId === people[11])!;
		expect(eleven).toMatchObject({ provisionalPoints: 2000, salesCount: 1 });
		expect(
			results.find((r) => r.subjectId === people[12] && r.subjectType === 'user')
		).toBeTruthy();
		expect(db.select().from(season).where(eq(season.id, s.id)).get()!.status).toBe('ended');
		other.$client.close();
	});
});

/**
 * A read thread as runSchedulerOffThread sees it: reads the board on its own connection, as
 * the worker does, then lets `after` change something before the end's transaction runs.
 */
function threadThatChanges(path: string, after: (reads: number) => unknown) {
	const own = openDatabase(path);
	const ownStore = sqliteStore(own);
	const reader = {
		reads: 0,
		close: () => own.$client.close(),
		async finalBoard(seasonId: number) {
			const read = await readFinalBoardOnStore(ownStore, seasonId);
			await after(++reader.reads);
			return read;
		}
	};
	return reader satisfies BoardReader;
}

describe("the season's end with its board read off the event loop", () => {
	// Each change reaches the board through a different input: standings (season.version),
	// memberships, names and first sign-in (season.roster_version).
	const changes: [string, (db: Db, s: { id: number }, people: number[]) => unknown][] = [
		[
			'a sale',
			(db, _s, people) =>
				recordOn(
					db,
					{
						source: 'api',
						externalId: 'between',
						seller: { userId: people[11] },
						occurredAt: NOW - 1000,
						lines: [{ sku: 'PHONE', quantity: 40 }]
					},
					() => NOW + 2
				)
		],
		[
			'a team move',
			(db, s, people) => {
				const other = db
					.select()
					.from(team)
					.where(eq(team.seasonId, s.id))
					.all()
					.find((t) => t.name === 'Team 3')!;
				db.update(seasonMember)
					.set({ teamId: other.id })
					.where(eq(seasonMember.userId, people[0]))
					.run();
			}
		],
		[
			'a rename',
			(db, _s, people) =>
				db.update(user).set({ displayName: 'Renamed' }).where(eq(user.id, people[5])).run()
		],
		[
			'an invitation accepted',
			(db, _s, people) =>
				db.update(user).set({ passwordHash: 'set-now' }).where(eq(user.id, people[7])).run()
		]
	];

	it.each(changes)(
		'freezes the board as it is at the write when %s comes between the read and the write',
		async (_name, change) => {
			const db = ctx.db;
			const { season: s, people } = await bigSeason(db);
			const atRead = await referenceResults(db, s.id, NOW + 3);
			const reader = threadThatChanges(ctx.path, async (reads) => {
				if (reads === 1) await change(db, s, people);
			});
			const done = await runSchedulerOffThread(sqliteStore(db), reader, { clock: () => NOW + 3 });
			expect(done.map((t) => t.to)).toEqual(['ended']);
			const now = await referenceResults(db, s.id, NOW + 3);
			expect(now).not.toEqual(atRead);
			expect(storedResults(db, s.id)).toEqual(now);
			// The first read was stale: read again, and that board was frozen.
			expect(reader.reads).toBe(2);
			reader.close();
		}
	);

	it('reads the board once when nothing changed, and again when the results become final', async () => {
		const db = ctx.db;
		const { season: s } = await bigSeason(db);
		const expected = await referenceResults(db, s.id, NOW + 1);
		const reader = threadThatChanges(ctx.path, () => {});
		expect(
			(await runSchedulerOffThread(sqliteStore(db), reader, { clock: () => NOW + 1 })).map(
				(t) => t.to
			)
		).toEqual(['ended']);
		expect(reader.reads).toBe(1);
		expect(storedResults(db, s.id)).toEqual(expected);
		// A late confirmation between the final read and the write is in the final results.
		const pending = db.all<{ id: number }>(
			sql`select id from sale where season_id = ${s.id} and status = 'pending' order by id`
		);
		const late = threadThatChanges(ctx.path, async (reads) => {
			if (reads === 1)
				await reviewSales(
					sqliteStore(db),
					[pending[0].id],
					{ decision: 'confirm', actor: {} },
					() => NOW + DAY
				);
		});
		expect(
			(await runSchedulerOffThread(sqliteStore(db), late, { clock: () => NOW + 400 * DAY })).map(
				(t) => t.to
			)
		).toEqual(['archived']);
		expect(storedResults(db, s.id)).toEqual(await referenceResults(db, s.id, NOW + 400 * DAY));
		expect(late.reads).toBe(2);
		reader.close();
		late.close();
	});

	it('reads the board in its transaction after three stale reads, and a failed thread at once', async () => {
		const db = ctx.db;
		const { season: s, people } = await bigSeason(db);
		// Every read is followed by another sale: the third stale read gives way to the inline one.
		const busy = threadThatChanges(ctx.path, (reads) =>
			recordOn(
				db,
				{
					source: 'api',
					externalId: `busy-${reads}`,
					seller: { userId: people[20 + reads] },
					occurredAt: NOW - 1000,
					lines: [{ sku: 'PHONE', quantity: 10 * reads }]
				},
				() => NOW + 2
			)
		);
		expect(
			(await runSchedulerOffThread(sqliteStore(db), busy, { clock: () => NOW + 3 })).map(
				(t) => t.to
			)
		).toEqual(['ended']);
		expect(storedResults(db, s.id)).toEqual(await referenceResults(db, s.id, NOW + 3));
		expect(busy.reads).toBe(3);
		expect(
			db.get<{ n: number }>(sql`select count(*) as n from sale where external_id like 'busy-%'`)!.n
		).toBe(3);
		busy.close();

		const second = await bigSecondSeason(db);
		const failing: BoardReader = { finalBoard: () => Promise.reject(new Error('thread died')) };
		expect(
			(await runSchedulerOffThread(sqliteStore(db), failing, { clock: () => NOW + 3 })).map(
				(t) => t.to
			)
		).toEqual(['ended']);
		expect(storedResults(db, second)).toEqual(await referenceResults(db, second, NOW + 3));
	});
});

/** A second small live season ending at NOW (the first one has ended already). */
async function bigSecondSeason(db: Db): Promise<number> {
	const s = makeSeason(db, { startsAt: NOW - 5 * DAY, endsAt: NOW + 2 }, NOW - 5 * DAY);
	const t = makeTeam(db, s.id, 'Solo');
	makeProduct(db, s.id, { sku: 'PHONE', points: 50 });
	const u = db
		.insert(user)
		.values({
			email: 'second@test.test',
			displayName: 'Second',
			role: 'participant',
			passwordHash: 'x'
		})
		.returning()
		.get();
	db.insert(seasonMember).values({ seasonId: s.id, userId: u.id, teamId: t.id }).run();
	await recordOn(
		db,
		{
			source: 'api',
			externalId: 'second-1',
			seller: { userId: u.id },
			occurredAt: NOW - DAY,
			lines: [{ sku: 'PHONE', quantity: 1 }]
		},
		() => NOW - DAY
	);
	return s.id;
}
