// What #19 mails on its own: "you were overtaken" (heard from the real rank watch, once a day per
// person, never when switched off or not joined), the weekly digest and the managers' daily
// summary (due at 08:00 in the season's zone, queued once across checks and a restart). The
// mails are read as queued outbox rows; sending them is the mail sender's job.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, makeUser } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { sqliteStore } from '../../src/lib/server/db/store';
import { outgoingMessage, season, seasonMember, user } from '../../src/lib/server/db/schema';
import { recordOn } from '../helpers/record-sale';
import { createRankWatch } from '../../src/lib/server/notify/rank-watch';
import { listenForOvertaken } from '../../src/lib/server/notify/digest/overtaken';
import { createDigestCheck } from '../../src/lib/server/notify/digest/job';
import { setWanted } from '../../src/lib/server/notify/preferences';
import { receiveChoices } from '../../src/lib/server/notify/digest/receive-form';
import type { Role } from '../../src/lib/contest/types';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
let ctx: ReturnType<typeof tempDb>;
let db: Db;
let now: number;
const clock = () => now;
beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
});
afterEach(() => ctx.cleanup());

const mails = (kind: string) =>
	db
		.select()
		.from(outgoingMessage)
		.where(eq(outgoingMessage.kind, kind))
		.orderBy(outgoingMessage.id)
		.all();

let n = 0;
async function sell(email: string, phones: number, at = now) {
	await recordOn(
		db,
		{
			source: 'api',
			externalId: `s${++n}`,
			seller: { email },
			occurredAt: at,
			lines: [{ sku: 'PHONE', quantity: phones }]
		},
		() => at,
		{ awards: false }
	);
}

describe('"you were overtaken"', () => {
	it('queues one mail per person per day, none when switched off or not joined', async () => {
		now = Date.parse('2026-12-02T10:00:00Z');
		const { people, season: s } = await makeContest(db, { people: 4 });
		db.update(season).set({ timeZone: 'Europe/Amsterdam' }).where(eq(season.id, s.id)).run();
		const [ann, bo, cy, dee] = people;
		db.update(user).set({ locale: 'nl' }).where(eq(user.id, bo.id)).run();
		db.update(user).set({ passwordHash: '!' }).where(eq(user.id, dee.id)).run();
		await setWanted(sqliteStore(db), cy.id, 'email', 'overtaken', false);
		const store = sqliteStore(db);
		const rankWatch = createRankWatch(store, { clock });
		const overtaken = listenForOvertaken(store);
		// One round of the watch, and the mails of what it heard queued.
		const watch = {
			check: async () => {
				await rankWatch.check();
				await overtaken.idle();
			}
		};
		try {
			await sell(ann.email, 2); // Ann 100
			await sell(cy.email, 1); // Cy 50
			await sell(dee.email, 1); // Dee 50 (invited, never joined)
			await watch.check(); // the first reading is only remembered
			await sell(bo.email, 3); // Bo 150 passes Ann, Cy and Dee
			await watch.check();
			const first = mails('overtaken');
			expect(first.map((m) => [m.userId, m.dedupeKey, m.status])).toEqual([
				[ann.id, `overtaken:${ann.id}:2026-12-02`, 'pending']
			]);
			expect(first[0].subject).toBe(`${bo.displayName} just overtook you`);
			expect(first[0].body).toContain(`You are now #2 in ${s.name}, 50 pts behind.`);
			expect(first[0].recipient).toBe(ann.email);

			// Ann passes Bo (Bo's mail, in Dutch), then Bo passes Ann again the same day: no second.
			now += HOUR;
			await sell(ann.email, 2); // Ann 200
			await watch.check();
			now += HOUR;
			await sell(bo.email, 2); // Bo 250
			await watch.check();
			const sameDay = mails('overtaken');
			expect(sameDay.map((m) => m.userId)).toEqual([ann.id, bo.id]);
			expect(sameDay[1].subject).toBe(`${ann.displayName} heeft je net ingehaald`);

			// The next local day (after midnight in Amsterdam, 23:00 UTC) Ann may hear it again.
			now = Date.parse('2026-12-02T23:30:00Z');
			await sell(ann.email, 2); // Ann 300
			await watch.check();
			now += HOUR;
			await sell(bo.email, 2); // Bo 350
			await watch.check();
			expect(mails('overtaken').map((m) => m.dedupeKey)).toEqual([
				`overtaken:${ann.id}:2026-12-02`,
				`overtaken:${bo.id}:2026-12-02`,
				`overtaken:${bo.id}:2026-12-03`,
				`overtaken:${ann.id}:2026-12-03`
			]);
		} finally {
			overtaken.stop();
		}
	});
});

describe('the weekly digest and the daily summary', () => {
	it('are due at 08:00 in the season’s zone and queued once, across checks and a restart', async () => {
		// Monday 7 December 2026; Amsterdam is UTC+1, so 08:00 there is 07:00 UTC.
		const monday8 = Date.parse('2026-12-07T07:00:00Z');
		now = monday8 - 10 * DAY;
		const { people, season: s } = await makeContest(db, { people: 4 });
		db.update(season)
			.set({
				timeZone: 'Europe/Amsterdam',
				startsAt: monday8 - 30 * DAY,
				endsAt: monday8 + 30 * DAY
			})
			.where(eq(season.id, s.id))
			.run();
		// Joined on the test's clock, not the machine's: the rankings of a day leave out who joined
		// after it began, and the factory stamps the real time.
		db.update(seasonMember)
			.set({ joinedAt: monday8 - 30 * DAY })
			.where(eq(seasonMember.seasonId, s.id))
			.run();
		const [ann, bo, cy, dee] = people;
		const manager = await makeUser(db, { role: 'manager' });
		const admin = await makeUser(db, { role: 'admin' });
		await makeUser(db, { role: 'executive' });
		db.update(user).set({ passwordHash: '!' }).where(eq(user.id, dee.id)).run();
		await setWanted(sqliteStore(db), cy.id, 'email', 'weekly_digest', false);
		await setWanted(sqliteStore(db), admin.id, 'email', 'daily_summary', false);
		await sell(ann.email, 2, now); // ten days ago: Ann 100, first
		await sell(bo.email, 3, monday8 - 12 * HOUR); // Sunday evening: Bo 150 passes her

		const check = createDigestCheck(sqliteStore(db));
		expect(await check.check(monday8 - 1)).toEqual({ digests: 0, summaries: 0 });
		expect(await check.check(monday8)).toEqual({ digests: 2, summaries: 1 });
		expect(await check.check(monday8 + 60_000)).toEqual({ digests: 0, summaries: 0 });
		// A restart forgets what it handled; the dedupe keys remember.
		expect(await createDigestCheck(sqliteStore(db)).check(monday8 + 5 * 60_000)).toEqual({
			digests: 0,
			summaries: 0
		});

		const digests = mails('weekly_digest');
		expect(digests.map((m) => [m.userId, m.dedupeKey])).toEqual([
			[ann.id, `digest:${ann.id}:2026-W50`],
			[bo.id, `digest:${bo.id}:2026-W50`]
		]);
		expect(digests[0].body).toContain('You are #2 of 3 with 100 pts.');
		expect(digests[0].body).toContain('A week ago: #1 with 100 pts. Since then: 0 pts.');
		expect(digests[1].body).toContain('You are #1 of 3 with 150 pts.');

		const [summary] = mails('daily_summary');
		expect(summary.userId).toBe(manager.id);
		expect(summary.dedupeKey).toBe(`summary:${manager.id}:2026-12-07`);
		expect(summary.subject).toBe('Daily summary: 6 December 2026');
		expect(summary.body).toContain('Sales: 1 · points: 150 pts');
		expect(summary.body).toContain(`1. ${bo.displayName} · 150 pts`);
		expect(summary.body).toContain(`Biggest climber: ${bo.displayName}, from #2 to #1.`);

		// The profile offers the summary's switch to those who get it.
		const offered = async (id: number, role: Role) =>
			(await receiveChoices(sqliteStore(db), id, role)).some((c) => c.kind === 'daily_summary');
		expect([await offered(manager.id, 'manager'), await offered(ann.id, 'participant')]).toEqual([
			true,
			false
		]);

		// Tuesday 08:00: a new summary, no new digest.
		expect(await check.check(monday8 + DAY)).toEqual({ digests: 0, summaries: 1 });
	});
});
