import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db';
import { sqliteStore } from '../db/store';
import { badge, product, season, seasonMember, team, user, type Season } from '../db/schema';
import { recordOn } from '../../../../tests/helpers/record-sale';
import { reevaluateOnStore } from '../badges/reevaluate';
import { buildProfile, cumulativePoints, rankHistory, type PointEvent } from './profile';

const day = (d: number, hour = 12) => Date.UTC(2026, 9, d, hour);

describe('charts from the ledger', () => {
	const days = ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04'];
	const options = {
		timeZone: 'UTC',
		rankBy: 'confirmed' as const,
		tieRule: 'competition' as const
	};
	const members = [
		{ id: 1, name: 'Anna', joinedAt: 0 },
		{ id: 2, name: 'Ben', joinedAt: 0 },
		{ id: 3, name: 'Chloé', joinedAt: 0 }
	];
	const events: PointEvent[] = [
		{ userId: 2, points: 50, status: 'confirmed', at: day(2) },
		{ userId: 1, points: 30, status: 'confirmed', at: day(2, 15) },
		{ userId: 1, points: 40, status: 'confirmed', at: day(3) },
		{ userId: 1, points: 100, status: 'provisional', at: day(4) },
		{ userId: 3, points: 500, status: 'void', at: day(4) }
	];

	it('adds up confirmed and pending points per day, never void ones', () => {
		expect(cumulativePoints(events, 1, days, 'UTC')).toEqual([0, 30, 70, 170]);
		expect(cumulativePoints(events, 3, days, 'UTC')).toEqual([0, 0, 0, 0]);
	});

	it('ranks everyone per day as the board does; no rank before anyone scored', () => {
		expect(rankHistory(events, members, 1, days, options)).toEqual([null, 2, 1, 1]);
		expect(rankHistory(events, members, 3, days, options)).toEqual([null, 3, 3, 3]);
	});

	it('counts pending points when the season ranks by total', () => {
		const pendingWins: PointEvent[] = [
			...events,
			{ userId: 2, points: 200, status: 'provisional', at: day(4) }
		];
		expect(rankHistory(pendingWins, members, 2, days, { ...options, rankBy: 'total' })).toEqual([
			null,
			1,
			2,
			1
		]);
		expect(rankHistory(pendingWins, members, 2, days, options)).toEqual([null, 1, 2, 2]);
	});

	it('shares ranks on ties, with the tie rule of the season', () => {
		const tied: PointEvent[] = [
			{ userId: 1, points: 10, status: 'confirmed', at: day(1) },
			{ userId: 2, points: 10, status: 'confirmed', at: day(1) }
		];
		expect(rankHistory(tied, members, 3, days.slice(0, 1), options)).toEqual([3]);
		expect(
			rankHistory(tied, members, 3, days.slice(0, 1), { ...options, tieRule: 'dense' })
		).toEqual([2]);
	});
});

describe('buildProfile', () => {
	let db: Db;
	let s: Season;
	let ids: number[];
	const NOW = day(5);

	beforeEach(async () => {
		db = openDatabase(':memory:');
		s = db
			.insert(season)
			.values({
				name: 'Q4',
				theme: { primary: '#000', accent: '#fff', emoji: '🏆', tagline: '' },
				timeZone: 'UTC',
				status: 'live',
				startsAt: day(1, 0),
				endsAt: Date.UTC(2027, 0, 1),
				tiers: [
					{ name: 'Rookie', minPoints: 0 },
					{ name: 'Pro', minPoints: 100, emoji: '⭐' }
				]
			})
			.returning()
			.get();
		const teamId = db.insert(team).values({ seasonId: s.id, name: 'Wolves' }).returning().get().id;
		db.insert(product)
			.values({
				seasonId: s.id,
				sku: 'PH',
				name: 'Phone',
				category: 'Phones',
				points: 50,
				price: 100000
			})
			.run();
		db.insert(badge)
			.values({
				seasonId: s.id,
				name: 'First sale',
				emoji: '🎉',
				criterion: { kind: 'first_sale' }
			})
			.run();
		db.insert(badge)
			.values({
				seasonId: s.id,
				name: 'Hat-trick',
				emoji: '🎩',
				criterion: { kind: 'sales_count', count: 3 }
			})
			.run();
		db.insert(badge)
			.values({
				seasonId: s.id,
				name: 'Team on target',
				emoji: '🤝',
				criterion: { kind: 'team_target', target: 10 }
			})
			.run();
		ids = ['anna', 'ben'].map(
			(name) =>
				db
					.insert(user)
					.values({ email: `${name}@test`, displayName: name, passwordHash: 'x' })
					.returning()
					.get().id
		);
		for (const userId of ids)
			db.insert(seasonMember)
				.values({ seasonId: s.id, userId, teamId, joinedAt: day(1, 0) })
				.run();
		let n = 0;
		for (const [seller, at] of [
			[0, day(2)],
			[1, day(3)],
			[0, day(4)]
		] as const) {
			await recordOn(
				db,
				{
					source: 'api',
					externalId: `s${++n}`,
					seller: { userId: ids[seller] },
					occurredAt: at,
					lines: [{ sku: 'PH', quantity: 1 }],
					customerRef: 'ACME-1'
				},
				() => at,
				{ awards: false }
			);
		}
		await reevaluateOnStore(sqliteStore(db), s.id, { clock: () => NOW });
	});

	it('gathers totals, level, timeline, badges and recent sales', async () => {
		const profile = (await buildProfile(sqliteStore(db), s, ids[0], NOW))!;
		expect(profile.totals).toEqual({ confirmed: 100, pending: 0, rank: 1, of: 2, salesCount: 2 });
		expect(profile.level).toMatchObject({
			points: 100,
			current: { name: 'Pro' },
			next: null,
			fraction: 1
		});
		expect(profile.timeline).toEqual([
			{ day: '2026-10-01', points: 0, rank: null },
			{ day: '2026-10-02', points: 50, rank: 1 },
			{ day: '2026-10-03', points: 50, rank: 1 },
			{ day: '2026-10-04', points: 100, rank: 1 },
			{ day: '2026-10-05', points: 100, rank: 1 }
		]);
		expect(profile.badges.earned.map((b) => b.name)).toEqual(['First sale']);
		expect(profile.badges.team.map((b) => b.name)).toEqual(['Team on target']);
		expect(profile.badges.toEarn.map((b) => b.name)).toEqual(['Hat-trick']);
		expect(profile.recent).toHaveLength(2);
		expect(profile.recent[0]).toMatchObject({ points: 50, title: '1 × Phone' });
		expect(JSON.stringify(profile)).not.toContain('ACME');
	});

	it('is undefined for someone who does not take part', async () => {
		const outsider = db
			.insert(user)
			.values({ email: 'x@test', displayName: 'x', passwordHash: 'x' })
			.returning()
			.get().id;
		expect(await buildProfile(sqliteStore(db), s, outsider, NOW)).toBeUndefined();
	});
});
