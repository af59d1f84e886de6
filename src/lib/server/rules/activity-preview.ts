import { formatAt } from '../../format/dates';
import { currentCurrency } from '../../format/money';
import { m } from '../../paraglide/messages.js';
import type { RuleDraft, SampleValues } from './rule-form';
import type { RulePreview, ScoringRules } from './preview';
import { describeRule, isInWindow, type Rule } from '../../contest/rules';
import { scoreActivity } from '../../contest/activity-score';
import type { CatalogueItem } from '../../contest/types';

// The preview of an activity rule: the draft applied to one activity of its type (of the type
// worth most when it takes every type) at the sample's time, with the season's other activity
// rules, as a logged activity would be scored except that daily caps start unused.

export interface PreviewType {
	key: string;
	name: string;
	emoji: string;
	points: number;
	active: boolean;
}

export function previewActivityRule(
	season: ScoringRules,
	timeZone: string,
	types: readonly PreviewType[],
	draft: RuleDraft & { target: { kind: 'activity' } },
	sample: SampleValues,
	occurredAt: number,
	options: { editingId?: number; catalogue: ReadonlyMap<string, CatalogueItem> }
): { ok: true; preview: RulePreview } | { ok: false; errors: { sample: string } } {
	const wanted = draft.target.type;
	const type = wanted
		? types.find((t) => t.key === wanted)
		: types.filter((t) => t.active).sort((a, b) => b.points - a.points)[0];
	if (!type) return { ok: false, errors: { sample: m.rules_sample_error_no_activity() } };

	const others = season.rules.filter(
		(r) => r.target.kind === 'activity' && r.id !== options.editingId
	);
	const draftRule: Rule = {
		...draft,
		id: options.editingId ?? Math.max(0, ...others.map((r) => r.id)) + 1
	};
	const activity = { type, quantity: 1, occurredAt };
	const context = { ruleAwardsToday: {}, multipliers: season.multipliers };
	const withDraft = scoreActivity(activity, [...others, draftRule], context);
	const without = scoreActivity(activity, others, context);
	const activityTypes = new Map(types.map((t) => [t.key, t.name]));
	return {
		ok: true,
		preview: {
			description: describeRule(draftRule, timeZone, {
				catalogue: options.catalogue,
				activityTypes,
				currency: currentCurrency()
			}),
			sample,
			subject: `1 × ${type.emoji} ${type.name}`,
			when: m.rules_sample_when({
				date: formatAt(occurredAt, 'weekday', timeZone),
				time: formatAt(occurredAt, 'time', timeZone)
			}),
			base: withDraft.base,
			total: withDraft.total,
			totalWithout: without.total,
			items: withDraft.items.map((item) => ({ ...item, draft: item.ruleId === draftRule.id })),
			applies: draftRule.active && isInWindow(draftRule, occurredAt),
			multipliers: context.multipliers
		}
	};
}
