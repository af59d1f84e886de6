import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { formatAt } from '../../format/dates';
import { currentCurrency } from '../../format/money';
import { m } from '../../paraglide/messages.js';
import { read, preparedQuery, type Store } from '../db/store';
import { toEngineRule } from './engine';
import { rulesOfSeason, seasonById } from '../scoring/sale-queries';
import { SAMPLE_LINES, type RuleDraft, type RuleErrors, type SampleValues } from './rule-form';
import { describeRule, isInWindow, type MultiplierMode, type Rule } from '../../contest/rules';
import { score, ScoringError } from '../../contest/scoring';
import type { BreakdownItem, CatalogueItem, SaleInput } from '../../contest/types';
import { previewActivityRule, type PreviewType } from './activity-preview';

// The preview of a rule being edited: the draft applied to a sample sale by the pure engine,
// nothing saved. An activity rule is tried on a sample activity instead (activity-preview.ts).

/** The local "now" of a zone in the shape of a datetime-local input. */
function localDateTimeValue(ms: number, timeZone: string): string {
	return format(new TZDate(ms, timeZone), "yyyy-MM-dd'T'HH:mm");
}

function parseLocalDateTime(text: string, timeZone: string): number | null {
	const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(text);
	if (!match) return null;
	const [y, mo, d, h, mi] = match.slice(1).map(Number);
	const at = new TZDate(y, mo - 1, d, h, mi, timeZone).getTime();
	return Number.isNaN(at) ? null : at;
}

/** A sample that shows the draft at work when the manager picked none: its target and companion. */
function suggestedLines(
	draft: RuleDraft,
	products: CatalogueItem[]
): { sku: string; quantity: number }[] {
	// The most valuable product first, so the effect of a multiplier is easy to see.
	const active = products.filter((p) => p.active).sort((a, b) => b.points - a.points);
	const { target, effect } = draft;
	const main =
		target.kind === 'sku'
			? active.find((p) => p.sku === target.sku)
			: target.kind === 'category'
				? active.find((p) => p.category === target.category)
				: active[0];
	const lines = main ? [{ sku: main.sku, quantity: 1 }] : [];
	if ('withCategory' in effect) {
		const companion = active.find((p) => p.category === effect.withCategory && p.sku !== main?.sku);
		if (companion) lines.push({ sku: companion.sku, quantity: 1 });
	}
	return lines;
}

export interface RulePreview {
	/** The draft in plain words. */
	description: string;
	sample: SampleValues;
	/** What an activity rule was tried on ("1 × 🎯 Product demo"); a sale's lines otherwise. */
	subject?: string;
	when: string;
	base: number;
	total: number;
	/** Points without the draft, so the draft's own share shows. */
	totalWithout: number;
	items: (BreakdownItem & { draft: boolean })[];
	/** False when the sample falls outside the draft's window or the draft is off. */
	applies: boolean;
	/** How the season combines multipliers, which the preview states. */
	multipliers: MultiplierMode;
}

/** What a preview scores with: the season's rules and its way of combining multipliers. */
export interface ScoringRules {
	rules: Rule[];
	multipliers: MultiplierMode;
}

/** The season's rules and multiplier mode, read in one snapshot of the store. */
async function scoringRulesOf(store: Store, seasonId: number): Promise<ScoringRules> {
	return read(store, async (tx) => {
		const [s] = await preparedQuery(tx, store, seasonById).execute({ id: seasonId });
		const rows = await preparedQuery(tx, store, rulesOfSeason).execute({ seasonId });
		return { rules: rows.map(toEngineRule), multipliers: s?.multiplierMode ?? 'best' };
	});
}

/** A catalogue item with its price in cents, which amount bonuses look at. */
export type PricedItem = CatalogueItem & { price: number };

type SampleErrors = Pick<RuleErrors, 'sample' | 'sampleAt'>;

/**
 * Scores a sample sale with the season's rules (the edited one replaced by the draft) exactly
 * as a new sale would be scored, except that daily caps start unused.
 */
export async function previewRule(
	store: Store,
	seasonId: number,
	timeZone: string,
	catalogue: ReadonlyMap<string, PricedItem>,
	draft: RuleDraft,
	sampleValues: SampleValues,
	options: { editingId?: number; now?: number; activityTypes?: readonly PreviewType[] } = {}
): Promise<{ ok: true; preview: RulePreview } | { ok: false; errors: SampleErrors }> {
	const now = options.now ?? Date.now();
	const season = await scoringRulesOf(store, seasonId);
	const errors: SampleErrors = {};
	if (draft.target.kind === 'activity') {
		const at = sampleValues.at ? parseLocalDateTime(sampleValues.at, timeZone) : now;
		if (at === null) return { ok: false, errors: { sampleAt: m.rules_sample_error_at() } };
		const sample = { ...sampleValues, at: localDateTimeValue(at, timeZone) };
		const target = draft.target;
		return previewActivityRule(
			season,
			timeZone,
			options.activityTypes ?? [],
			{ ...draft, target },
			sample,
			at,
			{ editingId: options.editingId, catalogue }
		);
	}
	const others = season.rules.filter((r) => r.id !== options.editingId);
	const draftRule: Rule = {
		...draft,
		id: options.editingId ?? Math.max(0, ...others.map((r) => r.id)) + 1
	};

	let lines: { sku: string; quantity: number }[] = [];
	for (const line of sampleValues.lines) {
		if (!line.sku) continue;
		const quantity = line.quantity.trim() === '' ? 1 : Number(line.quantity);
		if (!Number.isInteger(quantity) || quantity < 1 || quantity > 99) {
			errors.sample = m.rules_sample_error_quantity();
		}
		lines.push({ sku: line.sku, quantity });
	}
	if (lines.length === 0) lines = suggestedLines(draft, [...catalogue.values()]);
	if (lines.length === 0) errors.sample = m.rules_sample_error_empty();
	const occurredAt = sampleValues.at ? parseLocalDateTime(sampleValues.at, timeZone) : now;
	if (occurredAt === null) errors.sampleAt = m.rules_sample_error_at();
	if (Object.keys(errors).length > 0 || occurredAt === null) return { ok: false, errors };

	const sale: SaleInput = {
		occurredAt,
		lines: lines.map((l) => ({ ...l, unitPrice: catalogue.get(l.sku)?.price ?? 0 }))
	};
	const context = {
		timeZone,
		priorSalesToday: sampleValues.first ? 0 : 1,
		ruleAwardsToday: {},
		multipliers: season.multipliers
	};
	try {
		const withDraft = score(sale, [...others, draftRule], catalogue, context);
		const without = score(sale, others, catalogue, context);
		return {
			ok: true,
			preview: {
				description: describeRule(draftRule, timeZone, { catalogue, currency: currentCurrency() }),
				sample: {
					lines: Array.from({ length: SAMPLE_LINES }, (_, i) => ({
						sku: lines[i]?.sku ?? '',
						quantity: lines[i] ? String(lines[i].quantity) : ''
					})),
					at: localDateTimeValue(occurredAt, timeZone),
					first: sampleValues.first
				},
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
	} catch (error) {
		if (error instanceof ScoringError) {
			const name = error.sku ? (catalogue.get(error.sku)?.name ?? error.sku) : '';
			const message =
				error.code === 'inactive_sku' ? `${name} is switched off in the catalogue` : error.message;
			return { ok: false, errors: { sample: message } };
		}
		throw error;
	}
}

/** The sample a fresh form starts with: now, or noon of the rule's first or last day when now
 * is outside its dates. */
export function startingSample(
	dates: { from: string; to: string } | undefined,
	timeZone: string,
	now = Date.now()
): SampleValues {
	const local = localDateTimeValue(now, timeZone);
	const today = local.slice(0, 10);
	let at = local;
	if (dates?.from && today < dates.from) at = `${dates.from}T12:00`;
	else if (dates?.to && today > dates.to) at = `${dates.to}T12:00`;
	return {
		lines: Array.from({ length: SAMPLE_LINES }, () => ({ sku: '', quantity: '' })),
		at,
		first: true
	};
}
