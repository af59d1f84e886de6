// The board speaks the browser's language: a participant whose browser asks for Polish or Russian
// finds the board's headings, navigation and own standing in that language (the expected words
// are read from messages/<locale>.json), and the page still fits a 375px phone. Each test leaves
// a full-page screenshot in its output folder (test-results/) to look at.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, PAGE_READY, test } from './fixtures';
import { ACCOUNTS } from './pages';

type Messages = Record<string, string | { match: Record<string, string> }[]>;

function messages(locale: string): Messages {
	const file = join(import.meta.dirname, '../../messages', `${locale}.json`);
	return JSON.parse(readFileSync(file, 'utf8'));
}

/** A plain message's text (the board's headings have no placeholders). */
function text(all: Messages, key: string): string {
	const message = all[key];
	if (typeof message !== 'string') throw new Error(`${key} is not a plain message`);
	return message;
}

/** Every form a plural message can take, with its markup tags and placeholders cut out. */
function forms(all: Messages, key: string): string[] {
	const message = all[key];
	if (typeof message === 'string') throw new Error(`${key} is not a plural message`);
	return message.flatMap((v) => Object.values(v.match)).map((t) => t.replace(/\{[^}]*\}/g, ''));
}

async function pageWidth(page: Page) {
	return page.evaluate(() => ({
		scrollWidth: document.documentElement.scrollWidth,
		width: window.innerWidth
	}));
}

const cases = [
	{ locale: 'pl', browser: 'pl-PL', viewport: { width: 375, height: 740 } },
	{ locale: 'ru', browser: 'ru-RU', viewport: { width: 375, height: 740 } },
	{ locale: 'nl', browser: 'nl-NL', viewport: { width: 1440, height: 900 } }
] as const;

for (const { locale, browser: browserLocale, viewport } of cases) {
	test(`the board in ${locale} at ${viewport.width}px`, async ({
		browser,
		sessions,
		baseURL
	}, testInfo) => {
		const t = messages(locale);
		const context = await browser.newContext({
			baseURL,
			storageState: await sessions.stateFor(ACCOUNTS.rep),
			locale: browserLocale,
			viewport
		});
		try {
			const page = await context.newPage();
			await page.goto('/');
			await expect(page.locator('html')).toHaveAttribute('lang', locale);
			// Live: the socket is connected, so what the page shows is the live board.
			await expect(page.getByText(text(t, 'board_live_season'), { exact: true })).toBeVisible({
				timeout: PAGE_READY
			});
			for (const key of ['board_honor_board', 'board_team_race', 'board_live_activity'])
				await expect(page.getByRole('heading', { name: text(t, key), exact: true })).toBeVisible();
			const main = page.getByRole('navigation', { name: text(t, 'nav_main') });
			await expect(main.getByRole('link', { name: text(t, 'nav_board') })).toBeVisible();
			await expect(main.getByRole('link', { name: text(t, 'nav_sell') })).toBeVisible();

			// The standing's points in a form of the language's plural ("1 234 баллов", "1 234 pkt").
			const standing = page.getByRole('region', { name: text(t, 'board_your_standing') });
			await expect(standing).toContainText(text(t, 'board_your_rank'));
			const points = forms(t, 'board_pts').map((unit) => unit.trim());
			const shown = (await standing.textContent()) ?? '';
			expect(
				points.some((unit) => shown.includes(unit)),
				shown
			).toBe(true);
			expect(shown).not.toMatch(/\bpts\b|\bpending\b/);

			await page.screenshot({
				path: testInfo.outputPath(`board-${locale}-${viewport.width}.png`),
				fullPage: true
			});
			const { scrollWidth, width } = await pageWidth(page);
			expect(scrollWidth, `the board is wider than ${width}px`).toBeLessThanOrEqual(width);
		} finally {
			await context.close();
		}
	});
}
