import { TZDate } from '@date-fns/tz';
import { and, eq } from 'drizzle-orm';
import type { Db } from './';
import { badge, product, rule, season, seasonMember, team } from './schema';
import type { BadgeCriterion } from '../../contest/badges';
import { recordSale } from '../scoring/sales';
import { evaluateAwards } from '../badges/awards';
import { upsertUser } from '../people/users';
import type { Role } from '../../contest/types';

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

const TEAMS = [
	{ name: 'Falcons', emoji: '🦅', color: '#ef4444' },
	{ name: 'Wolves', emoji: '🐺', color: '#6366f1' },
	{ name: 'Orcas', emoji: '🐋', color: '#0d9488' }
];

const PRODUCTS = [
	{ sku: 'PH-PRO', name: 'Phone Pro 15', category: 'Phones', points: 50, price: 109900 },
	{ sku: 'PH-LITE', name: 'Phone Lite', category: 'Phones', points: 25, price: 49900 },
	{ sku: 'TAB-11', name: 'Tablet 11"', category: 'Tablets', points: 35, price: 69900 },
	{ sku: 'HS-PRO', name: 'Headset Pro', category: 'Audio', points: 20, price: 24900 },
	{ sku: 'EAR-BUD', name: 'Earbuds', category: 'Audio', points: 10, price: 12900 },
	{ sku: 'CASE', name: 'Rugged Case', category: 'Accessories', points: 5, price: 3900 },
	{ sku: 'CHG-65', name: 'Fast Charger 65W', category: 'Accessories', points: 5, price: 4900 },
	{ sku: 'SCR', name: 'Screen Guard', category: 'Accessories', points: 3, price: 1900 },
	{ sku: 'CARE-2Y', name: 'Care+ 2 years', category: 'Services', points: 15, price: 14900 },
	{ sku: 'PLAN-5G', name: '5G Plan (12 mo)', category: 'Services', points: 30, price: 35900 }
];

const BADGES: {
	name: string;
	emoji: string;
	description: string;
	criterion: BadgeCriterion;
	points?: number;
}[] = [
	{
		name: 'First sale',
		emoji: '🎉',
		description: 'Registered a first sale this season',
		criterion: { kind: 'first_sale' }
	},
	{
		name: 'Hat-trick',
		emoji: '🎩',
		description: '3 sales this season',
		criterion: { kind: 'sales_count', count: 3 }
	},
	{
		name: 'On fire',
		emoji: '🔥',
		description: 'A sale on 3 working days in a row',
		criterion: { kind: 'streak', days: 3 }
	},
	{
		name: 'Cross-seller',
		emoji: '🔗',
		description: '5 sales combining product categories',
		criterion: { kind: 'cross_sells', count: 5 }
	},
	{
		name: '500 club',
		emoji: '💯',
		description: '500 points this season',
		criterion: { kind: 'points_at_least', points: 500 }
	},
	{
		name: 'Record breaker',
		emoji: '🚀',
		description: 'The biggest single sale of the season so far',
		criterion: { kind: 'record_sale' },
		points: 10
	},
	{
		name: 'Top 3 of the week',
		emoji: '🏆',
		description: 'Finished a week in the top 3',
		criterion: { kind: 'top_k_week', k: 3 }
	},
	{
		name: 'Most improved',
		emoji: '📈',
		description: 'Biggest jump in points from one week to the next',
		criterion: { kind: 'most_improved_week' }
	},
	{
		name: 'Team on target',
		emoji: '🤝',
		description: 'The team reached 3,000 points',
		criterion: { kind: 'team_target', target: 3000 }
	}
];

/** Deterministic pseudo-random numbers, so every seed of the demo tells the same story. */
function mulberry32(seed: number) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface DemoLogin {
	email: string;
	role: Role;
	name: string;
}

/**
 * Seeds the demo season "Q4 Summit Challenge" for the quarter containing `now`: users, 3 teams,
 * a catalogue and three weeks of sales. Running it again changes nothing that exists.
 */
export async function seedDemo(
	db: Db,
	now = Date.now()
): Promise<{ seasonId: number; logins: DemoLogin[] }> {
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
			await upsertUser(db, {
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

	const seasonId = db.transaction((tx) => {
		const existing = tx.select().from(season).where(eq(season.key, 'demo')).get();
		if (existing) return existing.id;
		const created = tx
			.insert(season)
			.values({
				key: 'demo',
				name: `Q${quarterMonth / 3 + 1} Summit Challenge`,
				theme: {
					primary: '#2563eb',
					accent: '#f59e0b',
					emoji: '🏔️',
					tagline: 'Every sale is a step closer to the summit.'
				},
				timeZone,
				startsAt,
				endsAt,
				status: 'live',
				target: 25000
			})
			.returning()
			.get();
		const teamIds = TEAMS.map(
			(t) =>
				tx
					.insert(team)
					.values({ ...t, seasonId: created.id })
					.returning()
					.get().id
		);
		tx.insert(product)
			.values(PRODUCTS.map((p) => ({ ...p, seasonId: created.id })))
			.run();
		tx.insert(badge)
			.values(BADGES.map((b) => ({ ...b, seasonId: created.id })))
			.run();
		// A campaign that ran in the past fortnight (whole local days), so that the dashboard has
		// a campaign effect to show; it does not change how today's sales score.
		const day = (daysAgo: number) =>
			new TZDate(
				local.getFullYear(),
				local.getMonth(),
				local.getDate() - daysAgo,
				timeZone
			).getTime();
		tx.insert(rule)
			.values({
				seasonId: created.id,
				name: 'Audio week: double points',
				target: { kind: 'category', category: 'Audio' },
				effect: { kind: 'multiplier', factor: 2 },
				startsAt: Math.max(startsAt, day(13)),
				endsAt: Math.max(startsAt, day(6))
			})
			.run();
		tx.insert(seasonMember)
			.values(
				reps.map((rep, i) => ({
					seasonId: created.id,
					userId: rep.id,
					teamId: teamIds[i % 3],
					joinedAt: startsAt
				}))
			)
			.onConflictDoNothing()
			.run();
		return created.id;
	});

	const random = mulberry32(42);
	const from = Math.max(startsAt, now - 21 * DAY);
	let n = 0;
	for (const rep of reps) {
		const member = db
			.select()
			.from(seasonMember)
			.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, rep.id)))
			.get();
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
			recordSale(
				db,
				{ source: 'demo', externalId: `demo-${n}`, seller: { userId: rep.id }, occurredAt, lines },
				() => occurredAt,
				{ awards: false }
			);
		}
	}
	// Badge criteria look at the whole history, so one evaluation awards what the weeks earned.
	evaluateAwards(db, seasonId, { clock: () => now, periodic: true });
	return { seasonId, logins };
}
