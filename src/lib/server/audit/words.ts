// The vocabulary of the audit log: what each action and field is called, and each value in
// words (money, dates in the season's zone, names for ids, yes/no, lists). describe.ts builds the
// sentences from these.
import { describeCriterion, type BadgeCriterion } from '../../contest/badges';
import { describeRule, type RuleEffect, type RuleTarget } from '../../contest/rules';
import type { Tier } from '../../contest/tiers';
import type { Dates } from '../../format/dates';
import { money } from '../../format/money';
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

/** The filter's name of each action the code records. */
export const ACTION_LABELS: Record<string, string> = {
	'sale.confirm': 'Sale confirmed',
	'sale.reject': 'Sale rejected',
	'sale.reverse': 'Sale reversed',
	'sales.import': 'Sales imported',
	'points.adjust': 'Points adjusted',
	'season.create': 'Season created',
	'season.publish': 'Season published',
	'season.update': 'Season edited',
	'season.configure': 'Season settings changed',
	'season.levels': 'Levels changed',
	'season.announce': 'Announcement posted',
	'season.announcement_clear': 'Announcement removed',
	'season.recalculate': 'Season recalculated',
	'season.prize.create': 'Prize added',
	'season.prize.update': 'Prize changed',
	'season.prize.remove': 'Prize removed',
	'team.create': 'Team created',
	'team.update': 'Team changed',
	'team.delete': 'Team deleted',
	'member.invite': 'Person invited',
	'member.accept_invite': 'Invitation accepted',
	'member.add': 'Person added to a team',
	'member.move': 'Person moved to another team',
	'member.remove': 'Person removed from a team',
	'member.reset_link': 'Password reset link issued',
	'member.reset_password': 'Password reset',
	'product.create': 'Product added',
	'product.update': 'Product changed',
	'product.activate': 'Product switched on',
	'product.deactivate': 'Product switched off',
	'catalogue.import': 'Catalogue imported',
	'rule.create': 'Rule created',
	'rule.update': 'Rule changed',
	'rule.activate': 'Rule switched on',
	'rule.deactivate': 'Rule switched off',
	'rule.delete': 'Rule deleted',
	'badge.create': 'Badge created',
	'badge.update': 'Badge changed',
	'badge.activate': 'Badge switched on',
	'badge.deactivate': 'Badge switched off',
	'badge.starter': 'Starter badges added',
	'display.create': 'TV display created',
	'display.revoke': 'TV display revoked',
	'webhook.create': 'Webhook added',
	'webhook.enable': 'Webhook switched on',
	'webhook.disable': 'Webhook switched off',
	'webhook.delete': 'Webhook deleted',
	'webhook.test': 'Webhook test sent',
	'webhook.redeliver': 'Webhook delivery sent again',
	'token.create': 'API token created',
	'token.revoke': 'API token revoked'
};

export function actionLabel(action: string): string {
	return ACTION_LABELS[action] ?? sentence(words(action.replace('.', ' ')));
}

// Whole numbers as every page shows them (thousands separated, a sign for a change).
export { count, signed };
export const plural = (n: number, one: string, many = `${one}s`) =>
	`${count(n)} ${n === 1 ? one : many}`;
export const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
export const quoted = (s: string) => `“${s}”`;

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
const LABELS: Record<string, string> = {
	name: 'Name',
	sku: 'SKU',
	category: 'Category',
	price: 'Price',
	points: 'Points',
	active: 'Switched on',
	color: 'Colour',
	emoji: 'Emoji',
	email: 'Email',
	timeZone: 'Time zone',
	startsAt: 'Starts',
	endsAt: 'Ends',
	target: 'Target',
	tieRule: 'Ties',
	requireConfirmation: 'Sales need confirmation',
	autoConfirmDays: 'Confirm pending sales automatically after',
	rankBy: 'Rank by',
	graceDays: 'Grace period',
	maxSalePoints: 'Points ceiling per sale',
	multiplierMode: 'Multipliers',
	theme: 'Theme',
	recurrence: 'Repeats',
	prizes: 'Prizes',
	banner: 'Banner',
	tiers: 'Levels',
	holidays: 'Days off',
	description: 'Description',
	criterion: 'Earned for',
	highlight: 'Highlighted',
	dailyCap: 'Daily cap',
	url: 'Address',
	events: 'Events',
	title: 'Title',
	image: 'Picture',
	expiresAt: 'Valid until',
	minAmount: 'Minimum amount',
	amount: 'Amount',
	seasonId: 'Season',
	teamId: 'Team',
	userId: 'Person',
	productId: 'Product'
};
export const label = (key: string) => LABELS[key] ?? sentence(words(key.replace(/Id$/, '')));

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
	if (value === null || value === undefined || value === '') return 'none';
	if (typeof value === 'boolean') return value ? 'yes' : 'no';
	if (typeof value === 'number') {
		if (ID_KINDS[key]) return ctx.name(ID_KINDS[key], value) ?? `no longer exists`;
		if (/price|amount/i.test(key)) return money(value);
		if (/At$/.test(key)) return `${ctx.dates.date(value)}, ${ctx.dates.time(value)}`;
		if (key === 'autoConfirmDays' || key === 'graceDays') return plural(value, 'day');
		if (key === 'target' || key === 'points' || key === 'dailyCap') return plural(value, 'point');
		return count(value);
	}
	if (typeof value === 'string') {
		if (key === 'rankBy')
			return value === 'total' ? 'all points, pending included' : 'confirmed points';
		if (key === 'tieRule')
			return value === 'dense' ? 'dense ranks (1, 2, 2, 3)' : 'shared ranks (1, 2, 2, 4)';
		return value;
	}
	if (Array.isArray(value)) {
		if (value.length === 0) return 'none';
		if (key === 'tiers')
			return (value as Tier[]).map((t) => `${t.name} from ${count(t.minPoints)}`).join(', ');
		if (key === 'holidays') return value.map((d) => String(d)).join(', ');
		if (key === 'prizes')
			return value.map((p) => (isRecord(p) ? String(p.title ?? '') : String(p))).join(', ');
		return value.map((v) => show('', v, ctx)).join(', ');
	}
	if (isRecord(value)) {
		if (key === 'criterion') return describeCriterion(value as unknown as BadgeCriterion);
		if (key === 'recurrence' && num(value.every) !== null)
			return `every ${plural(value.every as number, String(value.unit ?? 'week'))}`;
		if (key === 'theme') return [value.emoji, value.tagline].filter(Boolean).join(' ');
		if ('set' in value) return value.set ? 'new one' : 'removed';
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
			{ currency: 'EUR' }
		);
	} catch {
		return null;
	}
}
