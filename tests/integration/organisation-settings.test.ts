// The organisation settings page against the production build: an admin sets the default
// language and the currency; everyone without a language of their own whose browser asks for one
// Honorboard does not speak then reads Polish, with amounts in złoty. Admins only; bad values are
// refused field by field and change nothing. The page on the seeded SQLite file and on its copy in
// a throwaway PostgreSQL database (tests/helpers/server-db.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as devalue from 'devalue';
import { runCli, startServer, type RunningServer } from '../helpers/server';
import { tempDb } from '../helpers/db';
import { readDb, signIn, PASSWORD, type SeededDb } from '../helpers/seeded';
import { DIALECTS, seedServerDbOn, serverEnvFor, type ServerDb } from '../helpers/server-db';
import { openDatabase } from '../../src/lib/server/db';
import { makeUser } from '../helpers/factories';

let db: ServerDb;
let server: RunningServer;
const sessions = { seller: '', manager: '', admin: '' };

/** A manager and an admin, made in the seeded file before it is copied or served. */
async function prepare(seeded: SeededDb) {
	const db = openDatabase(seeded.path);
	try {
		for (const role of ['manager', 'admin'] as const)
			await makeUser(db, { email: `${role}@test.test`, role, password: PASSWORD });
	} finally {
		db.$client.close();
	}
}

const settings = async () =>
	(await db.rows('select default_locale as locale, currency from organisation where id = 1'))[0] as
		{ locale: string; currency: string } | undefined;
const audited = () =>
	db.value("select count(*) from audit_event where action = 'organisation.update'");

function get(path: string, session: string | null, language = 'de-DE,de;q=0.9') {
	return fetch(`${server.url}${path}`, {
		headers: {
			'accept-language': language,
			...(session ? { cookie: `session=${session}` } : {})
		},
		redirect: 'manual'
	});
}

/** A form action posted the way `use:enhance` does. */
async function save(session: string, fields: Record<string, string>) {
	const response = await fetch(`${server.url}/manage/settings?/save`, {
		method: 'POST',
		body: new URLSearchParams(fields),
		headers: {
			cookie: `session=${session}`,
			origin: server.url,
			accept: 'application/json',
			'accept-language': 'en',
			'x-sveltekit-action': 'true'
		}
	});
	const result = await response.json();
	return {
		// A refused form answers 200 with its own status inside; an error page has the real one.
		status: (result.status as number | undefined) ?? response.status,
		type: result.type as string,
		data: (typeof result.data === 'string' ? devalue.parse(result.data) : result.data) as
			{ errors?: Record<string, string>; message?: string } | undefined
	};
}

describe.each(DIALECTS)('the organisation settings page on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, { teams: 2, people: 2 }, prepare);
		server = await startServer({ dbPath: db.seeded.path, env: serverEnvFor(db) });
		sessions.seller = await signIn(server.url, db.seeded.people[0].email);
		sessions.manager = await signIn(server.url, 'manager@test.test');
		sessions.admin = await signIn(server.url, 'admin@test.test');
	}, 120_000);

	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('the organisation settings page', () => {
		it('is for admins only: a manager or a seller is refused and cannot save', async () => {
			expect((await get('/manage/settings', sessions.admin)).status).toBe(200);
			expect((await get('/manage/settings', sessions.manager)).status).toBe(403);
			expect((await get('/manage/settings', sessions.seller)).status).toBe(403);
			for (const session of [sessions.manager, sessions.seller]) {
				const sneaky = await save(session, { defaultLocale: 'ru', currency: 'RUB' });
				expect(sneaky.status).toBe(403);
			}
			expect((await settings())?.currency ?? 'EUR').toBe('EUR');
			expect(await audited()).toBe(0);
		});

		it('refuses values it does not know, field by field, and changes nothing', async () => {
			const bad = await save(sessions.admin, { defaultLocale: 'xx', currency: 'ABC' });
			expect(bad.status).toBe(400);
			expect(bad.type).toBe('failure');
			expect(bad.data?.errors).toEqual({
				defaultLocale: 'Choose one of the languages in the list',
				currency: 'Choose one of the currencies in the list'
			});
			const half = await save(sessions.admin, { defaultLocale: 'pl', currency: 'ABC' });
			expect(half.data?.errors).toEqual({ currency: 'Choose one of the currencies in the list' });
			expect((await settings())?.locale ?? 'en').toBe('en');
			expect((await settings())?.currency ?? 'EUR').toBe('EUR');
			expect(await audited()).toBe(0);
		});

		it('saves Polish and złoty: the sign-in page, the board and the prices follow', async () => {
			// Before: a browser asking for German gets the default, English, and euros.
			expect(await (await get('/login', null)).text()).toContain('<html lang="en"');
			expect(await (await get('/sell', sessions.seller)).text()).toContain('€');

			const saved = await save(sessions.admin, { defaultLocale: 'pl', currency: 'PLN' });
			expect(saved.type, JSON.stringify(saved)).toBe('success');
			expect(await settings()).toEqual({ locale: 'pl', currency: 'PLN' });
			expect(await audited()).toBe(1);

			const login = await (await get('/login', null)).text();
			expect(login).toContain('<html lang="pl"');
			const board = await get('/', sessions.seller);
			expect(board.status).toBe(200);
			expect(await board.text()).toContain('<html lang="pl"');
			const sell = await (await get('/sell', sessions.seller)).text();
			expect(sell).toContain('<html lang="pl"');
			expect(sell).toMatch(/\d\s?zł/);
			expect(sell).not.toContain('€');
			// A browser asking for a language Honorboard speaks still gets it.
			expect(await (await get('/login', null, 'sv-SE,sv')).text()).toContain('<html lang="sv"');

			// The page itself now reads in Polish, and the audit log says what changed, in words.
			const page = await (await get('/manage/settings', sessions.admin)).text();
			expect(page).toContain('Ustawienia organizacji');
			const audit = await (await get('/manage/audit', sessions.admin, 'en')).text();
			expect(audit).toContain('Changed the organisation settings');
			expect(audit).toMatch(/English → Polski/);
			expect(audit).toMatch(/EUR → PLN/);
		});
	});
});

describe('npm run cli -- org', () => {
	it('shows the settings, sets them (audited) and refuses values it does not know', async () => {
		const { db, path, cleanup } = tempDb();
		db.$client.close();
		try {
			const show = await runCli(['org', 'show'], path);
			expect(show.code, show.stderr).toBe(0);
			expect(show.stdout).toMatch(/Default language: en \(English\)\nCurrency: EUR/);

			const refusals: [string[], RegExp][] = [
				[['org', 'set', '--locale', 'xx'], /--locale must be one of: en, nl, ru, sv, pl, fr/],
				[['org', 'set', '--currency', 'ABC'], /--currency must be one of: EUR, PLN, SEK/],
				[['org', 'set'], /needs --locale, --currency or both/]
			];
			const refused = await Promise.all(refusals.map(([args]) => runCli(args, path)));
			refused.forEach((result, i) => {
				expect(result.code, refusals[i][0].join(' ')).not.toBe(0);
				expect(result.stderr).toMatch(refusals[i][1]);
			});

			const set = await runCli(['org', 'set', '--locale', 'pl', '--currency', 'pln'], path);
			expect(set.code, set.stderr).toBe(0);
			expect(set.stdout).toMatch(/default language pl \(Polski\), currency PLN/);
			const onlyLocale = await runCli(['org', 'set', '--locale', 'sv'], path);
			expect(onlyLocale.code, onlyLocale.stderr).toBe(0);
			expect((await runCli(['org', 'show'], path)).stdout).toMatch(
				/Default language: sv \(Svenska\)\nCurrency: PLN/
			);
			expect(
				readDb(path, (db) =>
					db
						.prepare("select count(*) from audit_event where action = 'organisation.update'")
						.pluck()
						.get()
				)
			).toBe(2);
		} finally {
			cleanup();
		}
	}, 240_000);
});
