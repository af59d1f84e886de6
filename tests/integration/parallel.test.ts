import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, makeProduct, makeSeason, makeTeam } from '../helpers/factories';
import { seedServerDb, signIn, withDb, type SeededDb } from '../helpers/seeded';
import { startServer, type RunningServer } from '../helpers/server';
import { openDatabase } from '../../src/lib/server/db';
import { sale, seasonMember } from '../../src/lib/server/db/schema';
import { recordOn } from '../helpers/record-sale';
import { AppError } from '../../src/lib/server/shared/errors';

const DAY = 24 * 60 * 60 * 1000;

describe('parallel contests: recording into a chosen season', () => {
	it('counts a sale in the chosen live season, by default in the latest one, never in one the person is not in', async () => {
		const { db, cleanup } = tempDb();
		try {
			const first = await makeContest(db, { people: 2 });
			const seller = first.people[0];
			const second = makeSeason(db, { name: 'Spring sprint', startsAt: Date.now() - DAY });
			db.insert(seasonMember)
				.values({ seasonId: second.id, userId: seller.id, teamId: makeTeam(db, second.id).id })
				.run();
			makeProduct(db, second.id, { sku: 'PHONE', points: 7 });
			const elsewhere = makeSeason(db, { name: 'Other office' });
			makeProduct(db, elsewhere.id, { sku: 'PHONE' });

			const line = [{ sku: 'PHONE', quantity: 1 }];
			const byDefault = await recordOn(db, {
				source: 'web',
				externalId: 'a',
				seller: { userId: seller.id },
				occurredAt: Date.now(),
				lines: line
			});
			expect(byDefault.seasonId).toBe(second.id);
			const chosen = await recordOn(db, {
				source: 'web',
				externalId: 'b',
				seller: { userId: seller.id },
				occurredAt: Date.now(),
				lines: line,
				seasonId: first.season.id
			});
			expect(chosen).toMatchObject({ seasonId: first.season.id, sale: { points: 50 } });

			await expect(
				recordOn(db, {
					source: 'web',
					externalId: 'c',
					seller: { userId: seller.id },
					occurredAt: Date.now(),
					lines: line,
					seasonId: elsewhere.id
				})
			).rejects.toThrow(AppError);
			expect(
				db
					.select()
					.from(sale)
					.all()
					.map((s) => [s.externalId, s.seasonId])
			).toEqual([
				['a', second.id],
				['b', first.season.id]
			]);
		} finally {
			cleanup();
		}
	});
});

describe('parallel contests on the board', () => {
	let seeded: SeededDb;
	let server: RunningServer;
	let cookie: string;
	let secondId: number;

	beforeAll(async () => {
		seeded = await seedServerDb();
		const db = openDatabase(seeded.path);
		const second = makeSeason(db, {
			name: 'Accessory Blitz',
			startsAt: seeded.season.startsAt - DAY
		});
		secondId = second.id;
		const team = makeTeam(db, second.id, 'Blitzers');
		db.insert(seasonMember)
			.values({ seasonId: second.id, userId: seeded.people[0].id, teamId: team.id })
			.run();
		makeProduct(db, second.id, { sku: 'CASE', name: 'Case', points: 9 });
		db.$client.close();
		server = await startServer({ dbPath: seeded.path });
		cookie = await signIn(server.url, seeded.people[0].email);
	});
	afterAll(async () => {
		await server?.stop();
		seeded?.cleanup();
	});

	const get = (path: string, extra = '') =>
		fetch(`${server.url}${path}`, {
			headers: { cookie: `session=${cookie}${extra}` },
			redirect: 'manual'
		});

	it('shows a switcher with both contests and remembers the choice', async () => {
		const plain = await (await get('/')).text();
		expect(plain).toContain('aria-label="Contests"');
		expect(plain).toContain(`?season=${secondId}`);
		expect(plain).toContain(`<title>${seeded.season.name} · Honorboard</title>`);

		const switched = await get(`/?season=${secondId}`);
		expect(await switched.text()).toContain('<title>Accessory Blitz · Honorboard</title>');
		const remembered = switched.headers.getSetCookie().find((c) => c.startsWith('hb_season='));
		expect(remembered).toMatch(new RegExp(`^hb_season=${secondId};`));
		expect(remembered).toMatch(/HttpOnly/i);

		const later = await (await get('/', `; hb_season=${secondId}`)).text();
		expect(later).toContain('<title>Accessory Blitz · Honorboard</title>');
	});

	it('a sale from /sell counts in the chosen contest only', async () => {
		const form = new URLSearchParams({ requestId: crypto.randomUUID(), qty_CASE: '2' });
		const response = await fetch(`${server.url}/sell`, {
			method: 'POST',
			body: form,
			headers: {
				cookie: `session=${cookie}; hb_season=${secondId}`,
				origin: server.url,
				'content-type': 'application/x-www-form-urlencoded',
				accept: 'application/json',
				'x-sveltekit-action': 'true'
			}
		});
		expect((await response.json()).type).toBe('success');
		const sales = withDb(seeded.path, (db) =>
			db
				.select()
				.from(sale)
				.where(and(eq(sale.sellerId, seeded.people[0].id)))
				.all()
		);
		expect(sales.map((s) => [s.seasonId, s.points])).toEqual([[secondId, 18]]);
	});

	it('a season the person is not in cannot be chosen: the board falls back to their own', async () => {
		const html = await (await get(`/?season=${seeded.endedSeasonId}`)).text();
		expect(html).not.toContain('hb_season');
		expect(html).toMatch(
			new RegExp(`<title>(${seeded.season.name}|Accessory Blitz) · Honorboard</title>`)
		);
		const response = await get(`/?season=${seeded.endedSeasonId}`);
		expect(response.headers.getSetCookie().some((c) => c.startsWith('hb_season='))).toBe(false);
	});
});
