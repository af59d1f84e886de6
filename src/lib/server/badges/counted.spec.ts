// The counted criteria against a real (in-memory) database: what each one counts, the type
// filter of "activities logged", and that the award a transaction gives is the award the
// re-evaluation computes. The flows through the services are in tests/integration/counted-badges.
import { sqliteStore, write } from '../db/store';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db';
import { award, badge, season, seasonMember, team, user } from '../db/schema';
import { createActivityType } from '../activities/types';
import { logActivity } from '../activities/record';
import { awardCountedInWrite, countedDoersInWrite, countedEarned } from './counted';

const HOUR = 60 * 60 * 1000;
const NOW = Date.UTC(2026, 9, 20, 12);
const clock = () => NOW;

let db: Db;
let seasonId: number;
let ann: number;
let bob: number;

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
	const make = (email: string) =>
		db
			.insert(user)
			.values({ email, displayName: email.split('@')[0], role: 'participant', passwordHash: 'x' })
			.returning()
			.get().id;
	ann = make('ann@test');
	bob = make('bob@test');
	for (const userId of [ann, bob])
		db.insert(seasonMember).values({ seasonId, userId, teamId }).run();
	for (const key of ['call', 'visit'])
		await createActivityType(
			sqliteStore(db),
			seasonId,
			{ key, name: key, points: 2, emoji: '📞' },
			{},
			clock
		);
});

let n = 0;
const log = (userId: number, type: string, quantity: number, hoursAgo: number) =>
	logActivity(
		sqliteStore(db),
		{
			source: 'api',
			externalId: `a${++n}`,
			person: { userId },
			type,
			quantity,
			occurredAt: NOW - hoursAgo * HOUR,
			seasonId
		},
		clock
	);

describe('activities logged', () => {
	it('counts units, at the activity that reaches N, of one type or of any', async () => {
		await log(ann, 'call', 2, 5);
		await log(ann, 'visit', 1, 4);
		await log(ann, 'call', 3, 3);
		await log(bob, 'call', 9, 2);
		const earned = (count: number, type?: string) =>
			countedEarned(db, seasonId, ann, { kind: 'activities_logged', count, type });
		expect(earned(3)).toEqual([{ periodKey: '', at: NOW - 4 * HOUR }]);
		// The visit does not count as a call: the third call is in the 3-call activity.
		expect(earned(3, 'call')).toEqual([{ periodKey: '', at: NOW - 3 * HOUR }]);
		expect(earned(5, 'call')).toEqual([{ periodKey: '', at: NOW - 3 * HOUR }]);
		expect(earned(6, 'call')).toEqual([]);
		expect(earned(1, 'visit')).toEqual([{ periodKey: '', at: NOW - 4 * HOUR }]);
		expect(earned(1, 'demo')).toEqual([]);
	});

	it('is given once by the logging transaction, as the re-evaluation computes it', async () => {
		const calls = db
			.insert(badge)
			.values({
				seasonId,
				name: 'Caller',
				criterion: { kind: 'activities_logged', count: 4, type: 'call' },
				points: 5
			})
			.returning()
			.get();
		await log(ann, 'call', 2, 5);
		expect(db.select().from(award).all()).toHaveLength(0);
		await log(ann, 'call', 2, 4);
		await log(ann, 'call', 2, 3);
		const given = db.select().from(award).all();
		expect(given).toMatchObject([
			{ badgeId: calls.id, subjectId: ann, earnedAt: NOW - 4 * HOUR, periodKey: '' }
		]);
		expect(countedEarned(db, seasonId, ann, calls.criterion as never)).toEqual([
			{ periodKey: '', at: given[0].earnedAt }
		]);
		// Asked again (a replay, another write): nothing more.
		const store = sqliteStore(db);
		const again = await write(store, (tx) =>
			awardCountedInWrite(tx, store, 'activities_logged', seasonId, ann, NOW)
		);
		expect(again.awarded).toHaveLength(0);
	});

	it('finds those who logged for the re-evaluation, once each', async () => {
		await log(bob, 'visit', 1, 2);
		await log(bob, 'visit', 1, 1);
		const store = sqliteStore(db);
		const doers = await write(store, (tx) =>
			countedDoersInWrite(tx, store, seasonId, [
				'activities_logged',
				'activities_logged',
				'sprints_won'
			])
		);
		expect(doers).toEqual([bob]);
	});
});
