// The admins' API tokens page on a phone: create a token (shown once), use it, revoke it.
import { test, expect, waitForHydration } from './fixtures';
import { E2E_URL } from './env';
import { browserLocale, t } from './messages';

const SHOTS = '/tmp/shots-imports';

const seasonsCurrent = (token: string) =>
	fetch(`${E2E_URL}/api/v1/seasons/current`, { headers: { authorization: `Bearer ${token}` } });

test.describe('API tokens', () => {
	test.describe('as an admin on a phone', () => {
		test.use({ account: 'admin@demo.test', viewport: { width: 375, height: 812 } });

		test('creates a token shown once, then revokes it after confirming', async ({ page }) => {
			await page.goto('/manage/tokens');
			await waitForHydration(page);
			await expect(page.getByRole('heading', { name: 'API tokens', level: 1 })).toBeVisible();

			await page.getByLabel('Name').fill('E2E till');
			await expect(page.getByRole('radio', { name: /^integration/ })).toBeChecked();
			await page.getByLabel('Expires on (optional)').fill('2099-12-31');
			await page.getByRole('button', { name: 'Create token' }).click();

			await expect(
				page.getByRole('heading', { name: /"E2E till" created: copy it now/ })
			).toBeVisible();
			const secret = page.getByRole('textbox', { name: 'New API token' });
			await expect(secret).toHaveValue(/^hb_[a-z2-7]{30,}$/);
			const token = await secret.inputValue();
			const row = page.getByRole('listitem', { name: 'Token E2E till' });
			await expect(row).toContainText('integration');
			await expect(row).toContainText('active');
			await expect(row).toContainText('31 Dec 2099');
			await expect(row).toContainText('never');
			// The page fits the phone: nothing scrolls sideways.
			expect(
				await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)
			).toBe(true);
			await page.screenshot({ path: `${SHOTS}/tokens-created-375.png`, fullPage: true });

			expect((await seasonsCurrent(token)).status).toBe(200);

			// Revoking asks first; dismissing the question changes nothing.
			page.once('dialog', (dialog) => dialog.dismiss());
			await row.getByRole('button', { name: 'Revoke E2E till' }).click();
			await expect(row).toContainText('active');
			expect((await seasonsCurrent(token)).status).toBe(200);

			page.once('dialog', (dialog) => {
				expect(dialog.message()).toContain('E2E till');
				return dialog.accept();
			});
			await row.getByRole('button', { name: 'Revoke E2E till' }).click();
			await expect(page.getByRole('status')).toContainText('Revoked "E2E till"');
			await expect(row).toContainText('revoked');
			await expect(row.getByRole('button', { name: /Revoke/ })).toHaveCount(0);
			// The secret is not shown again once the page has moved on.
			await expect(page.getByRole('textbox', { name: 'New API token' })).toHaveCount(0);
			const refused = await seasonsCurrent(token);
			expect(refused.status).toBe(401);
			expect((await refused.json()).error.code).toBe('token_revoked');
			await page.screenshot({ path: `${SHOTS}/tokens-revoked-375.png`, fullPage: true });
		});

		test('says what is wrong with a new token', async ({ page }) => {
			await page.goto('/manage/tokens');
			await waitForHydration(page);
			await page.getByLabel('Expires on (optional)').fill('2001-01-01');
			await page.getByRole('button', { name: 'Create token' }).click();
			await expect(page.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
			await expect(page.getByText('Give the token a name')).toBeVisible();
			await expect(page.getByText('The expiry must be in the future')).toBeVisible();
			await page.screenshot({ path: `${SHOTS}/tokens-errors-375.png`, fullPage: true });
		});
	});

	// On the phone in the languages that make text longest: the page's words and its fit, and the
	// token service's refusal (a name in use) in the reader's language.
	for (const locale of ['ru', 'pl'] as const)
		test.describe(`as an admin on a phone [${locale}]`, () => {
			test.use({
				account: 'admin@demo.test',
				viewport: { width: 375, height: 812 },
				locale: browserLocale(locale)
			});

			test('creates a token and is told, in the language, that its name is taken', async ({
				page
			}) => {
				const name = `E2E ${locale} ${Date.now()}`;
				await page.goto('/manage/tokens');
				await waitForHydration(page);
				await expect(
					page.getByRole('heading', { name: t(locale, 'tokens_title'), level: 1 })
				).toBeVisible();
				const create = async () => {
					await page.getByLabel(t(locale, 'tokens_name')).fill(name);
					await page.getByRole('button', { name: t(locale, 'tokens_create') }).click();
				};
				await create();
				await expect(
					page.getByRole('heading', { name: t(locale, 'tokens_created_title', { name }) })
				).toBeVisible();
				await expect(
					page.getByRole('textbox', { name: t(locale, 'tokens_new_label') })
				).toHaveValue(/^hb_/);
				expect(
					await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)
				).toBe(true);
				await page.screenshot({
					path: `${SHOTS}/tokens-created-375-${locale}.png`,
					fullPage: true
				});

				await create();
				await expect(page.getByLabel(t(locale, 'tokens_name'))).toHaveAttribute(
					'aria-invalid',
					'true'
				);
				await expect(page.getByText(t(locale, 'tokens_error_name_taken', { name }))).toBeVisible();
				expect(
					await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)
				).toBe(true);
				await page.screenshot({ path: `${SHOTS}/tokens-taken-375-${locale}.png`, fullPage: true });
			});
		});

	test.describe('as an admin on a desktop', () => {
		test.use({ account: 'admin@demo.test', viewport: { width: 1440, height: 900 } });

		test('lists the tokens', async ({ page }) => {
			await page.goto('/manage/tokens');
			await waitForHydration(page);
			await expect(page.getByRole('navigation', { name: 'Contest console' })).toContainText(
				'API tokens'
			);
			await page.screenshot({ path: `${SHOTS}/tokens-1440.png`, fullPage: true });
		});
	});

	test.describe('as a manager', () => {
		test.use({ account: 'manager@demo.test' });

		test('is refused, and the console does not offer the page', async ({ page }) => {
			const response = await page.goto('/manage/tokens');
			expect(response?.status()).toBe(403);
			await page.goto('/manage');
			await expect(page.getByRole('navigation', { name: 'Contest console' })).not.toContainText(
				'API tokens'
			);
		});
	});
});
