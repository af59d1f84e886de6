import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../db';
import { rule, type RuleRow } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { engineRules } from './engine';
import { priceToCents, centsToPrice } from '../catalogue/products';
import {
	describeRule,
	isInWindow,
	localDateWindow,
	type Rule,
	type RuleEffect,
	type RuleTarget
} from '../../contest/rules';
import { score, ScoringError } from '../../contest/scoring';
import { localDateKey } from '../../contest/calendar';
import type { BreakdownItem, CatalogueItem, SaleInput } from '../../contest/types';

// Managing a season's rules and campaigns. A rule change applies to sales registered from
// then on; sales already registered keep their points until the season is recalculated.

export const EFFECT_KINDS = [
	'multiplier',
	'cross_sell_multiplier',
	'cross_sell_bonus',
	'amount_bonus',
	'first_sale_bonus'
] as const satisfies readonly RuleEffect['kind'][];

export const TARGET_KINDS = [
	'any',
	'category',
	'sku'
] as const satisfies readonly RuleTarget['kind'][];

/** The rule form as typed: strings, so that a refused form comes back as it was sent. */
export interface RuleValues {
	name: string;
	effect: string;
	factor: string;
	withCategory: string;
	bonusPoints: string;
	per: string;
	minAmount: string;
	targetKind: string;
	targetCategory: string;
	targetSku: string;
	from: string;
	to: string;
	dailyCap: string;
	highlight: boolean;
	active: boolean;
}

export type RuleErrors = Partial<Record<keyof RuleValues, string>>;

/** A valid rule, ready to store or to preview. */
export interface RuleDraft {
	name: string;
	active: boolean;
	highlight: boolean;
	startsAt: number | null;
	endsAt: number | null;
	target: RuleTarget;
	effect: RuleEffect;
	dailyCap: number | null;
}

export interface RuleContext {
	timeZone: string;
	catalogue: ReadonlyMap<string, CatalogueItem>;
	season: { startsAt: number; endsAt: number };
}

export class RuleAdminError extends Error {
	constructor(
		readonly code: 'not_found',
		message: string
	) {
		super(message);
	}
}

export function emptyRuleValues(): RuleValues {
	return {
		name: '',
		effect: 'cross_sell_multiplier',
		factor: '2',
		withCategory: '',
		bonusPoints: '10',
		per: 'unit',
		minAmount: '',
		targetKind: 'any',
		targetCategory: '',
		targetSku: '',
		from: '',
		to: '',
		dailyCap: '',
		highlight: true,
		active: true
	};
}

export function readRuleValues(form: FormData): RuleValues {
	const text = (key: keyof RuleValues) => String(form.get(key) ?? '');
	return {
		name: text('name'),
		effect: text('effect'),
		factor: text('factor'),
		withCategory: text('withCategory'),
		bonusPoints: text('bonusPoints'),
		per: text('per'),
		minAmount: text('minAmount'),
		targetKind: text('targetKind'),
		targetCategory: text('targetCategory'),
		targetSku: text('targetSku'),
		from: text('from'),
		to: text('to'),
		dailyCap: text('dailyCap'),
		highlight: form.get('highlight') === 'on',
		active: form.get('active') === 'on'
	};
}

/** A stored rule as the form shows it; windows are shown as the season's local dates. */
export function ruleToValues(row: RuleRow, timeZone: string): RuleValues {
	const values = emptyRuleValues();
	const { effect, target } = row;
	values.name = row.name;
	values.effect = effect.kind;
	if ('factor' in effect) values.factor = String(effect.factor);
	if ('withCategory' in effect) values.withCategory = effect.withCategory;
	if ('points' in effect) values.bonusPoints = String(effect.points);
	if (effect.kind === 'cross_sell_bonus') values.per = effect.per;
	if (effect.kind === 'amount_bonus')
		values.minAmount = centsToPrice(effect.minAmount).replace(/\.00$/, '');
	values.targetKind = target.kind;
	if (target.kind === 'category') values.targetCategory = target.category;
	if (target.kind === 'sku') values.targetSku = target.sku;
	// endsAt is exclusive: the last day shown is the one before it.
	values.from = row.startsAt == null ? '' : localDateKey(row.startsAt, timeZone);
	values.to = row.endsAt == null ? '' : localDateKey(row.endsAt - 1, timeZone);
	values.dailyCap = row.dailyCap == null ? '' : String(row.dailyCap);
	values.highlight = row.highlight;
	values.active = row.active;
	return values;
}

const nameSchema = z
	.string()
	.trim()
	.min(1, 'Give the rule a name, e.g. "Triple points on phones with an accessory"')
	.max(80, 'Keep the name under 80 characters');
const effectSchema = z.enum(EFFECT_KINDS, { message: 'Choose what the rule does' });
const targetSchema = z.enum(TARGET_KINDS, { message: 'Choose which products the rule applies to' });
const factorSchema = z
	.string()
	.trim()
	.regex(/^\d{1,2}([.,]\d{1,2})?$/, 'Enter the factor as a number, e.g. 2 for double points')
	.transform((text) => Number(text.replace(',', '.')))
	.refine((n) => n > 1, 'The factor must be more than 1: ×1 changes nothing')
	.refine((n) => n <= 10, 'The factor can be at most 10');
const bonusSchema = z
	.string()
	.trim()
	.regex(/^\d+$/, 'Enter the bonus as a whole number of points')
	.transform(Number)
	.refine((n) => n >= 1 && n <= 100_000, 'The bonus must be from 1 to 100,000 points');
const capSchema = z
	.string()
	.trim()
	.transform((text, ctx) => {
		if (text === '') return null;
		if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1_000_000) {
			ctx.addIssue({
				code: 'custom',
				message: 'The cap must be a whole number of points (1 or more), or empty for none'
			});
			return z.NEVER;
		}
		return Number(text);
	});
const dateSchema = z
	.string()
	.trim()
	.regex(/^(\d{4}-\d{2}-\d{2})?$/, 'Enter a date as YYYY-MM-DD');

/**
 * Validates the rule form against the season and its catalogue. Errors are per field, in
 * words a manager can act on; nothing is saved while there is one.
 */
export function parseRule(
	values: RuleValues,
	ctx: RuleContext
): { ok: true; draft: RuleDraft } | { ok: false; errors: RuleErrors } {
	const errors: RuleErrors = {};
	function check<T>(key: keyof RuleValues, schema: z.ZodType<T>, value: unknown): T | undefined {
		const result = schema.safeParse(value);
		if (result.success) return result.data;
		errors[key] ??= result.error.issues[0].message;
		return undefined;
	}
	const products = [...ctx.catalogue.values()];
	const categories = new Set(products.map((p) => p.category));
	const category = (key: 'withCategory' | 'targetCategory', value: string) => {
		if (!value) errors[key] = 'Choose a category';
		else if (!categories.has(value))
			errors[key] = `No product in the catalogue has the category "${value}"`;
		return value;
	};

	const name = check('name', nameSchema, values.name);
	const kind = check('effect', effectSchema, values.effect);
	const targetKind = check('targetKind', targetSchema, values.targetKind);

	let target: RuleTarget | undefined;
	if (targetKind === 'any') target = { kind: 'any' };
	else if (targetKind === 'category') {
		target = { kind: 'category', category: category('targetCategory', values.targetCategory) };
	} else if (targetKind === 'sku') {
		if (!values.targetSku) errors.targetSku = 'Choose a product';
		else if (!ctx.catalogue.has(values.targetSku))
			errors.targetSku = `SKU ${values.targetSku} is not in the catalogue`;
		target = { kind: 'sku', sku: values.targetSku };
	}

	let effect: RuleEffect | undefined;
	switch (kind) {
		case 'multiplier': {
			const factor = check('factor', factorSchema, values.factor);
			if (factor !== undefined) effect = { kind, factor };
			break;
		}
		case 'cross_sell_multiplier': {
			const factor = check('factor', factorSchema, values.factor);
			const withCategory = category('withCategory', values.withCategory);
			if (factor !== undefined) effect = { kind, withCategory, factor };
			break;
		}
		case 'cross_sell_bonus': {
			const points = check('bonusPoints', bonusSchema, values.bonusPoints);
			const withCategory = category('withCategory', values.withCategory);
			const per = check(
				'per',
				z.enum(['unit', 'sale'], { message: 'Choose per unit or once per sale' }),
				values.per
			);
			if (points !== undefined && per !== undefined) effect = { kind, withCategory, points, per };
			break;
		}
		case 'amount_bonus': {
			const points = check('bonusPoints', bonusSchema, values.bonusPoints);
			const minAmount = priceToCents(values.minAmount);
			if (minAmount === null || minAmount === 0) {
				errors.minAmount = 'Enter the minimum sale amount, e.g. 500 or 499.90';
			} else if (points !== undefined) effect = { kind, minAmount, points };
			break;
		}
		case 'first_sale_bonus': {
			const points = check('bonusPoints', bonusSchema, values.bonusPoints);
			if (points !== undefined) effect = { kind, points };
			break;
		}
	}

	const dailyCap = check('dailyCap', capSchema, values.dailyCap);
	const from = check('from', dateSchema, values.from);
	const to = check('to', dateSchema, values.to);
	let startsAt: number | null = null;
	let endsAt: number | null = null;
	try {
		if (from) startsAt = localDateWindow(from, from, ctx.timeZone).startsAt;
	} catch {
		errors.from ??= 'This date does not exist';
	}
	try {
		if (to) endsAt = localDateWindow(to, to, ctx.timeZone).endsAt;
	} catch {
		errors.to ??= 'This date does not exist';
	}
	if (startsAt !== null && endsAt !== null && endsAt <= startsAt) {
		errors.to ??= 'The last day must be on or after the first day';
	} else if (
		(startsAt !== null && startsAt >= ctx.season.endsAt) ||
		(endsAt !== null && endsAt <= ctx.season.startsAt)
	) {
		const day = (ms: number) => format(new TZDate(ms, ctx.timeZone), 'd MMM yyyy');
		const season = `${day(ctx.season.startsAt)} – ${day(ctx.season.endsAt - 1)}`;
		errors[startsAt !== null && startsAt >= ctx.season.endsAt ? 'from' : 'to'] ??=
			`The season runs ${season}: these dates are outside it`;
	}

	if (Object.keys(errors).length > 0 || !name || !target || !effect || dailyCap === undefined) {
		return {
			ok: false,
			errors: Object.keys(errors).length > 0 ? errors : { name: 'Check the form' }
		};
	}
	return {
		ok: true,
		draft: {
			name,
			active: values.active,
			highlight: values.highlight,
			startsAt,
			endsAt,
			target,
			effect,
			dailyCap
		}
	};
}

export type RuleStatus = 'active' | 'scheduled' | 'over' | 'off';

export function ruleStatus(
	row: Pick<RuleRow, 'active' | 'startsAt' | 'endsAt'>,
	now: number
): RuleStatus {
	if (!row.active) return 'off';
	if (row.startsAt != null && now < row.startsAt) return 'scheduled';
	if (row.endsAt != null && now >= row.endsAt) return 'over';
	return 'active';
}

export function getRule(db: Queryable, seasonId: number, id: number): RuleRow | undefined {
	return db
		.select()
		.from(rule)
		.where(and(eq(rule.id, id), eq(rule.seasonId, seasonId)))
		.get();
}

/** A rule's dates as a manager reads them: "1 Nov – 15 Nov 2026", "From 1 Nov 2026", … */
export function ruleWindowText(
	row: Pick<RuleRow, 'startsAt' | 'endsAt'>,
	timeZone: string
): string {
	const day = (ms: number, pattern = 'd MMM yyyy') => format(new TZDate(ms, timeZone), pattern);
	const { startsAt, endsAt } = row;
	if (startsAt == null && endsAt == null) return 'Whole season';
	// endsAt is exclusive: the last day that counts is the one before it.
	if (startsAt == null) return `Until ${day(endsAt! - 1)}`;
	if (endsAt == null) return `From ${day(startsAt)}`;
	const first = day(startsAt);
	const last = day(endsAt - 1);
	if (first === last) return `On ${first}`;
	const sameYear = first.slice(-4) === last.slice(-4);
	return `${sameYear ? day(startsAt, 'd MMM') : first} – ${last}`;
}

function findRule(db: Queryable, seasonId: number, id: number): RuleRow {
	const row = getRule(db, seasonId, id);
	if (!row) throw new RuleAdminError('not_found', 'This rule does not exist (any more)');
	return row;
}

/** What the audit log keeps of a rule: enough to read or recreate it. */
function snapshot(row: RuleDraft & { name: string }) {
	const { name, active, highlight, startsAt, endsAt, target, effect, dailyCap } = row;
	return { name, active, highlight, startsAt, endsAt, target, effect, dailyCap };
}

export function createRule(
	db: Db,
	seasonId: number,
	draft: RuleDraft,
	actor: Actor,
	clock: Clock = systemClock
): RuleRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const row = tx
				.insert(rule)
				.values({
					...draft,
					seasonId,
					createdById: actor.userId ?? null,
					createdAt: now,
					updatedAt: now
				})
				.returning()
				.get();
			audit(tx, actor, 'rule.create', `rule:${row.id}`, { seasonId, ...snapshot(draft) }, now);
			return row;
		},
		{ behavior: 'immediate' }
	);
}

export function updateRule(
	db: Db,
	seasonId: number,
	id: number,
	draft: RuleDraft,
	actor: Actor,
	clock: Clock = systemClock
): RuleRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const before = findRule(tx, seasonId, id);
			const row = tx
				.update(rule)
				.set({ ...draft, updatedAt: now })
				.where(eq(rule.id, id))
				.returning()
				.get();
			audit(
				tx,
				actor,
				'rule.update',
				`rule:${id}`,
				{ seasonId, before: snapshot(before), after: snapshot(draft) },
				now
			);
			return row;
		},
		{ behavior: 'immediate' }
	);
}

export function setRuleActive(
	db: Db,
	seasonId: number,
	id: number,
	active: boolean,
	actor: Actor,
	clock: Clock = systemClock
): RuleRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const before = findRule(tx, seasonId, id);
			if (before.active === active) return before;
			const row = tx
				.update(rule)
				.set({ active, updatedAt: now })
				.where(eq(rule.id, id))
				.returning()
				.get();
			audit(
				tx,
				actor,
				active ? 'rule.activate' : 'rule.deactivate',
				`rule:${id}`,
				{ seasonId, name: before.name },
				now
			);
			return row;
		},
		{ behavior: 'immediate' }
	);
}

/**
 * Removes a rule. Sales it already scored keep their points and breakdowns (which name it),
 * unless the season is recalculated afterwards.
 */
export function deleteRule(
	db: Db,
	seasonId: number,
	id: number,
	actor: Actor,
	clock: Clock = systemClock
): RuleRow {
	const now = clock();
	return db.transaction(
		(tx) => {
			const before = findRule(tx, seasonId, id);
			tx.delete(rule).where(eq(rule.id, id)).run();
			audit(tx, actor, 'rule.delete', `rule:${id}`, { seasonId, ...snapshot(before) }, now);
			return before;
		},
		{ behavior: 'immediate' }
	);
}

// ---- Preview: the draft applied to a sample sale by the pure engine, nothing saved ----

export const SAMPLE_LINES = 4;

export interface SampleValues {
	lines: { sku: string; quantity: string }[];
	/** Local date and time in the season's zone, as a datetime-local input gives it. */
	at: string;
	/** Whether the sample is the seller's first sale of the day (for first-sale bonuses). */
	first: boolean;
}

export function readSampleValues(form: FormData): SampleValues {
	const lines = Array.from({ length: SAMPLE_LINES }, (_, i) => ({
		sku: String(form.get(`sampleSku${i}`) ?? ''),
		quantity: String(form.get(`sampleQty${i}`) ?? '')
	}));
	return { lines, at: String(form.get('sampleAt') ?? ''), first: form.get('sampleFirst') === 'on' };
}

/** The local "now" of a zone in the shape of a datetime-local input. */
export function localDateTimeValue(ms: number, timeZone: string): string {
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
	when: string;
	base: number;
	total: number;
	/** Points without the draft, so the draft's own share shows. */
	totalWithout: number;
	items: (BreakdownItem & { draft: boolean })[];
	/** False when the sample falls outside the draft's window or the draft is off. */
	applies: boolean;
}

/** A catalogue item with its price in cents, which amount bonuses look at. */
export type PricedItem = CatalogueItem & { price: number };

export type SampleErrors = Partial<Record<'sample' | 'sampleAt', string>>;

/**
 * Scores a sample sale with the season's rules (the edited one replaced by the draft) exactly
 * as a new sale would be scored, except that daily caps start unused.
 */
export function previewRule(
	db: Queryable,
	seasonId: number,
	timeZone: string,
	catalogue: ReadonlyMap<string, PricedItem>,
	draft: RuleDraft,
	sampleValues: SampleValues,
	options: { editingId?: number; now?: number } = {}
): { ok: true; preview: RulePreview } | { ok: false; errors: SampleErrors } {
	const now = options.now ?? Date.now();
	const errors: SampleErrors = {};
	const others = engineRules(db, seasonId).filter((r) => r.id !== options.editingId);
	const draftRule: Rule = {
		...draft,
		id: options.editingId ?? Math.max(0, ...others.map((r) => r.id)) + 1
	};

	let lines: { sku: string; quantity: number }[] = [];
	for (const line of sampleValues.lines) {
		if (!line.sku) continue;
		const quantity = line.quantity.trim() === '' ? 1 : Number(line.quantity);
		if (!Number.isInteger(quantity) || quantity < 1 || quantity > 99) {
			errors.sample = 'Sample quantities must be whole numbers from 1 to 99';
		}
		lines.push({ sku: line.sku, quantity });
	}
	if (lines.length === 0) lines = suggestedLines(draft, [...catalogue.values()]);
	if (lines.length === 0) errors.sample = 'Pick at least one product for the sample sale';
	const occurredAt = sampleValues.at ? parseLocalDateTime(sampleValues.at, timeZone) : now;
	if (occurredAt === null) errors.sampleAt = 'Enter the sample date and time';
	if (Object.keys(errors).length > 0 || occurredAt === null) return { ok: false, errors };

	const sale: SaleInput = {
		occurredAt,
		lines: lines.map((l) => ({ ...l, unitPrice: catalogue.get(l.sku)?.price ?? 0 }))
	};
	const context = { timeZone, priorSalesToday: sampleValues.first ? 0 : 1, ruleAwardsToday: {} };
	try {
		const withDraft = score(sale, [...others, draftRule], catalogue, context);
		const without = score(sale, others, catalogue, context);
		return {
			ok: true,
			preview: {
				description: describeRule(draftRule, timeZone, { catalogue, currency: 'EUR' }),
				sample: {
					lines: Array.from({ length: SAMPLE_LINES }, (_, i) => ({
						sku: lines[i]?.sku ?? '',
						quantity: lines[i] ? String(lines[i].quantity) : ''
					})),
					at: localDateTimeValue(occurredAt, timeZone),
					first: sampleValues.first
				},
				when: format(new TZDate(occurredAt, timeZone), 'EEE d MMM yyyy, HH:mm'),
				base: withDraft.base,
				total: withDraft.total,
				totalWithout: without.total,
				items: withDraft.items.map((item) => ({ ...item, draft: item.ruleId === draftRule.id })),
				applies: draftRule.active && isInWindow(draftRule, occurredAt)
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
