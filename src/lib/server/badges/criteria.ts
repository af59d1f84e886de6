import type { BadgeCriterion } from '../../contest/badges';
import { m } from '../../paraglide/messages.js';

// What can earn a badge, as the console offers it: each criterion's name and when it is awarded.

export type CriterionKind = BadgeCriterion['kind'];

/** The criteria a manager can choose, in the order the form offers them. */
export const CRITERIA: readonly { kind: CriterionKind; label: () => string; hint: () => string }[] =
	[
		{
			kind: 'first_sale',
			label: m.badges_criterion_first_sale_label,
			hint: m.badges_criterion_first_sale_hint
		},
		{
			kind: 'sales_count',
			label: m.badges_criterion_sales_count_label,
			hint: m.badges_criterion_sales_count_hint
		},
		{
			kind: 'points_at_least',
			label: m.badges_criterion_points_at_least_label,
			hint: m.badges_criterion_points_at_least_hint
		},
		{
			kind: 'revenue_at_least',
			label: m.badges_criterion_revenue_at_least_label,
			hint: m.badges_criterion_revenue_at_least_hint
		},
		{
			kind: 'streak',
			label: m.badges_criterion_streak_label,
			hint: m.badges_criterion_streak_hint
		},
		{
			kind: 'cross_sells',
			label: m.badges_criterion_cross_sells_label,
			hint: m.badges_criterion_cross_sells_hint
		},
		{
			kind: 'quizzes_passed',
			label: m.badges_criterion_quizzes_passed_label,
			hint: m.badges_criterion_quizzes_passed_hint
		},
		{
			kind: 'duels_won',
			label: m.challenges_badge_label,
			hint: m.challenges_badge_hint
		},
		{
			kind: 'sprints_won',
			label: m.badges_criterion_sprints_won_label,
			hint: m.badges_criterion_sprints_won_hint
		},
		{
			kind: 'knockouts_won',
			label: m.badges_criterion_knockouts_won_label,
			hint: m.badges_criterion_knockouts_won_hint
		},
		{
			kind: 'activities_logged',
			label: m.badges_criterion_activities_logged_label,
			hint: m.badges_criterion_activities_logged_hint
		},
		{
			kind: 'top_k_week',
			label: m.badges_criterion_top_k_week_label,
			hint: m.badges_criterion_top_k_week_hint
		},
		{
			kind: 'record_sale',
			label: m.badges_criterion_record_sale_label,
			hint: m.badges_criterion_record_sale_hint
		},
		{
			kind: 'most_improved_week',
			label: m.badges_criterion_most_improved_week_label,
			hint: m.badges_criterion_most_improved_week_hint
		},
		{
			kind: 'team_target',
			label: m.badges_criterion_team_target_label,
			hint: m.badges_criterion_team_target_hint
		},
		{
			kind: 'season_place',
			label: m.badges_criterion_season_place_label,
			hint: m.badges_criterion_season_place_hint
		},
		{
			kind: 'division_place',
			label: m.divisions_badge_label,
			hint: m.divisions_badge_hint
		},
		{
			kind: 'quota_attained',
			label: m.quotas_badge_label,
			hint: m.quotas_badge_hint
		},
		{
			kind: 'season_best_team',
			label: m.badges_criterion_season_best_team_label,
			hint: m.badges_criterion_season_best_team_hint
		}
	];

/** The criteria with their names and hints in the reader's language, for the badge form. */
export function criteriaOptions(): { kind: CriterionKind; label: string; hint: string }[] {
	return CRITERIA.map((c) => ({ kind: c.kind, label: c.label(), hint: c.hint() }));
}
