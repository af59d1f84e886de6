import { describe, expect, it } from 'vitest';
import {
	acceptedStatus,
	answerDeadline,
	budgetLeft,
	DAY_MS,
	dueStatus,
	outcome,
	pairUp,
	presetPeriod,
	stakeRefusal,
	type ChallengeState
} from './challenge';

const HOUR = 3_600_000;
const utc = (s: string) => Date.parse(s);

describe('presetPeriod', () => {
	it.each([
		// [preset, now, zone, from, to, hours]
		['today', '2026-03-10T12:00:00Z', 'UTC', '2026-03-10T00:00:00Z', '2026-03-11T00:00:00Z', 24],
		// Amsterdam's spring-forward day (29 March 2026) has 23 hours.
		[
			'today',
			'2026-03-29T10:00:00Z',
			'Europe/Amsterdam',
			'2026-03-28T23:00:00Z',
			'2026-03-29T22:00:00Z',
			23
		],
		// …and its week (Mon 23 – Sun 29 March) 167.
		[
			'week',
			'2026-03-25T10:00:00Z',
			'Europe/Amsterdam',
			'2026-03-22T23:00:00Z',
			'2026-03-29T22:00:00Z',
			167
		],
		// Late Sunday evening in New York is already Monday in UTC: still New York's week.
		[
			'week',
			'2026-03-16T02:00:00Z',
			'America/New_York',
			'2026-03-09T04:00:00Z',
			'2026-03-16T04:00:00Z',
			168
		]
	] as const)('%s at %s in %s', (preset, now, zone, from, to, hours) => {
		const [a, b] = presetPeriod(preset, utc(now), zone);
		expect([a, b]).toEqual([utc(from), utc(to)]);
		expect((b - a) / HOUR).toBe(hours);
	});
});

describe('answerDeadline', () => {
	const t0 = utc('2026-03-10T12:00:00Z');
	it.each([
		['a future period: before it starts', t0, t0 + 3 * DAY_MS, t0 + 10 * DAY_MS, t0 + 3 * DAY_MS],
		['under way: within 24 h', t0, t0 - HOUR, t0 + 5 * DAY_MS, t0 + DAY_MS],
		['under way and ending sooner: at its end', t0, t0 - HOUR, t0 + 2 * HOUR, t0 + 2 * HOUR]
	])('%s', (_, createdAt, from, to, expected) => {
		expect(answerDeadline(createdAt, from, to)).toBe(expected);
	});
});

describe('dueStatus', () => {
	const from = 1_000 * HOUR;
	const to = from + 7 * DAY_MS;
	const base = { answerBy: from, from, to, graceDays: 2 };
	it.each<[ChallengeState, number, ChallengeState]>([
		['proposed', from - 1, 'proposed'],
		['proposed', from, 'expired'],
		['accepted', from - 1, 'accepted'],
		['accepted', from, 'live'],
		// A tick that comes late jumps straight to where the duel is due.
		['accepted', to + 1, 'finished'],
		['live', to - 1, 'live'],
		['live', to, 'finished'],
		// Finished: late confirmations and reversals still count until the grace days are over.
		['finished', to + 2 * DAY_MS - 1, 'finished'],
		['finished', to + 2 * DAY_MS, 'final'],
		['live', to + 3 * DAY_MS, 'final'],
		['declined', to + 9 * DAY_MS, 'declined'],
		['cancelled', to + 9 * DAY_MS, 'cancelled'],
		['expired', to + 9 * DAY_MS, 'expired'],
		['final', to + 9 * DAY_MS, 'final']
	])('%s at +%d → %s', (status, now, expected) => {
		expect(dueStatus({ ...base, status }, now)).toBe(expected);
	});

	it('freezes at the end of the period when the season has no grace days', () => {
		expect(dueStatus({ ...base, graceDays: 0, status: 'live' }, to)).toBe('final');
	});

	it('starts an accepted duel live when its period is under way', () => {
		expect(acceptedStatus(from, from - 1)).toBe('accepted');
		expect(acceptedStatus(from, from)).toBe('live');
	});
});

describe('outcome', () => {
	const side = (id: number, value: number) => ({ id, name: `P${id}`, value });
	it.each([
		['more wins', 120, 80, 'competition', 1],
		['the opponent can win', 10, 11, 'competition', 2],
		['a tie is a draw', 50, 50, 'competition', null],
		['a tie is a draw with dense ranks too', 50, 50, 'dense', null],
		['nothing each is a draw', 0, 0, 'competition', null],
		['negative totals (a reversal) compare too', -5, 0, 'dense', 2]
	] as const)('%s', (_, a, b, tieRule, winner) => {
		expect(outcome(side(1, a), side(2, b), tieRule)).toBe(winner);
	});
});

describe('stakeRefusal', () => {
	it.each([
		['no stake', 0, 'user', 0, 0, null],
		['within both', 40, 'user', 50, 100, null],
		['exactly the spendable points', 50, 'user', 50, 100, null],
		['more than spendable', 51, 'user', 50, 100, 'spendable'],
		['more than the budget left', 60, 'user', 500, 59, 'budget'],
		['team duels take no stake', 10, 'team', 500, 500, 'team'],
		['negative', -1, 'user', 500, 500, 'negative'],
		['fractional', 1.5, 'user', 500, 500, 'negative']
	] as const)('%s', (_, stake, subject, spendable, left, refusal) => {
		expect(stakeRefusal({ stake, subject, spendable, budgetLeft: left })).toBe(refusal);
	});
});

describe('budgetLeft', () => {
	it.each<[string, { status: ChallengeState; stakePoints: number; paid: boolean }[], number]>([
		['nothing staked', [], 100],
		[
			'open duels hold their stakes',
			[
				{ status: 'proposed', stakePoints: 10, paid: false },
				{ status: 'live', stakePoints: 20, paid: false },
				{ status: 'finished', stakePoints: 5, paid: false }
			],
			65
		],
		[
			'refused, expired and drawn duels give theirs back; paid ones keep them',
			[
				{ status: 'declined', stakePoints: 10, paid: false },
				{ status: 'expired', stakePoints: 10, paid: false },
				{ status: 'final', stakePoints: 30, paid: false },
				{ status: 'final', stakePoints: 25, paid: true }
			],
			75
		],
		['never below nothing', [{ status: 'live', stakePoints: 500, paid: false }], 0]
	])('%s', (_, duels, left) => {
		expect(budgetLeft(100, duels)).toBe(left);
	});
});

describe('pairUp', () => {
	it.each([
		[
			'neighbours, even',
			[1, 2, 3, 4],
			[
				[1, 2],
				[3, 4]
			],
			null
		],
		['neighbours, odd: the last sits out', [5, 6, 7], [[5, 6]], 7],
		['one alone', [9], [], 9],
		['nobody', [], [], null]
	] as const)('%s', (_, ranked, pairs, bye) => {
		expect(pairUp(ranked, 'neighbours')).toEqual({ pairs, bye });
	});

	it('random pairs everyone once, driven by the random source', () => {
		const ids = [1, 2, 3, 4, 5, 6, 7];
		const seq = [0.9, 0.1, 0.5, 0.3, 0.7, 0.2];
		let i = 0;
		const { pairs, bye } = pairUp(ids, 'random', () => seq[i++ % seq.length]);
		const seen = [...pairs.flat(), bye];
		expect(seen.sort()).toEqual(ids);
		expect(pairs).toHaveLength(3);
		// The same random source gives the same pairs (a deterministic shuffle).
		i = 0;
		expect(pairUp(ids, 'random', () => seq[i++ % seq.length]).pairs).toEqual(pairs);
		// Math.random's 0 is possible; the shuffle must still pair all.
		expect(pairUp([1, 2], 'random', () => 0).pairs[0].sort()).toEqual([1, 2]);
	});
});
