// The divisions' console on the store (#20, divisions/): creating, editing and removing a
// division, placing the season automatically, moving a member by hand, the console's lists and
// a person's own division, with the same assertions on a temp SQLite file and a throwaway
// PostgreSQL. "Two nodes" are two stores on one database: two SQLite connections to one file,
// two PostgreSQL pools.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import {
	deleteDivision,
	moveMember,
	placeAutomatically,
	saveDivision
} from '../../src/lib/server/divisions/commands';
import {
	divisionOf,
	membersWithDivision,
	readDivisions
} from '../../src/lib/server/divisions/standings';
import { DIVISION_LIMITS, type DivisionInput } from '../../src/lib/server/divisions/division-form';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf, liveSeasonOn } from '../helpers/store-season';
import { theme } from '../helpers/factories';

const nodes = twoNodesPerDialect('divisions-store');
const MANAGER = {};

const input = (
	seasonId: number,
	name: string,
	more: Partial<DivisionInput> = {}
): DivisionInput => ({
	id: null,
	seasonId,
	name,
	promote: 1,
	relegate: 1,
	prizes: [{ title: `${name} trophy`, place: 1 }],
	...more
});

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: 0 | 1) => nodes[dialect][i];
	const names = async (store: Store, seasonId: number) =>
		(await readDivisions(store, seasonId)).map((d) => [d.position, d.name]);
	const placement = async (store: Store, seasonId: number) =>
		(await membersWithDivision(store, seasonId)).map((m) => [m.id, m.divisionId, m.placedBy]);

	/** A season ended before `seasonId` started, with final results, which `seasonId` follows. */
	const lastSeasonWith = async (store: Store, seasonId: number, ranked: number[]) => {
		const { season, seasonResult } = store.tables;
		const [last] = await store.db
			.insert(season)
			.values({ name: 'Last', theme, startsAt: -2000, endsAt: -1000, status: 'archived' })
			.returning({ id: season.id });
		await store.db.insert(seasonResult).values(
			ranked.map((subjectId, i) => ({
				seasonId: last.id,
				subjectType: 'user' as const,
				subjectId,
				name: `P${i}`,
				rank: i + 1,
				points: 1000 - i * 100,
				provisionalPoints: 0,
				salesCount: 1,
				frozenAt: -1000
			}))
		);
		await store.db.update(season).set({ previousSeasonId: last.id }).where(eq(season.id, seasonId));
		return last.id;
	};

	it('a division made on one node is on the other’s ladder; one form sent to both at once makes one', async () => {
		const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
		const ids = await Promise.all([
			saveDivision(node(0), input(s.seasonId, 'Gold'), MANAGER, 1),
			saveDivision(node(1), input(s.seasonId, 'Gold'), MANAGER, 1)
		]);
		expect(ids[0]).toBe(ids[1]);
		const silver = await saveDivision(node(1), input(s.seasonId, 'Silver'), MANAGER, 2);
		expect(await names(node(0), s.seasonId)).toEqual([
			[1, 'Gold'],
			[2, 'Silver']
		]);
		const [gold] = await readDivisions(node(0), s.seasonId);
		expect(gold.prizes).toEqual([{ title: 'Gold trophy', place: 1 }]);
		// Edited on the other node: the same row, renamed, with its new counts.
		expect(
			await saveDivision(
				node(0),
				input(s.seasonId, 'Silver league', { id: silver, promote: 3 }),
				MANAGER,
				3
			)
		).toBe(silver);
		const [, edited] = await readDivisions(node(1), s.seasonId);
		expect([edited.name, edited.promote, edited.position]).toEqual(['Silver league', 3, 2]);
		expect((await auditsOf(node(1), `season:${s.seasonId}`)).map((a) => a.action)).toEqual([
			'division.create',
			'division.create',
			'division.update'
		]);
	});

	it('a taken name, an unknown division or season is refused and nothing is written', async () => {
		const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
		const gold = await saveDivision(node(0), input(s.seasonId, 'Gold'), MANAGER, 1);
		const silver = await saveDivision(node(0), input(s.seasonId, 'Silver'), MANAGER, 1);
		expect(
			await appErrorCode(() =>
				saveDivision(node(1), input(s.seasonId, 'Gold', { promote: 2 }), MANAGER, 2)
			)
		).toBe('division_name_taken');
		expect(
			await appErrorCode(() =>
				saveDivision(node(1), input(s.seasonId, 'Gold', { id: silver }), MANAGER, 2)
			)
		).toBe('division_name_taken');
		expect(
			await appErrorCode(() =>
				saveDivision(node(1), input(s.seasonId, 'Bronze', { id: 999_999 }), MANAGER, 2)
			)
		).toBe('unknown_division');
		expect(
			await appErrorCode(() => saveDivision(node(1), input(999_999, 'Gold'), MANAGER, 2))
		).toBe('unknown_season');
		expect(await appErrorCode(() => deleteDivision(node(1), 999_999, MANAGER, 2))).toBe(
			'unknown_division'
		);
		const ladder = await readDivisions(node(0), s.seasonId);
		expect(ladder.map((d) => [d.id, d.name, d.promote])).toEqual([
			[gold, 'Gold', 1],
			[silver, 'Silver', 1]
		]);
		expect(await auditsOf(node(0), `season:${s.seasonId}`)).toHaveLength(2);
	});

	it('new divisions sent to both nodes at once take the next places in turn and stop at the limit', async () => {
		const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
		for (let i = 1; i <= DIVISION_LIMITS.divisions - 2; i++)
			await saveDivision(node(0), input(s.seasonId, `D${i}`), MANAGER, i);
		// Two at once: positions 7 and 8, never the same.
		await Promise.all([
			saveDivision(node(0), input(s.seasonId, 'North'), MANAGER, 10),
			saveDivision(node(1), input(s.seasonId, 'South'), MANAGER, 10)
		]);
		const ladder = await readDivisions(node(1), s.seasonId);
		expect(ladder.map((d) => d.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
		expect(
			ladder
				.slice(6)
				.map((d) => d.name)
				.sort()
		).toEqual(['North', 'South']);
		// Full: two more at once are both refused.
		const refused = await Promise.all([
			appErrorCode(() => saveDivision(node(0), input(s.seasonId, 'East'), MANAGER, 11)),
			appErrorCode(() => saveDivision(node(1), input(s.seasonId, 'West'), MANAGER, 11))
		]);
		expect(refused).toEqual(['too_many_divisions', 'too_many_divisions']);
		expect(await readDivisions(node(0), s.seasonId)).toHaveLength(DIVISION_LIMITS.divisions);
	});

	it('the last free place, asked for on both nodes at once, goes to one', async () => {
		const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
		for (let i = 1; i <= DIVISION_LIMITS.divisions - 1; i++)
			await saveDivision(node(0), input(s.seasonId, `D${i}`), MANAGER, i);
		const outcomes = await Promise.all([
			appErrorCode(() => saveDivision(node(0), input(s.seasonId, 'North'), MANAGER, 10)),
			appErrorCode(() => saveDivision(node(1), input(s.seasonId, 'South'), MANAGER, 10))
		]);
		expect(outcomes.sort()).toEqual(['ok', 'too_many_divisions']);
		expect(await readDivisions(node(1), s.seasonId)).toHaveLength(DIVISION_LIMITS.divisions);
		expect(await auditsOf(node(1), `season:${s.seasonId}`)).toHaveLength(DIVISION_LIMITS.divisions);
	});

	it('a removal sent to both nodes at once removes and audits once; the ladder closes up and its people are in none', async () => {
		const s = await liveSeasonOn(node(0), { size: 2, teams: ['A'], endsAt: 1e13 });
		const [gold, silver] = [
			await saveDivision(node(0), input(s.seasonId, 'Gold'), MANAGER, 1),
			await saveDivision(node(0), input(s.seasonId, 'Silver'), MANAGER, 1)
		];
		await saveDivision(node(0), input(s.seasonId, 'Bronze'), MANAGER, 1);
		const [ann, bo] = s.people.map((p) => p.id);
		await moveMember(node(0), { seasonId: s.seasonId, userId: ann, divisionId: gold }, MANAGER, 2);
		await moveMember(node(0), { seasonId: s.seasonId, userId: bo, divisionId: silver }, MANAGER, 2);
		const outcomes = await Promise.all([
			appErrorCode(() => deleteDivision(node(0), gold, MANAGER, 3)),
			appErrorCode(() => deleteDivision(node(1), gold, MANAGER, 3))
		]);
		expect(outcomes.sort()).toEqual(['ok', 'unknown_division']);
		expect(await names(node(1), s.seasonId)).toEqual([
			[1, 'Silver'],
			[2, 'Bronze']
		]);
		expect(await divisionOf(node(1), s.seasonId, ann)).toBeNull();
		expect(await divisionOf(node(1), s.seasonId, bo)).toBe(silver);
		expect(
			(await auditsOf(node(0), `season:${s.seasonId}`)).filter(
				(a) => a.action === 'division.delete'
			)
		).toEqual([{ action: 'division.delete', data: { name: 'Gold' } }]);
	});

	it('a season placed on one node is placed on the other: by last place, then by tier; placing twice at once places once each', async () => {
		const s = await liveSeasonOn(node(0), { size: 5, teams: ['A'], endsAt: 1e13 });
		const ids = s.people.map((p) => p.id);
		expect(
			await appErrorCode(() => placeAutomatically(node(1), s.seasonId, 'tier', MANAGER, 1))
		).toBe('no_divisions');
		const divisions: number[] = [];
		for (const name of ['Gold', 'Silver', 'Bronze'])
			divisions.push(await saveDivision(node(0), input(s.seasonId, name), MANAGER, 1));
		// Last season's final places: the last person joined since (no result).
		await lastSeasonWith(node(0), s.seasonId, [ids[3], ids[1], ids[0], ids[2]]);
		const counts = await Promise.all([
			placeAutomatically(node(0), s.seasonId, 'last_place', MANAGER, 2),
			placeAutomatically(node(1), s.seasonId, 'last_place', MANAGER, 2)
		]);
		expect(counts).toEqual([5, 5]);
		const [gold, silver, bronze] = divisions;
		const where = async (store: Store) =>
			Object.fromEntries(
				(await membersWithDivision(store, s.seasonId)).map((m) => [m.id, m.divisionId])
			);
		expect(await where(node(1))).toEqual({
			[ids[3]]: gold,
			[ids[1]]: gold,
			[ids[0]]: silver,
			[ids[2]]: bronze,
			[ids[4]]: bronze
		});
		expect((await placement(node(1), s.seasonId)).every(([, , by]) => by === 'last_place')).toBe(
			true
		);
		expect(
			(await auditsOf(node(1), `season:${s.seasonId}`))
				.filter((a) => a.action === 'division.place')
				.map((a) => a.data)
		).toEqual([
			expect.objectContaining({ method: 'last_place', people: 5 }),
			expect.objectContaining({ method: 'last_place', people: 5 })
		]);
		const { divisionMember } = node(0).tables;
		expect(
			await node(0).db.select().from(divisionMember).where(eq(divisionMember.seasonId, s.seasonId))
		).toHaveLength(5);
		// By tier, on the other node: every person placed again, none twice.
		expect(await placeAutomatically(node(1), s.seasonId, 'tier', MANAGER, 3)).toBe(5);
		expect((await placement(node(0), s.seasonId)).every(([, , by]) => by === 'tier')).toBe(true);
	});

	it('a move by hand on one node is where the other finds the person; a bad move changes nothing', async () => {
		const s = await liveSeasonOn(node(0), { size: 2, teams: ['A'], endsAt: 1e13 });
		const other = await liveSeasonOn(node(0), { size: 1, teams: ['B'], endsAt: 1e13 });
		const elsewhere = await saveDivision(node(0), input(other.seasonId, 'Gold'), MANAGER, 1);
		const gold = await saveDivision(node(0), input(s.seasonId, 'Gold'), MANAGER, 1);
		const silver = await saveDivision(node(0), input(s.seasonId, 'Silver'), MANAGER, 1);
		const [ann] = s.people.map((p) => p.id);
		await moveMember(node(1), { seasonId: s.seasonId, userId: ann, divisionId: gold }, MANAGER, 2);
		expect(await divisionOf(node(0), s.seasonId, ann)).toBe(gold);
		// Another season's division, someone not in the season: refused, nothing moves.
		expect(
			await appErrorCode(() =>
				moveMember(
					node(0),
					{ seasonId: s.seasonId, userId: ann, divisionId: elsewhere },
					MANAGER,
					3
				)
			)
		).toBe('unknown_division');
		expect(
			await appErrorCode(() =>
				moveMember(
					node(0),
					{ seasonId: s.seasonId, userId: other.people[0].id, divisionId: silver },
					MANAGER,
					3
				)
			)
		).toBe('unknown_member');
		expect(await divisionOf(node(1), s.seasonId, ann)).toBe(gold);
		expect(await divisionOf(node(1), s.seasonId, other.people[0].id)).toBeNull();
		expect(await auditsOf(node(1), `user:${other.people[0].id}`)).toEqual([]);
		// Moved on both nodes at once: one place each time, the last one stays.
		await Promise.all([
			moveMember(node(0), { seasonId: s.seasonId, userId: ann, divisionId: silver }, MANAGER, 4),
			moveMember(node(1), { seasonId: s.seasonId, userId: ann, divisionId: silver }, MANAGER, 4)
		]);
		expect((await placement(node(1), s.seasonId)).filter(([id]) => id === ann)).toEqual([
			[ann, silver, 'hand']
		]);
		await moveMember(node(1), { seasonId: s.seasonId, userId: ann, divisionId: null }, MANAGER, 5);
		expect(await divisionOf(node(0), s.seasonId, ann)).toBeNull();
		expect((await auditsOf(node(0), `user:${ann}`)).map((a) => a.data)).toEqual([
			{ seasonId: s.seasonId, divisionId: gold },
			{ seasonId: s.seasonId, divisionId: silver },
			{ seasonId: s.seasonId, divisionId: silver },
			{ seasonId: s.seasonId, divisionId: null }
		]);
	});

	it('a season of more members than one statement holds is placed whole', async () => {
		const s = await liveSeasonOn(node(0), { size: 0, teams: ['A'], endsAt: 1e13 });
		const { user, seasonMember } = node(0).tables;
		const people = await node(0)
			.db.insert(user)
			.values(
				Array.from({ length: 620 }, (_, i) => ({
					email: `many-${s.seasonId}-${i}@example.test`,
					displayName: `Many ${i}`,
					role: 'participant' as const,
					passwordHash: 'not-a-real-hash'
				}))
			)
			.returning({ id: user.id });
		await node(0)
			.db.insert(seasonMember)
			.values(people.map((p) => ({ seasonId: s.seasonId, userId: p.id, teamId: s.teamIds[0] })));
		for (const name of ['Gold', 'Silver'])
			await saveDivision(node(0), input(s.seasonId, name), MANAGER, 1);
		expect(await placeAutomatically(node(1), s.seasonId, 'last_place', MANAGER, 2)).toBe(620);
		const { divisionMember } = node(1).tables;
		const rows = await node(1)
			.db.select({ divisionId: divisionMember.divisionId })
			.from(divisionMember)
			.where(
				and(eq(divisionMember.seasonId, s.seasonId), eq(divisionMember.placedBy, 'last_place'))
			);
		expect(rows).toHaveLength(620);
	});
});
