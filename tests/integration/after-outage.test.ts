// What a node sends and serves after a Redis outage, read from the database: the seasons' state
// with the fingerprint of their looks (a TV compares it with the one its page was built with),
// and the awards since an instant (GET /api/v1/seasons/{id}/badges, for token clients told that
// `badge` frames may have been missed). docs/scale-out.md, "When Redis is not there".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { award, badge, season } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db';
import { seasonEventsNow } from '../../src/lib/server/seasons/state-events';
import { seasonLook } from '../../src/lib/server/seasons/look';
import { readSeason } from '../../src/lib/server/seasons/queries';
import { awardsSince } from '../../src/lib/server/badges/awards-since';
import { sqliteStore } from '../../src/lib/server/db/store';

let ctx: ReturnType<typeof tempDb>;
let db: Db;
let contest: Awaited<ReturnType<typeof makeContest>>;

beforeAll(async () => {
	ctx = tempDb();
	db = ctx.db;
	contest = await makeContest(db, { teams: 2, people: 3 });
});

afterAll(() => ctx?.cleanup());

describe("the seasons' state sent again", () => {
	const lookNow = async () => (await seasonEventsNow(sqliteStore(db), [contest.season.id]))[0].look;

	it("carries the fingerprint of the season's looks that the TV page is built with", async () => {
		expect(await lookNow()).toBe(
			seasonLook((await readSeason(sqliteStore(db), contest.season.id))!)
		);
	});

	it('keeps it while nothing shown changes, and changes it with a rename or a new theme', async () => {
		const before = await lookNow();
		db.update(season)
			.set({ announcement: 'Pizza at five', tieRule: 'dense' })
			.where(eq(season.id, contest.season.id))
			.run();
		expect(await lookNow()).toBe(before);
		db.update(season).set({ name: 'Renamed' }).where(eq(season.id, contest.season.id)).run();
		const renamed = await lookNow();
		expect(renamed).not.toBe(before);
		const theme = {
			...(await readSeason(sqliteStore(db), contest.season.id))!.theme,
			primary: '#123456'
		};
		db.update(season).set({ theme }).where(eq(season.id, contest.season.id)).run();
		expect(await lookNow()).not.toBe(renamed);
	});
});

describe('the awards since an instant', () => {
	const T = 1_800_000_000_000;
	let ids: number[] = [];

	beforeAll(() => {
		const seasonId = contest.season.id;
		const badgeId = db
			.insert(badge)
			.values({ seasonId, name: 'Weekly best', emoji: '🏆', criterion: { kind: 'first_sale' } })
			.returning()
			.get().id;
		const [ann, bo] = contest.people;
		const values: (typeof award.$inferInsert)[] = [
			// Written before the instant, though earned after it: not listed.
			{ subjectId: ann.id, periodKey: 'w1', earnedAt: T + 5_000, createdAt: T - 1 },
			// Earned a week before, written after: listed (a weekly badge's `at` is the week's end).
			{ subjectId: ann.id, periodKey: 'w2', earnedAt: T - 7 * 86_400_000, createdAt: T },
			{
				subjectId: bo.id,
				periodKey: 'w2',
				status: 'provisional' as const,
				earnedAt: T,
				createdAt: T + 1
			},
			// Withdrawn: not listed.
			{ subjectId: bo.id, periodKey: 'w3', status: 'void' as const, earnedAt: T, createdAt: T + 2 },
			{
				subjectType: 'team' as const,
				subjectId: contest.teams[1].id,
				periodKey: 'w2',
				earnedAt: T,
				createdAt: T + 3
			}
		].map((v) => ({ badgeId, seasonId, subjectType: 'user' as const, ...v }));
		ids = values.map((v) => db.insert(award).values(v).returning().get().id);
	});

	it('lists the standing ones written since then, in order, with their names, a page at a time', async () => {
		const first = await awardsSince(sqliteStore(db), contest.season.id, { since: T, limit: 2 });
		expect(first.entries.map((e) => e.id)).toEqual([ids[1], ids[2]]);
		expect(first.next).toBe(ids[2]);
		expect(first.entries[0]).toMatchObject({
			subjectType: 'user',
			subjectName: contest.people[0].displayName,
			periodKey: 'w2',
			provisional: false,
			badge: { name: 'Weekly best', emoji: '🏆', points: 0 },
			earnedAt: T - 7 * 86_400_000,
			awardedAt: T
		});
		expect(first.entries[1].provisional).toBe(true);
		const second = await awardsSince(sqliteStore(db), contest.season.id, {
			since: T,
			after: first.next!,
			limit: 2
		});
		expect(second.entries.map((e) => [e.id, e.subjectType, e.subjectName])).toEqual([
			[ids[4], 'team', contest.teams[1].name]
		]);
		expect(second.next).toBeNull();
	});

	it("lists nothing of another season's", async () => {
		expect(
			(await awardsSince(sqliteStore(db), contest.season.id + 1000, { since: 0, limit: 10 }))
				.entries
		).toEqual([]);
	});
});
