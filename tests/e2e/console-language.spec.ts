// Issue #15: a manager whose browser asks for Polish gets the contest console in Polish, and its
// tab bar and season form fit a 375 px phone in Polish and Russian.
import { expect, test, PAGE_READY } from './fixtures';

for (const [locale, words] of [
	[
		'pl-PL',
		{
			console: 'Konsola konkursu',
			seasons: 'Sezony',
			newSeason: 'Nowy sezon',
			create: 'Utwórz sezon'
		}
	],
	[
		'ru-RU',
		{
			console: 'Консоль конкурса',
			seasons: 'Сезоны',
			newSeason: 'Новый сезон',
			create: 'Создать сезон'
		}
	]
] as const) {
	test.describe(`the console in ${locale}`, () => {
		test.use({ account: 'manager@demo.test', locale, viewport: { width: 375, height: 812 } });

		test('the console home and the season form speak the browser language', async ({ page }) => {
			await page.goto('/manage');
			await expect(page.getByRole('heading', { level: 1, name: words.console })).toBeVisible({
				timeout: PAGE_READY
			});
			const nav = page.getByRole('navigation', { name: words.console });
			await expect(nav.getByRole('link', { name: words.seasons })).toBeVisible();

			await page.goto('/manage/seasons/new');
			await expect(page.getByRole('heading', { level: 1, name: words.newSeason })).toBeVisible({
				timeout: PAGE_READY
			});
			await expect(page.getByRole('button', { name: words.create })).toBeVisible();
			// Nothing wider than the phone: long words wrap instead of scrolling the page sideways.
			const overflow = await page.evaluate(
				() => document.documentElement.scrollWidth - document.documentElement.clientWidth
			);
			expect(overflow).toBeLessThanOrEqual(0);
		});
	});
}
