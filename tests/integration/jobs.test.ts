// The periodic jobs never run inside startJobs: a server that starts its jobs and then listens
// is listening before any job runs, and the badge job runs in slices that let requests through.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { award, badge, season } from '../../src/lib/server/db/schema';
import { startJobs } from '../../src/lib/server/shared/jobs';
import { sqliteStore } from '../../src/lib/server/db/store';
import { recordOn } from '../helpers/record-sale';

let ctx: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

describe('startJobs', () => {
	it('runs nothing before the event loop turns, then the scheduler and the badge job', async () => {
		const now = Date.now();
		const contest = await makeContest(db);
		// A sale whose badge only the periodic job can give (no per-sale step; a sale needs a live
		// season), then the season put back to waiting for its start.
		db.update(season).set({ status: 'scheduled' }).where(eq(season.id, contest.season.id)).run();
		db.update(season).set({ status: 'live' }).where(eq(season.id, contest.season.id)).run();
		await recordOn(
			db,
			{
				source: 'api',
				externalId: 'j1',
				seller: { email: contest.people[0].email },
				occurredAt: now - 60_000,
				lines: [{ sku: 'PHONE', quantity: 1 }]
			},
			() => now,
			{ awards: false }
		);
		db.update(season).set({ status: 'scheduled' }).where(eq(season.id, contest.season.id)).run();
		db.insert(badge)
			.values({
				seasonId: contest.season.id,
				name: 'First sale',
				emoji: '🏅',
				description: '',
				criterion: { kind: 'first_sale' },
				points: 0,
				active: true
			})
			.run();
		const stop = startJobs(sqliteStore(db), { clock: () => now, firstRunDelayMs: 0 });
		try {
			// Nothing ran synchronously: the season is still waiting, no badge was given.
			expect(db.select().from(season).get()?.status).toBe('scheduled');
			expect(db.select().from(award).all()).toEqual([]);
			await vi.waitFor(() => {
				expect(db.select().from(season).get()?.status).toBe('live');
				expect(db.select().from(award).all()).toHaveLength(1);
			});
		} finally {
			stop();
		}
	});
});
