import { chromium } from '@playwright/test';
const BASE = 'http://127.0.0.1:47120';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic'] });
async function session(email, width) {
	const ctx = await browser.newContext({ viewport: { width, height: width < 500 ? 812 : 900 }, locale: 'en-GB' });
	const page = await ctx.newPage();
	await page.goto(`${BASE}/login`);
	await page.fill('input[name=email]', email);
	await page.fill('input[name=password]', 'demo-password');
	await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
	return { ctx, page };
}
const quizId = process.argv[2];
for (const width of [375, 1440]) {
	const rep = await session(width === 375 ? 'rep1@demo.test' : 'rep9@demo.test', width);
	const p = rep.page;
	await p.goto(`${BASE}/quizzes`); await p.screenshot({ path: `/tmp/quiz-shots/list-${width}.png`, fullPage: true });
	await p.goto(`${BASE}/quizzes/${quizId}`); await p.waitForTimeout(500);
	await p.screenshot({ path: `/tmp/quiz-shots/take-${width}.png`, fullPage: true });
	const groups = p.getByRole('group');
	const n = await groups.count();
	for (let i = 0; i < n; i++) await groups.nth(i).locator('label.choice').first().click();
	await p.getByRole('button', { name: 'Submit answers' }).click();
	await p.waitForURL(/attempt=/); await p.waitForTimeout(500);
	await p.screenshot({ path: `/tmp/quiz-shots/result-${width}.png`, fullPage: true });
	await p.goto(`${BASE}/`); await p.waitForTimeout(1500);
	await p.screenshot({ path: `/tmp/quiz-shots/board-${width}.png`, fullPage: true });
	await rep.ctx.close();
	const mgr = await session('manager@demo.test', width);
	const q = mgr.page;
	for (const [name, path] of [['manage', '/manage/quizzes'], ['edit', `/manage/quizzes/${quizId}`], ['results', `/manage/quizzes/${quizId}/results`], ['new', '/manage/quizzes/new']]) {
		await q.goto(`${BASE}${path}`); await q.waitForTimeout(400);
		await q.screenshot({ path: `/tmp/quiz-shots/${name}-${width}.png`, fullPage: true });
	}
	await mgr.ctx.close();
}
await browser.close();
console.log('shots done');
