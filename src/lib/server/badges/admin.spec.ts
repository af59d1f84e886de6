import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../db';
import { auditEvent, award, badge, product, season, seasonMember, team, user } from '../db/schema';
import { recordSale } from '../scoring/sales';
import {
	badgeToValues,
	createBadge,
	describeCriterion,
	emptyBadgeValues,
	getLevels,
	listSeasonBadges,
	parseBadge,
	parseLevels,
	setBadgeActive,
	updateBadge,
	updateLevels,
	type BadgeValues,
	type LevelsValues
} from './admin';

const ctx = { categories: ['Phones', 'Accessories'] };
const values = (patch: Partial<BadgeValues>): BadgeValues => ({
	...emptyBadgeValues(),
	name: 'Badge',
	...patch
});

describe('parseBadge', () => {
	const valid: { name: string; values: BadgeValues; criterion: unknown; points?: number }[] = [
		{
			name: 'first sale',
			values: values({ kind: 'first_sale' }),
			criterion: { kind: 'first_sale' }
		},
		{
			name: 'N sales in a category',
			values: values({ kind: 'sales_count', count: '5', category: 'Phones' }),
			criterion: { kind: 'sales_count', count: 5, category: 'Phones' }
		},
		{
			name: 'N sales of anything',
			values: values({ kind: 'sales_count', count: '3', category: '' }),
			criterion: { kind: 'sales_count', count: 3 }
		},
		{
			name: 'points',
			values: values({ kind: 'points_at_least', minPoints: '500' }),
			criterion: { kind: 'points_at_least', points: 500 }
		},
		{
			name: 'revenue in euros → cents',
			values: values({ kind: 'revenue_at_least', amount: '2499,90' }),
			criterion: { kind: 'revenue_at_least', amount: 249990 }
		},
		{
			name: 'streak',
			values: values({ kind: 'streak', days: '3' }),
			criterion: { kind: 'streak', days: 3 }
		},
		{
			name: 'cross-sells',
			values: values({ kind: 'cross_sells', count: '4' }),
			criterion: { kind: 'cross_sells', count: 4 }
		},
		{
			name: 'top K',
			values: values({ kind: 'top_k_week', k: '3' }),
			criterion: { kind: 'top_k_week', k: 3 }
		},
		{
			name: 'record',
			values: values({ kind: 'record_sale', bonus: '10' }),
			criterion: { kind: 'record_sale' },
			points: 10
		},
		{
			name: 'most improved',
			values: values({ kind: 'most_improved_week' }),
			criterion: { kind: 'most_improved_week' }
		},
		{
			name: 'team points',
			values: values({ kind: 'team_target', metric: 'points', target: '3000' }),
			criterion: { kind: 'team_target', target: 3000, metric: 'points' }
		},
		{
			name: 'team revenue',
			values: values({ kind: 'team_target', metric: 'amount', target: '50000' }),
			criterion: { kind: 'team_target', target: 5_000_000, metric: 'amount' }
		},
		{
			name: 'final place',
			values: values({ kind: 'season_place', maxRank: '1' }),
			criterion: { kind: 'season_place', maxRank: 1 }
		}
	];
	it.each(valid)('accepts $name', ({ values, criterion, points }) => {
		const parsed = parseBadge(values, ctx);
		expect(parsed.ok).toBe(true);
		if (!parsed.ok) return;
		expect(parsed.draft.criterion).toEqual(criterion);
		expect(parsed.draft.points).toBe(points ?? 0);
	});

	const invalid: { name: string; values: BadgeValues; field: keyof BadgeValues }[] = [
		{ name: 'no name', values: values({ name: '  ' }), field: 'name' },
		{ name: 'no emoji', values: values({ emoji: '' }), field: 'emoji' },
		{ name: 'a word for an emoji', values: values({ emoji: 'trophy' }), field: 'emoji' },
		{ name: 'unknown criterion', values: values({ kind: 'vibes' }), field: 'kind' },
		{ name: 'zero sales', values: values({ kind: 'sales_count', count: '0' }), field: 'count' },
		{
			name: 'unknown category',
			values: values({ kind: 'sales_count', category: 'Cars' }),
			field: 'category'
		},
		{
			name: 'amount with thousands separator',
			values: values({ kind: 'revenue_at_least', amount: '1,000.00' }),
			field: 'amount'
		},
		{ name: 'one-day streak', values: values({ kind: 'streak', days: '1' }), field: 'days' },
		{ name: 'negative bonus', values: values({ bonus: '-5' }), field: 'bonus' },
		{ name: 'fractional K', values: values({ kind: 'top_k_week', k: '2.5' }), field: 'k' }
	];
	it.each(invalid)('refuses $name', ({ values, field }) => {
		const parsed = parseBadge(values, ctx);
		expect(parsed.ok).toBe(false);
		if (!parsed.ok) expect(parsed.errors[field]).toBeTruthy();
	});

	it('describes the criterion when the description is left empty', () => {
		const parsed = parseBadge(
			values({ kind: 'sales_count', count: '5', category: 'Phones', description: '' }),
			ctx
		);
		expect(parsed.ok && parsed.draft.description).toBe('5 sales in Phones');
		expect(describeCriterion({ kind: 'revenue_at_least', amount: 1_000_000 })).toBe(
			'€10,000 in sales'
		);
	});
});

describe('parseLevels', () => {
	const tiers = (...rows: [string, string, string?][]) =>
		rows.map(([name, minPoints, emoji = '']) => ({ name, minPoints, emoji }));
	const levels = (patch: Partial<LevelsValues>): LevelsValues => ({
		tiers: tiers(['Bronze', '0'], ['Silver', '500']),
		holidays: '',
		...patch
	});

	it('accepts ascending levels from 0 and sorts and dedupes holidays', () => {
		const parsed = parseLevels(levels({ holidays: '2026-12-25\n\n 2026-12-24 \n2026-12-25' }));
		expect(parsed).toEqual({
			ok: true,
			levels: {
				tiers: [
					{ name: 'Bronze', minPoints: 0 },
					{ name: 'Silver', minPoints: 500 }
				],
				holidays: ['2026-12-24', '2026-12-25']
			}
		});
	});
	it('drops rows left empty', () => {
		const parsed = parseLevels(levels({ tiers: tiers(['Bronze', '0', '🥉'], ['', '', '']) }));
		expect(parsed.ok && parsed.levels.tiers).toEqual([
			{ name: 'Bronze', minPoints: 0, emoji: '🥉' }
		]);
	});
	const refused: {
		name: string;
		values: LevelsValues;
		where: (e: ReturnType<typeof parseLevels>) => unknown;
	}[] = [
		{
			name: 'first level above 0',
			values: levels({ tiers: tiers(['Bronze', '100']) }),
			where: (p) => !p.ok && p.errors.rows?.[0].minPoints
		},
		{
			name: 'not ascending',
			values: levels({ tiers: tiers(['Bronze', '0'], ['Gold', '900'], ['Silver', '500']) }),
			where: (p) => !p.ok && p.errors.rows?.[2].minPoints
		},
		{
			name: 'equal thresholds',
			values: levels({ tiers: tiers(['Bronze', '0'], ['Silver', '0']) }),
			where: (p) => !p.ok && p.errors.rows?.[1].minPoints
		},
		{
			name: 'duplicate names',
			values: levels({ tiers: tiers(['Bronze', '0'], ['bronze', '10']) }),
			where: (p) => !p.ok && p.errors.rows?.[1].name
		},
		{
			name: 'no levels',
			values: levels({ tiers: tiers(['', '']) }),
			where: (p) => !p.ok && p.errors.tiers
		},
		{
			name: 'an impossible date',
			values: levels({ holidays: '2026-02-30' }),
			where: (p) => !p.ok && p.errors.holidays
		},
		{
			name: 'a date in another format',
			values: levels({ holidays: '24.12.2026' }),
			where: (p) => !p.ok && p.errors.holidays
		}
	];
	it.each(refused)('refuses $name', ({ values, where }) => {
		expect(where(parseLevels(values))).toBeTruthy();
	});
});

describe('badge service', () => {
	let db: Db;
	let seasonId: number;
	let managerId: number;
	let sellers: number[];
	const NOW = Date.UTC(2026, 9, 20, 12);
	const clock = () => NOW;

	beforeEach(() => {
		db = openDatabase(':memory:');
		seasonId = db
			.insert(season)
			.values({
				name: 'Q4',
				theme: { primary: '#000', accent: '#fff', emoji: '🏆', tagline: '' },
				timeZone: 'UTC',
				status: 'live',
				startsAt: Date.UTC(2026, 9, 1),
				endsAt: Date.UTC(2027, 0, 1)
			})
			.returning()
			.get().id;
		const teamId = db.insert(team).values({ seasonId, name: 'Wolves' }).returning().get().id;
		db.insert(product)
			.values({ seasonId, sku: 'PH', name: 'Phone', category: 'Phones', points: 50, price: 100000 })
			.run();
		const make = (email: string, role: 'participant' | 'manager' = 'participant') =>
			db
				.insert(user)
				.values({ email, displayName: email.split('@')[0], role, passwordHash: 'x' })
				.returning()
				.get().id;
		managerId = make('max@test', 'manager');
		sellers = [make('anna@test'), make('ben@test')];
		for (const userId of sellers)
			db.insert(seasonMember).values({ seasonId, userId, teamId }).run();
		recordSale(
			db,
			{
				source: 'api',
				externalId: 's1',
				seller: { userId: sellers[0] },
				occurredAt: NOW - 3_600_000,
				lines: [{ sku: 'PH', quantity: 1 }]
			},
			clock,
			{ awards: false }
		);
	});

	const draft = (patch: Partial<BadgeValues> = {}) => {
		const parsed = parseBadge(
			values({ name: 'First sale', emoji: '🎉', kind: 'first_sale', ...patch }),
			ctx
		);
		if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
		return parsed.draft;
	};

	it('creates a badge, audits it and awards it to those who already qualify', () => {
		const saved = createBadge(db, seasonId, draft({ bonus: '5' }), { userId: managerId }, clock);
		expect(saved.awarded).toBe(1);
		const awards = db.select().from(award).where(eq(award.badgeId, saved.badge.id)).all();
		expect(awards.map((a) => a.subjectId)).toEqual([sellers[0]]);
		const events = db.select().from(auditEvent).all();
		expect(events).toMatchObject([
			{ action: 'badge.create', subject: `badge:${saved.badge.id}`, actorUserId: managerId }
		]);
		expect(listSeasonBadges(db, seasonId)).toMatchObject([
			{ name: 'First sale', awarded: 1, points: 5, criterion: 'First sale of the season' }
		]);
	});

	it('round-trips a stored badge through the form', () => {
		const saved = createBadge(
			db,
			seasonId,
			draft({ kind: 'team_target', metric: 'amount', target: '2500.5' }),
			{ userId: managerId },
			clock
		);
		const back = badgeToValues(saved.badge);
		expect(back).toMatchObject({ kind: 'team_target', metric: 'amount', target: '2500.50' });
		expect(parseBadge(back, ctx).ok).toBe(true);
	});

	it('updates and deactivates with an audit entry each; awards already given stay', () => {
		const { badge: created } = createBadge(db, seasonId, draft(), { userId: managerId }, clock);
		updateBadge(
			db,
			seasonId,
			created.id,
			draft({ name: 'Opening act' }),
			{ userId: managerId },
			clock
		);
		setBadgeActive(db, seasonId, created.id, false, { userId: managerId }, clock);
		setBadgeActive(db, seasonId, created.id, false, { userId: managerId }, clock);
		expect(db.select().from(badge).where(eq(badge.id, created.id)).get()).toMatchObject({
			name: 'Opening act',
			active: false
		});
		expect(
			db
				.select()
				.from(auditEvent)
				.all()
				.map((e) => e.action)
		).toEqual(['badge.create', 'badge.update', 'badge.deactivate']);
		expect(db.select().from(award).all()).toHaveLength(1);
	});

	it('cannot reach a badge of another season', () => {
		const other = db
			.insert(badge)
			.values({ seasonId: null, name: 'All-time', criterion: { kind: 'first_sale' } })
			.returning()
			.get();
		expect(() =>
			setBadgeActive(db, seasonId, other.id, false, { userId: managerId }, clock)
		).toThrow(/does not exist/);
	});

	it('saves levels and holidays; default levels are stored as default', () => {
		expect(getLevels(db, seasonId)).toMatchObject({ custom: false, holidays: [] });
		const custom = {
			tiers: [
				{ name: 'Rookie', minPoints: 0 },
				{ name: 'Pro', minPoints: 100, emoji: '⭐' }
			],
			holidays: ['2026-12-24']
		};
		expect(updateLevels(db, seasonId, custom, { userId: managerId }, clock).changed).toEqual([
			'tiers',
			'holidays'
		]);
		expect(getLevels(db, seasonId)).toEqual({ ...custom, custom: true });
		expect(updateLevels(db, seasonId, custom, { userId: managerId }, clock).changed).toEqual([]);
		const back = getLevels(db, seasonId)!;
		updateLevels(
			db,
			seasonId,
			{
				tiers: [
					{ name: 'Bronze', minPoints: 0, emoji: '🥉' },
					{ name: 'Silver', minPoints: 500, emoji: '🥈' },
					{ name: 'Gold', minPoints: 1500, emoji: '🥇' },
					{ name: 'Platinum', minPoints: 4000, emoji: '💎' }
				],
				holidays: back.holidays
			},
			{ userId: managerId },
			clock
		);
		expect(db.select({ tiers: season.tiers }).from(season).get()?.tiers).toBeNull();
		expect(
			db
				.select()
				.from(auditEvent)
				.all()
				.map((e) => e.action)
		).toEqual(['season.levels', 'season.levels']);
	});
});
