// Accessibility: axe-core checks every page of every role, on a phone and on a wide screen, and
// finds no serious or critical problem (contrast, names, labels, landmarks, …). The phone half
// also runs in the languages that make text longest (Russian, Polish). At 375 px each page's
// width is checked too (nothing wider than the phone): layout.spec.ts's phone walks leave out
// what these sweeps open (pages.ts `sweptOnPhone`, which names the sweeps below per language).
import axe from 'axe-core';
import type { Browser, Page } from '@playwright/test';
import { expect, navigateInApp, PAGE_READY, test, waitForHydration } from './fixtures';
import { a11yPagesFor, ACCOUNTS, tvPath, type Role } from './pages';
import { browserLocale, t, type Locale } from './messages';
import { tooWide } from './overflow';

const PHONE_WIDTH = 375;
const VIEWPORTS = [
	{ width: PHONE_WIDTH, height: 740 },
	{ width: 1440, height: 900 }
];

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * The serious and critical violations on the page, one line each. axe-core is already in the page
 * (contextFor's init script) and runs in it: @axe-core/playwright injected its 550 kB into every
 * page again and finished each run in a new blank page, 2.6× the time of the same checks (38
 * console pages: 124 s against 47 s).
 */
async function violations(page: Page): Promise<string[]> {
	const found = await page.evaluate(
		(tags) =>
			(window as unknown as { axe: typeof axe }).axe
				.run(document, { runOnly: { type: 'tag', values: tags } })
				.then((results) => results.violations),
		TAGS
	);
	return found
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map(
			(v) =>
				`${v.id} (${v.impact}): ${v.help} — ${v.nodes
					.slice(0, 3)
					.map(
						(n) =>
							`${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, ' ')}]` : ''}`
					)
					.join('; ')}`
		);
}

/**
 * One browser context (no animations, so colours are read at rest) for a signed-in role, its
 * browser asking for `locale`, with axe-core loaded in every page it opens.
 */
async function contextFor(
	browser: Browser,
	baseURL: string | undefined,
	state?: object,
	locale: Locale = 'en'
) {
	const context = await browser.newContext({
		baseURL,
		reducedMotion: 'reduce',
		locale: browserLocale(locale),
		storageState: (state ?? { cookies: [], origins: [] }) as never
	});
	await context.addInitScript({ content: axe.source });
	return context;
}

/** Visits each page at each width and collects what axe finds. */
async function sweep(
	page: Page,
	paths: string[],
	ready?: (page: Page) => Promise<void>,
	viewports = VIEWPORTS
) {
	const found: string[] = [];
	let opened = false;
	for (const viewport of viewports) {
		await page.setViewportSize(viewport);
		for (const path of paths) {
			// The first page loads the app; the others are reached as a link in it reaches them.
			if (opened && !ready) await navigateInApp(page, path);
			else {
				const response = await page.goto(path);
				expect(response?.status(), path).toBe(200);
				await waitForHydration(page);
				opened = true;
			}
			if (ready) await ready(page);
			for (const problem of await violations(page))
				found.push(`${path} @${viewport.width}: ${problem}`);
			// On the phone, its width too: layout.spec.ts leaves these pages to this walk.
			if (viewport.width === PHONE_WIDTH) {
				const wide = await tooWide(page, `${path} @${viewport.width}`);
				if (wide) found.push(wide);
			}
		}
	}
	return found;
}

/** Signs in as `email` in a fresh context and runs the sweep over `paths`. */
async function sweepAs(
	{
		browser,
		baseURL,
		state,
		locale
	}: { browser: Browser; baseURL?: string; state: object; locale?: Locale },
	paths: string[],
	viewports = VIEWPORTS
) {
	const context = await contextFor(browser, baseURL, state, locale);
	try {
		return await sweep(await context.newPage(), paths, undefined, viewports);
	} finally {
		await context.close();
	}
}

// A rep's pages at both widths; the other roles' pages differ from them by their navigation
// only, checked on the phone (the wide navigation is the rep's plus a link or two).
for (const role of ['rep', 'executive', 'manager', 'admin'] as Role[]) {
	test(`every page as ${role} has no serious accessibility problem`, async ({
		browser,
		baseURL,
		sessions
	}) => {
		test.setTimeout(300_000);
		const state = await sessions.stateFor(ACCOUNTS[role]);
		const widths = role === 'rep' ? VIEWPORTS : [VIEWPORTS[0]];
		expect(await sweepAs({ browser, baseURL, state }, await a11yPagesFor(role), widths)).toEqual(
			[]
		);
	});
}

// The contest console, as an admin (who sees every page), on a wide screen: one page of each
// kind. Every console page is checked at 375 px in Polish below (the longest labels; an English
// run at 375 px found nothing the Polish one did not, and cost a minute of CI).
test('the contest console at 1440px has no serious accessibility problem', async ({
	browser,
	baseURL,
	sessions
}) => {
	test.setTimeout(300_000);
	const state = await sessions.stateFor(ACCOUNTS.admin);
	const found = await sweepAs({ browser, baseURL, state }, await a11yPagesFor('console-wide'), [
		VIEWPORTS[1]
	]);
	expect(found).toEqual([]);
});

test('the sign-in page and the TV display have no serious accessibility problem', async ({
	browser,
	baseURL
}) => {
	const context = await contextFor(browser, baseURL);
	try {
		const page = await context.newPage();
		const found = await sweep(page, ['/login']);
		found.push(
			...(await sweep(page, [await tvPath('Accessibility check')], async (tv) => {
				await expect(tv.getByRole('heading', { name: 'Podium' })).toBeVisible({
					timeout: PAGE_READY
				});
			}))
		);
		expect(found).toEqual([]);
	} finally {
		await context.close();
	}
});

// The phone half in Russian and Polish, every page once in one of them (axe takes seconds a
// page, and what a language changes — names, labels, lang — shows on every page alike): the
// shop floor's pages, the sign-in page and a TV in Russian, the contest console's in Polish. The
// pages that differ by role differ in their navigation only, checked in English.
const PHONE = [VIEWPORTS[0]];

test('a rep’s pages, the sign-in page and a TV at 375px in ru have no serious accessibility problem', async ({
	browser,
	baseURL,
	sessions
}) => {
	test.setTimeout(300_000);
	const state = await sessions.stateFor(ACCOUNTS.rep);
	const found = await sweepAs(
		{ browser, baseURL, state, locale: 'ru' },
		await a11yPagesFor('rep'),
		PHONE
	);
	const context = await contextFor(browser, baseURL, undefined, 'ru');
	try {
		const page = await context.newPage();
		found.push(...(await sweep(page, ['/login'], undefined, PHONE)));
		const podium = t('ru', 'tv_view_podium');
		const tvReady = async (tv: Page) => {
			await expect(tv.getByRole('heading', { name: podium })).toBeVisible({ timeout: PAGE_READY });
		};
		found.push(
			...(await sweep(page, [await tvPath('Accessibility check ru', 'ru')], tvReady, PHONE))
		);
	} finally {
		await context.close();
	}
	expect(found).toEqual([]);
});

test('every contest console page at 375px in pl has no serious accessibility problem', async ({
	browser,
	baseURL,
	sessions
}) => {
	test.setTimeout(300_000);
	const state = await sessions.stateFor(ACCOUNTS.admin);
	const found = await sweepAs(
		{ browser, baseURL, state, locale: 'pl' },
		await a11yPagesFor('console'),
		PHONE
	);
	expect(found).toEqual([]);
});
