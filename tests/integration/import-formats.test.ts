// Real exports go through the import service unedited: Salesforce (US dates, quoted fields,
// "1,099.00", a footer), HubSpot and Pipedrive (their own headers, zone-less times), a European
// Excel (BOM, `;`, decimal commas, DD.MM.YYYY), Polish Windows-1250 and French Windows-1252
// files. Each sale is stored with the right seller, the right instant (zone-less times in the
// season's zone) and the right prices.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { product, sale, saleLine, season } from '../../src/lib/server/db/schema';
import { importSales } from '../../src/lib/server/imports/sales';
import { decodeCsvFile } from '../../src/lib/server/imports/text';
import { mappingOrRefuse } from '../../src/lib/server/imports/options';
import { setEmployeeNumber } from '../../src/lib/server/people/users';
import { sqliteStore } from '../../src/lib/server/db/store';
import { readCsvHeader } from '../../src/lib/csv';
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

let a: ReturnType<typeof tempDb>;
beforeEach(() => (a = tempDb()));
afterEach(() => a.cleanup());

const TIME_ZONE = 'Europe/Warsaw';

async function contest(db: Db) {
	const c = await makeContest(db, { teams: 2, people: 4 });
	db.update(season).set({ timeZone: TIME_ZONE }).where(eq(season.id, c.season.id)).run();
	for (const sku of SPECIAL_SKUS)
		db.insert(product)
			.values({ seasonId: c.season.id, sku, name: sku, category: 'Gifts', points: 3, price: 1000 })
			.run();
	await setEmployeeNumber(sqliteStore(db), c.people[0].id, '10042');
	await setEmployeeNumber(sqliteStore(db), c.people[1].id, 'pl-7');
	const day = fixtureDay(TIME_ZONE, c.season.startsAt) as FixtureDay;
	const vars: FixtureVars = {
		emails: [c.people[0].email, c.people[1].email],
		names: [c.people[0].displayName, c.people[1].displayName],
		numbers: ['10042', 'PL-7'],
		skus: { phone: 'PHONE', case: 'CASE' },
		day
	};
	return { ...c, day, vars };
}

/** As the API and the page read a file: its encoding found, its columns guessed. */
function read(bytes: Buffer) {
	const { text, encoding } = decodeCsvFile(new Uint8Array(bytes));
	return { text, encoding, mapping: mappingOrRefuse(readCsvHeader(text), {}) };
}

function stored(db: Db, externalIds: string[]) {
	const sales = db.select().from(sale).where(inArray(sale.externalId, externalIds)).all();
	return sales.map((s) => ({
		externalId: s.externalId,
		sellerId: s.sellerId,
		occurredAt: s.occurredAt,
		lines: db
			.select({ sku: product.sku, quantity: saleLine.quantity, unitPrice: saleLine.unitPrice })
			.from(saleLine)
			.innerJoin(product, eq(product.id, saleLine.productId))
			.where(eq(saleLine.saleId, s.id))
			.all()
			.sort((x, y) => x.sku.localeCompare(y.sku))
	}));
}

describe('exports imported unedited', () => {
	it.each(IMPORT_FIXTURES)('%s', async (name) => {
		const c = await contest(a.db);
		const { text, encoding, mapping } = read(fillFixture(name, c.vars));
		expect(encoding).toBe(
			name.includes('1250') ? 'windows-1250' : name.includes('1252') ? 'windows-1252' : 'utf-8'
		);
		const expected = FIXTURE_SALES[name];
		const lines = expected.reduce((n, s) => n + s.lines.length, 0);
		const report = await importSales(a.db, text, { dryRun: false, actor: {}, mapping });
		expect(report.errors).toEqual([]);
		expect(report).toMatchObject({
			rows: lines,
			accepted: lines,
			rejected: 0,
			sales: { new: expected.length, duplicate: 0, rejected: 0 },
			problem: null
		});
		const sku = (s: string) => (s === 'phone' ? 'PHONE' : s === 'case' ? 'CASE' : s);
		expect(
			stored(
				a.db,
				expected.map((s) => s.externalId)
			).sort((x, y) => x.externalId.localeCompare(y.externalId))
		).toEqual(
			expected
				.map((s) => ({
					externalId: s.externalId,
					sellerId: c.people[s.seller - 1].id,
					occurredAt: atHour(c.day, s.hour),
					lines: s.lines
						.map((l) => ({ sku: sku(l.sku), quantity: l.quantity, unitPrice: l.unitPrice }))
						.sort((x, y) => x.sku.localeCompare(y.sku))
				}))
				.sort((x, y) => x.externalId.localeCompare(y.externalId))
		);
		// The same export uploaded again counts nothing twice.
		const again = await importSales(a.db, text, { dryRun: false, actor: {}, mapping });
		expect(again.sales).toMatchObject({ new: 0, duplicate: expected.length });
	});

	it("reads Salesforce's footer as no rows and says how the file was read", async () => {
		const c = await contest(a.db);
		const { text, mapping } = read(fillFixture('salesforce-us.csv', c.vars));
		expect(mapping).toEqual({
			externalId: 'Opportunity ID',
			sellerEmail: 'Owner Email',
			occurredAt: 'Close Date',
			sku: 'Product Code',
			quantity: 'Quantity',
			unitPrice: 'Sales Price'
		});
		const report = await importSales(a.db, text, { dryRun: true, actor: {}, mapping });
		expect(report.reading).toEqual({
			dateOrder: 'MDY',
			decimal: '.',
			delimiter: ',',
			footerLines: 4
		});
	});
});

describe('what a file does not show is reported, never guessed', () => {
	const header = 'Order;Seller;Date;SKU;Qty;Price';
	it('an ambiguous day/month order stores nothing until the order is chosen', async () => {
		const c = await contest(a.db);
		const { year } = c.day;
		// Both dates read either way (05/06 and 06/05): the file does not say.
		const d1 = `05/06/${year}`;
		const csv = [header, `A-1;${c.people[0].email};${d1};PHONE;1;999,00`].join('\n');
		const mapping = mappingOrRefuse(readCsvHeader(csv), {});
		const report = await importSales(a.db, csv, { dryRun: false, actor: {}, mapping });
		expect(report.problem).toMatchObject({ code: 'ambiguous_date_order', column: 'Date' });
		expect(report.errors[0].message).toMatch(/choose the date order/);
		expect(report.accepted).toBe(0);
		expect(a.db.select().from(sale).all()).toHaveLength(0);
		// Chosen: read as such (this date may fall outside the season: then that is the error).
		const chosen = await importSales(a.db, csv, {
			dryRun: true,
			actor: {},
			mapping,
			dateOrder: 'DMY'
		});
		expect(chosen.problem).toBeNull();
		expect(chosen.reading.dateOrder).toBe('DMY');
	});

	it('dates written both ways are a conflict', async () => {
		const c = await contest(a.db);
		const csv = [
			header,
			`A-1;${c.people[0].email};20/11/2026;PHONE;1;999`,
			`A-2;${c.people[0].email};11/20/2026;PHONE;1;999`
		].join('\n');
		const mapping = mappingOrRefuse(readCsvHeader(csv), {});
		const report = await importSales(a.db, csv, { dryRun: true, actor: {}, mapping });
		expect(report.problem).toMatchObject({ code: 'mixed_date_orders' });
	});

	it('decimal commas and points in one file are a conflict unless chosen', async () => {
		const c = await contest(a.db);
		const at = `${c.day.year}-${String(c.day.month).padStart(2, '0')}-${String(c.day.day).padStart(2, '0')} 10:00`;
		const csv = [
			'Order,Seller,Date,SKU,Qty,Price',
			`A-1,${c.people[0].email},${at},PHONE,1,"999,50"`,
			`A-2,${c.people[0].email},${at},PHONE,1,999.50`
		].join('\n');
		const mapping = mappingOrRefuse(readCsvHeader(csv), {});
		expect(
			(await importSales(a.db, csv, { dryRun: true, actor: {}, mapping })).problem
		).toMatchObject({
			code: 'mixed_decimal_marks'
		});
		const chosen = await importSales(a.db, csv, { dryRun: true, actor: {}, mapping, decimal: '.' });
		// With a decimal point, "999,50" is not an amount: that row alone is refused.
		expect(chosen.errors).toEqual([
			{
				row: 1,
				column: 'Price',
				message: 'Price must be an amount like 1,099.00',
				code: 'not_an_amount'
			}
		]);
		expect(chosen.sales.new).toBe(1);
	});
});

describe('the seller column', () => {
	it('takes an e-mail, an employee number or a unique full name; an ambiguous name names both people', async () => {
		const c = await contest(a.db);
		// Two members with the same name.
		const { user } = await import('../../src/lib/server/db/schema');
		a.db
			.update(user)
			.set({ displayName: 'Jan Kowalski' })
			.where(inArray(user.id, [c.people[2].id, c.people[3].id]))
			.run();
		const at = `${c.day.year}-${String(c.day.month).padStart(2, '0')}-${String(c.day.day).padStart(2, '0')} 10:00`;
		const csv = [
			'Order,Seller,Date,SKU,Qty,Price',
			`S-1,${c.people[0].email.toUpperCase()},${at},PHONE,1,999`,
			`S-2,10042,${at},PHONE,1,999`,
			`S-3,Pl-7,${at},PHONE,1,999`,
			`S-4,  ${c.people[1].displayName.toLowerCase()} ,${at},PHONE,1,999`,
			`S-5,jan kowalski,${at},PHONE,1,999`,
			`S-6,Nobody Here,${at},PHONE,1,999`
		].join('\n');
		const report = await importSales(a.db, csv, {
			dryRun: false,
			actor: {},
			mapping: mappingOrRefuse(readCsvHeader(csv), {})
		});
		expect(report.sales).toMatchObject({ new: 4, rejected: 2 });
		const byId = Object.fromEntries(
			stored(a.db, ['S-1', 'S-2', 'S-3', 'S-4']).map((s) => [s.externalId, s.sellerId])
		);
		expect(byId).toEqual({
			'S-1': c.people[0].id,
			'S-2': c.people[0].id,
			'S-3': c.people[1].id,
			'S-4': c.people[1].id
		});
		const [ambiguous, unknown] = report.errors;
		expect(ambiguous).toMatchObject({ row: 5, column: 'Seller' });
		expect(ambiguous.message).toContain(c.people[2].email);
		expect(ambiguous.message).toContain(c.people[3].email);
		expect(unknown).toMatchObject({ row: 6, column: 'Seller' });
		expect(unknown.message).toMatch(/No member of a live season/);
	});
});
