// Screenshots of the pages people read most, in one language, at a phone's and a desktop's
// width, to look at after a translation: the board, /sell, the TV and the dashboard. Starts
// nothing itself: point it at a running server (`npm run demo`, or seed-demo --locale pl first).
//
//   npx tsx scripts/screenshots.ts --locale ru --out screenshots/ \
//     [--url http://localhost:3000] [--user rep1@demo.test] [--executive executive@demo.test] \
//     [--password demo-password] [--tv /tv/<token>] [--chromium /usr/bin/chromium]
//
// The browser asks for the language (Accept-Language); the TV shows its display's own language,
// so --tv takes the link of a display created in that language (Manage → Displays).
import { chromium, type Browser } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { INTL_LOCALES, isLocale, LOCALES, type Locale } from '../src/lib/i18n/locales';

const WIDTHS = [
	{ width: 375, height: 740 },
	{ width: 1440, height: 900 }
];

const { values } = parseArgs({
	options: {
		locale: { type: 'string' },
		out: { type: 'string', default: 'screenshots' },
		url: { type: 'string', default: 'http://localhost:3000' },
		user: { type: 'string', default: 'rep1@demo.test' },
		executive: { type: 'string', default: 'executive@demo.test' },
		password: { type: 'string', default: 'demo-password' },
		tv: { type: 'string' },
		chromium: { type: 'string', default: '/usr/bin/chromium' }
	}
});

function fail(message: string): never {
	console.error(`Error: ${message}`);
	process.exit(2);
}

if (!isLocale(values.locale)) fail(`--locale must be one of: ${LOCALES.join(', ')}`);
const locale: Locale = values.locale;
const base = values.url.replace(/\/$/, '');
const out = resolve(values.out);

/** Signs in through the /login form's action, the way a browser posts it: the session cookie. */
async function session(email: string): Promise<string> {
	const response = await fetch(`${base}/login`, {
		method: 'POST',
		body: new URLSearchParams({ email, password: values.password }),
		headers: {
			origin: base,
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'text/html'
		},
		redirect: 'manual'
	});
	const cookie = response.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.find((c) => c.startsWith('session='));
	if (!cookie) fail(`signing in as ${email} at ${base} failed (${response.status})`);
	return cookie.slice('session='.length);
}

/** Takes `path` at each width as `email` (signed out without one) into out/<name>-<width>.png. */
async function shoot(browser: Browser, name: string, path: string, email?: string) {
	const context = await browser.newContext({
		baseURL: base,
		locale: INTL_LOCALES[locale],
		reducedMotion: 'reduce'
	});
	if (email) {
		const { hostname } = new URL(base);
		await context.addCookies([
			{ name: 'session', value: await session(email), domain: hostname, path: '/' }
		]);
	}
	try {
		const page = await context.newPage();
		for (const viewport of WIDTHS) {
			await page.setViewportSize(viewport);
			const response = await page.goto(path);
			if (!response?.ok()) fail(`${path} answered ${response?.status()}`);
			// Hydrated (SvelteKit's router sets this) and its data loaded, fonts included.
			await page.waitForFunction(() => history.scrollRestoration === 'manual', undefined, {
				timeout: 20_000
			});
			await page.waitForLoadState('networkidle').catch(() => {});
			await page.evaluate(() => document.fonts.ready);
			const file = join(out, `${locale}-${name}-${viewport.width}.png`);
			await page.screenshot({ path: file, fullPage: true });
			console.log(file);
		}
	} finally {
		await context.close();
	}
}

mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
	executablePath: values.chromium,
	args: ['--no-sandbox', '--disable-gpu']
});
try {
	await shoot(browser, 'login', '/login');
	await shoot(browser, 'board', '/', values.user);
	await shoot(browser, 'sell', '/sell', values.user);
	await shoot(browser, 'dashboard', '/dashboard', values.executive);
	// The TV rotates its views: hold it on the podium.
	const tv = values.tv?.replace(/^https?:\/\/[^/]+/, '');
	if (tv) await shoot(browser, 'tv', tv.includes('?') ? tv : `${tv}?rotate=0`);
	else console.log('No --tv link given: the TV is not taken (create a display, pass /tv/<token>).');
} finally {
	await browser.close();
}
