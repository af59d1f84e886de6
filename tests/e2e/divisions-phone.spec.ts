// A rep on a 375 px phone: the board's fair ranking card opens on their own division, switches
// to "% of target" (ranked by share of each person's target) and to everyone; the console's
// division and quota pages stay closed to them.
import { expect, PAGE_READY, test, waitForHydration } from './fixtures';

const PHONE = { width: 375, height: 812 };

test.describe('divisions and quotas on a 375 px phone', () => {
	test.use({ account: 'rep1@demo.test', viewport: PHONE, hasTouch: true, isMobile: true });

	test('rank my division by % of target, then everyone', async ({ page }) => {
		await page.goto('/');
		const card = page.locator('section', { has: page.getByRole('group', { name: 'Rank by' }) });
		await expect(card).toBeVisible({ timeout: PAGE_READY });
		await waitForHydration(page);
		// rep1's own division is chosen and marked.
		const divisions = card.getByRole('group', { name: 'Division' });
		const mine = divisions.getByRole('button', { pressed: true });
		await expect(mine).toContainText('★');
		await expect(card.getByRole('listitem').first()).toContainText('pts');

		await card.getByRole('button', { name: '% of target' }).tap();
		await expect(card.getByRole('button', { name: '% of target' })).toHaveAttribute(
			'aria-pressed',
			'true'
		);
		const first = card.getByRole('listitem').first();
		await expect(first).toContainText('%');
		await expect(first).toContainText('/');

		await divisions.getByRole('button', { name: 'Everyone' }).tap();
		await expect(card.getByRole('heading', { name: 'Fair ranking' })).toBeVisible();
		await expect(card.getByRole('listitem')).toHaveCount(10);
		await expect(card.getByRole('listitem').first()).toContainText('%');
		const width = await page.evaluate(() => document.documentElement.scrollWidth);
		expect(width).toBeLessThanOrEqual(375);

		for (const path of ['/manage/divisions', '/manage/quotas'])
			expect((await page.goto(path))?.status()).toBe(403);
	});
});
