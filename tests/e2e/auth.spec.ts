import { expect, honorBoard, openBoard, rankingRow, signIn, submitSignIn, test } from './fixtures';

test.describe('signing in and out', () => {
	test('signing in lands on the honor board with my own row marked', async ({ page }) => {
		await signIn(page, 'rep3@demo.test');

		await expect(page).toHaveURL('/');
		const season = page.getByRole('heading', { level: 1, name: /^Q[1-4] Summit Challenge$/ });
		await expect(season).toBeVisible();
		const mine = rankingRow(page, 'Chloé Martin');
		await expect(mine).toHaveAttribute('aria-current', 'true');
		await expect(mine.getByText('You', { exact: true })).toBeVisible();
		// Nobody else's row says "You".
		await expect(
			honorBoard(page)
				.getByRole('listitem')
				.filter({ has: page.getByText('You', { exact: true }) })
		).toHaveCount(1);
	});

	test('a wrong password is refused and stays on the sign-in page', async ({ page }) => {
		await submitSignIn(page, 'rep4@demo.test', 'not-the-password');

		await expect(page.getByRole('alert')).toHaveText(
			'That email and password do not match an account.'
		);
		await expect(page).toHaveURL('/login');
		await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
		// The email is kept so that only the password needs retyping.
		await expect(page.getByLabel('Email', { exact: true })).toHaveValue('rep4@demo.test');
	});

	test('signing out returns to the sign-in page and ends the session', async ({
		page,
		browser,
		baseURL
	}) => {
		// A session of its own: signing out must not end the sessions other tests share.
		await signIn(page, 'rep9@demo.test');
		await openBoard(page);
		const signedIn = await page.context().storageState();

		await page.getByRole('button', { name: 'Sign out' }).click();

		await expect(page).toHaveURL('/login');
		await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
		await page.goto('/');
		await expect(page).toHaveURL(/\/login(\?|$)/);
		await expect(page.getByLabel('Email', { exact: true })).toBeVisible();

		// The old cookie is dead on the server too, not just deleted from this browser.
		const replay = await browser.newContext({ baseURL, storageState: signedIn });
		try {
			const other = await replay.newPage();
			await other.goto('/');
			await expect(other).toHaveURL(/\/login(\?|$)/);
		} finally {
			await replay.close();
		}
	});
});
