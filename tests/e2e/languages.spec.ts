// The app speaks the browser's language: for each of the six, a rep signs in through the form with
// the browser set to it and finds the sign-in page, the board, /sell and /me in it, an executive
// the dashboard (<html lang>, the headings, the board's navigation and standing in that language),
// nothing wider than a 375 px phone. A person's own choice (on /me) wins over the browser's.
// The tests in ru, pl and nl leave full-page screenshots in test-results/ to look at.
import type { Browser, Page } from '@playwright/test';
import { expect, PAGE_READY, submitSignIn, test, waitForHydration } from './fixtures';
import { ACCOUNTS } from './pages';
import { browserLocale, forms, say, t, type Locale } from './messages';
import { LOCALES } from '../../src/lib/i18n/locales';

const PHONE = { width: 375, height: 740 };
const WIDE = { width: 1440, height: 900 };

async function expectFits(page: Page, what: string) {
	const { scrollWidth, width } = await page.evaluate(() => ({
		scrollWidth: document.documentElement.scrollWidth,
		width: window.innerWidth
	}));
	expect(scrollWidth, `${what} is wider than ${width}px`).toBeLessThanOrEqual(width);
}

/** The languages whose pages are kept as screenshots to look at: full-page shots take seconds. */
const SHOT_LOCALES: Locale[] = ['ru', 'pl', 'nl'];

async function shoot(page: Page, locale: Locale, name: string) {
	if (!SHOT_LOCALES.includes(locale)) return;
	const { width } = page.viewportSize()!;
	await page.screenshot({
		path: test.info().outputPath(`${name}-${locale}-${width}.png`),
		fullPage: true
	});
}

/** Opens `path` and checks it is in `locale`, shows `heading` and fits the screen. */
async function expectPage(page: Page, locale: Locale, path: string, heading: string) {
	const response = await page.goto(path);
	expect(response?.status(), path).toBe(200);
	await waitForHydration(page);
	await expect(page.locator('html')).toHaveAttribute('lang', locale);
	await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible({
		timeout: PAGE_READY
	});
	await expectFits(page, `${path} in ${locale}`);
	await shoot(page, locale, path.slice(1) || 'board');
}

/** The board in `locale`, live: its headings, navigation and the rep's standing in it. */
async function expectBoard(page: Page, locale: Locale) {
	await expectPage(page, locale, '/', say(locale, 'board_honor_board', 'Honor board'));
	// Live: the socket is connected, so what the page shows is the live board.
	await expect(
		page.getByText(say(locale, 'board_live_season', 'Live season'), { exact: true })
	).toBeVisible({ timeout: PAGE_READY });
	for (const key of ['board_team_race', 'board_live_activity'])
		await expect(page.getByRole('heading', { name: t(locale, key), exact: true })).toBeVisible();
	const main = page.getByRole('navigation', { name: t(locale, 'nav_main') });
	await expect(main.getByRole('link', { name: t(locale, 'nav_board') })).toBeVisible();
	await expect(main.getByRole('link', { name: t(locale, 'nav_sell') })).toBeVisible();
	// The standing's points in a form of the language's plural ("1 234 баллов", "1 234 pkt").
	const standing = page.getByRole('region', { name: t(locale, 'board_your_standing') });
	await expect(standing).toContainText(t(locale, 'board_your_rank'));
	const shown = (await standing.textContent()) ?? '';
	expect(
		forms(locale, 'board_pts').some((unit) => shown.includes(unit)),
		shown
	).toBe(true);
	// No English left in it ("pts" is French too).
	if (locale !== 'en') expect(shown).not.toMatch(/\bpending\b/);
	if (!['en', 'fr'].includes(locale)) expect(shown).not.toMatch(/\bpts\b/);
}

/** A browser context asking for `locale` (an Accept-Language such as "pl-PL"). */
function contextIn(browser: Browser, baseURL: string | undefined, locale: string, state?: object) {
	return browser.newContext({
		baseURL,
		locale,
		viewport: PHONE,
		storageState: (state ?? { cookies: [], origins: [] }) as never
	});
}

for (const locale of LOCALES) {
	test(`signed in with the browser in ${locale}: the board, /sell and the dashboard speak it`, async ({
		browser,
		baseURL,
		sessions
	}) => {
		// Six pages and two people: more than a minute on a busy machine.
		test.setTimeout(120_000);
		const rep = await contextIn(browser, baseURL, browserLocale(locale));
		try {
			const page = await rep.newPage();
			await page.goto('/login');
			await expect(page.locator('html')).toHaveAttribute('lang', locale);
			await expect(
				page.getByRole('heading', { name: say(locale, 'auth_sign_in', 'Sign in'), exact: true })
			).toBeVisible();
			await expectFits(page, `/login in ${locale}`);
			await shoot(page, locale, 'login');
			await submitSignIn(page, ACCOUNTS.rep, undefined, locale);
			await expect(page).not.toHaveURL(/\/login/, { timeout: PAGE_READY });

			await expectBoard(page, locale);
			await expectPage(page, locale, '/sell', say(locale, 'sell_title', 'Register a sale'));
			await expectPage(page, locale, '/me', say(locale, 'me_title', 'My points'));
			// A long-word language on a desktop too.
			if (locale === 'nl') {
				await page.setViewportSize(WIDE);
				await expectBoard(page, locale);
			}
		} finally {
			await rep.close();
		}

		// The executive's sign-in form is the rep's: a saved session.
		const state = await sessions.stateFor(ACCOUNTS.executive);
		const executive = await contextIn(browser, baseURL, browserLocale(locale), state);
		try {
			await expectPage(
				await executive.newPage(),
				locale,
				'/dashboard',
				say(locale, 'dash_heading', 'Executive dashboard')
			);
		} finally {
			await executive.close();
		}
	});
}

test('a language we do not speak gets the default on the sign-in page', async ({
	browser,
	baseURL
}) => {
	const context = await contextIn(browser, baseURL, 'de-DE');
	try {
		const page = await context.newPage();
		await page.goto('/login');
		await expect(page.locator('html')).toHaveAttribute('lang', 'en');
		await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
	} finally {
		await context.close();
	}
});

test('a person who picks Polish gets /me, /sell and the board in Polish, whatever the browser asks', async ({
	browser,
	baseURL,
	sessions
}) => {
	const person = 'rep18@demo.test';
	// The browser asks for English: the person's own choice must win.
	const context = await contextIn(browser, baseURL, 'en-GB', await sessions.stateFor(person));
	try {
		const page = await context.newPage();
		await page.goto('/me');
		await waitForHydration(page);
		await expect(page.locator('html')).toHaveAttribute('lang', 'en');
		// The language card's own Save (the "What I receive" card has one too).
		const languageForm = page.locator('form[action="?/language"]');
		await languageForm.getByLabel('Language').selectOption('pl');
		await languageForm.getByRole('button', { name: 'Save' }).click();

		await expect(page).toHaveURL('/me');
		await expect(page.locator('html')).toHaveAttribute('lang', 'pl');
		await expect(page.getByRole('heading', { level: 1, name: t('pl', 'me_title') })).toBeVisible();
		await expect(page.getByLabel(t('pl', 'common_language'))).toHaveValue('pl');
		await expectFits(page, '/me in pl');
		await page.screenshot({ path: test.info().outputPath('me-chosen-pl.png'), fullPage: true });

		await page.goto('/sell');
		await expect(page.locator('html')).toHaveAttribute('lang', 'pl');
		await expect(page.getByRole('heading', { name: t('pl', 'sell_title') })).toBeVisible();
		await page.goto('/');
		await expect(page.locator('html')).toHaveAttribute('lang', 'pl');

		// Back to the browser's language: the page speaks English again.
		await page.goto('/me');
		await waitForHydration(page);
		await languageForm.getByLabel(t('pl', 'common_language')).selectOption('');
		await languageForm.getByRole('button', { name: t('pl', 'common_save') }).click();
		await expect(page.locator('html')).toHaveAttribute('lang', 'en');
		await expect(page.getByRole('heading', { level: 1, name: 'My points' })).toBeVisible();
	} finally {
		await context.close();
	}
});
