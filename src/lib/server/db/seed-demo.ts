import { TZDate } from '@date-fns/tz';
import { and, eq } from 'drizzle-orm';
import type { BadgeCriterion } from '../../contest/badges';
import { recordDemoSale } from './demo-sale';
import { seedDemoReferrals } from '../referrals/demo';
import { seedDemoActivities } from '../activities/demo';
import { reevaluateOnStore } from '../badges/reevaluate';
import { seedDemoQuizzes } from '../quizzes/seed-demo';
import { seedDemoDivisions } from '../divisions/seed-demo';
import { upsertUser } from '../people/users';
import type { Role } from '../../contest/types';
import { readOrganisation, setOrganisation } from '../organisation/settings';
import { SYSTEM } from '../audit/record';
import {
	CURRENCIES,
	isCurrency,
	isLocale,
	LOCALES,
	type Currency,
	type Locale
} from '../../i18n/locales';
import { badRequest } from '../shared/errors';
import { m } from '../../paraglide/messages.js';
import { seedDemoRewards } from '../rewards/demo';
import { write, type Store } from './store';
import { seedDemoBrackets } from '../knockouts/seed-demo';
import { seedDemoChallenges } from '../challenges/seed-demo';
import { mulberry32 } from '../../seeded-random';

export const DEMO_PASSWORD = 'demo-password';
const DAY = 24 * 60 * 60 * 1000;

const REP_NAMES = [
	'Anna Kowalska',
	'Ben Okafor',
	'Chloé Martin',
	'Dawid Nowak',
	'Elena Rossi',
	'Farid Haddad',
	'Greta Lind',
	'Hiro Tanaka',
	'Ines Duarte',
	'Jonas Berg',
	'Kasia Wiśniewska',
	'Liam Walsh',
	'Maya Cohen',
	'Nils Eriksson',
	'Olga Petrova',
	'Pablo Ruiz',
	'Quinn Taylor',
	'Rosa Jansen',
	'Sam Carter',
	'Tara Singh'
];

// The demo's own texts (team, product, badge and rule names, the season's tagline) are data
// once written, so they are written in the organisation's language; Paraglide's messages hold
// them in every language. Brand-like product names read the same everywhere.
type Text = (locale: Locale) => string;
const say =
	(message: (inputs: Record<string, never>, options: { locale: Locale }) => string): Text =>
	(locale) =>
		message({}, { locale });
const brand =
	(name: string): Text =>
	() =>
		name;

const TEAMS = [
	{ name: say(m.demo_team_falcons), emoji: '🦅', color: '#ef4444' },
	{ name: say(m.demo_team_wolves), emoji: '🐺', color: '#6366f1' },
	{ name: say(m.demo_team_orcas), emoji: '🐋', color: '#0d9488' }
];

const PHONES = say(m.demo_category_phones);
const AUDIO = say(m.demo_category_audio);
const ACCESSORIES = say(m.demo_category_accessories);
const SERVICES = say(m.demo_category_services);
const PRODUCTS = [
	{ sku: 'PH-PRO', name: brand('Phone Pro 15'), category: PHONES, points: 50, price: 109900 },
	{ sku: 'PH-LITE', name: brand('Phone Lite'), category: PHONES, points: 25, price: 49900 },
	{
		sku: 'TAB-11',
		name: brand('Tablet 11"'),
		category: say(m.demo_category_tablets),
		points: 35,
		price: 69900
	},
	{ sku: 'HS-PRO', name: brand('Headset Pro'), category: AUDIO, points: 20, price: 24900 },
	{ sku: 'EAR-BUD', name: say(m.demo_product_earbuds), category: AUDIO, points: 10, price: 12900 },
	{
		sku: 'CASE',
		name: say(m.demo_product_rugged_case),
		category: ACCESSORIES,
		points: 5,
		price: 3900
	},
	{
		sku: 'CHG-65',
		name: say(m.demo_product_fast_charger),
		category: ACCESSORIES,
		points: 5,
		price: 4900
	},
	{
		sku: 'SCR',
		name: say(m.demo_product_screen_guard),
		category: ACCESSORIES,
		points: 3,
		price: 1900
	},
	{ sku: 'CARE-2Y', name: say(m.demo_product_care), category: SERVICES, points: 15, price: 14900 },
	{
		sku: 'PLAN-5G',
		name: say(m.demo_product_plan_5g),
		category: SERVICES,
		points: 30,
		price: 35900
	}
];

const BADGES: {
	name: Text;
	emoji: string;
	description: Text;
	criterion: BadgeCriterion;
	points?: number;
}[] = [
	{
		name: say(m.demo_badge_first_sale),
		emoji: '🎉',
		description: say(m.demo_badge_first_sale_description),
		criterion: { kind: 'first_sale' }
	},
	{
		name: say(m.demo_badge_hat_trick),
		emoji: '🎩',
		description: say(m.demo_badge_hat_trick_description),
		criterion: { kind: 'sales_count', count: 3 }
	},
	{
		name: say(m.demo_badge_on_fire),
		emoji: '🔥',
		description: say(m.demo_badge_on_fire_description),
		criterion: { kind: 'streak', days: 3 }
	},
	{
		name: say(m.demo_badge_cross_seller),
		emoji: '🔗',
		description: say(m.demo_badge_cross_seller_description),
		criterion: { kind: 'cross_sells', count: 5 }
	},
	{
		name: say(m.demo_badge_club_500),
		emoji: '💯',
		description: say(m.demo_badge_club_500_description),
		criterion: { kind: 'points_at_least', points: 500 }
	},
	{
		name: say(m.demo_badge_record_breaker),
		emoji: '🚀',
		description: say(m.demo_badge_record_breaker_description),
		criterion: { kind: 'record_sale' },
		points: 10
	},
	{
		name: say(m.demo_badge_top_3_week),
		emoji: '🏆',
		description: say(m.demo_badge_top_3_week_description),
		criterion: { kind: 'top_k_week', k: 3 }
	},
	{
		name: say(m.demo_badge_most_improved),
		emoji: '📈',
		description: say(m.demo_badge_most_improved_description),
		criterion: { kind: 'most_improved_week' }
	},
	{
		name: say(m.demo_badge_team_on_target),
		emoji: '🤝',
		description: say(m.demo_badge_team_on_target_description),
		criterion: { kind: 'team_target', target: 3000 }
	}
];

// Rough prices in each currency (the catalogue is priced in euros), ending in 9 the way shops
// price: 1,099 € is about 4,399 zł or 12,099 kr.
const PER_EURO: Record<Currency, number> = {
	EUR: 1,
	GBP: 0.85,
	USD: 1.1,
	PLN: 4.3,
	SEK: 11.5,
	RUB: 100
};

export function priceIn(currency: Currency, euroCents: number): number {
	if (currency === 'EUR') return euroCents;
	const whole = Math.round((euroCents / 100) * PER_EURO[currency]);
	const nice = whole >= 20 ? Math.round(whole / 10) * 10 - 1 : whole;
	return nice * 100;
}

/** The currency a demo in this language counts in, unless told otherwise. */
const MARKET_CURRENCY: Record<Locale, Currency> = {
	en: 'EUR',
	nl: 'EUR',
	fr: 'EUR',
	ru: 'RUB',
	sv: 'SEK',
	pl: 'PLN'
};

export interface DemoLogin {
	email: string;
	role: Role;
	name: string;
}

export interface DemoOptions {
	/**
	 * The language of the demo's texts, made the organisation's default. Without it, the
	 * organisation's default (en on a fresh database) and nothing changes in its settings.
	 */
	locale?: Locale;
	/** The organisation's currency; by default the one the language's market uses. */
	currency?: Currency;
}

/** The options of the CLI's `seed-demo` (`--locale pl --currency PLN`), checked. */
export function demoOptions(values: { locale?: string; currency?: string }): DemoOptions {
	const { locale, currency } = values;
	if (locale !== undefined && !isLocale(locale))
		throw badRequest('invalid_locale', `--locale must be one of: ${LOCALES.join(', ')}`);
	const code = currency?.toUpperCase();
	if (code !== undefined && !isCurrency(code))
		throw badRequest('invalid_currency', `--currency must be one of: ${CURRENCIES.join(', ')}`);
	return { locale, currency: code };
}

/**
 * Seeds the demo season "Q4 Summit Challenge" for the quarter containing `now`: users, 3 teams,
 * a catalogue and three weeks of sales, its texts in the organisation's language. Running it again
 * changes nothing that exists (only the organisation's language and currency, when given). The
 * same demo on SQLite and PostgreSQL: everything goes through the store.
 */
export async function seedDemo(
	store: Store,
	now = Date.now(),
	options: DemoOptions = {}
): Promise<{ seasonId: number; logins: DemoLogin[]; locale: Locale; currency: Currency }> {
	const organisation = await readOrganisation(store.db, store);
	const locale = options.locale ?? organisation.defaultLocale;
	const currency =
		options.currency ?? (options.locale ? MARKET_CURRENCY[locale] : organisation.currency);
	if (locale !== organisation.defaultLocale || currency !== organisation.currency)
		await setOrganisation(store, { defaultLocale: locale, currency }, SYSTEM, now);
	const logins: DemoLogin[] = [
		{ email: 'admin@demo.test', role: 'admin', name: 'Ada Admin' },
		{ email: 'manager@demo.test', role: 'manager', name: 'Max Manager' },
		{ email: 'executive@demo.test', role: 'executive', name: 'Eve Executive' },
		...REP_NAMES.map((name, i) => ({
			email: `rep${i + 1}@demo.test`,
			role: 'participant' as const,
			name
		}))
	];
	const users = [];
	for (const login of logins) {
		users.push(
			await upsertUser(store, {
				email: login.email,
				displayName: login.name,
				role: login.role,
				password: DEMO_PASSWORD
			})
		);
	}
	const reps = users.filter((u) => u.role === 'participant');

	const timeZone = 'Europe/Warsaw';
	const local = new TZDate(now, timeZone);
	const quarterMonth = Math.floor(local.getMonth() / 3) * 3;
	const startsAt = new TZDate(local.getFullYear(), quarterMonth, 1, timeZone).getTime();
	const endsAt = new TZDate(local.getFullYear(), quarterMonth + 3, 1, timeZone).getTime();

	const { badge, product, rule, season, seasonMember, team } = store.tables;
	const seasonId = await write(store, async (tx) => {
		const [existing] = await tx
			.select({ id: season.id })
			.from(season)
			.where(eq(season.key, 'demo'));
		if (existing) return existing.id;
		const [created] = await tx
			.insert(season)
			.values({
				key: 'demo',
				name: m.demo_season_name({ quarter: quarterMonth / 3 + 1 }, { locale }),
				theme: {
					primary: '#2563eb',
					accent: '#f59e0b',
					emoji: '🏔️',
					tagline: m.demo_season_tagline({}, { locale })
				},
				timeZone,
				startsAt,
				endsAt,
				status: 'live',
				target: 25000
			})
			.returning({ id: season.id });
		const teamIds: number[] = [];
		for (const t of TEAMS) {
			const [made] = await tx
				.insert(team)
				.values({ ...t, name: t.name(locale), seasonId: created.id })
				.returning({ id: team.id });
			teamIds.push(made.id);
		}
		await tx.insert(product).values(
			PRODUCTS.map((p) => ({
				...p,
				name: p.name(locale),
				category: p.category(locale),
				price: priceIn(currency, p.price),
				seasonId: created.id
			}))
		);
		await tx.insert(badge).values(
			BADGES.map((b) => ({
				...b,
				name: b.name(locale),
				description: b.description(locale),
				seasonId: created.id
			}))
		);
		// A campaign that ran in the past fortnight (whole local days), so that the dashboard has
		// a campaign effect to show; it does not change how today's sales score.
		const day = (daysAgo: number) =>
			new TZDate(
				local.getFullYear(),
				local.getMonth(),
				local.getDate() - daysAgo,
				timeZone
			).getTime();
		await tx.insert(rule).values({
			seasonId: created.id,
			name: m.demo_rule_audio_week({}, { locale }),
			target: { kind: 'category', category: AUDIO(locale) },
			effect: { kind: 'multiplier', factor: 2 },
			startsAt: Math.max(startsAt, day(13)),
			endsAt: Math.max(startsAt, day(6))
		});
		await tx
			.insert(seasonMember)
			.values(
				reps.map((rep, i) => ({
					seasonId: created.id,
					userId: rep.id,
					teamId: teamIds[i % 3],
					joinedAt: startsAt
				}))
			)
			.onConflictDoNothing();
		return created.id;
	});

	const random = mulberry32(42);
	const from = Math.max(startsAt, now - 21 * DAY);
	let n = 0;
	for (const rep of reps) {
		const [member] = await store.db
			.select({ userId: seasonMember.userId })
			.from(seasonMember)
			.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, rep.id)));
		if (!member) continue;
		const count = 4 + Math.floor(random() * 10);
		for (let i = 0; i < count; i++) {
			n += 1;
			const occurredAt = Math.floor(from + random() * Math.max(0, now - from - 60 * 60 * 1000));
			const main = PRODUCTS[Math.floor(random() * 5)];
			const lines = [{ sku: main.sku, quantity: 1 + Math.floor(random() * 2) }];
			if (random() < 0.5)
				lines.push({ sku: PRODUCTS[5 + Math.floor(random() * 5)].sku, quantity: 1 });
			if (occurredAt < startsAt) continue;
			await recordDemoSale(store, {
				source: 'demo',
				externalId: `demo-${n}`,
				seller: { userId: rep.id },
				occurredAt,
				lines
			});
		}
	}
	await seedDemoReferrals(store, seasonId, now, PRODUCTS[0].sku);
	await seedDemoActivities(store, { seasonId, startsAt, now, locale });
	// Badge criteria look at the whole history, so one evaluation awards what the weeks earned.
	await reevaluateOnStore(store, seasonId, { clock: () => now, weekly: true });
	await seedDemoRewards(store, {
		seasonId,
		locale,
		now,
		price: (euroCents) => priceIn(currency, euroCents)
	});
	await seedDemoQuizzes(store, { seasonId, locale, repIds: reps.map((r) => r.id), now });
	await seedDemoBrackets(store, { seasonId, locale, now });
	await seedDemoDivisions(store, { seasonId, locale, now });
	await seedDemoChallenges(store, {
		seasonId,
		locale,
		repIds: reps.map((r) => r.id),
		managerId: users.find((u) => u.role === 'manager')!.id,
		now,
		sku: PRODUCTS[0].sku
	});
	// The duels' demo sales came after the evaluation above: their badges (a record sale) are
	// awarded now, so that a second seed run finds nothing left to award.
	await reevaluateOnStore(store, seasonId, { clock: () => now, weekly: true });
	return { seasonId, logins, locale, currency };
}
