import type { BadgeCriterion } from '../../contest/badges';

// What can earn a badge, as the console offers it: each criterion's name and when it is awarded.

export type CriterionKind = BadgeCriterion['kind'];

/** The criteria a manager can choose, in the order the form offers them. */
export const CRITERIA: readonly { kind: CriterionKind; label: string; hint: string }[] = [
	{ kind: 'first_sale', label: 'First sale', hint: 'Once, at the first sale of the season.' },
	{
		kind: 'sales_count',
		label: 'Number of sales',
		hint: 'Once, at the sale that reaches the count.'
	},
	{
		kind: 'points_at_least',
		label: 'Points reached',
		hint: 'Once, when the season points reach the threshold.'
	},
	{
		kind: 'revenue_at_least',
		label: 'Revenue reached',
		hint: 'Once, when the total of the sales reaches the amount.'
	},
	{
		kind: 'streak',
		label: 'Streak of working days',
		hint: 'Once, after a sale on that many working days in a row. Weekends and holidays neither count nor break it.'
	},
	{
		kind: 'cross_sells',
		label: 'Cross-sells',
		hint: 'Once, after that many sales combining products of more than one category.'
	},
	{
		kind: 'top_k_week',
		label: 'Top of the week',
		hint: 'Every week, after the week ends, to everyone ranked in the top K of that week.'
	},
	{
		kind: 'record_sale',
		label: 'Record sale',
		hint: 'Whenever a sale is bigger than every earlier sale of the season; at most once a day per person.'
	},
	{
		kind: 'most_improved_week',
		label: 'Most improved of the week',
		hint: 'Every week, after the week ends, to the biggest increase in points over the week before.'
	},
	{
		kind: 'team_target',
		label: 'Team reached a target',
		hint: 'A team badge: once, when the team’s season total reaches the target.'
	},
	{
		kind: 'season_place',
		label: 'Final place in the season',
		hint: 'When the season ends, to everyone whose final rank is at most this.'
	},
	{
		kind: 'season_best_team',
		label: 'Best team of the season',
		hint: 'A team badge: when the season ends, to the team ranked first.'
	}
];
