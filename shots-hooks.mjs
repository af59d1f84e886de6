import { chromium } from '@playwright/test';
const base = 'http://localhost:4582';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
for (const width of [375, 1440]) {
	const context = await browser.newContext({ viewport: { width, height: 900 } });
	const page = await context.newPage();
	await page.goto(`${base}/login`);
	await page.getByLabel('Email').fill('admin@demo.test');
	await page.getByLabel('Password').fill('demo-password');
	await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.getByRole('button', { name: /sign in/i }).click()]);
	await page.goto(`${base}/manage/webhooks`);
	console.log(width, 'webhooks before', await page.evaluate(() => document.documentElement.scrollWidth));
	const first = page.locator('details').first();
	if (await first.count()) await first.locator('summary').click();
	console.log(width, 'webhooks after', await page.evaluate(() => document.documentElement.scrollWidth));
	await page.screenshot({ path: `/tmp/shots-hooks/webhooks-${width}.png`, fullPage: true });
	await page.getByRole('region', { name: /Delivery log/ }).screenshot({ path: `/tmp/shots-hooks/webhooks-log-${width}.png` });
	await page.goto(`${base}/manage/api`);
	console.log(width, 'api', await page.evaluate(() => document.documentElement.scrollWidth));
	await page.screenshot({ path: `/tmp/shots-hooks/api-${width}.png`, fullPage: true });
	await page.screenshot({ path: `/tmp/shots-hooks/api-top-${width}.png` });
	await page.locator('#postSales details').first().locator('summary').click();
	await page.locator('#postSales').screenshot({ path: `/tmp/shots-hooks/api-op-${width}.png` });
	await context.close();
}
await browser.close();
