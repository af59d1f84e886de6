// Every page works under the Content-Security-Policy (kit.csp in svelte.config.js): no
// violation is reported while pages load, hydrate, connect their socket and draw their charts.
import type { Page } from '@playwright/test';
import { withDb } from './database';
import { E2E_DATABASE_URL } from './env';
import { expect, test, waitForHydration } from './fixtures';
import { runCli } from '../helpers/server';

/** Records CSP violations (the browser's event and its console errors) from the first script on. */
async function watchViolations(page: Page): Promise<string[]> {
	const violations: string[] = [];
	page.on('console', (message) => {
		if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
	});
	await page.exposeFunction('__cspViolation', (text: string) => violations.push(text));
	await page.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (event) => {
			const report = (window as unknown as { __cspViolation: (t: string) => void }).__cspViolation;
			report(
				`${event.violatedDirective} blocked ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`
			);
		});
	});
	return violations;
}

async function visitAll(page: Page, paths: string[]) {
	const violations = await watchViolations(page);
	for (const path of paths) {
		const response = await page.goto(path);
		expect(response?.status(), path).toBeLessThan(400);
		await waitForHydration(page);
		// Let the socket connect and charts draw.
		await page.waitForLoadState('networkidle');
		const policy = (await response!.allHeaders())['content-security-policy'] ?? '';
		expect(policy, path).toContain("default-src 'self'");
	}
	expect(violations).toEqual([]);
}

test.describe('under the Content-Security-Policy', () => {
	test.describe('an admin', () => {
		test.use({ account: 'admin@demo.test', viewport: { width: 1440, height: 900 } });
		test('opens every console page without a violation', async ({ page }) => {
			await visitAll(page, [
				'/',
				'/dashboard',
				'/hall-of-fame',
				'/how-to-score',
				'/me',
				'/manage',
				'/manage/audit',
				'/manage/badges',
				'/manage/badges/new',
				'/manage/displays',
				'/manage/exports',
				'/manage/import',
				'/manage/people',
				'/manage/products',
				'/manage/review',
				'/manage/rules',
				'/manage/rules/new',
				'/manage/seasons',
				'/manage/seasons/new',
				'/manage/teams',
				'/manage/webhooks'
			]);
		});
	});

	test.describe('a participant', () => {
		test.use({ account: 'rep1@demo.test', viewport: { width: 375, height: 812 } });
		test('opens the board, selling and their profile without a violation', async ({ page }) => {
			await visitAll(page, ['/', '/sell', '/me', '/hall-of-fame', '/how-to-score']);
		});
	});

	test('a TV display shows its season without a violation', async ({ page }) => {
		await page.setViewportSize({ width: 1920, height: 1080 });
		const seasonId = await withDb((db) => db.value(`select id from season where key = 'demo'`));
		const result = await runCli(
			['display', 'create', '--season', String(seasonId), '--name', 'CSP TV'],
			E2E_DATABASE_URL
		);
		expect(result.code).toBe(0);
		const token = result.stdout.trim().split('\n').at(-1)!.trim();
		await visitAll(page, [`/tv/${token}?rotate=0`]);
	});
});

test.describe('the webhooks console', () => {
	test.use({ account: 'admin@demo.test' });
	for (const width of [375, 1440]) {
		test(`refuses a private receiver with a field error (${width} px)`, async ({ page }) => {
			await page.setViewportSize({ width, height: 900 });
			await page.goto('/manage/webhooks');
			await waitForHydration(page);
			await page.getByLabel('Receiver URL').fill('http://169.254.169.254/latest/meta-data/');
			await page.getByRole('button', { name: 'Add webhook' }).click();
			const field = page.getByLabel('Receiver URL');
			await expect(field).toHaveAttribute('aria-invalid', 'true');
			await expect(
				page.getByText(/169\.254\.169\.254 is a private or internal address/)
			).toBeVisible();
			await expect(page.getByRole('region', { name: 'Registered webhooks' })).not.toContainText(
				'169.254.169.254'
			);
			await page.screenshot({
				path: `/tmp/shots-webhooks/webhooks-refused-${width}.png`,
				fullPage: true
			});
		});
	}
});
