// The ledger on the store (#20, db/store.ts): appending an entry, moving an entry's status, a
// standing's delta and the season's version (scoring/ledger.ts, standings.ts: the `…InWrite`
// helpers), and a manager's adjustment built on them (scoring/adjustments.ts), with the same
// assertions on a temp SQLite file and a throwaway PostgreSQL. "Two nodes" are two stores on one
// database: what one wrote, the other reads; commands sent to both at once all count.
import { describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { appendEntryInWrite, changeEntryStatusInWrite } from '../../src/lib/server/scoring/ledger';
import {
	bumpVersionInWrite,
	markStandingsMoved,
	type StandingMove
} from '../../src/lib/server/scoring/standings';
import { adjustPoints } from '../../src/lib/server/scoring/adjustments';
import { journalEnd, movedSince } from '../../src/lib/server/realtime/changed';
import { write, type Store } from '../../src/lib/server/db/store';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('ledger-store');
const NOW = 1_900_000_000_000;

/** A subject's standing: confirmed, provisional, sales, reached at (null without a row). */
async function standingOf(store: Store, seasonId: number, type: 'user' | 'team', id: number) {
	const { standing } = store.tables;
	const [row] = await store.db
		.select({
			confirmed: standing.confirmedPoints,
			provisional: standing.provisionalPoints,
			sales: standing.salesCount,
			reachedAt: standing.reachedAt
		})
		.from(standing)
		.where(
			and(
				eq(standing.seasonId, seasonId),
				eq(standing.subjectType, type),
				eq(standing.subjectId, id)
			)
		);
	return row ?? null;
}

async function versionOf(store: Store, seasonId: number): Promise<number> {
	const { season } = store.tables;
	const [row] = await store.db
		.select({ version: season.version })
		.from(season)
		.where(eq(season.id, seasonId));
	return row.version;
}

async function entriesOf(store: Store, seasonId: number, userId: number) {
	const { ledgerEntry } = store.tables;
	return store.db
		.select({
			kind: ledgerEntry.kind,
			points: ledgerEntry.points,
			status: ledgerEntry.status,
			reason: ledgerEntry.reason,
			breakdown: ledgerEntry.breakdown,
			createdById: ledgerEntry.createdById
		})
		.from(ledgerEntry)
		.where(and(eq(ledgerEntry.seasonId, seasonId), eq(ledgerEntry.userId, userId)))
		.orderBy(ledgerEntry.id);
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];
	const season = () => liveSeasonOn(node(0), { size: 3, teams: ['North', 'South'], endsAt: 1e13 });

	it('an entry appended on one node is in the other’s ledger and standings, person and team', async () => {
		const s = await season();
		const [ann] = s.people;
		const moved: StandingMove[] = [];
		const entry = {
			seasonId: s.seasonId,
			userId: ann.id,
			teamId: s.teamIds[0],
			kind: 'sale' as const,
			points: 30,
			status: 'provisional' as const
		};
		const id = await write(node(0), (tx) => appendEntryInWrite(tx, node(0), entry, NOW, moved, 1));
		expect(id).toBeGreaterThan(0);
		expect(moved).toEqual([{ seasonId: s.seasonId, userId: ann.id }]);
		expect(await standingOf(node(1), s.seasonId, 'user', ann.id)).toEqual({
			confirmed: 0,
			provisional: 30,
			sales: 1,
			reachedAt: NOW
		});
		expect(await standingOf(node(1), s.seasonId, 'team', s.teamIds[0])).toMatchObject({
			provisional: 30,
			sales: 1
		});
		// A second entry adds to the rows: an upsert, not a second row.
		await write(node(1), (tx) =>
			appendEntryInWrite(
				tx,
				node(1),
				{ ...entry, points: 5, status: 'confirmed', breakdown: { items: [] } },
				NOW + 1,
				[]
			)
		);
		expect(await standingOf(node(0), s.seasonId, 'user', ann.id)).toEqual({
			confirmed: 5,
			provisional: 30,
			sales: 1,
			reachedAt: NOW + 1
		});
		expect((await entriesOf(node(0), s.seasonId, ann.id)).map((e) => e.breakdown)).toEqual([
			null,
			{ items: [] }
		]);
	});

	it('an entry’s status moves once, the standings following; a second move finds nothing', async () => {
		const s = await season();
		const [, bob] = s.people;
		const entry = {
			seasonId: s.seasonId,
			userId: bob.id,
			teamId: s.teamIds[1],
			kind: 'referral' as const,
			points: 40,
			status: 'provisional' as const
		};
		const id = await write(node(0), (tx) => appendEntryInWrite(tx, node(0), entry, NOW, []));
		// Both nodes move it at once: the points move once.
		const moves = await Promise.all(
			[0, 1].map((i) =>
				write(node(i), async (tx) => {
					const moved: StandingMove[] = [];
					const points = await changeEntryStatusInWrite(
						tx,
						node(i),
						id,
						'provisional',
						'confirmed',
						NOW + 1,
						moved
					);
					return { points, moved };
				})
			)
		);
		expect(moves.map((m) => m.points).sort()).toEqual([0, 40]);
		expect(moves.flatMap((m) => m.moved)).toEqual([{ seasonId: s.seasonId, userId: bob.id }]);
		expect(await standingOf(node(1), s.seasonId, 'user', bob.id)).toMatchObject({
			confirmed: 40,
			provisional: 0
		});
		expect(await standingOf(node(1), s.seasonId, 'team', s.teamIds[1])).toMatchObject({
			confirmed: 40,
			provisional: 0
		});
		expect((await entriesOf(node(1), s.seasonId, bob.id)).map((e) => e.status)).toEqual([
			'confirmed'
		]);
	});

	it('versions bumped on both nodes at once are all distinct and the last is the highest', async () => {
		const s = await season();
		const before = await versionOf(node(0), s.seasonId);
		const versions = await Promise.all(
			Array.from({ length: 8 }, (_, i) =>
				write(node(i % 2), (tx) => bumpVersionInWrite(tx, node(i % 2), s.seasonId))
			)
		);
		expect([...versions].sort((a, b) => a - b)).toEqual(
			Array.from({ length: 8 }, (_, i) => before + 1 + i)
		);
		expect(await versionOf(node(1), s.seasonId)).toBe(before + 8);
	});

	it('a manager’s adjustment on one node is the other’s: the entry, the standings, the audit, the version', async () => {
		const s = await season();
		const [ann, , boss] = s.people;
		const before = await versionOf(node(0), s.seasonId);
		const journal = journalEnd(s.seasonId);
		const id = await adjustPoints(
			node(0),
			{
				seasonId: s.seasonId,
				userId: ann.id,
				points: 25,
				reason: '  Fair play ',
				actor: { userId: boss.id }
			},
			() => NOW
		);
		expect(id).toBeGreaterThan(0);
		expect(await entriesOf(node(1), s.seasonId, ann.id)).toEqual([
			{
				kind: 'adjustment',
				points: 25,
				status: 'confirmed',
				reason: 'Fair play',
				breakdown: null,
				createdById: boss.id
			}
		]);
		expect(await standingOf(node(1), s.seasonId, 'user', ann.id)).toEqual({
			confirmed: 25,
			provisional: 0,
			sales: 0,
			reachedAt: NOW
		});
		expect(await standingOf(node(1), s.seasonId, 'team', s.teamIds[0])).toMatchObject({
			confirmed: 25
		});
		expect(await auditsOf(node(1), `user:${ann.id}`)).toEqual([
			{
				action: 'points.adjust',
				data: { seasonId: s.seasonId, points: 25, reason: 'Fair play' }
			}
		]);
		expect(await versionOf(node(1), s.seasonId)).toBe(before + 1);
		// Marked for the pushes and the rank counts once committed.
		expect(movedSince(s.seasonId, journal)).toEqual([ann.id]);
	});

	it('adjustments of one person on both nodes at once all count, the version past every one', async () => {
		const s = await season();
		const [ann, , boss] = s.people;
		const before = await versionOf(node(0), s.seasonId);
		const points = [10, -3, 7, 20, -5, 1, 4, 6];
		const ids = await Promise.all(
			points.map((n, i) =>
				adjustPoints(
					node(i % 2),
					{
						seasonId: s.seasonId,
						userId: ann.id,
						points: n,
						reason: `fix ${i}`,
						actor: { userId: boss.id }
					},
					() => NOW + i
				)
			)
		);
		expect(new Set(ids).size).toBe(points.length);
		const total = points.reduce((a, b) => a + b, 0);
		expect(await standingOf(node(0), s.seasonId, 'user', ann.id)).toMatchObject({
			confirmed: total,
			provisional: 0
		});
		expect(await standingOf(node(1), s.seasonId, 'team', s.teamIds[0])).toMatchObject({
			confirmed: total
		});
		expect((await entriesOf(node(1), s.seasonId, ann.id)).length).toBe(points.length);
		expect((await auditsOf(node(0), `user:${ann.id}`)).length).toBe(points.length);
		expect(await versionOf(node(1), s.seasonId)).toBe(before + points.length);
	});

	it('a refused adjustment changes nothing: no entry, standing, audit, version or mark', async () => {
		const s = await season();
		const [ann, bob, boss] = s.people;
		const outsider = (await liveSeasonOn(node(0), { size: 1, teams: ['Elsewhere'], endsAt: 1e13 }))
			.people[0];
		const before = await versionOf(node(0), s.seasonId);
		const journal = journalEnd(s.seasonId);
		const adjust = (userId: number, points: number, reason: string, actor = boss.id) =>
			appErrorCode(() =>
				adjustPoints(
					node(1),
					{ seasonId: s.seasonId, userId, points, reason, actor: { userId: actor } },
					() => NOW
				)
			);
		expect(await adjust(ann.id, 10, '   ')).toBe('reason_required');
		expect(await adjust(ann.id, 0, 'fix')).toBe('zero_points');
		expect(await adjust(ann.id, 1.5, 'fix')).toBe('zero_points');
		expect(await adjust(bob.id, 10, 'fix', bob.id)).toBe('own_points');
		expect(await adjust(outsider.id, 10, 'fix')).toBe('not_a_member');
		const { ledgerEntry, auditEvent } = node(0).tables;
		const [entries] = await node(0)
			.db.select({ n: count() })
			.from(ledgerEntry)
			.where(eq(ledgerEntry.seasonId, s.seasonId));
		expect(entries.n).toBe(0);
		for (const person of [ann, bob, outsider])
			expect(await standingOf(node(0), s.seasonId, 'user', person.id)).toBeNull();
		const [audits] = await node(0)
			.db.select({ n: count() })
			.from(auditEvent)
			.where(eq(auditEvent.action, 'points.adjust'));
		const adjusted = await adjustPoints(
			node(0),
			{
				seasonId: s.seasonId,
				userId: bob.id,
				points: 2,
				reason: 'fix',
				actor: { userId: boss.id }
			},
			() => NOW
		);
		expect(adjusted).toBeGreaterThan(0);
		const [after] = await node(0)
			.db.select({ n: count() })
			.from(auditEvent)
			.where(eq(auditEvent.action, 'points.adjust'));
		// The refused ones wrote no audit entry: the one that passed added exactly one.
		expect(after.n).toBe(audits.n + 1);
		expect(await versionOf(node(0), s.seasonId)).toBe(before + 1);
		expect(movedSince(s.seasonId, journal)).toEqual([bob.id]);
	});
});

describe('markStandingsMoved', () => {
	it('marks each person a committed write moved, in the season’s journal', () => {
		const seasonId = 987_654;
		const start = journalEnd(seasonId);
		markStandingsMoved([
			{ seasonId, userId: 1 },
			{ seasonId, userId: 2 }
		]);
		expect(movedSince(seasonId, start)).toEqual([1, 2]);
	});
});
