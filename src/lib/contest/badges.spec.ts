import { describe, expect, it } from 'vitest';
import {
	countedAwards,
	describeCriterion,
	evaluate,
	isCounted,
	type BadgeContext,
	type BadgeCriterion,
	type BadgeSubject,
	type SaleFact
} from './badges';

const WARSAW = 'Europe/Warsaw';
const at = (iso: string) => Date.parse(iso);

let saleId = 0;

/** A sale of user `userId` (team 10 + userId unless given) at an ISO instant. */
function sale(userId: number, occurredAt: string, fields: Partial<SaleFact> = {}): SaleFact {
	saleId += 1;
	return {
		saleId,
		userId,
		teamId: 10 + userId,
		occurredAt: at(occurredAt),
		amount: 10_000,
		points: 10,
		categories: [],
		crossSell: false,
		...fields
	};
}

const user = (id: number): BadgeSubject => ({ kind: 'user', id });
const team = (id: number): BadgeSubject => ({ kind: 'team', id });

function ctx(now: string, fields: Partial<BadgeContext> = {}): BadgeContext {
	return { now: at(now), timeZone: 'UTC', holidays: [], ...fields };
}

/** Awards as [periodKey, ISO instant] pairs, which read better in failures. */
function awards(
	criterion: BadgeCriterion,
	subject: BadgeSubject,
	facts: SaleFact[],
	context: BadgeContext
): [string, string][] {
	return evaluate(criterion, subject, facts, context).map((a) => [
		a.periodKey,
		new Date(a.at).toISOString()
	]);
}

const LATER = '2026-12-31T00:00:00Z';

describe('cumulative badges', () => {
	const history = [
		// Given out of order: the evaluator sorts by time.
		sale(1, '2026-03-04T09:00:00Z', { points: 30, amount: 50_000, crossSell: true }),
		sale(1, '2026-03-02T09:00:00Z', { points: 10, amount: 20_000, categories: ['accessory'] }),
		sale(2, '2026-03-01T09:00:00Z', { points: 500, amount: 900_000, crossSell: true }),
		sale(1, '2026-03-03T09:00:00Z', {
			points: 20,
			amount: 30_000,
			crossSell: true,
			categories: ['accessory']
		})
	];

	it.each<[string, BadgeCriterion, [string, string][]]>([
		['first sale', { kind: 'first_sale' }, [['', '2026-03-02T09:00:00.000Z']]],
		['2 sales', { kind: 'sales_count', count: 2 }, [['', '2026-03-03T09:00:00.000Z']]],
		['4 sales: not yet', { kind: 'sales_count', count: 4 }, []],
		[
			'2 accessory sales',
			{ kind: 'sales_count', count: 2, category: 'accessory' },
			[['', '2026-03-03T09:00:00.000Z']]
		],
		['3 accessory sales: not yet', { kind: 'sales_count', count: 3, category: 'accessory' }, []],
		[
			'exactly 30 points',
			{ kind: 'points_at_least', points: 30 },
			[['', '2026-03-03T09:00:00.000Z']]
		],
		['61 points: one short', { kind: 'points_at_least', points: 61 }, []],
		[
			'€1,000 revenue',
			{ kind: 'revenue_at_least', amount: 100_000 },
			[['', '2026-03-04T09:00:00.000Z']]
		],
		['2 cross-sells', { kind: 'cross_sells', count: 2 }, [['', '2026-03-04T09:00:00.000Z']]],
		['3 cross-sells: not yet', { kind: 'cross_sells', count: 3 }, []]
	])('%s', (_, criterion, expected) => {
		expect(awards(criterion, user(1), history, ctx(LATER))).toEqual(expected);
	});

	it('has no first sale without sales', () => {
		expect(awards({ kind: 'first_sale' }, user(3), history, ctx(LATER))).toEqual([]);
	});

	it('ignores sales after now', () => {
		const now = ctx('2026-03-02T12:00:00Z');
		expect(awards({ kind: 'sales_count', count: 2 }, user(1), history, now)).toEqual([]);
	});

	it('counts a team by the team recorded on each sale', () => {
		const criterion: BadgeCriterion = { kind: 'sales_count', count: 2 };
		// User 1 moved from team 11 to team 12: the sale before the move stays with team 11.
		const facts = [
			sale(1, '2026-03-02T09:00:00Z', { teamId: 11 }),
			sale(1, '2026-03-03T09:00:00Z', { teamId: 12 }),
			sale(2, '2026-03-04T09:00:00Z', { teamId: 12 })
		];
		expect(awards(criterion, team(11), facts, ctx(LATER))).toEqual([]);
		expect(awards(criterion, team(12), facts, ctx(LATER))).toEqual([
			['', '2026-03-04T09:00:00.000Z']
		]);
	});
});

describe('team_target', () => {
	const facts = [
		sale(1, '2026-03-02T09:00:00Z', { teamId: 7, points: 60, amount: 1_000 }),
		sale(3, '2026-03-02T10:00:00Z', { teamId: 8, points: 500, amount: 1_000 }),
		sale(2, '2026-03-03T09:00:00Z', { teamId: 7, points: 40, amount: 5_000 })
	];

	it.each<[string, BadgeCriterion, BadgeSubject, [string, string][]]>([
		[
			'reached exactly, by a second member',
			{ kind: 'team_target', target: 100 },
			team(7),
			[['', '2026-03-03T09:00:00.000Z']]
		],
		['not reached', { kind: 'team_target', target: 101 }, team(7), []],
		[
			'by revenue',
			{ kind: 'team_target', target: 6_000, metric: 'amount' },
			team(7),
			[['', '2026-03-03T09:00:00.000Z']]
		],
		[
			'another team reached it alone',
			{ kind: 'team_target', target: 500 },
			team(8),
			[['', '2026-03-02T10:00:00.000Z']]
		],
		['a user is not a team', { kind: 'team_target', target: 1 }, user(1), []]
	])('%s', (_, criterion, subject, expected) => {
		expect(awards(criterion, subject, facts, ctx(LATER))).toEqual(expected);
	});
});

describe('streak', () => {
	// Warsaw, spring 2026: Fri 27 Mar, weekend 28–29, Easter Monday 6 Apr is a holiday.
	const warsaw = (now = LATER) => ctx(now, { timeZone: WARSAW, holidays: ['2026-04-06'] });
	const days = (...instants: string[]) => instants.map((instant) => sale(1, instant));

	it.each<[string, string[], number, [string, string][]]>([
		[
			'Fri, Mon, Tue = 3 across a weekend',
			['2026-03-27T10:00:00+01:00', '2026-03-30T10:00:00+02:00', '2026-03-31T10:00:00+02:00'],
			3,
			[['', '2026-03-31T08:00:00.000Z']]
		],
		[
			'Fri, Mon, Wed: a missing Tuesday breaks it',
			['2026-03-27T10:00:00+01:00', '2026-03-30T10:00:00+02:00', '2026-04-01T10:00:00+02:00'],
			3,
			[]
		],
		[
			'Thu, Fri, Tue over a holiday Monday = 3',
			['2026-04-02T10:00:00+02:00', '2026-04-03T10:00:00+02:00', '2026-04-07T10:00:00+02:00'],
			3,
			[['', '2026-04-07T08:00:00.000Z']]
		],
		[
			'a Saturday sale neither counts nor breaks it',
			['2026-03-27T10:00:00+01:00', '2026-03-28T10:00:00+01:00', '2026-03-30T10:00:00+02:00'],
			3,
			[]
		],
		[
			'… so Fri, Sat, Mon, Tue = 3',
			[
				'2026-03-27T10:00:00+01:00',
				'2026-03-28T10:00:00+01:00',
				'2026-03-30T10:00:00+02:00',
				'2026-03-31T10:00:00+02:00'
			],
			3,
			[['', '2026-03-31T08:00:00.000Z']]
		],
		[
			'two sales the same day count once',
			['2026-03-30T09:00:00+02:00', '2026-03-30T15:00:00+02:00', '2026-03-31T10:00:00+02:00'],
			3,
			[]
		],
		[
			'awarded at the first sale of the deciding day, once',
			[
				'2026-03-30T09:00:00+02:00',
				'2026-03-31T09:00:00+02:00',
				'2026-03-31T15:00:00+02:00',
				'2026-04-01T09:00:00+02:00',
				'2026-04-02T09:00:00+02:00'
			],
			2,
			[['', '2026-03-31T07:00:00.000Z']]
		],
		[
			'a new run after a break can still reach it',
			['2026-03-24T10:00:00+01:00', '2026-03-26T10:00:00+01:00', '2026-03-27T10:00:00+01:00'],
			2,
			[['', '2026-03-27T09:00:00.000Z']]
		],
		// Sunday 22:30 UTC is already Monday 00:30 in Warsaw.
		[
			'days are local: Fri, Mon 00:30, Tue',
			['2026-03-27T10:00:00+01:00', '2026-03-29T22:30:00Z', '2026-03-31T10:00:00+02:00'],
			3,
			[['', '2026-03-31T08:00:00.000Z']]
		]
	])('%s', (_, instants, length, expected) => {
		const criterion: BadgeCriterion = { kind: 'streak', days: length };
		expect(awards(criterion, user(1), days(...instants), warsaw())).toEqual(expected);
	});

	it('the same sales in UTC land on a Sunday and do not make 3', () => {
		const facts = days('2026-03-27T10:00:00Z', '2026-03-29T22:30:00Z', '2026-03-31T10:00:00Z');
		expect(awards({ kind: 'streak', days: 3 }, user(1), facts, ctx(LATER))).toEqual([]);
	});
});

describe('record_sale', () => {
	const criterion: BadgeCriterion = { kind: 'record_sale' };
	const big = (userId: number, instant: string, amount: number) =>
		sale(userId, instant, { amount });

	it.each<[string, SaleFact[], BadgeSubject, [string, string][]]>([
		[
			'the season’s first sale only sets the bar',
			[big(1, '2026-03-02T09:00:00Z', 100)],
			user(1),
			[]
		],
		[
			'beaten by someone else',
			[big(1, '2026-03-02T09:00:00Z', 100), big(2, '2026-03-02T10:00:00Z', 200)],
			user(2),
			[['2026-03-02', '2026-03-02T10:00:00.000Z']]
		],
		[
			'the one beaten gets nothing',
			[big(1, '2026-03-02T09:00:00Z', 100), big(2, '2026-03-02T10:00:00Z', 200)],
			user(1),
			[]
		],
		[
			'a tie does not break it',
			[big(1, '2026-03-02T09:00:00Z', 100), big(2, '2026-03-02T10:00:00Z', 100)],
			user(2),
			[]
		],
		[
			'broken twice the same day by the same person: once',
			[
				big(1, '2026-03-02T09:00:00Z', 100),
				big(2, '2026-03-02T10:00:00Z', 200),
				big(2, '2026-03-02T11:00:00Z', 300)
			],
			user(2),
			[['2026-03-02', '2026-03-02T10:00:00.000Z']]
		],
		[
			'broken twice the same day with someone else between: still once',
			[
				big(1, '2026-03-02T09:00:00Z', 100),
				big(2, '2026-03-02T10:00:00Z', 200),
				big(3, '2026-03-02T11:00:00Z', 300),
				big(2, '2026-03-02T12:00:00Z', 400)
			],
			user(2),
			[['2026-03-02', '2026-03-02T10:00:00.000Z']]
		],
		[
			'… and the one between gets theirs',
			[
				big(1, '2026-03-02T09:00:00Z', 100),
				big(2, '2026-03-02T10:00:00Z', 200),
				big(3, '2026-03-02T11:00:00Z', 300),
				big(2, '2026-03-02T12:00:00Z', 400)
			],
			user(3),
			[['2026-03-02', '2026-03-02T11:00:00.000Z']]
		],
		[
			'broken on two days: twice',
			[
				big(1, '2026-03-02T09:00:00Z', 100),
				big(2, '2026-03-02T10:00:00Z', 200),
				big(2, '2026-03-03T10:00:00Z', 300)
			],
			user(2),
			[
				['2026-03-02', '2026-03-02T10:00:00.000Z'],
				['2026-03-03', '2026-03-03T10:00:00.000Z']
			]
		],
		[
			'a smaller sale later does not count',
			[
				big(2, '2026-03-02T09:00:00Z', 500),
				big(1, '2026-03-02T10:00:00Z', 100),
				big(2, '2026-03-03T10:00:00Z', 400)
			],
			user(2),
			[]
		]
	])('%s', (_, facts, subject, expected) => {
		expect(awards(criterion, subject, facts, ctx(LATER))).toEqual(expected);
	});

	it('days are local to the season', () => {
		// 23:30 and 00:30 in Warsaw are two days; in UTC they are 22:30 and 23:30 of one.
		const facts = [
			big(1, '2026-03-02T09:00:00Z', 100),
			big(2, '2026-03-02T22:30:00Z', 200),
			big(2, '2026-03-02T23:30:00Z', 300)
		];
		const days = (timeZone: string) =>
			evaluate(criterion, user(2), facts, ctx(LATER, { timeZone })).map((a) => a.periodKey);
		expect(days(WARSAW)).toEqual(['2026-03-02', '2026-03-03']);
		expect(days('UTC')).toEqual(['2026-03-02']);
	});
});

describe('top_k_week', () => {
	// 2026-W10 runs Mon 2 Mar – Mon 9 Mar (UTC).
	const WEEK_END = '2026-03-09T00:00:00.000Z';
	const week = (points: Record<number, number>) =>
		Object.entries(points).map(([id, p]) =>
			sale(Number(id), '2026-03-04T12:00:00Z', { points: p })
		);
	const standings = week({ 1: 50, 2: 30, 3: 30, 4: 10 });
	const winners = (facts: SaleFact[], k: number, context = ctx(WEEK_END)) =>
		[1, 2, 3, 4].filter(
			(id) => evaluate({ kind: 'top_k_week', k }, user(id), facts, context).length > 0
		);

	it.each<[string, SaleFact[], number, BadgeContext, number[]]>([
		['k = 1', standings, 1, ctx(WEEK_END), [1]],
		['k = 2: the tie at 2 both qualify (1, 2, 2, 4)', standings, 2, ctx(WEEK_END), [1, 2, 3]],
		['k = 3: rank 4 stays out', standings, 3, ctx(WEEK_END), [1, 2, 3]],
		[
			'k = 3 with dense ranking (1, 2, 2, 3)',
			standings,
			3,
			ctx(WEEK_END, { tieRule: 'dense' }),
			[1, 2, 3, 4]
		],
		['a tie at the top: both rank 1', week({ 1: 50, 2: 50, 3: 10 }), 1, ctx(WEEK_END), [1, 2]],
		['no points, no badge', week({ 1: 0 }), 1, ctx(WEEK_END), []],
		['the week has not ended', standings, 4, ctx('2026-03-08T23:59:59Z'), []]
	])('%s', (_, facts, k, context, expected) => {
		expect(winners(facts, k, context)).toEqual(expected);
	});

	it('is keyed by ISO week and given at the end of the week', () => {
		const criterion: BadgeCriterion = { kind: 'top_k_week', k: 1 };
		expect(awards(criterion, user(1), standings, ctx(LATER))).toEqual([['2026-W10', WEEK_END]]);
	});

	it('sums the week: several small sales beat one bigger one', () => {
		const facts = [
			sale(1, '2026-03-02T09:00:00Z', { points: 20 }),
			sale(1, '2026-03-03T09:00:00Z', { points: 20 }),
			sale(2, '2026-03-04T09:00:00Z', { points: 30 })
		];
		expect(winners(facts, 1)).toEqual([1]);
	});

	it('each week on its own', () => {
		const facts = [
			sale(1, '2026-03-04T09:00:00Z', { points: 50 }),
			sale(2, '2026-03-04T09:00:00Z', { points: 10 }),
			sale(2, '2026-03-11T09:00:00Z', { points: 50 }),
			sale(1, '2026-03-11T09:00:00Z', { points: 10 })
		];
		const k1: BadgeCriterion = { kind: 'top_k_week', k: 1 };
		expect(awards(k1, user(1), facts, ctx(LATER))).toEqual([['2026-W10', WEEK_END]]);
		expect(awards(k1, user(2), facts, ctx(LATER))).toEqual([
			['2026-W11', '2026-03-16T00:00:00.000Z']
		]);
	});

	it('uses the season’s weeks: Sunday 23:30 in Warsaw belongs to the week ending then', () => {
		const facts = [
			sale(1, '2026-03-29T23:30:00+02:00', { points: 50 }),
			sale(2, '2026-03-30T00:30:00+02:00', { points: 80 })
		];
		const context = ctx(LATER, { timeZone: WARSAW });
		const k1: BadgeCriterion = { kind: 'top_k_week', k: 1 };
		expect(awards(k1, user(1), facts, context)).toEqual([['2026-W13', '2026-03-29T22:00:00.000Z']]);
		expect(awards(k1, user(2), facts, context)).toEqual([['2026-W14', '2026-04-05T22:00:00.000Z']]);
	});

	it('ranks teams for a team subject', () => {
		const facts = [
			sale(1, '2026-03-04T09:00:00Z', { teamId: 7, points: 30 }),
			sale(2, '2026-03-04T09:00:00Z', { teamId: 7, points: 30 }),
			sale(3, '2026-03-04T09:00:00Z', { teamId: 8, points: 50 })
		];
		const k1: BadgeCriterion = { kind: 'top_k_week', k: 1 };
		expect(awards(k1, team(7), facts, ctx(LATER))).toEqual([['2026-W10', WEEK_END]]);
		expect(awards(k1, team(8), facts, ctx(LATER))).toEqual([]);
	});
});

describe('most_improved_week', () => {
	// W10 is the previous week (2–8 Mar), W11 the week judged (9–15 Mar), in UTC.
	const criterion: BadgeCriterion = { kind: 'most_improved_week' };
	const twoWeeks = (rows: Record<number, [number, number]>) =>
		Object.entries(rows).flatMap(([id, [before, after]]) =>
			[
				before ? sale(Number(id), '2026-03-04T12:00:00Z', { points: before }) : undefined,
				after ? sale(Number(id), '2026-03-11T12:00:00Z', { points: after }) : undefined
			].filter((fact): fact is SaleFact => fact !== undefined)
		);
	const improved = (facts: SaleFact[], context = ctx(LATER)) =>
		[1, 2, 3].filter((id) =>
			evaluate(criterion, user(id), facts, context).some((a) => a.periodKey === '2026-W11')
		);

	it.each<[string, Record<number, [number, number]>, number[]]>([
		['the biggest increase wins', { 1: [10, 40], 2: [50, 70] }, [1]],
		[
			'a zero previous week is not eligible, however big the week',
			{ 1: [10, 40], 2: [50, 70], 3: [0, 500] },
			[1]
		],
		['ties share it', { 1: [10, 40], 2: [50, 80] }, [1, 2]],
		['nobody improved', { 1: [40, 10], 2: [50, 50] }, []],
		['everyone new: nobody', { 1: [0, 40], 2: [0, 70] }, []]
	])('%s', (_, rows, expected) => {
		expect(improved(twoWeeks(rows))).toEqual(expected);
	});

	it('is keyed by the week and given when it ends', () => {
		const facts = twoWeeks({ 1: [10, 40], 2: [50, 70] });
		expect(awards(criterion, user(1), facts, ctx(LATER))).toEqual([
			['2026-W11', '2026-03-16T00:00:00.000Z']
		]);
		expect(awards(criterion, user(1), facts, ctx('2026-03-15T23:59:59Z'))).toEqual([]);
	});

	it('the first week with sales has no previous week to beat', () => {
		const facts = twoWeeks({ 1: [10, 40] });
		expect(awards(criterion, user(1), facts, ctx(LATER)).map(([key]) => key)).toEqual(['2026-W11']);
	});
});

describe('describeCriterion', () => {
	it.each<{ criterion: BadgeCriterion; text: string }>([
		{ criterion: { kind: 'first_sale' }, text: 'First sale of the season' },
		{ criterion: { kind: 'sales_count', count: 1 }, text: '1 sale' },
		{ criterion: { kind: 'sales_count', count: 5, category: 'Phones' }, text: '5 sales in Phones' },
		{ criterion: { kind: 'revenue_at_least', amount: 1_000_000 }, text: '€10,000 in sales' },
		{ criterion: { kind: 'top_k_week', k: 1 }, text: 'Best of a week' },
		{ criterion: { kind: 'top_k_week', k: 3 }, text: 'Top 3 of a week' },
		{
			criterion: { kind: 'team_target', target: 250_000, metric: 'amount' },
			text: 'Team reaches €2,500 in sales'
		},
		{ criterion: { kind: 'team_target', target: 5000 }, text: 'Team reaches 5,000 points' },
		{ criterion: { kind: 'season_place', maxRank: 1 }, text: 'Finishes the season first' },
		{ criterion: { kind: 'sprints_won', count: 1 }, text: '1 sprint won' },
		{ criterion: { kind: 'knockouts_won', count: 2 }, text: '2 knockouts won' },
		{ criterion: { kind: 'activities_logged', count: 1000 }, text: '1,000 activities logged' },
		{
			criterion: { kind: 'activities_logged', count: 20, type: 'call' },
			text: '20 activities logged of type call'
		}
	])('$text', ({ criterion, text }) => expect(describeCriterion(criterion)).toBe(text));
});

describe('countedAwards', () => {
	const t = (hour: number) => at(`2026-03-02T${String(hour).padStart(2, '0')}:00:00Z`);
	const once = (...hours: number[]) => hours.map((h) => ({ at: t(h), weight: 1 }));

	it.each<{ name: string; count: number; moments: { at: number; weight: number }[]; at?: number }>([
		{
			name: 'the count-th win, whatever order they come in',
			count: 2,
			moments: once(11, 9, 10),
			at: t(10)
		},
		{ name: 'not reached yet', count: 4, moments: once(9, 10, 11) },
		{ name: 'nothing done', count: 1, moments: [] },
		{ name: 'a count below 1 is never earned', count: 0, moments: once(9) },
		{
			// 2 calls at 9, 3 at 10: the 4th unit is logged at 10, by the activity that reaches it.
			name: 'a weight of 3 counts 3',
			count: 4,
			moments: [
				{ at: t(10), weight: 3 },
				{ at: t(9), weight: 2 }
			],
			at: t(10)
		},
		{
			name: 'exactly reaching the count is enough',
			count: 5,
			moments: [
				{ at: t(9), weight: 2 },
				{ at: t(10), weight: 3 },
				{ at: t(11), weight: 7 }
			],
			at: t(10)
		},
		{
			name: 'one big activity reaches it alone',
			count: 10,
			moments: [
				{ at: t(9), weight: 1 },
				{ at: t(12), weight: 12 }
			],
			at: t(12)
		}
	])('$name', ({ count, moments, at: when }) => {
		expect(countedAwards(count, moments)).toEqual(
			when === undefined ? [] : [{ periodKey: '', at: when }]
		);
	});

	it('tells the counted criteria from the sales ones', () => {
		expect(isCounted({ kind: 'activities_logged', count: 3, type: 'call' })).toBe(true);
		expect(isCounted({ kind: 'sprints_won', count: 1 })).toBe(true);
		expect(isCounted({ kind: 'quizzes_passed', count: 1 })).toBe(true);
		expect(isCounted({ kind: 'sales_count', count: 1 })).toBe(false);
	});

	it('a sale never earns a counted criterion', () => {
		const facts = [sale(1, '2026-03-02T09:00:00Z'), sale(1, '2026-03-02T10:00:00Z')];
		const ctx: BadgeContext = { now: t(23), timeZone: WARSAW, holidays: [] };
		for (const criterion of [
			{ kind: 'knockouts_won', count: 1 },
			{ kind: 'activities_logged', count: 1 }
		] as BadgeCriterion[])
			expect(evaluate(criterion, { kind: 'user', id: 1 }, facts, ctx)).toEqual([]);
	});
});
