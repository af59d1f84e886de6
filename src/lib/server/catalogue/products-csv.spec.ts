import { describe, expect, it } from 'vitest';
import { catalogueToCsv, MAX_ROWS, parseCatalogueCsv } from './products-csv';
import type { CsvError } from '../../csv';
import { importCatalogue, listCatalogue, type ProductInput } from './products';
import { openDatabase } from '../db';
import { sqliteStore } from '../db/store';
import { auditEvent, product, season } from '../db/schema';

const HEADER = 'sku,name,category,points,price,active';
const phone: ProductInput = {
	sku: 'PH-PRO',
	name: 'Phone Pro 15',
	category: 'Phones',
	points: 50,
	price: 109900,
	active: true
};
const csv = (...lines: string[]) => lines.join('\n');

describe('parseCatalogueCsv: files that import', () => {
	const cases: { name: string; text: string; rows: ProductInput[] }[] = [
		{
			name: 'all columns',
			text: csv(
				HEADER,
				'PH-PRO,Phone Pro 15,Phones,50,1099,true',
				'CASE,Rugged Case,Accessories,5,39.90,false'
			),
			rows: [
				phone,
				{
					sku: 'CASE',
					name: 'Rugged Case',
					category: 'Accessories',
					points: 5,
					price: 3990,
					active: false
				}
			]
		},
		{
			name: 'no active column: new products active, existing ones keep their state',
			text: csv('sku,name,category,points,price', 'PH-PRO,Phone Pro 15,Phones,50,1099'),
			rows: [{ sku: 'PH-PRO', name: 'Phone Pro 15', category: 'Phones', points: 50, price: 109900 }]
		},
		{
			name: 'active spelled in several ways, blank left undecided',
			text: csv(
				HEADER,
				'A,a,X,1,1,yes',
				'B,b,X,1,1,No',
				'C,c,X,1,1,1',
				'D,d,X,1,1,0',
				'E,e,X,1,1,TRUE',
				'F,f,X,1,1,'
			),
			rows: [
				{ sku: 'A', name: 'a', category: 'X', points: 1, price: 100, active: true },
				{ sku: 'B', name: 'b', category: 'X', points: 1, price: 100, active: false },
				{ sku: 'C', name: 'c', category: 'X', points: 1, price: 100, active: true },
				{ sku: 'D', name: 'd', category: 'X', points: 1, price: 100, active: false },
				{ sku: 'E', name: 'e', category: 'X', points: 1, price: 100, active: true },
				{ sku: 'F', name: 'f', category: 'X', points: 1, price: 100 }
			]
		},
		{
			name: 'prices in main units with 0, 1 or 2 decimals',
			text: csv(HEADER, 'A,a,X,0,0,', 'B,b,X,1,12.5,', 'C,c,X,1,0.99,', 'D,d,X,1,"1099,90",'),
			rows: [
				{ sku: 'A', name: 'a', category: 'X', points: 0, price: 0 },
				{ sku: 'B', name: 'b', category: 'X', points: 1, price: 1250 },
				{ sku: 'C', name: 'c', category: 'X', points: 1, price: 99 },
				{ sku: 'D', name: 'd', category: 'X', points: 1, price: 109990 }
			]
		},
		{
			name: 'semicolons and decimal commas, as European spreadsheets save them',
			text: csv(
				'sku;name;category;points;price;active',
				'PH-PRO;Phone Pro 15;Phones;50;1099,00;true'
			),
			rows: [phone]
		},
		{
			name: 'BOM, CRLF, blank lines and a trailing newline',
			text:
				'\uFEFF' +
				[HEADER, '', 'PH-PRO,Phone Pro 15,Phones,50,1099,true', ',,,,,', ''].join('\r\n'),
			rows: [phone]
		},
		{
			name: 'header in any order, case and spacing',
			text: csv(' Name , SKU,Price,POINTS,category', 'Phone Pro 15,PH-PRO,1099,50,Phones'),
			rows: [{ sku: 'PH-PRO', name: 'Phone Pro 15', category: 'Phones', points: 50, price: 109900 }]
		},
		{
			name: 'quoted values with commas and quotes; cells trimmed',
			text: csv(HEADER, '"TAB-11"," Tablet 11"", Wi-Fi ",Tablets,35,699,true'),
			rows: [
				{
					sku: 'TAB-11',
					name: 'Tablet 11", Wi-Fi',
					category: 'Tablets',
					points: 35,
					price: 69900,
					active: true
				}
			]
		},
		{
			name: "a formula-escaped cell loses its ' prefix",
			text: csv(HEADER, "X1,'=Promo,'+Bundles,1,1,true"),
			rows: [
				{ sku: 'X1', name: '=Promo', category: '+Bundles', points: 1, price: 100, active: true }
			]
		}
	];
	it.each(cases)('$name', ({ text, rows }) => {
		expect(parseCatalogueCsv(text)).toEqual({ rows, errors: [] });
	});
});

describe('parseCatalogueCsv: files that import nothing', () => {
	const cases: { name: string; text: string; errors: CsvError[] }[] = [
		{
			name: 'empty file',
			text: '  \n',
			errors: [{ row: null, column: null, message: 'The file is empty' }]
		},
		{
			name: 'header only',
			text: HEADER + '\n',
			errors: [{ row: null, column: null, message: 'The file has a header but no products' }]
		},
		{
			name: 'missing required column',
			text: csv('sku,name,category,points', 'A,a,X,1'),
			errors: [{ row: 1, column: 'price', message: 'This column is missing from the header' }]
		},
		{
			name: 'unknown column (a typo)',
			text: csv('sku,name,category,pionts,price', 'A,a,X,1,1'),
			errors: [
				{
					row: 1,
					column: 'pionts',
					message: 'Unknown column; expected sku,name,category,points,price,active'
				},
				{ row: 1, column: 'points', message: 'This column is missing from the header' }
			]
		},
		{
			name: 'column twice',
			text: csv('sku,name,category,points,price,sku', 'A,a,X,1,1,A'),
			errors: [{ row: 1, column: 'sku', message: 'This column appears twice' }]
		},
		{
			name: 'points not a whole number',
			text: csv(HEADER, 'A,a,X,5.5,1,'),
			errors: [{ row: 2, column: 'points', message: 'Points must be a whole number, 0 or more' }]
		},
		{
			name: 'negative points',
			text: csv(HEADER, 'A,a,X,-1,1,'),
			errors: [{ row: 2, column: 'points', message: 'Points must be a whole number, 0 or more' }]
		},
		{
			name: 'points too large',
			text: csv(HEADER, 'A,a,X,100001,1,'),
			errors: [{ row: 2, column: 'points', message: 'Points must be 100,000 or less' }]
		},
		{
			name: 'price grouped two ways',
			text: csv(HEADER, 'A,a,X,1,"1.099,000.00",'),
			errors: [{ row: 2, column: 'price', message: 'Price must be an amount like 1099.90' }]
		},
		{
			name: 'price with three decimals',
			text: csv(HEADER, 'A,a,X,1,9.999,'),
			errors: [{ row: 2, column: 'price', message: 'Price must be an amount like 1099.90' }]
		},
		{
			name: 'price too large',
			text: csv(HEADER, 'A,a,X,1,10000000.01,'),
			errors: [{ row: 2, column: 'price', message: 'Price is too large: at most 10000000.00' }]
		},
		{
			name: 'price far too large',
			text: csv(HEADER, 'A,a,X,1,99999999999,'),
			errors: [{ row: 2, column: 'price', message: 'Price is too large: at most 10000000.00' }]
		},
		{
			name: 'price missing',
			text: csv(HEADER, 'A,a,X,1,,true'),
			errors: [{ row: 2, column: 'price', message: 'Price is required (use 0 if there is none)' }]
		},
		{
			name: 'name and category missing: each reported',
			text: csv(HEADER, 'A,,,1,1,'),
			errors: [
				{ row: 2, column: 'name', message: 'Name is required' },
				{ row: 2, column: 'category', message: 'Category is required' }
			]
		},
		{
			name: 'SKU with a space',
			text: csv(HEADER, 'PH PRO,a,X,1,1,'),
			errors: [{ row: 2, column: 'sku', message: 'SKU cannot contain spaces' }]
		},
		{
			name: 'active not a yes or no',
			text: csv(HEADER, 'A,a,X,1,1,maybe'),
			errors: [
				{ row: 2, column: 'active', message: 'Active must be true or false (or left empty)' }
			]
		},
		{
			name: 'duplicate SKU in the file',
			text: csv(HEADER, 'A,a,X,1,1,', 'B,b,X,1,1,', 'A,again,X,2,2,'),
			errors: [{ row: 4, column: 'sku', message: 'SKU A is already on row 2' }]
		},
		{
			name: 'too many values (unquoted comma)',
			text: csv(HEADER, 'A,Case, black,X,1,1,true'),
			errors: [
				{
					row: 2,
					column: null,
					message:
						'This row has 7 values but the header has 6 columns (a comma inside a name needs "quotes")'
				}
			]
		},
		{
			name: 'blank lines still count in row numbers; good rows are not imported either',
			text: csv(HEADER, 'A,a,X,1,1,', '', 'B,b,X,x,1,'),
			errors: [{ row: 4, column: 'points', message: 'Points must be a whole number, 0 or more' }]
		},
		{
			name: 'unterminated quote',
			text: csv(HEADER, 'A,"a,X,1,1,'),
			errors: [{ row: 2, column: null, message: 'A quoted value is never closed (a " is missing)' }]
		}
	];
	it.each(cases)('$name', ({ text, errors }) => {
		const result = parseCatalogueCsv(text);
		expect(result.errors).toEqual(errors);
		expect(result.rows).toEqual([]);
	});

	it(`stops at ${MAX_ROWS} products`, () => {
		const lines = Array.from({ length: MAX_ROWS + 1 }, (_, i) => `S${i},n,X,1,1,`);
		const result = parseCatalogueCsv(csv(HEADER, ...lines));
		expect(result.rows).toEqual([]);
		expect(result.errors).toEqual([
			{ row: MAX_ROWS + 2, column: null, message: `A file can hold at most ${MAX_ROWS} products` }
		]);
	});
});

describe('catalogueToCsv', () => {
	const products = [
		{ ...phone, active: true },
		{
			sku: 'TAB-11',
			name: 'Tablet 11", Wi-Fi',
			category: 'Tablets',
			points: 35,
			price: 69905,
			active: false
		},
		{ sku: 'X1', name: '=HYPERLINK("x")', category: '@home', points: 0, price: 0, active: true }
	];

	it('writes the import header, prices in main units and escapes formulas', () => {
		expect(catalogueToCsv(products).split('\r\n')).toEqual([
			HEADER,
			'PH-PRO,Phone Pro 15,Phones,50,1099.00,true',
			'TAB-11,"Tablet 11"", Wi-Fi",Tablets,35,699.05,false',
			`X1,"'=HYPERLINK(""x"")",'@home,0,0.00,true`
		]);
	});

	it('round-trips through the importer', () => {
		expect(parseCatalogueCsv(catalogueToCsv(products))).toEqual({ rows: products, errors: [] });
	});
});

describe('importing a parsed file into a season', () => {
	it('adds new SKUs, updates known ones, keeps `active` when the column is left out; one audit event', async () => {
		const db = openDatabase(':memory:');
		const theme = { primary: '#000', accent: '#fff', emoji: '🏆', tagline: '' };
		const seasonId = db
			.insert(season)
			.values({ name: 'S', theme, startsAt: 0, endsAt: 1, status: 'live' })
			.returning()
			.get().id;
		db.insert(product)
			.values([
				{
					seasonId,
					sku: 'PH-PRO',
					name: 'Phone Pro',
					category: 'Phones',
					points: 40,
					price: 100000,
					active: false
				},
				{
					seasonId,
					sku: 'CASE',
					name: 'Rugged Case',
					category: 'Accessories',
					points: 5,
					price: 3900
				}
			])
			.run();
		const { rows, errors } = parseCatalogueCsv(
			csv(
				'sku,name,category,points,price',
				'PH-PRO,Phone Pro 15,Phones,50,1099',
				'CASE,Rugged Case,Accessories,5,39',
				'NEW,New,Gadgets,1,1'
			)
		);
		expect(errors).toEqual([]);
		expect(await importCatalogue(sqliteStore(db), seasonId, rows, { userId: null })).toEqual({
			added: 1,
			updated: 2,
			unchanged: 1
		});
		expect(
			(await listCatalogue(sqliteStore(db), seasonId)).map(({ sku, name, points, active }) => ({
				sku,
				name,
				points,
				active
			}))
		).toEqual([
			{ sku: 'CASE', name: 'Rugged Case', points: 5, active: true },
			{ sku: 'NEW', name: 'New', points: 1, active: true },
			{ sku: 'PH-PRO', name: 'Phone Pro 15', points: 50, active: false }
		]);
		expect(db.select({ action: auditEvent.action }).from(auditEvent).all()).toEqual([
			{ action: 'catalogue.import' }
		]);
		db.$client.close();
	});
});
