import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeSeason, makeUser } from '../helpers/factories';
import { PASSWORD, signIn, type SeededDb } from '../helpers/seeded';
import { DIALECTS, seedServerDbOn, serverEnvFor, type ServerDb } from '../helpers/server-db';
import { startServer, type RunningServer } from '../helpers/server';
import { openDatabase } from '../../src/lib/server/db';
import { sqliteStore, write } from '../../src/lib/server/db/store';
import { badge, season } from '../../src/lib/server/db/schema';
import {
	mergeFormPrizes,
	readPrizes,
	removePrize,
	savePrize
} from '../../src/lib/server/seasons/prizes';
import { cloneSeasonInWrite } from '../../src/lib/server/seasons/clone';
import { AppError } from '../../src/lib/server/shared/errors';

// A 1×1 PNG: the smallest picture the upload accepts.
const PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
	'base64'
);
const PNG_URL = `data:image/png;base64,${PNG.toString('base64')}`;

describe('prizes service', () => {
	it('keeps one prize per place and per badge, with pictures, and refuses bad input without changes', async () => {
		const { db, cleanup } = tempDb();
		const store = sqliteStore(db);
		try {
			const s = makeSeason(db);
			const other = makeSeason(db);
			const own = db
				.insert(badge)
				.values({ seasonId: s.id, name: 'Hat-trick', criterion: { kind: 'sales_count', count: 3 } })
				.returning()
				.get();
			const foreign = db
				.insert(badge)
				.values({ seasonId: other.id, name: 'Elsewhere', criterion: { kind: 'first_sale' } })
				.returning()
				.get();

			await savePrize(
				store,
				s.id,
				{ place: 1, title: 'Weekend away', description: 'For two', image: PNG_URL },
				{}
			);
			await savePrize(
				store,
				s.id,
				{ badgeId: own.id, title: 'Coffee voucher', description: '', image: null },
				{}
			);
			// The same place again replaces the prize and keeps its picture.
			await savePrize(
				store,
				s.id,
				{ place: 1, title: 'Weekend in the mountains', description: 'For two', image: 'keep' },
				{}
			);

			const before = db
				.select({ prizes: season.prizes })
				.from(season)
				.where(eq(season.id, s.id))
				.get()!.prizes;
			await expect(
				savePrize(
					store,
					s.id,
					{ badgeId: foreign.id, title: 'Nope', description: '', image: null },
					{}
				)
			).rejects.toThrow(AppError);
			await expect(
				savePrize(store, s.id, { place: 0, title: 'Nope', description: '', image: null }, {})
			).rejects.toThrow(AppError);
			await expect(removePrize(store, s.id, 'place-7', {})).rejects.toThrow(AppError);
			expect(
				db.select({ prizes: season.prizes }).from(season).where(eq(season.id, s.id)).get()!.prizes
			).toEqual(before);

			const prizes = await readPrizes(store, s.id);
			expect(prizes.map((p) => [p.key, p.title])).toEqual([
				['place-1', 'Weekend in the mountains'],
				[`badge-${own.id}`, 'Coffee voucher']
			]);
			expect(prizes[0].imageUrl).toMatch(new RegExp(`^/prizes/${s.id}/place-1\\?v=[0-9a-f]{10}$`));
			expect(prizes[1]).toMatchObject({
				badge: { id: own.id, name: 'Hat-trick' },
				imageUrl: null,
				place: null
			});

			await removePrize(store, s.id, `badge-${own.id}`, {});
			expect((await readPrizes(store, s.id)).map((p) => p.key)).toEqual(['place-1']);
		} finally {
			cleanup();
		}
	});

	it('the season form changes place titles but keeps pictures, further places and badge prizes', () => {
		const existing = [
			{ place: 1, title: 'Old', image: PNG_URL, description: 'd' },
			{ place: 2, title: 'Second' },
			{ place: 5, title: 'Fifth' },
			{ badgeId: 9, title: 'Badge prize' }
		];
		expect(mergeFormPrizes(existing, [{ place: 1, title: 'New' }])).toEqual([
			{ place: 1, title: 'New', image: PNG_URL, description: 'd' },
			{ place: 5, title: 'Fifth' },
			{ badgeId: 9, title: 'Badge prize' }
		]);
		expect(mergeFormPrizes(null, [])).toBeNull();
	});

	it('a cloned season points its badge prizes at its own copies of the badges', async () => {
		const { db, cleanup } = tempDb();
		const store = sqliteStore(db);
		try {
			const s = makeSeason(db);
			const own = db
				.insert(badge)
				.values({ seasonId: s.id, name: 'Closer', criterion: { kind: 'first_sale' } })
				.returning()
				.get();
			await savePrize(
				store,
				s.id,
				{ badgeId: own.id, title: 'Cinema tickets', description: '', image: null },
				{}
			);
			const copy = await write(store, (tx) =>
				cloneSeasonInWrite(tx, store, db.select().from(season).where(eq(season.id, s.id)).get()!, {
					now: Date.now(),
					name: 'Copy',
					startsAt: s.startsAt,
					endsAt: s.endsAt,
					recurrence: null
				})
			);
			const copied = db.select().from(badge).where(eq(badge.seasonId, copy.id)).get()!;
			expect(await readPrizes(store, copy.id)).toMatchObject([
				{ key: `badge-${copied.id}`, title: 'Cinema tickets', badge: { name: 'Closer' } }
			]);
		} finally {
			cleanup();
		}
	});
});

describe.each(DIALECTS)('prizes over HTTP on %s', (dialect) => {
	let database: ServerDb;
	let seeded: SeededDb;
	let server: RunningServer;
	let managerCookie: string;
	let sellerCookie: string;

	beforeAll(async () => {
		database = await seedServerDbOn(dialect, {}, async (file) => {
			const db = openDatabase(file.path);
			await makeUser(db, { email: 'boss@test.test', role: 'manager', password: PASSWORD });
			db.$client.close();
		});
		seeded = database.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(database) });
		managerCookie = await signIn(server.url, 'boss@test.test');
		sellerCookie = await signIn(server.url, seeded.people[0].email);
	});
	afterAll(async () => {
		await server?.stop();
		await database?.cleanup();
	});

	const post = (cookie: string, form: FormData) =>
		fetch(`${server.url}/manage/seasons/${seeded.seasonId}/prizes?/save`, {
			method: 'POST',
			body: form,
			headers: {
				origin: server.url,
				cookie: `session=${cookie}`,
				accept: 'application/json',
				'x-sveltekit-action': 'true'
			}
		});
	const prizeForm = (fields: Record<string, string>, image?: Buffer) => {
		const form = new FormData();
		for (const [k, v] of Object.entries(fields)) form.set(k, v);
		if (image)
			form.set('image', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'prize.png');
		return form;
	};

	it('a manager adds a prize with a picture; participants see it on the board and can fetch the picture', async () => {
		const saved = await post(
			managerCookie,
			prizeForm(
				{
					for: 'place',
					place: '1',
					badgeId: '',
					title: 'Espresso machine',
					description: 'For the winner'
				},
				PNG
			)
		);
		expect((await saved.json()).type).toBe('success');

		const board = await fetch(`${server.url}/`, { headers: { cookie: `session=${sellerCookie}` } });
		const html = await board.text();
		expect(html).toContain('Espresso machine');
		const url = html.match(/\/prizes\/\d+\/place-1\?v=[0-9a-f]+/)?.[0];
		expect(url).toBeDefined();

		const image = await fetch(`${server.url}${url}`, {
			headers: { cookie: `session=${sellerCookie}` }
		});
		expect(image.status).toBe(200);
		expect(image.headers.get('content-type')).toBe('image/png');
		expect(Buffer.from(await image.arrayBuffer())).toEqual(PNG);
		// Signed out: no picture.
		expect((await fetch(`${server.url}${url}`, { redirect: 'manual' })).status).toBe(303);
	});

	it('refuses a participant, a bad file and a missing title, and changes nothing', async () => {
		const snapshot = () =>
			database.withStore(async ({ db, tables: { season } }) => {
				const [row] = await db
					.select({ prizes: season.prizes })
					.from(season)
					.where(eq(season.id, seeded.seasonId));
				return row.prizes;
			});
		const before = await snapshot();

		const asSeller = await post(
			sellerCookie,
			prizeForm({ for: 'place', place: '2', badgeId: '', title: 'Sneaky', description: '' })
		);
		expect(asSeller.status).toBe(403);

		const notAnImage = await post(
			managerCookie,
			prizeForm(
				{ for: 'place', place: '2', badgeId: '', title: 'Bad file', description: '' },
				Buffer.from('not a picture')
			)
		);
		const bad = await notAnImage.json();
		expect(bad).toMatchObject({ type: 'failure', status: 400 });
		expect(JSON.stringify(bad)).toContain('Use a PNG, JPEG, WebP or GIF image');

		const untitled = await post(
			managerCookie,
			prizeForm({ for: 'place', place: '2', badgeId: '', title: '  ', description: '' })
		);
		expect(JSON.stringify(await untitled.json())).toContain('Give the prize a title');

		expect(await snapshot()).toEqual(before);
	});
});
