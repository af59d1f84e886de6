// POST /api/v1/imports/sales with real exports, unedited: each fixture is stored as it reads;
// map.<field>, dateOrder, decimal and encoding say what the file does not; a header without
// the columns (after guessing and map.*) answers 422 missing_columns and stores nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startServer, type RunningServer } from '../helpers/server';
import { readDb, scoreState, seedServerDb, type SeededDb, withStore } from '../helpers/seeded';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import { product, season } from '../../src/lib/server/db/schema';
import { setEmployeeNumber } from '../../src/lib/server/people/users';
import {
	FIXTURE_SALES,
	IMPORT_FIXTURES,
	SPECIAL_SKUS,
	atHour,
	fillFixture,
	fixtureDay,
	type FixtureDay,
	type FixtureVars
} from '../helpers/import-fixtures';

let seeded: SeededDb;
let server: RunningServer;
let token: string;
let day: FixtureDay;
const TIME_ZONE = 'America/New_York';

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 2, people: 4 });
	await withStore(seeded.path, async (store, db) => {
		token = (await createApiToken(store, { name: 'crm', role: 'integration' })).token;
		db.update(season).set({ timeZone: TIME_ZONE }).where(eq(season.id, seeded.seasonId)).run();
		for (const sku of SPECIAL_SKUS)
			db.insert(product)
				.values({ seasonId: seeded.seasonId, sku, name: sku, category: 'Gifts', points: 3 })
				.run();
		await setEmployeeNumber(store, seeded.people[1].id, 'E-1');
		await setEmployeeNumber(store, seeded.people[2].id, 'E-2');
	});
	day = fixtureDay(TIME_ZONE, seeded.season.startsAt) as FixtureDay;
	server = await startServer({ dbPath: seeded.path });
}, 60_000);

afterAll(async () => {
	await server?.dispose();
	seeded?.cleanup();
});

const vars = (): FixtureVars => ({
	emails: [seeded.people[1].email, seeded.people[2].email],
	names: [seeded.people[1].displayName, seeded.people[2].displayName],
	numbers: ['E-1', 'E-2'],
	skus: { phone: 'PHONE', case: 'CASE' },
	day
});

function post(query: string, body: string | Buffer) {
	return fetch(`${server.url}/api/v1/imports/sales?${query}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
		body: typeof body === 'string' ? body : new Uint8Array(body)
	});
}

const storedSale = (externalId: string) =>
	readDb(seeded.path, (db) =>
		db
			.prepare(
				'select seller_id as sellerId, occurred_at as occurredAt, amount from sale where external_id = ?'
			)
			.get(externalId)
	) as { sellerId: number; occurredAt: number; amount: number } | undefined;

describe('real exports through the API', () => {
	it.each(IMPORT_FIXTURES)('%s is stored as it reads', async (name) => {
		const expected = FIXTURE_SALES[name];
		const lines = expected.reduce((n, s) => n + s.lines.length, 0);
		const response = await post('dryRun=0', fillFixture(name, vars()));
		const body = await response.json();
		expect(response.status, JSON.stringify(body)).toBe(200);
		expect(body).toMatchObject({
			rows: lines,
			accepted: lines,
			rejected: 0,
			sales: { new: expected.length }
		});
		for (const s of expected) {
			expect(storedSale(s.externalId)).toMatchObject({
				sellerId: seeded.people[s.seller].id,
				// A time without a zone is the season's (New York) local time.
				occurredAt: atHour(day, s.hour),
				amount: s.lines.reduce((n, l) => n + l.quantity * l.unitPrice, 0)
			});
		}
	});
});

describe('options in the query string', () => {
	const ymd = () =>
		`${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;

	it('map.<field> names columns the guesser does not know', async () => {
		const csv = [
			'Beleg;Wer;Wann;Was;Wie viele;Je',
			`MAP-1;${seeded.people[1].email};${ymd()} 11:00;CASE;2;29,00`
		].join('\n');
		const map =
			'map.externalId=Beleg&map.sellerEmail=Wer&map.occurredAt=Wann&map.sku=Was&map.quantity=Wie+viele&map.unitPrice=Je';
		const response = await post(`dryRun=0&${map}`, csv);
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({ accepted: 1, sales: { new: 1 } });
		expect(storedSale('MAP-1')).toMatchObject({ occurredAt: atHour(day, 11), amount: 5800 });
	});

	it.each([
		['a header without the columns', 'Beleg;Wer;Wann\nX;a@b.c;2026-01-01', ''],
		[
			'map.<field> naming a column that is not there',
			`Order;Email;Date;SKU;Qty;Price\nMISS-1;${'x'}@test.test;2026-01-01;CASE;1;1`,
			'map.sku=Article'
		]
	])('%s: 422 missing_columns, nothing stored', async (_title, csv, query) => {
		const before = scoreState(seeded.path);
		const response = await post(`dryRun=0&${query}`, csv);
		expect(response.status).toBe(422);
		const body = await response.json();
		expect(body.error.code).toBe('missing_columns');
		expect(body.error.details.missing.length).toBeGreaterThan(0);
		expect(scoreState(seeded.path)).toEqual(before);
	});

	it('dateOrder: an ambiguous file is 422 until the order is given', async () => {
		// Only days ≤ 12: 03/04 reads either way.
		const csv = [
			'Order,Email,Date,SKU,Qty,Price',
			`ORD-1,${seeded.people[1].email},03/04/${day.year},CASE,1,29`
		].join('\n');
		const before = scoreState(seeded.path);
		const refused = await post('dryRun=0', csv);
		expect(refused.status).toBe(422);
		expect((await refused.json()).error).toMatchObject({
			code: 'ambiguous_date_order',
			details: { column: 'Date' }
		});
		expect(scoreState(seeded.path)).toEqual(before);
		const chosen = await post('dryRun=1&dateOrder=DMY&details=1', csv);
		expect(chosen.status).toBe(200);
		expect(await post('dryRun=1&dateOrder=XYZ', csv).then((r) => r.status)).toBe(400);
	});

	it('decimal: "1.099" is a thousand and ninety-nine, or (decimal=.) refused', async () => {
		const csv = (id: string) =>
			[
				'Order;Email;Date;SKU;Qty;Price',
				`${id};${seeded.people[2].email};${ymd()} 09:30;CASE;1;1.099`
			].join('\n');
		// A semicolon file that shows no decimal mark is a European spreadsheet's: decimal commas.
		expect((await post('dryRun=0', csv('DEC-1'))).status).toBe(200);
		expect(storedSale('DEC-1')?.amount).toBe(109900);
		const point = await post('dryRun=0&decimal=.', csv('DEC-2'));
		expect(point.status).toBe(200);
		expect((await point.json()).errors).toEqual([
			expect.objectContaining({
				row: 1,
				column: 'Price',
				message: 'Price has more than two decimals'
			})
		]);
		expect(storedSale('DEC-2')).toBeUndefined();
	});

	it('encoding: the wrong code page chosen reads other headers', async () => {
		const bytes = fillFixture('windows-1250-pl.csv', vars());
		const wrong = await post('dryRun=1&encoding=windows-1252', bytes);
		expect(wrong.status).toBe(422);
		expect((await wrong.json()).error.details.missing).toContain('quantity');
		const right = await post('dryRun=1&encoding=windows-1250', bytes);
		expect(right.status).toBe(200);
	});
});
