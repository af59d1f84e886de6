// The rewards store on a 375 px phone: a rep opens /rewards, redeems a demo reward through the
// confirm step, and sees it waiting in "My rewards" with the balance lowered by its price.
import { expect, PAGE_READY, test, waitForHydration } from './fixtures';
import { withDb } from './database';
import { ACCOUNTS } from './pages';

test.use({ account: ACCOUNTS.rep, viewport: { width: 375, height: 812 } });

/** Puts the shared demo database back: rep1's requests gone, their stock returned. */
function undoRedemptions() {
	return withDb(async (db) => {
		const taken = await db.all<{ rewardId: number }>(
			`SELECT reward_id AS "rewardId" FROM reward_redemption
			WHERE user_id = (SELECT id FROM "user" WHERE email = ?)`,
			ACCOUNTS.rep
		);
		for (const { rewardId } of taken)
			await db.run(
				'UPDATE reward SET stock = stock + 1 WHERE id = ? AND stock IS NOT NULL',
				rewardId
			);
		await db.run(
			'DELETE FROM reward_redemption WHERE user_id = (SELECT id FROM "user" WHERE email = ?)',
			ACCOUNTS.rep
		);
	});
}

test.afterAll(undoRedemptions);

test('a rep redeems a reward on the phone and sees it pending, the balance lowered', async ({
	page
}) => {
	await page.goto('/rewards');
	await waitForHydration(page);
	const balance = page.getByTestId('balance');
	await expect(balance).toBeVisible({ timeout: PAGE_READY });
	const before = Number((await balance.innerText()).replace(/\D/g, ''));

	const card = page.getByRole('listitem').filter({ hasText: 'Coffee voucher' });
	const price = Number((await card.locator('.price').innerText()).replace(/\D/g, ''));
	expect(before).toBeGreaterThanOrEqual(price);
	await card.getByRole('button', { name: /Redeem/ }).click();
	await card.getByRole('button', { name: /Yes, redeem Coffee voucher/ }).click();

	await expect(page.getByRole('status')).toContainText('Requested');
	await expect
		.poll(async () => Number((await balance.innerText()).replace(/\D/g, '')))
		.toBe(before - price);
	const mine = page.getByRole('region', { name: 'My rewards' });
	await expect(mine.getByRole('listitem').filter({ hasText: 'Coffee voucher' })).toContainText(
		'Waiting'
	);
	// Nothing is wider than the phone.
	const width = await page.evaluate(() => document.documentElement.scrollWidth);
	expect(width).toBeLessThanOrEqual(375);
});
