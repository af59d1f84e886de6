// A rep takes the demo's training quiz on a 375 px phone: the list shows it as new, one page of
// big choices, one submit, then the result with the correct answers, the explanations and the
// points earned; the page never gets wider than the screen.
import { expect, PAGE_READY, test, waitForHydration } from './fixtures';

const PHONE = { width: 375, height: 812 };

test.describe('a training quiz on a 375 px phone', () => {
	test.use({ account: 'rep1@demo.test', viewport: PHONE, hasTouch: true, isMobile: true });

	test('take the demo quiz and see the result with explanations and points', async ({ page }) => {
		await page.goto('/quizzes');
		const quiz = page.getByRole('link', { name: /Know your offers/ });
		await expect(quiz).toBeVisible({ timeout: PAGE_READY });
		await expect(quiz).toContainText('New');
		await quiz.tap();
		await waitForHydration(page);

		await page
			.getByRole('group', { name: /How many points does a Phone Pro 15/ })
			.getByLabel('50')
			.tap();
		await page
			.getByRole('group', { name: /earns the most points/ })
			.getByLabel('Phone Pro 15')
			.tap();
		const accessories = page.getByRole('group', { name: /accessories/ });
		await accessories.getByLabel('Rugged Case').tap();
		await accessories.getByLabel('Fast Charger 65W').tap();
		// A wrong answer on purpose: the result shows what was right.
		await page
			.getByRole('group', { name: /audio week/ })
			.getByLabel('20')
			.tap();
		await page.getByRole('button', { name: 'Submit answers' }).tap();

		await expect(page.getByRole('heading', { name: 'Passed!' })).toBeVisible({
			timeout: PAGE_READY
		});
		await expect(page.getByText('3 of 4 correct')).toBeVisible();
		await expect(page.getByText('+30 pts')).toBeVisible();
		await expect(page.getByText(/doubled the points of audio products/)).toBeVisible();
		const width = await page.evaluate(() => document.documentElement.scrollWidth);
		expect(width).toBeLessThanOrEqual(375);

		// A second try is for learning: it earns nothing.
		await page.getByRole('link', { name: 'Try again to learn' }).tap();
		await expect(page.getByText(/This try is to learn/)).toBeVisible();
	});
});
