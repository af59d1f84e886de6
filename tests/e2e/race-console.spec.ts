// The console's race forms on a 375 px phone (#17): a manager creates a sprint and a knockout
// through the form, sees a refused value marked on its field with nothing created, changes the
// new race (the form opens filled in), and deletes it; the shared demo database ends as it began.
import type { Page } from '@playwright/test';
import { expect, PAGE_READY, test, waitForHydration } from './fixtures';
import { ACCOUNTS } from './pages';

test.use({ account: ACCOUNTS.manager, viewport: { width: 375, height: 812 } });

/** 'YYYY-MM-DDTHH:mm' for a datetime-local input, `days` from now. */
const inDays = (days: number) =>
	new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 16);

const RACES = [
	{
		path: '/manage/sprints',
		create: 'Create sprint',
		created: 'Sprint created.',
		saved: 'Sprint saved.',
		/** Fills what only this format has; `bad` gives a value the server refuses. */
		async fill(page: Page, bad = false) {
			await page.getByLabel('Target').fill(bad ? '-3' : '750');
			await page.getByLabel('Deadline').fill(inDays(9));
		},
		invalid: 'Target'
	},
	{
		path: '/manage/knockouts',
		create: 'Create knockout',
		created: 'Knockout created',
		saved: 'Knockout saved.',
		async fill(page: Page, bad = false) {
			await page.getByLabel('Entrants (at most)').fill(bad ? '3' : '8');
			await page.getByRole('textbox', { name: 'Each round lasts' }).fill('2');
		},
		invalid: 'Entrants (at most)'
	}
];

for (const race of RACES) {
	test(`a manager creates, changes and deletes a race at ${race.path}`, async ({ page }) => {
		const name = `Phone race ${race.path.split('/').pop()} ${Date.now() % 100_000}`;
		const list = page.locator('ul.rows > li');
		await page.goto(race.path);
		await waitForHydration(page);
		const before = await list.count();

		// A refused value: the field says why, the name typed stays, nothing is created.
		await page.getByLabel('Name', { exact: true }).fill(name);
		await race.fill(page, true);
		await page.getByLabel('Starts').fill(inDays(2));
		await page.getByRole('button', { name: race.create }).click();
		await expect(page.getByLabel(race.invalid)).toHaveAttribute('aria-invalid', 'true');
		await expect(page.getByLabel('Name', { exact: true })).toHaveValue(name);
		await expect(list).toHaveCount(before);

		// Put right, it is created and listed; the form is blank again for the next one.
		await race.fill(page);
		await page.getByRole('button', { name: race.create }).click();
		await expect(page.getByText(race.created).first()).toBeVisible({ timeout: PAGE_READY });
		const row = list.filter({ hasText: name });
		await expect(row).toHaveCount(1);
		await expect(row.getByText('Upcoming')).toBeVisible();
		await expect(page.getByLabel('Name', { exact: true })).toHaveValue('');

		// Edit opens the form filled in; a new name is saved.
		await row.getByRole('link', { name: `Edit ${name}` }).click();
		await expect(page).toHaveURL(/\?edit=\d+$/);
		await waitForHydration(page);
		await expect(page.getByLabel('Name', { exact: true })).toHaveValue(name);
		await page.getByLabel('Name', { exact: true }).fill(`${name} (2)`);
		await page.getByRole('button', { name: 'Save changes' }).click();
		await expect(page.getByText(race.saved).first()).toBeVisible({ timeout: PAGE_READY });
		const renamed = list.filter({ hasText: `${name} (2)` });
		await expect(renamed).toHaveCount(1);

		// Not started yet: Delete, after the confirmation, removes it.
		page.once('dialog', (dialog) => dialog.accept());
		await renamed.getByRole('button', { name: `Delete ${name} (2)` }).click();
		await expect(list.filter({ hasText: name })).toHaveCount(0, { timeout: PAGE_READY });
		await expect(list).toHaveCount(before);
	});
}
