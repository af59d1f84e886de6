import type { Page } from '@playwright/test';
import { expect, PAGE_READY, readSaleResult, test, waitForHydration } from './fixtures';
import { browserLocale, say, type Locale } from './messages';

/** A check in `locale`: its name says which (English keeps the name it had). */
const named = (name: string, locale: Locale) => (locale === 'en' ? name : `${name} [${locale}]`);

/** Whether a canvas has been sized and has at least one painted pixel. */
async function drawn(page: Page, index: number) {
	return page
		.locator('canvas')
		.nth(index)
		.evaluate((node) => {
			const canvas = node as HTMLCanvasElement;
			if (canvas.width === 0 || canvas.height === 0) return false;
			const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
			for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
			return false;
		});
}

test.describe('an executive', () => {
	test.use({ account: 'executive@demo.test' });

	test('sees the key figures and the charts drawn', async ({ page }) => {
		const response = await page.goto('/dashboard');
		expect(response?.status()).toBe(200);
		await expect(
			page.getByRole('heading', { level: 1, name: 'Executive dashboard' })
		).toBeVisible();
		const kpis = page.getByRole('region', { name: 'Key figures' });
		for (const name of ['Points', 'Confirmed revenue', 'Sales', 'Of target', 'Days left']) {
			await expect(kpis.getByText(name, { exact: true })).toBeVisible();
		}
		await expect(page.getByRole('img', { name: /cumulative points per team/ })).toBeVisible();
		await expect(page.locator('canvas')).toHaveCount(2);
		for (const index of [0, 1]) {
			await expect
				.poll(
					() =>
						page
							.locator('canvas')
							.nth(index)
							.evaluate((c) => (c as HTMLCanvasElement).width),
					{ timeout: PAGE_READY }
				)
				.toBeGreaterThan(0);
			await expect.poll(() => drawn(page, index), { timeout: PAGE_READY }).toBe(true);
		}
		await page.getByText('Show data').first().click();
		await expect(page.getByRole('table').first()).toBeVisible();
	});

	test('filters by team and period through the URL', async ({ page }) => {
		await page.goto('/dashboard');
		await waitForHydration(page);
		await page.getByLabel('Period', { exact: true }).selectOption('7d');
		await expect(page).toHaveURL(/period=7d/);
		const team = page.getByLabel('Team', { exact: true });
		const firstTeam = (await team.locator('option').nth(1).textContent())!.trim();
		await team.selectOption({ label: firstTeam });
		await expect(page).toHaveURL(/team=\d+/);
		await expect(page.getByRole('img', { name: /cumulative points per team/ })).toBeVisible();
		const csv = await page.request.get(`/dashboard/data.csv${new URL(page.url()).search}`);
		expect(csv.status()).toBe(200);
		expect(await csv.text()).toMatch(/^section,date,team,metric,value/);
	});
});

// On a phone and a laptop, in English and in the languages that make text longest: nothing wider
// than the screen, the charts drawn, the headings and key figures in the reader's language.
for (const locale of ['en', 'ru', 'pl'] as const)
	test.describe(() => {
		test.use({ account: 'executive@demo.test', locale: browserLocale(locale) });

		test(named('looks right on a phone and a laptop', locale), async ({ page }) => {
			for (const width of locale === 'en' ? [375, 1366] : [375, 1440]) {
				await page.setViewportSize({ width, height: 800 });
				await page.goto('/dashboard');
				await expect(page.locator('html')).toHaveAttribute('lang', locale);
				await expect(
					page.getByRole('heading', {
						level: 1,
						name: say(locale, 'dash_heading', 'Executive dashboard')
					})
				).toBeVisible();
				await expect(
					page
						.getByRole('region', { name: say(locale, 'dash_key_figures', 'Key figures') })
						.getByText(say(locale, 'dash_kpi_points', 'Points'), { exact: true })
				).toBeVisible();
				await expect.poll(() => drawn(page, 1), { timeout: PAGE_READY }).toBe(true);
				const overflow = await page.evaluate(
					() => document.documentElement.scrollWidth - window.innerWidth
				);
				expect(overflow, `horizontal overflow at ${width} px in ${locale}`).toBeLessThanOrEqual(0);
				const name = locale === 'en' ? `dash-${width}` : `dash-${locale}-${width}`;
				await page.screenshot({ path: `/tmp/${name}.png`, fullPage: true });
				if (process.env.DASH_SHOTS) {
					const height = await page.evaluate(() => document.documentElement.scrollHeight);
					for (let y = 0, n = 0; y < height; y += 760, n++) {
						await page.screenshot({
							path: `/tmp/${name}-${n}.png`,
							fullPage: true,
							clip: { x: 0, y, width, height: Math.min(760, height - y) }
						});
					}
				}
			}
		});
	});

test('the dashboard refreshes its figures when a sale is registered', async ({ openAs }) => {
	// Both people in their own context: `account` would sign every new context in as one of them.
	const page = await openAs('executive@demo.test');
	await page.goto('/dashboard');
	await expect(page.getByText('Live', { exact: true })).toBeVisible({ timeout: PAGE_READY });
	const sales = page.getByRole('group', { name: 'Sales' }).locator('b');
	const before = Number((await sales.textContent())!.replace(/,/g, ''));

	const rep = await openAs('rep7@demo.test');
	await rep.goto('/sell');
	await waitForHydration(rep);
	await rep.getByRole('button', { name: 'One more Earbuds' }).click();
	await rep.getByRole('button', { name: 'Register sale' }).click();
	await readSaleResult(rep);

	await expect(sales).toHaveText((before + 1).toLocaleString('en'), { timeout: PAGE_READY });
});

test.describe('a participant', () => {
	test.use({ account: 'rep1@demo.test' });

	test('is refused the dashboard and its export', async ({ page }) => {
		const response = await page.goto('/dashboard');
		expect(response?.status()).toBe(403);
		await expect(
			page.getByText('The dashboard is for executives and contest managers.')
		).toBeVisible();
		const csv = await page.request.get('/dashboard/data.csv');
		expect(csv.status()).toBe(403);
	});
});
