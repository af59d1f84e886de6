// Real exports through the console's import page, unedited: Salesforce, HubSpot, Pipedrive, a
// European Excel, Polish Windows-1250 and French Windows-1252 files map themselves, check and
// import; a saved mapping maps the next upload of the same export; the page at phone and desk
// widths.
import { mkdirSync } from 'node:fs';
import { expect, test, waitForHydration, repEmail } from './fixtures';
import { withDb } from './database';
import {
	FIXTURE_SALES,
	IMPORT_FIXTURES,
	SPECIAL_SKUS,
	fillFixture,
	fixtureDay,
	type FixtureDay,
	type ImportFixture
} from '../helpers/import-fixtures';

const SELLERS = ['Nils Eriksson', 'Olga Petrova'];
const SHOTS = '/tmp/shots-imports';
mkdirSync(SHOTS, { recursive: true });

/** The demo's live season, its products for the code-page files, and employee numbers. */
function prepare() {
	return withDb(async (db) => {
		const season = (await db.one<{ id: number; timeZone: string; startsAt: number }>(
			`select id, time_zone as "timeZone", starts_at as "startsAt" from season where status = 'live' order by id limit 1`
		))!;
		for (const sku of SPECIAL_SKUS)
			await db.run(
				`insert into product (season_id, sku, name, category, points, price) values (?, ?, ?, 'Gifts', 3, 1000)
				on conflict do nothing`,
				season.id,
				sku,
				sku
			);
		const ids: number[] = [];
		for (const name of SELLERS)
			ids.push(await db.value('select id from "user" where email = ?', repEmail(name)));
		// The second seller's number is set here; the first's through the person page.
		await db.run('update "user" set employee_number = ? where id = ?', 'E2E-02', ids[1]);
		return { season, ids };
	});
}

function file(name: ImportFixture, day: FixtureDay) {
	return {
		name,
		mimeType: 'text/csv',
		buffer: fillFixture(name, {
			emails: SELLERS.map(repEmail),
			names: SELLERS,
			numbers: ['E2E-01', 'E2E-02'],
			skus: { phone: 'PH-PRO', case: 'CASE' },
			day
		})
	};
}

const total = (page: import('@playwright/test').Page, label: string) =>
	page
		.locator('dl div')
		.filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
		.locator('dd');

// The order each file writes its day and month in, chosen on the page when the season has had
// no day above 12 yet (the file alone would not show it).
const ORDER: Partial<Record<ImportFixture, string>> = {
	'salesforce-us.csv': 'MDY',
	'excel-eu.csv': 'DMY',
	'windows-1250-pl.csv': 'DMY',
	'windows-1252-fr.csv': 'DMY'
};

test.describe('imports of real exports', () => {
	test.use({ viewport: { width: 1440, height: 1000 } });

	test('every export maps itself, checks clean and imports; a saved mapping maps the next upload', async ({
		openAs
	}) => {
		test.setTimeout(240_000);
		const { season, ids } = await prepare();
		const found = fixtureDay(season.timeZone, season.startsAt);
		// No day above 12 in the season yet: use the season's first day and choose the order.
		const day = found ?? {
			...(() => {
				const d = new Date(season.startsAt + 12 * 3_600_000);
				return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
			})(),
			timeZone: season.timeZone
		};
		const page = await openAs('manager@demo.test');

		// The first seller's employee number, through their person page.
		await page.goto(`/manage/people/${ids[0]}`);
		await waitForHydration(page);
		await page.getByRole('textbox', { name: 'Employee number' }).fill('e2e-01');
		await page.getByRole('button', { name: 'Save the number' }).click();
		await expect(page.getByRole('textbox', { name: 'Employee number' })).toHaveValue('E2E-01');

		await page.goto('/manage/import');
		await waitForHydration(page);
		for (const name of IMPORT_FIXTURES) {
			await page.getByLabel('CSV file (up to 50 MB)').setInputFiles(file(name, day));
			for (const field of [
				'externalId',
				'sellerEmail',
				'occurredAt',
				'sku',
				'quantity',
				'unitPrice'
			])
				await expect(page.getByLabel(field, { exact: true }), `${name}: ${field}`).not.toHaveValue(
					''
				);
			if (name.includes('1250'))
				await expect(page.getByText('Detected: Windows-1250')).toBeVisible();
			if (name.includes('1252'))
				await expect(page.getByText('Detected: Windows-1252')).toBeVisible();
			if (!found && ORDER[name]) await page.getByLabel('Date order').selectOption(ORDER[name]!);
			if (name === 'salesforce-us.csv')
				await page.getByLabel('Remember this mapping as').fill('Salesforce opportunities');
			await page.getByRole('button', { name: 'Check file (dry run)' }).click();
			await expect(
				page.getByRole('heading', { name: 'Dry run: nothing was changed' })
			).toBeVisible();
			const sales = FIXTURE_SALES[name];
			const rows = sales.reduce((n, s) => n + s.lines.length, 0);
			await expect(total(page, 'Rows'), name).toHaveText(String(rows));
			await expect(total(page, 'Rejected'), name).toHaveText('0');
			await expect(total(page, 'New sales'), name).toHaveText(String(sales.length));
			if (name === 'salesforce-us.csv') {
				await expect(page.getByText("the report's footer (4 lines) is not rows")).toBeVisible();
				await page.screenshot({ path: `${SHOTS}/import-1440.png`, fullPage: true });
			}
			await page.getByRole('button', { name: `Import ${sales.length} sales` }).click();
			await expect(page.getByRole('heading', { name: 'Import finished' })).toBeVisible({
				timeout: 30_000
			});
			await expect(total(page, 'New sales'), name).toHaveText(String(sales.length));
		}

		// The same Salesforce export again: mapped by the saved mapping, every sale a duplicate.
		await page.reload();
		await waitForHydration(page);
		await expect(page.getByText('Salesforce opportunities')).toBeVisible();
		await page.getByLabel('CSV file (up to 50 MB)').setInputFiles(file('salesforce-us.csv', day));
		await expect(
			page.getByText('Mapped with your saved mapping “Salesforce opportunities”')
		).toBeVisible();
		await expect(page.getByLabel('unitPrice', { exact: true })).toHaveValue('Sales Price');
		await page.getByRole('button', { name: 'Check file (dry run)' }).click();
		await expect(total(page, 'Duplicate sales')).toHaveText('2');
	});

	test('an ambiguous file is reported until the date order is chosen; the page at 375 px', async ({
		openAs
	}) => {
		mkdirSync(SHOTS, { recursive: true });
		const page = await openAs('manager@demo.test');
		await page.setViewportSize({ width: 375, height: 800 });
		await page.goto('/manage/import');
		await waitForHydration(page);
		const year = new Date().getFullYear();
		const csv = [
			'Order;E-mail;Datum;SKU;Aantal;Prijs',
			`AMB-1;${repEmail('Nils Eriksson')};03.04.${year};CASE;1;39,00`
		].join('\n');
		await page
			.getByLabel('CSV file (up to 50 MB)')
			.setInputFiles({ name: 'ambiguous.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
		await page.getByRole('button', { name: 'Check file (dry run)' }).click();
		await expect(
			page.getByRole('alert').filter({ hasText: 'choose the date order' }).first()
		).toBeVisible();
		await page.screenshot({ path: `${SHOTS}/import-375-ambiguous.png`, fullPage: true });
		await page.getByLabel('Date order').selectOption('DMY');
		await page.getByRole('button', { name: 'Check file (dry run)' }).click();
		await expect(page.getByRole('heading', { name: 'Dry run: nothing was changed' })).toBeVisible();
		await expect(page.getByText('Dates: day/month/year')).toBeVisible();
		await expect(page.getByText('Decimal mark: comma')).toBeVisible();
		await page.screenshot({ path: `${SHOTS}/import-375.png`, fullPage: true });
	});
});
