import type { Browser, Page } from '@playwright/test';
import { expect, submitSignIn, test, waitForHydration } from './fixtures';

// The language a page speaks: the signed-out pages follow the browser's Accept-Language; a
// signed-in person's own choice (on /me) wins over it, on every page.

const PERSON = 'rep18@demo.test';

/** A fresh, signed-out browser whose Accept-Language asks for `locale` ("pl-PL"). */
async function browserIn(browser: Browser, baseURL: string | undefined, locale: string) {
	return browser.newContext({
		baseURL,
		locale,
		viewport: { width: 375, height: 800 },
		storageState: { cookies: [], origins: [] }
	});
}

async function noHorizontalScroll(page: Page) {
	const width = await page.evaluate(() => document.documentElement.scrollWidth);
	expect(width).toBeLessThanOrEqual(375);
}

test.describe('the language of a page', () => {
	for (const [locale, signIn] of [
		['pl-PL', 'Zaloguj się'],
		['ru-RU', 'Войти']
	] as const)
		test(`/login answers in the browser's language (${locale})`, async ({ browser, baseURL }) => {
			const context = await browserIn(browser, baseURL, locale);
			const page = await context.newPage();
			await page.goto('/login');
			await expect(page.locator('html')).toHaveAttribute('lang', locale.slice(0, 2));
			await expect(page.getByRole('heading', { name: signIn })).toBeVisible();
			await noHorizontalScroll(page);
			await page.screenshot({
				path: test.info().outputPath(`login-${locale}.png`),
				fullPage: true
			});
			await context.close();
		});

	test('a person who picks Polish gets /sell and the board in Polish, whatever the browser asks', async ({
		browser,
		baseURL
	}) => {
		// The browser asks for English: the person's own choice must win.
		const context = await browserIn(browser, baseURL, 'en-GB');
		const page = await context.newPage();
		await submitSignIn(page, PERSON);
		await expect(page).not.toHaveURL(/\/login/);

		await page.goto('/me');
		await waitForHydration(page);
		await expect(page.locator('html')).toHaveAttribute('lang', 'en');
		await page.getByLabel('Language').selectOption('pl');
		await page.getByRole('button', { name: 'Save' }).click();

		await expect(page).toHaveURL('/me');
		await expect(page.locator('html')).toHaveAttribute('lang', 'pl');
		await expect(page.getByRole('heading', { level: 1, name: 'Moje punkty' })).toBeVisible();
		await expect(page.getByLabel('Język')).toHaveValue('pl');
		await noHorizontalScroll(page);
		await page.screenshot({ path: test.info().outputPath('me-pl.png'), fullPage: true });

		await page.goto('/sell');
		await expect(page.locator('html')).toHaveAttribute('lang', 'pl');
		await expect(page.getByRole('heading', { name: 'Zarejestruj sprzedaż' })).toBeVisible();
		await noHorizontalScroll(page);
		await page.screenshot({ path: test.info().outputPath('sell-pl.png'), fullPage: true });

		await page.goto('/');
		await expect(page.locator('html')).toHaveAttribute('lang', 'pl');

		// Back to the browser's language: the page speaks English again.
		await page.goto('/me');
		await waitForHydration(page);
		await page.getByLabel('Język').selectOption('');
		await page.getByRole('button', { name: 'Zapisz' }).click();
		await expect(page.locator('html')).toHaveAttribute('lang', 'en');
		await expect(page.getByRole('heading', { level: 1, name: 'My points' })).toBeVisible();
		await context.close();
	});

	test('a Russian browser gets /sell and /me in Russian, without sideways scrolling at 375 px', async ({
		browser,
		baseURL
	}) => {
		const context = await browserIn(browser, baseURL, 'ru-RU');
		const page = await context.newPage();
		await page.goto('/login');
		await waitForHydration(page);
		await page.getByLabel('Эл. почта').fill(PERSON);
		await page.getByLabel('Пароль').fill('demo-password');
		await page.getByRole('button', { name: 'Войти', exact: true }).click();
		await expect(page).not.toHaveURL(/\/login/);

		for (const [path, heading] of [
			['/sell', 'Регистрация продажи'],
			['/me', 'Мои баллы']
		] as const) {
			await page.goto(path);
			await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
			await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
			await noHorizontalScroll(page);
			await page.screenshot({
				path: test.info().outputPath(`${path.slice(1)}-ru.png`),
				fullPage: true
			});
		}
		await context.close();
	});
});
