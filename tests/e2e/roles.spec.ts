import { expect, openBoard, test } from './fixtures';

test.describe('a participant', () => {
	test.use({ account: 'rep1@demo.test' });

	test('gets the 403 page at /manage', async ({ page }) => {
		const response = await page.goto('/manage');

		expect(response?.status()).toBe(403);
		await expect(page.getByRole('heading', { name: 'Not for your role' })).toBeVisible();
		await expect(page.getByRole('heading', { name: 'Contest console' })).toHaveCount(0);
		await expect(page.getByRole('link', { name: 'Back to the honor board' })).toBeVisible();
	});

	test('sees the "Register sale" link but not "Manage"', async ({ page }) => {
		await openBoard(page);
		const nav = page.getByRole('navigation', { name: 'Main' });

		await expect(nav.getByRole('link', { name: 'Register sale' })).toBeVisible();
		await expect(nav.getByRole('link', { name: 'Manage' })).toHaveCount(0);
	});
});

test.describe('a manager', () => {
	test.use({ account: 'manager@demo.test' });

	test('opens the contest console at /manage', async ({ page }) => {
		const response = await page.goto('/manage');

		expect(response?.status()).toBe(200);
		await expect(page.getByRole('heading', { level: 1, name: 'Contest console' })).toBeVisible();
		await expect(page.getByRole('region', { name: 'Season totals' })).toBeVisible();
		await expect(page.getByRole('heading', { name: 'Latest sales' })).toBeVisible();
	});
});

test.describe('an executive', () => {
	test.use({ account: 'executive@demo.test' });

	test('watches the board without a "Register sale" link', async ({ page }) => {
		await openBoard(page);
		const nav = page.getByRole('navigation', { name: 'Main' });

		// The navigation has rendered (so an absent link means hidden, not "not yet drawn").
		await expect(nav.getByRole('link', { name: 'Board', exact: true })).toBeVisible();
		await expect(nav.getByRole('link', { name: 'Dashboard' })).toBeVisible();
		await expect(nav.getByRole('link', { name: 'Register sale' })).toHaveCount(0);
		await expect(page.getByRole('link', { name: 'Register sale' })).toHaveCount(0);
		await expect(page.getByRole('region', { name: 'Your standing' })).toHaveCount(0);
	});
});
