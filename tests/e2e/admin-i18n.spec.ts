// The admin console pages (organisation settings, audit log, webhooks, API tokens, exports, API
// reference) in Russian and Polish on a phone: the browser's language chosen, nothing scrolls
// sideways at 375 px, and screenshots to look at.
import { test, expect, waitForHydration } from './fixtures';

const SHOTS = '/tmp/shots-admin';

const PAGES = [
	{ path: '/manage/settings', ru: 'Настройки организации', pl: 'Ustawienia organizacji' },
	{ path: '/manage/audit', ru: 'Журнал аудита', pl: 'Dziennik zdarzeń' },
	{ path: '/manage/webhooks', ru: 'Вебхуки', pl: 'Webhooki' },
	{ path: '/manage/tokens', ru: 'API-токены', pl: 'Tokeny API' },
	{ path: '/manage/exports', ru: 'Выгрузки', pl: 'Eksporty' },
	{ path: '/manage/api', ru: 'Справочник API', pl: 'Dokumentacja API' }
] as const;

for (const locale of ['ru', 'pl'] as const) {
	test.describe(`the admin console in ${locale} on a phone`, () => {
		test.use({
			account: 'admin@demo.test',
			viewport: { width: 375, height: 812 },
			locale: locale === 'ru' ? 'ru-RU' : 'pl-PL'
		});

		test('every page speaks the browser’s language and fits 375 px', async ({ page }) => {
			// A webhook with a delivery, so that the list and the log have rows to show.
			await page.goto('/manage/webhooks');
			await waitForHydration(page);
			await page
				.getByLabel(locale === 'ru' ? 'URL получателя' : 'URL odbiorcy')
				.fill(`https://hooks.example.com/honorboard-${locale}`);
			await page
				.getByRole('button', { name: locale === 'ru' ? 'Добавить вебхук' : 'Dodaj webhook' })
				.click();
			await expect(page.locator('#secret-title')).toBeVisible();
			await page
				.getByRole('button', { name: locale === 'ru' ? /Отправить тест/ : /Wyślij test/ })
				.first()
				.click();
			await expect(page.getByRole('status')).toBeVisible();
			for (const { path, ...titles } of PAGES) {
				await page.goto(path);
				await waitForHydration(page);
				await expect(page.locator('html')).toHaveAttribute('lang', locale);
				await expect(page.getByRole('heading', { level: 1 })).toHaveText(titles[locale]);
				expect(
					await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
					`${path} scrolls sideways`
				).toBe(true);
				const name = path.split('/').pop();
				await page.screenshot({ path: `${SHOTS}/${name}-${locale}-375.png`, fullPage: true });
			}
		});

		test('a bad currency is refused beside its field, in the page’s language', async ({ page }) => {
			await page.goto('/manage/settings');
			await waitForHydration(page);
			// A value the list does not offer, as a hand-made request would send it.
			await page.evaluate(() => {
				const select = document.querySelector<HTMLSelectElement>('select[name="currency"]')!;
				select.add(new Option('ABC', 'ABC', true, true));
			});
			await page.getByRole('button', { name: locale === 'ru' ? 'Сохранить' : 'Zapisz' }).click();
			await expect(page.locator('#currency-error')).toHaveText(
				locale === 'ru' ? 'Выберите одну из валют в списке' : 'Wybierz jedną z walut z listy'
			);
			await page.screenshot({ path: `${SHOTS}/settings-error-${locale}-375.png`, fullPage: true });
		});
	});
}
