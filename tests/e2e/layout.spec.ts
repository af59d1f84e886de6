// Layout on a phone: no page is wider than the screen, the contest switcher stays in sight
// above the tab bar, and very long names stay inside their cards.
import type { Page } from '@playwright/test';
import { expect, PAGE_READY, test, waitForHydration } from './fixtures';
import { ACCOUNTS, pagesFor, tvPath, withDb, type Role } from './pages';
import { runCli } from '../helpers/server';
import { E2E_DB } from './env';

const PHONE = { width: 375, height: 740 };

/** How far the page is wider than the screen, and the elements that stick out the most. */
async function overflow(page: Page) {
	return page.evaluate(() => {
		const width = window.innerWidth;
		const culprits = [...document.querySelectorAll('body *')]
			.map((el) => ({ el, right: el.getBoundingClientRect().right }))
			.filter(({ right }) => right > width + 1)
			.slice(-3)
			.map(({ el, right }) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(right)})`);
		return { scrollWidth: document.documentElement.scrollWidth, width, culprits };
	});
}

async function expectNoOverflow(page: Page, label: string) {
	const result = await overflow(page);
	expect(
		result.scrollWidth,
		`${label} is ${result.scrollWidth}px wide at ${result.width}px: ${result.culprits.join(', ')}`
	).toBeLessThanOrEqual(result.width);
}

test.describe('every page fits a 375px phone', () => {
	test.use({ viewport: PHONE });

	for (const role of ['rep', 'executive', 'manager', 'admin'] as Role[]) {
		test(`as ${role}`, async ({ openAs }) => {
			const page = await openAs(ACCOUNTS[role]);
			await page.setViewportSize(PHONE);
			const wide: string[] = [];
			for (const path of pagesFor(role)) {
				const response = await page.goto(path);
				expect(response?.status(), path).toBe(200);
				await waitForHydration(page);
				const result = await overflow(page);
				if (result.scrollWidth > result.width)
					wide.push(`${path}: ${result.scrollWidth}px (${result.culprits.join(', ')})`);
			}
			expect(wide).toEqual([]);
		});
	}

	test('the TV display page and the sign-in page', async ({ page }) => {
		await page.goto(await tvPath('Layout check'));
		await expect(page.getByRole('heading', { name: 'Podium' })).toBeVisible({
			timeout: PAGE_READY
		});
		await expectNoOverflow(page, 'the TV page');
		await page.goto('/login');
		await expectNoOverflow(page, 'the sign-in page');
	});

	test('the contest console keeps its tab bar on screen', async ({ openAs }) => {
		const page = await openAs(ACCOUNTS.manager);
		await page.setViewportSize(PHONE);
		await page.goto('/manage');
		await expect(page.getByRole('heading', { name: 'Latest sales' })).toBeVisible();
		await expectNoOverflow(page, '/manage');
		const tabs = await page.getByRole('navigation', { name: 'Main' }).boundingBox();
		expect(tabs).not.toBeNull();
		expect(tabs!.y + tabs!.height).toBeLessThanOrEqual(PHONE.height + 1);
		expect(tabs!.x + tabs!.width).toBeLessThanOrEqual(PHONE.width + 1);
	});
});

/** Sums the page's layout shifts (the CLS of its load), with the elements that moved. */
async function layoutShifts(page: Page) {
	return page.evaluate(() => {
		const w = window as unknown as { __shifts: { value: number; sources: string[] }[] };
		return {
			total: w.__shifts.reduce((sum, s) => sum + s.value, 0),
			shifts: w.__shifts
		};
	});
}

for (const viewport of [PHONE, { width: 1440, height: 900 }]) {
	test(`the dashboard does not shift while it loads (${viewport.width}px)`, async ({ openAs }) => {
		const page = await openAs(ACCOUNTS.executive);
		await page.setViewportSize(viewport);
		await page.addInitScript(() => {
			const w = window as unknown as { __shifts: { value: number; sources: string[] }[] };
			w.__shifts = [];
			new PerformanceObserver((list) => {
				for (const entry of list.getEntries() as (PerformanceEntry & {
					value: number;
					hadRecentInput: boolean;
					sources?: { node?: Node }[];
				})[]) {
					if (entry.hadRecentInput) continue;
					w.__shifts.push({
						value: entry.value,
						sources: (entry.sources ?? []).map((s) =>
							s.node instanceof Element ? `${s.node.tagName}.${s.node.className}` : String(s.node)
						)
					});
				}
			}).observe({ type: 'layout-shift', buffered: true });
		});
		await page.goto('/dashboard');
		await waitForHydration(page);
		await expect(page.getByText('Live', { exact: true })).toBeVisible({ timeout: PAGE_READY });
		await expect(page.getByRole('img', { name: /Line chart: cumulative points/ })).toBeVisible();
		await page.waitForLoadState('networkidle');
		// Layout shifts are reported after the frame that moved: let two frames pass.
		await page.evaluate(
			() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
		);
		const { total, shifts } = await layoutShifts(page);
		expect(total, JSON.stringify(shifts)).toBeLessThan(0.1);
	});
}
