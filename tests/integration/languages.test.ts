// The language of each answer, through the production server: the browser's Accept-Language,
// the organisation's default for a language we do not speak, a person's own choice over both, a
// TV display its own, and a change of the organisation's default on the very next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startServer, runCli, type RunningServer } from '../helpers/server';
import { readDb, seedServerDb, signIn, type SeededDb } from '../helpers/seeded';
import { tempDb } from '../helpers/db';
import { createDisplay } from '../../src/lib/server/displays/tokens';
import { openDatabase } from '../../src/lib/server/db';
import { closeStore, sqliteStore } from '../../src/lib/server/db/store';
import { priceIn } from '../../src/lib/server/db/seed-demo';

let seeded: SeededDb;
let server: RunningServer;
let tvToken: string;
let ownChoice: string;

beforeAll(async () => {
	seeded = await seedServerDb({ people: 2 });
	const store = sqliteStore(openDatabase(seeded.path));
	try {
		tvToken = (await createDisplay(store, seeded.seasonId, 'Lobby', 'ru')).token;
	} finally {
		await closeStore(store);
	}
	ownChoice = seeded.people[1].email;
	// The second person signs in too: give them a password and their own language.
	const login = seeded.people[0].email;
	const db = new Database(seeded.path);
	db.prepare(
		`update user set locale = 'fr', password_hash = (select password_hash from user where email = ?)
		 where email = ?`
	).run(login, ownChoice);
	db.close();
	server = await startServer({ dbPath: seeded.path });
});
afterAll(async () => {
	await server?.dispose();
	seeded?.cleanup();
});

/** The `lang` of the page at `path`, asked for with `acceptLanguage` (and a session). */
async function langOf(path: string, acceptLanguage: string, session?: string) {
	const headers: Record<string, string> = { 'accept-language': acceptLanguage };
	if (session) headers.cookie = `session=${session}`;
	const response = await fetch(`${server.url}${path}`, { headers, redirect: 'manual' });
	expect(response.status, path).toBe(200);
	return /<html lang="([^"]*)"/.exec(await response.text())?.[1];
}

function setOrganisationDefault(locale: string) {
	const db = new Database(seeded.path);
	db.prepare('update organisation set default_locale = ? where id = 1').run(locale);
	db.close();
}

describe('the language of a page', () => {
	it('follows the browser on the signed-out pages', async () => {
		expect(await langOf('/login', 'pl-PL,pl;q=0.9,en;q=0.8')).toBe('pl');
		expect(await langOf('/login', 'ru')).toBe('ru');
		expect(await langOf('/login', 'en-US,en')).toBe('en');
	});

	it('is the organisation’s default when the browser asks for none we speak', async () => {
		expect(await langOf('/login', 'de-DE,de;q=0.9')).toBe('en');
		expect(await langOf('/login', '')).toBe('en');
	});

	it('follows the browser for a person without a choice of their own', async () => {
		const session = await signIn(server.url, seeded.people[0].email);
		expect(await langOf('/', 'sv-SE', session)).toBe('sv');
	});

	it('is a person’s own choice, over what the browser asks for', async () => {
		const session = await signIn(server.url, ownChoice);
		expect(await langOf('/', 'pl-PL,pl', session)).toBe('fr');
		expect(await langOf('/sell', 'de', session)).toBe('fr');
	});

	it('on a TV is the display’s, whatever the browser asks for', async () => {
		expect(await langOf(`/tv/${tvToken}`, 'pl-PL,pl')).toBe('ru');
	});

	it('follows a change of the organisation’s default on the next request', async () => {
		setOrganisationDefault('sv');
		try {
			expect(await langOf('/login', 'de-DE,de')).toBe('sv');
			// Those who ask for a language we speak are not affected.
			expect(await langOf('/login', 'nl')).toBe('nl');
		} finally {
			setOrganisationDefault('en');
		}
		expect(await langOf('/login', 'de-DE,de')).toBe('en');
	});
});

describe('seed-demo --locale', () => {
	it('writes the demo’s texts in the language and makes it the organisation’s, in its currency', async () => {
		const { path, cleanup } = tempDb();
		try {
			const result = await runCli(['seed-demo', '--locale', 'pl'], path);
			expect(result.code, result.stderr).toBe(0);
			const demo = readDb(path, (db) => ({
				organisation: db.prepare('select default_locale, currency from organisation').get(),
				season: db
					.prepare("select name, json_extract(theme, '$.tagline') as tagline from season")
					.get(),
				teams: db.prepare('select name from team order by id').pluck().all(),
				product: db.prepare("select name, category, price from product where sku = 'SCR'").get(),
				badge: db.prepare('select name, description from badge order by id limit 1').get(),
				rule: db
					.prepare("select name, json_extract(target, '$.category') as category from rule")
					.get()
			}));
			expect(demo.organisation).toEqual({ default_locale: 'pl', currency: 'PLN' });
			expect(demo.season).toEqual({
				name: expect.stringMatching(/^Wyzwanie Q[1-4]: zdobądź szczyt$/),
				tagline: 'Każda sprzedaż to krok bliżej szczytu.'
			});
			expect(demo.teams).toEqual(['Sokoły', 'Wilki', 'Orki']);
			expect(demo.product).toEqual({
				name: 'Szkło ochronne',
				category: 'Akcesoria',
				price: priceIn('PLN', 1900)
			});
			expect(demo.badge).toEqual({
				name: 'Pierwsza sprzedaż',
				description: 'Pierwsza sprzedaż w tym sezonie'
			});
			// The campaign targets the category by the name the catalogue has.
			expect(demo.rule).toEqual({ name: 'Tydzień audio: podwójne punkty', category: 'Audio' });

			const refused = await runCli(['seed-demo', '--locale', 'de'], path);
			expect(refused.code).not.toBe(0);
			expect(refused.stderr).toMatch(/--locale must be one of: en, nl, ru, sv, pl, fr/);
		} finally {
			cleanup();
		}
	});
});

describe('priceIn', () => {
	it('prices the catalogue in each currency the way shops do', () => {
		expect(priceIn('EUR', 109900)).toBe(109900);
		expect(priceIn('PLN', 109900)).toBe(472900);
		expect(priceIn('SEK', 1900)).toBe(21900);
		expect(priceIn('RUB', 3900)).toBe(389900);
		expect(priceIn('GBP', 1900)).toBe(1600);
	});
});
