import { describe, expect, it } from 'vitest';
import {
	bracketSlots,
	firstRound,
	freezeAt,
	nextPlace,
	pairingWinner,
	resolveBracket,
	roundStart,
	roundsStartedAt,
	seedOrder,
	type StoredMatch
} from './knockout';

const HOUR = 3_600_000;

describe('bracket shape', () => {
	it.each([
		[2, 2],
		[4, 4],
		[5, 8],
		[8, 8],
		[9, 16],
		[64, 64]
	])('%i entrants need %i places', (n, slots) => expect(bracketSlots(n)).toBe(slots));

	it.each([
		[4, [1, 4, 2, 3]],
		[8, [1, 8, 4, 5, 2, 7, 3, 6]]
	])('standard order for %i places: top seeds meet late', (slots, order) =>
		expect(seedOrder(slots)).toEqual(order)
	);

	it.each([
		// entrants, first-round pairings as seeds (0: bye)
		[
			4,
			[
				[1, 4],
				[2, 3]
			]
		],
		[
			5,
			[
				[1, 0],
				[4, 5],
				[2, 0],
				[3, 0]
			]
		],
		[
			6,
			[
				[1, 0],
				[4, 5],
				[2, 0],
				[3, 6]
			]
		],
		[
			8,
			[
				[1, 8],
				[4, 5],
				[2, 7],
				[3, 6]
			]
		]
	])('%i entrants: 1 v last, byes to the top seeds', (n, seeds) => {
		const ids = Array.from({ length: n }, (_, i) => 100 + i + 1);
		const pairs = firstRound(ids);
		expect(pairs.map((p) => [p.a.seed, p.b?.seed ?? 0])).toEqual(seeds);
		expect(pairs[0].a.id).toBe(101);
	});

	it.each([
		[0, { slot: 0, side: 'a' }],
		[1, { slot: 0, side: 'b' }],
		[2, { slot: 1, side: 'a' }],
		[7, { slot: 3, side: 'b' }]
	])('slot %i goes to %o', (slot, place) => expect(nextPlace(slot)).toEqual(place));
});

describe('pairingWinner', () => {
	it.each([
		['more points wins', 120, 3, 80, 1, 'a'],
		['the lower seed can win', 10, 4, 50, 5, 'b'],
		['a tie goes to the better seed', 50, 4, 50, 1, 'b'],
		['a tie at zero goes to the better seed', 0, 2, 0, 7, 'a']
	] as const)('%s', (_, aValue, aSeed, bValue, bSeed, side) => {
		const a = { id: 1, seed: aSeed, value: aValue };
		const b = { id: 2, seed: bSeed, value: bValue };
		expect(pairingWinner(a, b)).toBe(side === 'a' ? a : b);
	});
});

describe('round periods', () => {
	// Europe/Amsterdam leaves summer time on Sunday 25 October 2026 (a 25-hour day).
	const start = Date.UTC(2026, 9, 23, 7); // Friday 09:00 local (UTC+2)
	const plan = { startsAt: start, timeZone: 'Europe/Amsterdam', graceHours: 2 };
	it.each([
		['days keep the local time across DST', 'day', 1, 3, Date.UTC(2026, 9, 26, 8)],
		['two-day rounds', 'day', 2, 1, Date.UTC(2026, 9, 25, 8)],
		['hours are plain hours', 'hour', 12, 2, start + 24 * HOUR]
	] as const)('%s', (_, unit, length, round, expected) => {
		expect(roundStart({ ...plan, roundUnit: unit, roundLength: length }, round)).toBe(expected);
	});

	it('a round freezes grace hours after it ends; rounds start on time', () => {
		const p = { ...plan, roundUnit: 'hour' as const, roundLength: 24 };
		expect(freezeAt(p, 0)).toBe(start + 26 * HOUR);
		expect(roundsStartedAt(p, 3, start - 1)).toBe(0);
		expect(roundsStartedAt(p, 3, start)).toBe(1);
		expect(roundsStartedAt(p, 3, start + 24 * HOUR)).toBe(2);
		expect(roundsStartedAt(p, 3, start + 999 * HOUR)).toBe(3);
	});
});

describe('resolveBracket', () => {
	// 5 entrants (ids 1…5 = seeds 1…5) in 8 places: 1, 2 and 3 have byes; 4 v 5.
	const stored = (): StoredMatch[] => {
		const rows: StoredMatch[] = [];
		const blank = { aValue: null, bValue: null, winnerId: null };
		for (const p of firstRound([1, 2, 3, 4, 5]))
			rows.push({
				round: 0,
				slot: p.slot,
				aId: p.a.id,
				aSeed: p.a.seed,
				bId: p.b?.id ?? null,
				bSeed: p.b?.seed ?? null,
				...blank,
				// A bye is decided at seeding.
				winnerId: p.b ? null : p.a.id
			});
		for (const [round, n] of [
			[1, 2],
			[2, 1]
		])
			for (let slot = 0; slot < n; slot++)
				rows.push({ round, slot, aId: null, bId: null, aSeed: null, bSeed: null, ...blank });
		return rows;
	};
	const values: Record<string, number> = {
		'0:4': 30,
		'0:5': 40,
		'1:1': 10,
		'1:5': 25,
		'1:2': 60,
		'1:3': 60
	};
	const valueOf = (round: number, id: number) => values[`${round}:${id}`] ?? 0;

	it.each([
		// roundsStarted, what each round shows (winner ids; null: open)
		[
			'before the start: byes are through, nothing else',
			0,
			[[1, null, 2, 3], [null, null], [null]]
		],
		['round 1 live: 5 leads 4', 1, [[1, 5, 2, 3], [null, null], [null]]],
		['round 2 live: 5 leads 1; 2 v 3 tied, seed 2 leads', 2, [[1, 5, 2, 3], [5, 2], [null]]],
		['final live: 5 v 2 on final-round values', 3, [[1, 5, 2, 3], [5, 2], [2]]]
	] as const)('%s', (_, started, winners) => {
		const bracket = resolveBracket(stored(), 3, 0, started, valueOf);
		expect(bracket.map((round) => round.map((m) => m.winnerId))).toEqual(winners);
	});

	it('a frozen round is shown as stored, whatever the ledger says now', () => {
		const rows = stored().map((m) =>
			m.round === 0 && m.slot === 1 ? { ...m, aValue: 30, bValue: 20, winnerId: 4 } : m
		);
		const bracket = resolveBracket(rows, 3, 1, 2, valueOf);
		expect(bracket[0][1]).toMatchObject({ winnerId: 4, decided: true });
		expect(bracket[1][0]).toMatchObject({ aId: 1, bId: 4, decided: false });
	});
});
