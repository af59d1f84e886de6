// Bulk sales import, exports and webhooks from the contest console.
import { expect, openBoard, readStanding, test, waitForHydration } from './fixtures';

const SELLER = 'rep17@demo.test';

/** A CRM export with its own header names: two good sales (three lines) and one bad line. */
function crmFile() {
	const at = new Date(Date.now() - 60 * 60 * 1000).toISOString();
	const text = [
		'Order,Email,When,Item,Qty,Price',
		`E2E-1,${SELLER},${at},PH-PRO,1,1099.00`,
		`E2E-1,${SELLER},${at},CASE,1,39.00`,
		`E2E-2,${SELLER},${at},EAR-BUD,2,129.00`,
		`E2E-3,${SELLER},${at},NOPE,1,10.00`
	].join('\n');
	return { name: 'crm-export.csv', mimeType: 'text/csv', buffer: Buffer.from(text) };
}

const total = (page: import('@playwright/test').Page, label: string) =>
	page
		.locator('dl div')
		.filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
		.locator('dd');

test.describe('bulk sales import', () => {
	test.use({ viewport: { width: 1366, height: 900 } });

	test('maps columns, dry-runs, imports with progress and counts a re-upload as duplicates', async ({
		openAs
	}) => {
		// Note: both people through openAs: a test-level account would leak its cookies into the
		// context that signs the seller in.
		const page = await openAs('manager@demo.test');
		const seller = await openAs(SELLER);
		await openBoard(seller);
		const before = await readStanding(seller);
		// One export, uploaded twice: a re-export of the same orders carries the same times (an
		// order id sent again with another time is a different sale, refused as a conflict).
		const file = crmFile();

		await page.goto('/manage/import');
		await waitForHydration(page);
		await page.getByLabel('CSV file (up to 50 MB)').setInputFiles(file);

		// Matching header names are chosen for the user; one is chosen by hand.
		await expect(page.getByLabel('externalId', { exact: true })).toHaveValue('Order');
		await expect(page.getByLabel('sellerEmail', { exact: true })).toHaveValue('Email');
		await expect(page.getByLabel('occurredAt', { exact: true })).toHaveValue('When');
		await expect(page.getByLabel('sku', { exact: true })).toHaveValue('Item');
		await expect(page.getByLabel('unitPrice', { exact: true })).toHaveValue('Price');
		await page.getByLabel('quantity', { exact: true }).selectOption('Qty');

		await page.getByRole('button', { name: 'Check file (dry run)' }).click();
		await expect(page.getByRole('heading', { name: 'Dry run: nothing was changed' })).toBeVisible();
		await expect(total(page, 'Rows')).toHaveText('4');
		await expect(total(page, 'Rejected')).toHaveText('1');
		await expect(total(page, 'New sales')).toHaveText('2');
		const points = Number((await total(page, 'Points').textContent())!.replaceAll(',', ''));
		expect(points).toBeGreaterThan(0);

		const rows = page.getByRole('table', { name: /row by row/ }).locator('tbody tr');
		await expect(rows).toHaveCount(4);
		await expect(rows.nth(0)).toContainText('E2E-1');
		await expect(rows.nth(0)).toContainText('New');
		expect(parseInt((await rows.nth(0).locator('td').nth(3).textContent())!, 10)).toBeGreaterThan(
			0
		);
		await expect(rows.nth(3)).toContainText('Rejected');
		await expect(rows.nth(3)).toContainText('Item:');
		await expect(rows.nth(3)).toContainText('NOPE');
		await expect(page.getByRole('link', { name: /Download 1 error as CSV/ })).toBeVisible();

		await page.screenshot({ path: '/tmp/data-import-1366.png', fullPage: true });
		await page.setViewportSize({ width: 375, height: 812 });
		await page.screenshot({ path: '/tmp/data-import-375.png', fullPage: true });
		await page.setViewportSize({ width: 1366, height: 900 });

		await page.getByRole('button', { name: 'Import 2 sales' }).click();
		await expect(page.getByRole('heading', { name: 'Import finished' })).toBeVisible();
		const progress = page.getByRole('progressbar', { name: 'Import progress' });
		await expect(progress).toHaveAttribute('value', '4');
		await expect(progress).toHaveAttribute('max', '4');
		await expect(page.getByText('4 of 4 rows')).toBeVisible();
		await expect(total(page, 'Points')).toHaveText(points.toLocaleString('en'));

		// The seller's standing has the imported points.
		await expect.poll(async () => (await readStanding(seller)).total).toBe(before.total + points);

		// The same file again: everything is a duplicate, nothing to import.
		await page.getByLabel('CSV file (up to 50 MB)').setInputFiles(file);
		await page.getByRole('button', { name: 'Check file (dry run)' }).click();
		await expect(page.getByRole('heading', { name: 'Dry run: nothing was changed' })).toBeVisible();
		await expect(total(page, 'New sales')).toHaveText('0');
		await expect(total(page, 'Duplicate sales')).toHaveText('2');
		await expect(total(page, 'Points')).toHaveText('0');
		await expect(page.getByText('Nothing new to import')).toBeVisible();
		await expect(page.getByRole('button', { name: /^Import \d/ })).toHaveCount(0);
	});

	test('refuses a file whose required column is not mapped', async ({ openAs }) => {
		const page = await openAs('manager@demo.test');
		await page.goto('/manage/import');
		await waitForHydration(page);
		await page.getByLabel('CSV file (up to 50 MB)').setInputFiles(crmFile());
		await page.getByLabel('sku', { exact: true }).selectOption('');
		await page.getByRole('button', { name: 'Check file (dry run)' }).click();
		await expect(page.getByRole('alert')).toContainText('Choose the column that holds sku');
	});
});

test.describe('webhooks', () => {
	test.describe('as an admin', () => {
		test.use({ account: 'admin@demo.test', viewport: { width: 1366, height: 900 } });

		test('registers a webhook and sees its secret once', async ({ page }) => {
			await page.goto('/manage/webhooks');
			await waitForHydration(page);
			await page.getByLabel('Receiver URL').fill('https://hooks.example.test/honorboard');
			await page.getByRole('checkbox', { name: /badge\.awarded/ }).uncheck();
			await page.getByRole('button', { name: 'Add webhook' }).click();

			await expect(
				page.getByRole('heading', { name: /copy its signing secret now/ })
			).toBeVisible();
			await expect(page.getByRole('textbox', { name: 'Signing secret' })).toHaveValue(
				/^whsec_[A-Za-z0-9+/]{43}=$/
			);
			// Other specs may have registered their own webhooks: read this one's entry.
			const hooks = page
				.getByRole('region', { name: 'Registered webhooks' })
				.getByRole('listitem')
				.filter({ hasText: 'https://hooks.example.test/honorboard' });
			await expect(hooks).toContainText('sale.confirmed');
			await expect(hooks).not.toContainText('badge.awarded');

			await page
				.getByRole('button', { name: 'Send test to https://hooks.example.test/honorboard' })
				.click();
			await expect(page.getByRole('region', { name: /Delivery log/ })).toContainText(
				'webhook.test'
			);
			await page.screenshot({ path: '/tmp/data-webhooks-1366.png', fullPage: true });
		});
	});

	test.describe('as a manager', () => {
		test.use({ account: 'manager@demo.test' });

		test('gets a 403 with the reason', async ({ page }) => {
			const response = await page.goto('/manage/webhooks');
			expect(response?.status()).toBe(403);
			await expect(page.getByText('Webhooks are managed by admins')).toBeVisible();
		});

		test('finds the exports and downloads the ranking', async ({ page }) => {
			await page.setViewportSize({ width: 375, height: 812 });
			await page.goto('/manage/exports');
			await waitForHydration(page);
			await page.screenshot({ path: '/tmp/data-exports-375.png', fullPage: true });
			const download = page.waitForEvent('download');
			await page.getByRole('link', { name: 'Download Ranking CSV' }).click();
			const file = await download;
			expect(file.suggestedFilename()).toMatch(/-ranking\.csv$/);
		});
	});
});
