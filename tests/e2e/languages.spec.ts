// The app speaks the browser's language: for each of the six, a rep and an executive sign in with
// the browser set to it and find the board, /sell and the dashboard in it (<html lang>, the
// headings in that language), nothing wider than a 375 px phone.
import type { Page } from '@playwright/test';
import { expect, PAGE_READY, submitSignIn, test, waitForHydration } from './fixtures';
import { ACCOUNTS } from './pages';
import { browserLocale, say, type Locale } from './messages';
import { LOCALES } from '../../src/lib/i18n/locales';

const PHONE = { width: 375, height: 740 };

/** Opens `path` and checks it is in `locale`, shows `heading` and fits the phone. */
async function expectPage(page: Page, locale: Locale, path: string, heading: string) {
	const response = await page.goto(path);
	expect(response?.status(), path).toBe(200);
	await waitForHydration(page);
	await expect(page.locator('html')).toHaveAttribute('lang', locale);
	await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible({
		timeout: PAGE_READY
	});
	const { scrollWidth, width } = await page.evaluate(() => ({
		scrollWidth: document.documentElement.scrollWidth,
		width: window.innerWidth
	}));
	expect(scrollWidth, `${path} in ${locale} is wider than the phone`).toBeLessThanOrEqual(width);
}

/** Signs in through the form, in `locale`, in a fresh browser context set to it. */
async function signedIn(
	browser: import('@playwright/test').Browser,
	baseURL: string | undefined,
	locale: Locale,
	email: string
) {
	const context = await browser.newContext({
		baseURL,
		locale: browserLocale(locale),
		viewport: PHONE,
		storageState: { cookies: [], origins: [] }
	});
	const page = await context.newPage();
	await submitSignIn(page, email, undefined, locale);
	await expect(page).not.toHaveURL(/\/login/, { timeout: PAGE_READY });
	return { page, context };
}

for (const locale of LOCALES) {
	test(`signed in with the browser in ${locale}: the board, /sell and the dashboard speak it`, async ({
		browser,
		baseURL
	}) => {
		const rep = await signedIn(browser, baseURL, locale, ACCOUNTS.rep);
		try {
			await expectPage(rep.page, locale, '/', say(locale, 'board_honor_board', 'Honor board'));
			await expectPage(rep.page, locale, '/sell', say(locale, 'sell_title', 'Register a sale'));
		} finally {
			await rep.context.close();
		}

		const executive = await signedIn(browser, baseURL, locale, ACCOUNTS.executive);
		try {
			await expectPage(
				executive.page,
				locale,
				'/dashboard',
				say(locale, 'dash_heading', 'Executive dashboard')
			);
		} finally {
			await executive.context.close();
		}
	});
}

test('the sign-in page follows the browser, and a language we do not speak gets the default', async ({
	browser,
	baseURL
}) => {
	for (const [asked, answered] of [
		['pl-PL', 'pl'],
		['de-DE', 'en']
	] as const) {
		const context = await browser.newContext({
			baseURL,
			locale: asked,
			storageState: { cookies: [], origins: [] }
		});
		try {
			const page = await context.newPage();
			await page.goto('/login');
			await expect(page.locator('html')).toHaveAttribute('lang', answered);
			await expect(
				page.getByRole('button', { name: say(answered, 'auth_sign_in', 'Sign in'), exact: true })
			).toBeVisible();
		} finally {
			await context.close();
		}
	}
});
