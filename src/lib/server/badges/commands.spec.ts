import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../db';
import { auditEvent, award, badge, product, season, seasonMember, team, user } from '../db/schema';
import { recordOn } from '../../../../tests/helpers/record-sale';
import { emptyBadgeValues, badgeToValues, parseBadge, type BadgeValues } from './badge-form';
import {
	addStarterBadges,
	createBadge,
	setBadgeActive,
	STARTER_BADGES,
	updateBadge
} from './commands';
import { sqliteStore } from '../db/store';
import { getLevels, updateLevels } from './levels';
import { listSeasonBadges } from './queries';

const ctx = { categories: ['Phones', 'Accessories'], activityTypes: ['call', 'visit'] };
const values = (patch: Partial<BadgeValues>): BadgeValues => ({
	...emptyBadgeValues(),
	name: 'Badge',
	...patch
});

describe('badge service', () => {
	let db: Db;
	let seasonId: number;
	let managerId: number;
	let sellers: number[];
	const NOW = Date.UTC(2026, 9, 20, 12);
	const clock = () => NOW;

	beforeEach(async () => {
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
		await recordOn(
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

	it('creates a badge, audits it and awards it to those who already qualify', async () => {
		const saved = await createBadge(
			sqliteStore(db),
			seasonId,
			draft({ bonus: '5' }),
			{ userId: managerId },
			clock
		);
		expect(saved.awarded).toBe(1);
		const awards = db.select().from(award).where(eq(award.badgeId, saved.badge.id)).all();
		expect(awards.map((a) => a.subjectId)).toEqual([sellers[0]]);
		const events = db.select().from(auditEvent).all();
		expect(events).toMatchObject([
			{ action: 'badge.create', subject: `badge:${saved.badge.id}`, actorUserId: managerId }
		]);
		expect(await listSeasonBadges(sqliteStore(db), seasonId)).toMatchObject([
			{ name: 'First sale', awarded: 1, points: 5, criterion: 'First sale of the season' }
		]);
	});

	it('round-trips a stored badge through the form', async () => {
		const saved = await createBadge(
			sqliteStore(db),
			seasonId,
			draft({ kind: 'team_target', metric: 'amount', target: '2500.5' }),
			{ userId: managerId },
			clock
		);
		const back = badgeToValues(saved.badge);
		expect(back).toMatchObject({ kind: 'team_target', metric: 'amount', target: '2500.50' });
		expect(parseBadge(back, ctx).ok).toBe(true);
	});

	it('updates and deactivates with an audit entry each; awards already given stay', async () => {
		const { badge: created } = await createBadge(
			sqliteStore(db),
			seasonId,
			draft(),
			{ userId: managerId },
			clock
		);
		await updateBadge(
			sqliteStore(db),
			seasonId,
			created.id,
			draft({ name: 'Opening act' }),
			{ userId: managerId },
			clock
		);
		await setBadgeActive(
			sqliteStore(db),
			seasonId,
			created.id,
			false,
			{ userId: managerId },
			clock
		);
		await setBadgeActive(
			sqliteStore(db),
			seasonId,
			created.id,
			false,
			{ userId: managerId },
			clock
		);
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

	it('cannot reach a badge of another season', async () => {
		const other = db
			.insert(badge)
			.values({ seasonId: null, name: 'All-time', criterion: { kind: 'first_sale' } })
			.returning()
			.get();
		await expect(
			setBadgeActive(sqliteStore(db), seasonId, other.id, false, { userId: managerId }, clock)
		).rejects.toThrow(/does not exist/);
	});

	it('saves levels and holidays; default levels are stored as default', async () => {
		expect(await getLevels(sqliteStore(db), seasonId)).toMatchObject({
			custom: false,
			holidays: []
		});
		const custom = {
			tiers: [
				{ name: 'Rookie', minPoints: 0 },
				{ name: 'Pro', minPoints: 100, emoji: '⭐' }
			],
			holidays: ['2026-12-24']
		};
		expect(
			(await updateLevels(sqliteStore(db), seasonId, custom, { userId: managerId }, clock)).changed
		).toEqual(['tiers', 'holidays']);
		expect(await getLevels(sqliteStore(db), seasonId)).toEqual({ ...custom, custom: true });
		expect(
			(await updateLevels(sqliteStore(db), seasonId, custom, { userId: managerId }, clock)).changed
		).toEqual([]);
		const back = (await getLevels(sqliteStore(db), seasonId))!;
		await updateLevels(
			sqliteStore(db),
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

	it('adds the starter set in one click, skipping badges the season has, and only once', async () => {
		const mine = parseBadge(values({ name: 'My first', kind: 'first_sale' }), ctx);
		if (!mine.ok) throw new Error('invalid');
		await createBadge(sqliteStore(db), seasonId, mine.draft, { userId: managerId }, clock);

		const first = await addStarterBadges(sqliteStore(db), seasonId, { userId: managerId }, clock);
		// "First sale" is already there (same criterion, another name): not added twice.
		expect(first.added.map((b) => b.name)).toEqual(
			STARTER_BADGES.map((b) => b.name).filter((name) => name !== 'First sale')
		);
		// Anna's one sale gives nothing new here (hat-trick needs 3); the list shows them all.
		expect((await listSeasonBadges(sqliteStore(db), seasonId)).map((b) => b.name)).toEqual([
			'My first',
			...first.added.map((b) => b.name)
		]);
		const again = await addStarterBadges(sqliteStore(db), seasonId, { userId: managerId }, clock);
		expect(again).toEqual({ added: [], awarded: 0 });
		expect(
			db
				.select()
				.from(auditEvent)
				.all()
				.filter((e) => e.action === 'badge.starter')
		).toHaveLength(1);
	});

	it('the starter set awards what people already earned', async () => {
		const { added, awarded } = await addStarterBadges(
			sqliteStore(db),
			seasonId,
			{ userId: managerId },
			clock
		);
		expect(added).toHaveLength(STARTER_BADGES.length);
		// Anna's sale: first sale and the record so far.
		expect(awarded).toBeGreaterThanOrEqual(1);
		const firstSale = added.find((b) => b.name === 'First sale')!;
		expect(
			db
				.select()
				.from(award)
				.where(eq(award.badgeId, firstSale.id))
				.all()
				.map((a) => a.subjectId)
		).toEqual([sellers[0]]);
	});

	it('a new badge form starts with the commonest criterion: a number of sales', () => {
		expect(emptyBadgeValues()).toMatchObject({ kind: 'sales_count', count: '5' });
	});
});
