// The vocabulary of the audit log: what each action and field is called, and each value in
// words (money, dates in the season's zone, names for ids, yes/no, lists). describe.ts builds the
// sentences from these.
import { describeCriterion, type BadgeCriterion } from '../../contest/badges';
import { describeRule, type RuleEffect, type RuleTarget } from '../../contest/rules';
import type { Tier } from '../../contest/tiers';
import type { Dates } from '../../format/dates';
import { currentCurrency, money } from '../../format/money';
import { m } from '../../paraglide/messages.js';
import { phrase as cut } from '../../i18n/phrase';
import { points as count, signed } from '../../format/numbers';

export type NamedKind =
	'user' | 'season' | 'team' | 'badge' | 'rule' | 'product' | 'display' | 'webhook';

export interface SummaryPart {
	text: string;
	href?: string;
}
export interface Detail {
	label: string;
	value: string;
}

export interface AuditEventInput {
	action: string;
	subject: string;
	data: Record<string, unknown>;
}

export interface DescribeContext {
	/** The current name of a thing by kind and id, when it still exists. */
	name: (kind: NamedKind, id: number) => string | undefined;
	/** Who sold a sale. */
	seller: (saleId: number) => { id: number; name: string } | undefined;
	/** The season's time zone, and its formatters (format/dates.ts). */
	timeZone: string;
	dates: Dates;
}

export interface Described {
	parts: SummaryPart[];
	details: Detail[];
	/** Points the event gave (+) or took (−), for the chip; null when none. */
	points: number | null;
	reason: string | null;
}

/** The filter's name of each action the code records, in the reader's language. */
export const ACTION_LABELS: Record<string, () => string> = {
	'sale.confirm': m.audit_action_sale_confirm,
	'referral.confirm': m.referral_audit_confirm,
	'challenge.create': m.challenges_audit_create,
	'challenge.pair': m.challenges_audit_pair,
	'challenge.budget': m.challenges_audit_budget,
	'referral.reject': m.referral_audit_reject,
	'referral.lapse': m.referral_audit_lapse,
	'season.referral_settings': m.referral_audit_settings,
	'sale.reject': m.audit_action_sale_reject,
	'sale.reverse': m.audit_action_sale_reverse,
	'sales.import': m.audit_action_sales_import,
	'points.adjust': m.audit_action_points_adjust,
	'season.create': m.audit_action_season_create,
	'season.publish': m.audit_action_season_publish,
	'season.update': m.audit_action_season_update,
	'season.configure': m.audit_action_season_configure,
	'season.levels': m.audit_action_season_levels,
	'season.announce': m.audit_action_season_announce,
	'season.announcement_clear': m.audit_action_season_announcement_clear,
	'season.recalculate': m.audit_action_season_recalculate,
	'season.prize.create': m.audit_action_season_prize_create,
	'season.prize.update': m.audit_action_season_prize_update,
	'season.prize.remove': m.audit_action_season_prize_remove,
	'team.create': m.audit_action_team_create,
	'team.update': m.audit_action_team_update,
	'team.delete': m.audit_action_team_delete,
	'member.invite': m.audit_action_member_invite,
	'member.accept_invite': m.audit_action_member_accept_invite,
	'member.add': m.audit_action_member_add,
	'member.move': m.audit_action_member_move,
	'member.remove': m.audit_action_member_remove,
	'member.reset_link': m.audit_action_member_reset_link,
	'member.reset_password': m.audit_action_member_reset_password,
	'product.create': m.audit_action_product_create,
	'product.update': m.audit_action_product_update,
	'product.activate': m.audit_action_product_activate,
	'product.deactivate': m.audit_action_product_deactivate,
	'catalogue.import': m.audit_action_catalogue_import,
	'rule.create': m.audit_action_rule_create,
	'rule.update': m.audit_action_rule_update,
	'rule.activate': m.audit_action_rule_activate,
	'rule.deactivate': m.audit_action_rule_deactivate,
	'rule.delete': m.audit_action_rule_delete,
	'badge.create': m.audit_action_badge_create,
	'badge.update': m.audit_action_badge_update,
	'badge.activate': m.audit_action_badge_activate,
	'badge.deactivate': m.audit_action_badge_deactivate,
	'badge.starter': m.audit_action_badge_starter,
	'quiz.create': m.audit_action_quiz_create,
	'sprint.create': m.sprints_audit_action_create,
	'knockout.create': m.knockouts_audit_action_create,
	'sprint.update': m.sprints_audit_action_update,
	'sprint.delete': m.sprints_audit_action_delete,
	'sprint.cancel': m.sprints_audit_action_cancel,
	'knockout.update': m.knockouts_audit_action_update,
	'knockout.delete': m.knockouts_audit_action_delete,
	'knockout.cancel': m.knockouts_audit_action_cancel,
	'quiz.update': m.audit_action_quiz_update,
	'quiz.publish': m.audit_action_quiz_publish,
	'activity_type.create': m.activities_audit_type_create,
	'activity_type.update': m.activities_audit_type_update,
	'activity_type.activate': m.activities_audit_type_activate,
	'activity_type.deactivate': m.activities_audit_type_deactivate,
	'activity.import': m.activities_audit_import,
	'activity.void': m.activities_audit_void,
	'display.create': m.audit_action_display_create,
	'display.revoke': m.audit_action_display_revoke,
	'webhook.create': m.audit_action_webhook_create,
	'webhook.enable': m.audit_action_webhook_enable,
	'webhook.disable': m.audit_action_webhook_disable,
	'webhook.delete': m.audit_action_webhook_delete,
	'webhook.test': m.audit_action_webhook_test,
	'webhook.redeliver': m.audit_action_webhook_redeliver,
	'chat.create': m.audit_action_chat_create,
	'chat.update': m.audit_action_chat_update,
	'chat.pause': m.audit_action_chat_pause,
	'chat.resume': m.audit_action_chat_resume,
	'chat.delete': m.audit_action_chat_delete,
	'chat.test': m.audit_action_chat_test,
	'token.create': m.audit_action_token_create,
	'token.revoke': m.audit_action_token_revoke,
	'organisation.update': m.audit_action_organisation_update,
	'redemption.request': m.rewards_audit_redemption_request,
	'redemption.approve': m.rewards_audit_redemption_approve,
	'redemption.reject': m.rewards_audit_redemption_reject,
	'redemption.fulfil': m.rewards_audit_redemption_fulfil,
	'reward.create': m.rewards_audit_reward_create,
	'reward.update': m.rewards_audit_reward_update,
	'reward.delete': m.rewards_audit_reward_delete,
	'season.rewards_budget': m.rewards_audit_season_budget,
	'division.create': m.divisions_audit_create,
	'division.update': m.divisions_audit_update,
	'division.delete': m.divisions_audit_delete,
	'division.place': m.divisions_audit_place,
	'division.move': m.divisions_audit_move,
	'division.carry': m.divisions_audit_carry,
	'division.recarry': m.divisions_audit_recarry,
	'quota.set': m.quotas_audit_set,
	'quota.remove': m.quotas_audit_remove,
	'quota.import': m.quotas_audit_import
};

export function actionLabel(action: string): string {
	return ACTION_LABELS[action]?.() ?? sentence(words(action.replace('.', ' ')));
}

// Whole numbers as every page shows them (thousands separated, a sign for a change).
export { count, signed };
export const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
export const quoted = (text: string) => m.audit_quoted({ text });

/**
 * A whole sentence from one message, the things in it kept as their own parts (a person links to
 * their page): the shared phrase() cuts the message around the things' places. Words in any
 * language keep their order: "Moved {person} from {from} to {to}".
 */
export function phrase<K extends string>(
	message: (params: Record<K, string>) => string,
	things: Record<K, SummaryPart | string>
): SummaryPart[] {
	const entries = Object.entries(things) as [K, SummaryPart | string][];
	const plain = Object.fromEntries(entries.filter(([, thing]) => typeof thing === 'string'));
	const linked = entries.filter(([, thing]) => typeof thing !== 'string').map(([key]) => key);
	return cut((marks) => message({ ...plain, ...marks } as Record<K, string>), linked)
		.map((part) => (part.slot ? (things[part.slot as K] as SummaryPart) : { text: part.text! }))
		.filter((part) => part.text !== '');
}

/** "fromTeamId" → "from team id", "auto_confirm" → "auto confirm". */
export function words(key: string): string {
	return key
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.replace(/[_\-.]/g, ' ')
		.toLowerCase()
		.trim();
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);
export const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
export const str = (v: unknown) => (typeof v === 'string' ? v : null);

export function splitSubject(subject: string): [string, number | null] {
	const [kind, raw] = subject.split(':');
	const id = Number(raw);
	return [kind, Number.isInteger(id) && id > 0 ? id : null];
}

/** Field labels people read, for the fields events record. */
const LABELS: Record<string, () => string> = {
	name: m.audit_field_name,
	sku: m.audit_field_sku,
	category: m.audit_field_category,
	price: m.audit_field_price,
	points: m.audit_field_points,
	active: m.audit_field_active,
	color: m.audit_field_color,
	emoji: m.audit_field_emoji,
	email: m.audit_field_email,
	timeZone: m.audit_field_time_zone,
	startsAt: m.audit_field_starts_at,
	endsAt: m.audit_field_ends_at,
	target: m.audit_field_target,
	tieRule: m.audit_field_tie_rule,
	requireConfirmation: m.audit_field_require_confirmation,
	autoConfirmDays: m.audit_field_auto_confirm_days,
	rankBy: m.audit_field_rank_by,
	graceDays: m.audit_field_grace_days,
	maxSalePoints: m.audit_field_max_sale_points,
	multiplierMode: m.audit_field_multiplier_mode,
	theme: m.audit_field_theme,
	recurrence: m.audit_field_recurrence,
	prizes: m.audit_field_prizes,
	banner: m.audit_field_banner,
	tiers: m.audit_field_tiers,
	holidays: m.audit_field_holidays,
	description: m.audit_field_description,
	criterion: m.audit_field_criterion,
	highlight: m.audit_field_highlight,
	dailyCap: m.audit_field_daily_cap,
	url: m.audit_field_url,
	events: m.audit_field_events,
	title: m.audit_field_title,
	image: m.audit_field_image,
	expiresAt: m.audit_field_expires_at,
	minAmount: m.audit_field_min_amount,
	amount: m.audit_field_amount,
	seasonId: m.audit_field_season_id,
	teamId: m.audit_field_team_id,
	userId: m.audit_field_user_id,
	productId: m.audit_field_product_id,
	defaultLocale: m.audit_field_default_locale,
	currency: m.audit_field_currency,
	// Sprints and knockouts (#17): the console form's own words.
	prize: m.audit_field_prize,
	size: m.knockouts_form_size,
	roundLength: m.knockouts_form_round,
	roundUnit: m.knockouts_form_round_unit,
	graceHours: m.knockouts_form_grace
};
export const label = (key: string) => LABELS[key]?.() ?? sentence(words(key.replace(/Id$/, '')));

export const ID_KINDS: Record<string, NamedKind> = {
	seasonId: 'season',
	teamId: 'team',
	fromTeamId: 'team',
	toTeamId: 'team',
	userId: 'user',
	productId: 'product',
	badgeId: 'badge',
	ruleId: 'rule'
};

/** One value of a field in words: money, dates, names for ids, yes/no, lists. */
export function show(key: string, value: unknown, ctx: DescribeContext): string {
	if (value === null || value === undefined || value === '') return m.audit_none();
	if (typeof value === 'boolean') return value ? m.audit_yes() : m.audit_no();
	if (typeof value === 'number') {
		if (ID_KINDS[key]) return ctx.name(ID_KINDS[key], value) ?? m.audit_gone();
		if (/price|amount/i.test(key)) return money(value);
		if (/At$/.test(key)) return `${ctx.dates.date(value)}, ${ctx.dates.time(value)}`;
		if (key === 'autoConfirmDays' || key === 'graceDays')
			return m.audit_days({ count: value, n: count(value) });
		if (key === 'target' || key === 'points' || key === 'dailyCap')
			return m.common_points({ count: value, n: count(value) });
		return count(value);
	}
	if (typeof value === 'string') {
		if (key === 'rankBy')
			return value === 'total' ? m.audit_rank_total() : m.audit_rank_confirmed();
		if (key === 'tieRule') return value === 'dense' ? m.audit_ties_dense() : m.audit_ties_shared();
		if (key === 'roundUnit')
			return value === 'hour' ? m.knockouts_unit_hours() : m.knockouts_unit_days();
		return value;
	}
	if (Array.isArray(value)) {
		if (value.length === 0) return m.audit_none();
		if (key === 'tiers')
			return (value as Tier[])
				.map((t) => m.audit_tier_from({ name: t.name, n: count(t.minPoints) }))
				.join(', ');
		if (key === 'holidays') return value.map((d) => String(d)).join(', ');
		if (key === 'prizes')
			return value.map((p) => (isRecord(p) ? String(p.title ?? '') : String(p))).join(', ');
		return value.map((v) => show('', v, ctx)).join(', ');
	}
	if (isRecord(value)) {
		if (key === 'criterion') return describeCriterion(value as unknown as BadgeCriterion);
		if (key === 'recurrence' && num(value.every) !== null) {
			const every = value.every as number;
			const each = { day: m.audit_every_day, week: m.audit_every_week, month: m.audit_every_month };
			const unit = String(value.unit) in each ? (String(value.unit) as keyof typeof each) : 'week';
			return each[unit]({ count: every, n: count(every) });
		}
		if (key === 'theme') return [value.emoji, value.tagline].filter(Boolean).join(' ');
		if ('set' in value) return value.set ? m.audit_new_one() : m.audit_removed();
		return Object.entries(value)
			.map(([k, v]) => `${words(k)} ${show(k, v, ctx)}`)
			.join(', ');
	}
	return String(value);
}

/** "Name: Falcons → Eagles" for each { from, to } in a diff. */
export function changes(
	diff: Record<string, unknown>,
	ctx: DescribeContext,
	skip: string[] = []
): Detail[] {
	return Object.entries(diff)
		.filter(([key]) => !skip.includes(key))
		.map(([key, change]) =>
			isRecord(change) && 'from' in change && 'to' in change
				? {
						label: label(key),
						value: `${show(key, change.from, ctx)} → ${show(key, change.to, ctx)}`
					}
				: { label: label(key), value: show(key, change, ctx) }
		);
}

/** Every remaining field, labelled (the generic describer and the extras of known events). */
export function fields(
	data: Record<string, unknown>,
	ctx: DescribeContext,
	skip: string[]
): Detail[] {
	return changes(data, ctx, ['reason', ...skip]);
}

export function ruleSentence(snapshot: unknown, ctx: DescribeContext): string | null {
	if (!isRecord(snapshot) || !isRecord(snapshot.effect) || !isRecord(snapshot.target)) return null;
	try {
		return describeRule(
			{
				effect: snapshot.effect as unknown as RuleEffect,
				target: snapshot.target as unknown as RuleTarget,
				startsAt: num(snapshot.startsAt),
				endsAt: num(snapshot.endsAt),
				dailyCap: num(snapshot.dailyCap)
			} as Parameters<typeof describeRule>[0],
			ctx.timeZone,
			{ currency: currentCurrency() }
		);
	} catch {
		return null;
	}
}
