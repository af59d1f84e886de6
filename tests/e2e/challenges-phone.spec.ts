// Head-to-head challenges on a 375 px phone: rep1 challenges rep2 for this week's points, rep2
// signs in and accepts on the board, and the duel card shows there, live; no page gets wider
// than the screen.
import { expect, PAGE_READY, test, waitForHydration, openBoard } from './fixtures';

const PHONE = { width: 375, height: 812 };

test.describe('a duel on a 375 px phone', () => {
	test.use({ account: 'rep1@demo.test', viewport: PHONE, hasTouch: true, isMobile: true });

	test('challenge a colleague, who accepts; the duel card shows on the board', async ({
		page,
		openAs
	}) => {
		await page.goto('/challenges');
		await waitForHydration(page);
		await page.getByLabel('Opponent').selectOption({ label: 'Ben Okafor' });
		await expect(page.getByLabel('Measure')).toHaveValue('points');
		await expect(page.getByLabel('Period')).toHaveValue('week');
		await page.getByRole('button', { name: 'Send challenge' }).tap();
		await expect(page.getByText('Challenge sent')).toBeVisible({ timeout: PAGE_READY });
		await expect(page.getByText('Against Ben Okafor')).toBeVisible();
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
			375
		);

		const ben = await openAs('rep2@demo.test');
		await ben.setViewportSize(PHONE);
		await openBoard(ben);
		const duels = ben.getByRole('region', { name: 'Your duels' });
		await expect(duels.getByText('Anna Kowalska challenges you: Points')).toBeVisible();
		await duels.getByRole('button', { name: 'Accept' }).click();
		await expect(ben.getByText('Challenge accepted: may the best one win!')).toBeVisible({
			timeout: PAGE_READY
		});
		const card = duels.getByRole('article', { name: 'Duel' }).filter({ hasText: 'Anna Kowalska' });
		await expect(card).toBeVisible({ timeout: PAGE_READY });
		await expect(card).toContainText('Live');
		await expect(card).toContainText('You');
		expect(await ben.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
	});
});
