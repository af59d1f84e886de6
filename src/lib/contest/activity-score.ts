import { activityPoints } from './activity';
import { isInWindow, matchesActivity, type Rule } from './rules';
import {
	applyMultipliers,
	DailyCaps,
	multiplierWords,
	ruleItem,
	type ScoreContext
} from './scoring';
import type { BreakdownItem } from './types';

// What a logged activity earns (#17): its type's points × quantity, then the season's activity
// rules. Campaigns on activities only multiply; the multipliers combine, cap and round exactly as
// they do on a sale line (scoring.ts), from the same pieces.

export interface ActivityInput {
	type: { key: string; name: string; points: number };
	quantity: number;
	occurredAt: number;
}

export interface ActivityScore {
	total: number;
	/** The type's points × quantity, before any rule. */
	base: number;
	/** The base item first, then one item per rule that applied (by rule id), as a sale's. */
	items: BreakdownItem[];
}

/**
 * Scores one activity with the season's rules. A rule counts when it is active, its window
 * holds `occurredAt`, it targets activities of this type (or of every type) and multiplies by
 * more than 1. `ruleAwardsToday` is what each rule already gave this person's earlier
 * activities on the same local day, for daily caps; `multipliers` the season's mode.
 */
export function scoreActivity(
	activity: ActivityInput,
	rules: readonly Rule[],
	context: Pick<ScoreContext, 'ruleAwardsToday' | 'multipliers'> = {}
): ActivityScore {
	const { type, quantity } = activity;
	const base = activityPoints(type.points, quantity);
	const items: BreakdownItem[] = [{ label: `${quantity} × ${type.name}`, points: base }];
	const multipliers = rules
		.filter(
			(rule) =>
				rule.active &&
				rule.effect.kind === 'multiplier' &&
				rule.effect.factor > 1 &&
				matchesActivity(rule.target, type.key) &&
				isInWindow(rule, activity.occurredAt)
		)
		.sort((a, b) => a.id - b.id);
	const caps = new DailyCaps(context.ruleAwardsToday ?? {});
	for (const { rule, factor, raw, points } of applyMultipliers(
		base,
		multipliers,
		caps,
		context.multipliers
	)) {
		const label = `${rule.name}: ×${factor} on ${type.name}`;
		items.push(
			ruleItem({ rule, raw, points, label, words: multiplierWords(rule, factor, type.name) })
		);
	}
	const total = items.reduce((sum, item) => sum + item.points, 0);
	return { total, base, items };
}
