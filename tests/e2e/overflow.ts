// How far a page is wider than the screen: layout.spec.ts's phone walks and a11y.spec.ts's phone
// sweeps (which open the same pages at 375 px, and check their width while they are there).
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/** How far the page is wider than the screen, and the elements that stick out the most. */
export async function overflow(page: Page) {
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

/** One line for a page wider than the screen, or null when it fits. */
export async function tooWide(page: Page, label: string): Promise<string | null> {
	const result = await overflow(page);
	return result.scrollWidth > result.width
		? `${label}: ${result.scrollWidth}px wide at ${result.width}px (${result.culprits.join(', ')})`
		: null;
}

export async function expectNoOverflow(page: Page, label: string) {
	expect(await tooWide(page, label)).toBeNull();
}
