// Issue "a first contest a manager can launch without traps": a season whose start has come
// waits, "ready to launch", until it has people and products; then it goes live by itself.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, makeMember, makeProduct, makeTeam } from '../helpers/factories';
import { product, season } from '../../src/lib/server/db/schema';
import { createConsoleSeason } from '../../src/lib/server/seasons/commands';
import { launchState } from '../../src/lib/server/seasons/launch';
import { runScheduler } from '../../src/lib/server/seasons/scheduler';
import { getCurrentSeason, readLiveSeasonFor } from '../../src/lib/server/seasons/queries';
import { blankSeasonValues, parseSeasonValues } from '../../src/lib/server/seasons/season-form';
import { recordOn } from '../helpers/record-sale';
import { AppError } from '../../src/lib/server/shared/errors';
import type { Db } from '../../src/lib/server/db';
import { sqliteStore } from '../../src/lib/server/db/store';
import { readLeaderboard } from '../../src/lib/server/boards/leaderboard';
import { acceptInvite, createInvite } from '../../src/lib/server/people/invites';

let ctx: ReturnType<typeof tempDb>;
beforeEach(() => (ctx = tempDb()));
afterEach(() => ctx.cleanup());

const NOW = Date.parse('2027-01-04T09:00:00Z');
const clock = () => NOW;

/** A season created in the console the way a manager does: starting today, from scratch. */
async function newSeason(db: Db, startDate = '2027-01-04', endDate = '2027-03-31') {
	const parsed = parseSeasonValues({
		...blankSeasonValues('UTC', NOW),
		name: 'Q1 push',
		startDate,
		endDate
	});
	if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
	return createConsoleSeason(
		sqliteStore(db),
		parsed.input,
		{ status: 'scheduled' },
		{ userId: null },
		clock
	);
}

const statusOf = (db: Db, id: number) =>
	db.select().from(season).where(eq(season.id, id)).get()!.status;

describe('launching a season', () => {
	it('waits, off the boards, until it has people and products, then goes live', async () => {
		const db = ctx.db;
		const s = await newSeason(db);
		// Its start has come, but nobody is in it and there is nothing to sell.
		expect(s.status).toBe('scheduled');
		expect(await launchState(sqliteStore(db), s, NOW)).toMatchObject({
			ready: false,
			waiting: true,
			missing: ['people', 'products']
		});
		expect(await getCurrentSeason(sqliteStore(db))).toBeUndefined();

		const t = makeTeam(db, s.id, 'Wolves');
		const rep = await makeMember(db, s.id, t.id);
		expect(await runScheduler(sqliteStore(db), { clock })).toEqual([]);
		expect(statusOf(db, s.id)).toBe('scheduled');
		expect(await readLiveSeasonFor(sqliteStore(db), rep.id)).toBeUndefined();
		expect((await launchState(sqliteStore(db), s, NOW)).missing).toEqual(['products']);
		// Not accepting sales while it waits.
		await expect(
			recordOn(
				db,
				{
					source: 'web',
					externalId: 'w-1',
					seller: { userId: rep.id },
					seasonId: s.id,
					occurredAt: NOW,
					lines: [{ sku: 'PHONE', quantity: 1 }]
				},
				clock
			)
		).rejects.toThrow(AppError);

		// A product switched off does not count as something to sell.
		const phone = makeProduct(db, s.id, { sku: 'PHONE', points: 50 });
		db.update(product).set({ active: false }).where(eq(product.id, phone.id)).run();
		expect(await runScheduler(sqliteStore(db), { clock })).toEqual([]);
		expect((await launchState(sqliteStore(db), s, NOW)).missing).toEqual(['products']);

		db.update(product).set({ active: true }).where(eq(product.id, phone.id)).run();
		expect(await launchState(sqliteStore(db), s, NOW)).toMatchObject({
			ready: true,
			waiting: false,
			missing: []
		});
		expect(await runScheduler(sqliteStore(db), { clock: () => NOW + 1 })).toEqual([
			{ seasonId: s.id, to: 'live' }
		]);
		expect(statusOf(db, s.id)).toBe('live');
		expect((await getCurrentSeason(sqliteStore(db)))?.id).toBe(s.id);
		expect((await readLiveSeasonFor(sqliteStore(db), rep.id))?.id).toBe(s.id);
	});

	it('a ready season still waits for its first day', async () => {
		const db = ctx.db;
		const s = await newSeason(db, '2027-02-01', '2027-02-28');
		const rep = await makeMember(db, s.id, makeTeam(db, s.id).id);
		makeProduct(db, s.id, { sku: 'PHONE' });
		expect(await launchState(sqliteStore(db), s, NOW)).toMatchObject({
			ready: true,
			waiting: false
		});
		expect(await runScheduler(sqliteStore(db), { clock })).toEqual([]);
		expect(statusOf(db, s.id)).toBe('scheduled');
		const feb1 = Date.parse('2027-02-01T00:00:00Z');
		expect(await runScheduler(sqliteStore(db), { clock: () => feb1 })).toEqual([
			{ seasonId: s.id, to: 'live' }
		]);
		expect((await readLiveSeasonFor(sqliteStore(db), rep.id))?.id).toBe(s.id);
	});

	it('lists every step of the checklist, with what is done', async () => {
		const db = ctx.db;
		const s = await newSeason(db);
		const steps = (await launchState(sqliteStore(db), s, NOW)).steps;
		expect(steps.map((step) => step.key)).toEqual([
			'theme',
			'teams',
			'people',
			'catalogue',
			'rules',
			'badges',
			'prizes',
			'displays'
		]);
		expect(steps.every((step) => !step.done)).toBe(true);
		expect(steps.filter((step) => step.required).map((step) => step.key)).toEqual([
			'people',
			'catalogue'
		]);
		await makeMember(db, s.id, makeTeam(db, s.id).id);
		const after = (await launchState(sqliteStore(db), s, NOW)).steps;
		expect(after.filter((step) => step.done).map((step) => step.key)).toEqual(['teams', 'people']);
	});
});

describe('the ranking and people invited but not joined yet', () => {
	it('leaves invitees out until they join, and counts them once they do', async () => {
		const db = ctx.db;
		const { season: s, teams } = await makeContest(db, { teams: 1, people: 1 });
		const invited: { token: string }[] = [];
		for (const name of ['ada', 'bo', 'cy'])
			invited.push(
				await createInvite(
					sqliteStore(db),
					{
						email: `${name}@test.test`,
						displayName: name,
						seasonId: s.id,
						teamId: teams[0].id,
						actor: { userId: null }
					},
					clock
				)
			);
		const names = async () =>
			(await readLeaderboard(sqliteStore(db), s.id))!.individual.map((e) => e.name);
		// Only the member who has an account plays; the three invitees are not 0-point players.
		expect(await names()).toHaveLength(1);
		expect(await names()).not.toContain('ada');

		await acceptInvite(sqliteStore(db), invited[0].token, 'a-good-password', clock);
		expect(await names()).toContain('ada');
		expect(await names()).not.toContain('bo');
	});
});
