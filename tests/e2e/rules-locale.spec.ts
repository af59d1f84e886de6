// The rule, badge and review consoles answer in the browser's language (ru, pl) and fit a
// 375 px phone without sideways scrolling. Screenshots go to test-results for a look.
import { test, expect } from './fixtures';

const PAGES = [
	{ path: '/manage/rules/new', ru: 'Новое правило', pl: 'Nowa reguła' },
	{ path: '/manage/badges', ru: 'Значки', pl: 'Odznaki' },
	{ path: '/manage/review', ru: 'Очередь проверки', pl: 'Kolejka do sprawdzenia' }
] as const;

for (const locale of ['ru', 'pl'] as const) {
	test(`rules, badges and review in ${locale} at 375 px`, async ({ browser, sessions }, info) => {
		const state = await sessions.stateFor('manager@demo.test');
		const context = await browser.newContext({
			baseURL: info.project.use.baseURL,
			storageState: state,
			locale: locale === 'ru' ? 'ru-RU' : 'pl-PL',
			viewport: { width: 375, height: 800 }
		});
		const page = await context.newPage();
		for (const p of PAGES) {
			await page.goto(p.path);
			await expect(page.getByRole('heading', { level: 1, name: p[locale] })).toBeVisible();
			await expect(page.locator('html')).toHaveAttribute('lang', locale);
			const overflow = await page.evaluate(
				() => document.documentElement.scrollWidth - document.documentElement.clientWidth
			);
			expect({ path: p.path, overflow }).toEqual({ path: p.path, overflow: 0 });
			await page.screenshot({
				path: info.outputPath(`${locale}${p.path.replaceAll('/', '-')}.png`),
				fullPage: true
			});
		}
		await context.close();
	});
}
