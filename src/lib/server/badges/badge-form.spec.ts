import { describe, expect, it } from 'vitest';
import { badgeToValues, emptyBadgeValues, parseBadge, type BadgeValues } from './badge-form';
import type { Badge } from '../db/schema';

const ctx = { categories: ['Phones', 'Accessories'], activityTypes: ['call', 'visit'] };
const values = (patch: Partial<BadgeValues>): BadgeValues => ({
	...emptyBadgeValues(),
	name: 'Badge',
	...patch
});

describe('parseBadge', () => {
	const valid: { name: string; values: BadgeValues; criterion: unknown; points?: number }[] = [
		{
			name: 'first sale',
			values: values({ kind: 'first_sale' }),
			criterion: { kind: 'first_sale' }
		},
		{
			name: 'N sales in a category',
			values: values({ kind: 'sales_count', count: '5', category: 'Phones' }),
			criterion: { kind: 'sales_count', count: 5, category: 'Phones' }
		},
		{
			name: 'N sales of anything',
			values: values({ kind: 'sales_count', count: '3', category: '' }),
			criterion: { kind: 'sales_count', count: 3 }
		},
		{
			name: 'points',
			values: values({ kind: 'points_at_least', minPoints: '500' }),
			criterion: { kind: 'points_at_least', points: 500 }
		},
		{
			name: 'revenue in euros → cents',
			values: values({ kind: 'revenue_at_least', amount: '2499,90' }),
			criterion: { kind: 'revenue_at_least', amount: 249990 }
		},
		{
			name: 'streak',
			values: values({ kind: 'streak', days: '3' }),
			criterion: { kind: 'streak', days: 3 }
		},
		{
			name: 'cross-sells',
			values: values({ kind: 'cross_sells', count: '4' }),
			criterion: { kind: 'cross_sells', count: 4 }
		},
		{
			name: 'top K',
			values: values({ kind: 'top_k_week', k: '3' }),
			criterion: { kind: 'top_k_week', k: 3 }
		},
		{
			name: 'record',
			values: values({ kind: 'record_sale', bonus: '10' }),
			criterion: { kind: 'record_sale' },
			points: 10
		},
		{
			name: 'most improved',
			values: values({ kind: 'most_improved_week' }),
			criterion: { kind: 'most_improved_week' }
		},
		{
			name: 'team points',
			values: values({ kind: 'team_target', metric: 'points', target: '3000' }),
			criterion: { kind: 'team_target', target: 3000, metric: 'points' }
		},
		{
			name: 'team revenue',
			values: values({ kind: 'team_target', metric: 'amount', target: '50000' }),
			criterion: { kind: 'team_target', target: 5_000_000, metric: 'amount' }
		},
		{
			name: 'final place',
			values: values({ kind: 'season_place', maxRank: '1' }),
			criterion: { kind: 'season_place', maxRank: 1 }
		},
		{
			name: 'final place in one’s division',
			values: values({ kind: 'division_place', maxRank: '3' }),
			criterion: { kind: 'division_place', maxRank: 3 }
		},
		{
			name: 'target reached',
			values: values({ kind: 'quota_attained', percent: '110' }),
			criterion: { kind: 'quota_attained', percent: 110 }
		},
		{
			// The stored JSON of the counted criteria that came first must not change.
			name: 'quizzes passed',
			values: values({ kind: 'quizzes_passed', count: '2', activityType: 'call' }),
			criterion: { kind: 'quizzes_passed', count: 2 }
		},
		{
			name: 'duels won',
			values: values({ kind: 'duels_won', count: '3' }),
			criterion: { kind: 'duels_won', count: 3 }
		},
		{
			name: 'sprints won',
			values: values({ kind: 'sprints_won', count: '1' }),
			criterion: { kind: 'sprints_won', count: 1 }
		},
		{
			name: 'knockouts won',
			values: values({ kind: 'knockouts_won', count: '2', category: 'Phones' }),
			criterion: { kind: 'knockouts_won', count: 2 }
		},
		{
			name: 'activities of any type',
			values: values({ kind: 'activities_logged', count: '50', activityType: '' }),
			criterion: { kind: 'activities_logged', count: 50 }
		},
		{
			name: 'activities of one type',
			values: values({ kind: 'activities_logged', count: '20', activityType: 'call' }),
			criterion: { kind: 'activities_logged', count: 20, type: 'call' }
		}
	];
	it.each(valid)('accepts $name', ({ values, criterion, points }) => {
		const parsed = parseBadge(values, ctx);
		expect(parsed.ok).toBe(true);
		if (!parsed.ok) return;
		expect(parsed.draft.criterion).toEqual(criterion);
		expect(parsed.draft.points).toBe(points ?? 0);
	});

	const invalid: { name: string; values: BadgeValues; field: keyof BadgeValues }[] = [
		{ name: 'no name', values: values({ name: '  ' }), field: 'name' },
		{ name: 'no emoji', values: values({ emoji: '' }), field: 'emoji' },
		{ name: 'a word for an emoji', values: values({ emoji: 'trophy' }), field: 'emoji' },
		{ name: 'unknown criterion', values: values({ kind: 'vibes' }), field: 'kind' },
		{ name: 'zero sales', values: values({ kind: 'sales_count', count: '0' }), field: 'count' },
		{
			name: 'unknown category',
			values: values({ kind: 'sales_count', category: 'Cars' }),
			field: 'category'
		},
		{
			// "1,000.00" is an amount in English since amounts are read as the reader writes them.
			name: 'amount grouped two ways',
			values: values({ kind: 'revenue_at_least', amount: '1.000,000.00' }),
			field: 'amount'
		},
		{ name: 'one-day streak', values: values({ kind: 'streak', days: '1' }), field: 'days' },
		{ name: 'negative bonus', values: values({ bonus: '-5' }), field: 'bonus' },
		{ name: 'fractional K', values: values({ kind: 'top_k_week', k: '2.5' }), field: 'k' },
		{ name: 'no sprints', values: values({ kind: 'sprints_won', count: '0' }), field: 'count' },
		{
			name: '101 knockouts',
			values: values({ kind: 'knockouts_won', count: '101' }),
			field: 'count'
		},
		{
			name: 'too many activities',
			values: values({ kind: 'activities_logged', count: '100001' }),
			field: 'count'
		},
		{
			name: 'an activity type the season lacks',
			values: values({ kind: 'activities_logged', count: '5', activityType: 'lunch' }),
			field: 'activityType'
		}
	];
	it.each(invalid)('refuses $name', ({ values, field }) => {
		const parsed = parseBadge(values, ctx);
		expect(parsed.ok).toBe(false);
		if (!parsed.ok) expect(parsed.errors[field]).toBeTruthy();
	});

	it('describes the criterion when the description is left empty', () => {
		const parsed = parseBadge(
			values({ kind: 'sales_count', count: '5', category: 'Phones', description: '' }),
			ctx
		);
		expect(parsed.ok && parsed.draft.description).toBe('5 sales in Phones');
	});
});

describe('badgeToValues', () => {
	const stored = (criterion: Badge['criterion']) =>
		({ name: 'B', emoji: '🏅', description: '', points: 0, active: true, criterion }) as Badge;

	it.each<Badge['criterion']>([
		{ kind: 'sprints_won', count: 2 },
		{ kind: 'knockouts_won', count: 1 },
		{ kind: 'activities_logged', count: 30 },
		{ kind: 'activities_logged', count: 30, type: 'visit' }
	])('fills the form back with %o', (criterion) => {
		const parsed = parseBadge(badgeToValues(stored(criterion)), ctx);
		expect(parsed.ok && parsed.draft.criterion).toEqual(criterion);
	});
});

describe('badge name limit', () => {
	it('refuses a 5,000-character name with a clear message', () => {
		const result = parseBadge(values({ name: 'x'.repeat(5000) }), ctx);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.errors.name).toBe('Keep the name under 60 characters');
	});
});
