// Issue "Season lifecycle": after a season ends, its sales can still be confirmed during the
// grace period, so the review queue must keep offering it until the results are final.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { makeMember, makeProduct, makeTeam, theme } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { season } from '../../src/lib/server/db/schema';
import { runScheduler } from '../../src/lib/server/seasons/scheduler';
import { recordOn } from '../helpers/record-sale';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { reviewQueue } from '../../src/lib/server/scoring/review-queue';
import { getReviewSeason, listReviewableSeasons } from '../../src/lib/server/seasons/queries';
import { seasonBounds } from '../../src/lib/contest/calendar';
import { sqliteStore } from '../../src/lib/server/db/store';

let ctx: ReturnType<typeof tempDb>;
beforeEach(() => (ctx = tempDb()));
afterEach(() => ctx.cleanup());

const at = (iso: string) => Date.parse(iso);

/** A Warsaw season for January 2027 that needs confirmation, with a 3-day grace period. */
async function januarySeason(db: Db, name = 'January Sprint') {
	const { startsAt, endsAt } = seasonBounds({
		startDate: '2027-01-01',
		endDate: '2027-01-31',
		timeZone: 'Europe/Warsaw'
	});
	const s = db
		.insert(season)
		.values({
			name,
			theme,
			timeZone: 'Europe/Warsaw',
			startsAt,
			endsAt,
			status: 'scheduled',
			graceDays: 3,
			requireConfirmation: true
		})
		.returning()
		.get();
	const t = makeTeam(db, s.id, 'Wolves');
	const seller = await makeMember(db, s.id, t.id);
	makeProduct(db, s.id, { sku: 'PHONE', points: 50 });
	return { season: s, seller };
}

describe('the review queue during the grace period', () => {
	it('offers an ended season until its results are final, and a late confirmation counts', async () => {
		const db = ctx.db;
		const { season: jan, seller } = await januarySeason(db);
		await runScheduler(sqliteStore(db), { clock: () => at('2027-01-01T08:00:00Z') });
		const sale = await recordOn(
			db,
			{
				source: 'api',
				externalId: 'late-1',
				seller: { userId: seller.id },
				occurredAt: at('2027-01-30T10:00:00Z'),
				lines: [{ sku: 'PHONE', quantity: 1 }]
			},
			() => at('2027-01-30T10:00:00Z')
		);
		expect(sale.sale.status).toBe('pending');

		// 1 Feb: the season has ended (23:00 UTC on 31 Jan) and is in its grace period.
		const feb1 = at('2027-02-01T09:00:00Z');
		expect((await runScheduler(sqliteStore(db), { clock: () => feb1 })).map((t) => t.to)).toEqual([
			'ended'
		]);
		const open = await getReviewSeason(sqliteStore(db), feb1);
		expect(open.season).toMatchObject({ id: jan.id, status: 'ended' });
		expect((await reviewQueue(sqliteStore(db), jan.id, {}, feb1)).sales.map((s) => s.id)).toEqual([
			sale.sale.id
		]);

		const [decided] = await reviewSales(
			sqliteStore(db),
			[sale.sale.id],
			{ decision: 'confirm', actor: {} },
			() => feb1
		);
		expect(decided.sale.status).toBe('approved');

		// The last instant of the grace period still counts; from then on it is final.
		const graceEnd = jan.endsAt + 3 * 24 * 60 * 60 * 1000;
		expect((await listReviewableSeasons(sqliteStore(db), graceEnd - 1)).map((s) => s.id)).toEqual([
			jan.id
		]);
		expect(await listReviewableSeasons(sqliteStore(db), graceEnd)).toEqual([]);
		await runScheduler(sqliteStore(db), { clock: () => graceEnd });
		expect((await getReviewSeason(sqliteStore(db), graceEnd - 1)).season).toBeUndefined();
	});

	it('prefers the live season, lists the ended one after it, and honours an explicit choice', async () => {
		const db = ctx.db;
		const { season: jan } = await januarySeason(db);
		const { startsAt, endsAt } = seasonBounds({
			startDate: '2027-02-01',
			endDate: '2027-02-28',
			timeZone: 'Europe/Warsaw'
		});
		const feb = db
			.insert(season)
			.values({
				name: 'February Sprint',
				theme,
				timeZone: 'Europe/Warsaw',
				startsAt,
				endsAt,
				status: 'scheduled',
				graceDays: 3
			})
			.returning()
			.get();
		// A season opens once it has people and something to sell.
		await makeMember(db, feb.id, makeTeam(db, feb.id).id);
		makeProduct(db, feb.id, { sku: 'PHONE' });
		const now = at('2027-02-02T09:00:00Z');
		await runScheduler(sqliteStore(db), { clock: () => now });

		const { season: chosen, seasons } = await getReviewSeason(sqliteStore(db), now);
		expect(chosen?.id).toBe(feb.id);
		expect(seasons.map((s) => [s.id, s.status])).toEqual([
			[feb.id, 'live'],
			[jan.id, 'ended']
		]);
		expect((await getReviewSeason(sqliteStore(db), now, jan.id)).season?.id).toBe(jan.id);
		// A season that is not open for review is never chosen, whatever the address asks.
		expect(
			(await getReviewSeason(sqliteStore(db), at('2027-02-10T00:00:00Z'), jan.id)).season?.id
		).toBe(feb.id);
	});
});
