import { withDb } from './database';
import { E2E_URL } from './env';
import { expect, openBoard, readSaleResult, readStanding, test } from './fixtures';

test.describe('registering a sale on a phone', () => {
	test.use({
		account: 'rep5@demo.test',
		viewport: { width: 375, height: 812 },
		hasTouch: true,
		isMobile: true
	});

	test('tapping products and "Register sale" shows the points and the new rank', async ({
		page
	}) => {
		await openBoard(page);
		const before = await readStanding(page);

		await page.getByRole('link', { name: 'Register sale' }).tap();
		await expect(page.getByRole('heading', { name: 'Register a sale' })).toBeVisible();
		await expect(page).toHaveURL('/sell');

		const more = page.getByRole('button', { name: 'One more Phone Pro 15' });
		await more.tap();
		await expect(page.getByRole('spinbutton', { name: /^Phone Pro 15\b/ })).toHaveValue('1');
		await more.tap();
		await page.getByRole('button', { name: 'One more Earbuds' }).tap();
		await expect(page.getByRole('spinbutton', { name: /^Phone Pro 15\b/ })).toHaveValue('2');
		await expect(page.getByRole('spinbutton', { name: /^Earbuds\b/ })).toHaveValue('1');
		await expect(page.getByText('3 items')).toBeVisible();

		await page.getByRole('button', { name: 'Register sale' }).tap();

		const sale = await readSaleResult(page);
		expect(sale.points).toBeGreaterThan(0);
		await expect(page.getByText(`+${sale.points} points`, { exact: true })).toBeVisible();
		await expect(page.getByText(`You're now #${sale.rank}`)).toBeVisible();
		expect(sale.total).toBe(before.total + sale.points);
		expect(sale.rank).toBeLessThanOrEqual(before.rank);
		// The form is ready for the next sale.
		await expect(page.getByRole('spinbutton', { name: /^Phone Pro 15\b/ })).toHaveValue('');
		await expect(page.getByRole('button', { name: 'Register sale' })).toBeDisabled();

		await page.getByRole('link', { name: 'See the board →' }).tap();
		await expect(page).toHaveURL('/');
		const region = page.getByRole('region', { name: 'Your standing' });
		await expect(region).toContainText(`#${sale.rank}`);
		expect(await readStanding(page)).toEqual({ rank: sale.rank, total: sale.total });
	});
});

test.describe('double submit safety', () => {
	test.use({ account: 'rep11@demo.test' });

	test('posting the same sell form again counts the sale once', async ({ page }) => {
		await openBoard(page);
		const before = await readStanding(page);
		await page.getByRole('link', { name: 'Register sale' }).click();
		await page.getByRole('button', { name: 'One more Tablet 11"' }).click();
		await expect(page.getByRole('spinbutton', { name: /^Tablet 11"/ })).toHaveValue('1');
		await page.getByLabel('Customer reference').fill('e2e double submit');
		// The hidden idempotency key of this filled-in form (no role or label to find it by).
		const requestId = await page.locator('input[type="hidden"][name="requestId"]').inputValue();
		expect(requestId).not.toBe('');

		// A double click, the way an impatient thumb does it (the button disables itself while the
		// first post is on its way, so the server usually sees one post here; the replays below
		// are what test the server).
		await page.getByRole('button', { name: 'Register sale' }).dblclick();
		const sale = await readSaleResult(page);
		expect(sale.total).toBe(before.total + sale.points);

		// The browser retries the very same post (say, after a dropped connection), twice at once.
		const form = { requestId, 'qty_TAB-11': '1', customerRef: 'e2e double submit' };
		const replays = await Promise.all(
			[1, 2].map(() =>
				page.request.post('/sell', { form, headers: { origin: E2E_URL, accept: 'text/html' } })
			)
		);
		for (const replay of replays) {
			expect(replay.status()).toBe(200);
			const html = await replay.text();
			expect(html).toContain('This sale was already registered; nothing was counted twice.');
			expect(html).toContain(`+${sale.points} points`);
		}

		await openBoard(page);
		expect(await readStanding(page)).toEqual({ rank: sale.rank, total: sale.total });

		const count = await withDb((db) =>
			db.value(
				"SELECT count(*) AS count FROM sale WHERE source = 'web' AND external_id LIKE ?",
				`%:${requestId}`
			)
		);
		expect(count).toBe(1);
	});
});
