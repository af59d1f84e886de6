// The exports page's choice of spreadsheet conventions: today's format, or Excel's in European
// locales (BOM, ";", decimal commas, the season's local times).
import { readFile } from 'node:fs/promises';
import { expect, test, waitForHydration } from './fixtures';

test.describe('exports in spreadsheet conventions', () => {
	test.use({ account: 'manager@demo.test' });

	for (const width of [375, 1440]) {
		test(`offers Excel, European, and the download follows the choice (${width} px)`, async ({
			page
		}) => {
			await page.setViewportSize({ width, height: 900 });
			await page.goto('/manage/exports');
			await waitForHydration(page);
			const group = page.getByRole('group', { name: 'Spreadsheet format' });
			const standard = group.getByRole('radio', { name: /Standard/ });
			const european = group.getByRole('radio', { name: /Excel, European/ });
			await expect(standard).toBeChecked();
			const sales = page.getByRole('link', { name: 'Download Sales with breakdowns CSV' });
			await expect(sales).not.toHaveAttribute('href', /format=/);

			await european.check();
			await expect(european).toBeChecked();
			await expect(sales).toHaveAttribute('href', /[?&]format=excel-eu(&|$)/);
			await expect(page.getByRole('link', { name: 'Download Ranking CSV' })).toHaveAttribute(
				'href',
				/format=excel-eu/
			);
			await page.screenshot({ path: `/tmp/shots-dash/exports-${width}.png`, fullPage: true });

			const download = page.waitForEvent('download');
			await sales.click();
			const file = await download;
			expect(file.suggestedFilename()).toMatch(/-sales\.csv$/);
			const bytes = await readFile((await file.path())!);
			expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
			const text = bytes.subarray(3).toString('utf8');
			expect(text.split('\r\n')[0]).toBe(
				'externalId;source;seller;sellerEmail;team;occurredAt;sku;product;quantity;unitPrice;status;linePoints;salePoints;breakdown;currency'
			);
			// The second line's time is local wall-clock time, its price has a decimal comma.
			expect(text.split('\r\n')[1]).toMatch(/;\d{4}-\d\d-\d\d \d\d:\d\d:\d\d;.*;\d+,\d\d;/);

			// A reload keeps the choice (it is in the URL once the season picker submits).
			await page.goto('/manage/exports?format=excel-eu');
			await waitForHydration(page);
			await expect(
				page.getByRole('group', { name: 'Spreadsheet format' }).getByRole('radio', {
					name: /Excel, European/
				})
			).toBeChecked();
		});
	}
});
