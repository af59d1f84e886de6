// The TV in other languages: a TV speaks the language chosen when its display was created,
// whatever its browser asks for. (The dashboard in Russian and Polish: dashboard.spec.ts.)
// TVDASH_SHOTS=1 also writes screenshots to /tmp/tvdash-shots for a person to look at.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';
import { expect, PAGE_READY, test, waitForHydration } from './fixtures';

const SHOTS = process.env.TVDASH_SHOTS ? '/tmp/tvdash-shots' : null;
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

async function shot(page: Page, name: string) {
	if (!SHOTS) return;
	await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
	// A long page also in screen-high slices, readable one at a time.
	const { width, height } = page.viewportSize()!;
	const full = await page.evaluate(() => document.documentElement.scrollHeight);
	if (full <= height) return;
	for (let y = 0, n = 0; y < full; y += height, n++)
		await page.screenshot({
			path: `${SHOTS}/${name}-${n}.png`,
			fullPage: true,
			clip: { x: 0, y, width, height: Math.min(height, full - y) }
		});
}

/** Creates a display in the console in `language` (its name in the select) and returns its link. */
async function createDisplay(page: Page, name: string, language: string): Promise<string> {
	await page.goto('/manage/displays');
	await waitForHydration(page);
	await page.getByLabel('Screen name').fill(name);
	await page.getByLabel('Language', { exact: true }).selectOption({ label: language });
	await page.getByRole('button', { name: 'Create display' }).click();
	const link = page.getByLabel('Display link');
	await expect(link).toBeVisible({ timeout: PAGE_READY });
	return new URL(await link.inputValue()).pathname;
}

/** Opens a TV link in a browser that asks for `locale` and waits for its socket. */
async function openTv(browser: Browser, baseURL: string, path: string, locale: string) {
	const context = await browser.newContext({
		baseURL,
		locale,
		viewport: { width: 1920, height: 1080 }
	});
	const tv = await context.newPage();
	await tv.goto(`${path}?rotate=0&view=teams`);
	return tv;
}

test.describe('a manager', () => {
	test.use({ account: 'manager@demo.test' });

	test('creates a Polish TV: it speaks Polish to an English browser', async ({
		page,
		browser,
		baseURL
	}) => {
		test.setTimeout(120_000);
		const name = `Hala ${Date.now().toString(36)}`;
		const path = await createDisplay(page, name, 'Polski');
		// The list says which language each screen speaks.
		await expect(page.getByRole('row', { name: new RegExp(name) })).toContainText('Polski');

		const tv = await openTv(browser, baseURL!, path, 'en-US');
		await expect(tv.locator('html')).toHaveAttribute('lang', 'pl');
		await expect(tv.getByRole('heading', { name: 'Wyścig drużyn' })).toBeVisible({
			timeout: PAGE_READY
		});
		await expect(tv.getByRole('timer')).toContainText(/Koniec za|Start za|Sezon zakończony/);
		await expect(tv.getByText('Team race')).toHaveCount(0);
		await shot(tv, 'tv-pl-teams');
		await tv.goto(`${path}?rotate=0&view=podium`);
		await expect(tv.getByRole('heading', { name: 'Podium' })).toBeVisible({ timeout: PAGE_READY });
		await shot(tv, 'tv-pl-podium');
		await tv.goto(`${path}?rotate=0&view=feed`);
		await expect(tv.getByRole('heading', { name: 'Ostatnie odznaki' })).toBeVisible({
			timeout: PAGE_READY
		});
		await shot(tv, 'tv-pl-feed');
		await tv.context().close();
	});

	test('creates a Russian TV, shown in Russian', async ({ page, browser, baseURL, sessions }) => {
		test.setTimeout(150_000);
		const name = `Зал ${Date.now().toString(36)}`;
		const path = await createDisplay(page, name, 'Русский');

		// The console itself, read in Russian on a phone.
		const storageState = await sessions.stateFor('manager@demo.test');
		const phone = await browser.newContext({
			baseURL,
			storageState,
			locale: 'ru-RU',
			viewport: { width: 375, height: 800 }
		});
		const console = await phone.newPage();
		await console.goto('/manage/displays');
		await expect(console.getByRole('heading', { level: 1, name: 'ТВ-экраны' })).toBeVisible();
		await expect(console.getByRole('row', { name: new RegExp(name) })).toContainText('Русский');
		const overflow = await console.evaluate(
			() => document.documentElement.scrollWidth - window.innerWidth
		);
		expect(overflow, 'horizontal overflow at 375 px in ru').toBeLessThanOrEqual(0);
		await shot(console, 'displays-ru-375');
		await phone.close();

		const tv = await openTv(browser, baseURL!, path, 'pl-PL');
		await expect(tv.locator('html')).toHaveAttribute('lang', 'ru');
		await expect(tv.getByRole('heading', { name: 'Гонка команд' })).toBeVisible({
			timeout: PAGE_READY
		});
		await shot(tv, 'tv-ru-teams');
		for (const view of ['podium', 'ranking', 'feed']) {
			await tv.goto(`${path}?rotate=0&view=${view}`);
			await expect(tv.getByRole('heading', { level: 2 })).toBeVisible({ timeout: PAGE_READY });
			await shot(tv, `tv-ru-${view}`);
		}
		await tv.context().close();
	});
});
