// Shared fixtures for the browser tests: sign in the way a user does, once per account, and
// reuse that session (its cookie) everywhere else.
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { browserLocale, say, type Locale } from './messages';

export { expect };

const DEMO_PASSWORD = 'demo-password';

/** How long a page may take to load, hydrate and connect on a busy machine. */
export const PAGE_READY = 20_000;

// Mirrors src/lib/server/demo.ts: rep<N>@demo.test is REPS[N - 1].
const REPS = [
	'Anna Kowalska',
	'Ben Okafor',
	'Chloé Martin',
	'Dawid Nowak',
	'Elena Rossi',
	'Farid Haddad',
	'Greta Lind',
	'Hiro Tanaka',
	'Ines Duarte',
	'Jonas Berg',
	'Kasia Wiśniewska',
	'Liam Walsh',
	'Maya Cohen',
	'Nils Eriksson',
	'Olga Petrova',
	'Pablo Ruiz',
	'Quinn Taylor',
	'Rosa Jansen',
	'Sam Carter',
	'Tara Singh'
];

export function repEmail(name: string): string {
	const index = REPS.indexOf(name);
	if (index < 0) throw new Error(`${name} is not a demo participant`);
	return `rep${index + 1}@demo.test`;
}

/**
 * Fills the sign-in form and submits it; the caller checks where that leads. The form is read in
 * `locale`, the language the browser asks for (English unless the test set another).
 */
export async function submitSignIn(
	page: Page,
	email: string,
	password = DEMO_PASSWORD,
	locale: Locale = 'en'
) {
	await page.goto('/login');
	// Hydration resets the Email field (its `value` is bound to the last form result), so text
	// typed before it is lost: type only once the page is hydrated, as a user would see it work.
	await waitForHydration(page);
	await page.getByLabel(say(locale, 'auth_email', 'Email'), { exact: true }).fill(email);
	await page.getByLabel(say(locale, 'auth_password', 'Password'), { exact: true }).fill(password);
	await page
		.getByRole('button', { name: say(locale, 'auth_sign_in', 'Sign in'), exact: true })
		.click();
}

/**
 * Waits until SvelteKit has hydrated the page and started its client router.
 * Note: relies on SvelteKit's client setting `history.scrollRestoration = 'manual'` when its
 * router starts, right after hydration (a fresh document starts with 'auto').
 */
export async function waitForHydration(page: Page) {
	await page.waitForFunction(() => history.scrollRestoration === 'manual', undefined, {
		timeout: PAGE_READY
	});
}

/**
 * Opens `path` (a path of the app, no query) as a click on one of its links does: a client-side
 * navigation that loads the page's data and renders it, where page.goto parses and hydrates the
 * whole app again (an admin's 47 pages: 8 s against 23 s). For the walks over every page; the
 * first page of a walk is opened with page.goto. Fails if the app shows its error page.
 */
export async function navigateInApp(page: Page, path: string) {
	await page.evaluate((target) => {
		const link = document.createElement('a');
		link.href = target;
		document.body.append(link);
		link.click();
		link.remove();
	}, path);
	await page.waitForURL((url) => url.pathname === path, { timeout: PAGE_READY });
	// SvelteKit sets the URL once the page's data is in, then renders it: a frame later it shows.
	await page.evaluate(
		() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
	);
	const error = page.locator('main.error .code');
	if ((await error.count()) > 0)
		throw new Error(`${path} shows the error page (${await error.textContent()})`);
}

/** Signs in through the form and waits until the app has let the user in. */
export async function signIn(
	page: Page,
	email: string,
	password = DEMO_PASSWORD,
	locale: Locale = 'en'
) {
	await submitSignIn(page, email, password, locale);
	await expect(page).not.toHaveURL(/\/login/, { timeout: PAGE_READY });
}

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

interface Sessions {
	/** The cookies of a signed-in session for `email`, signing in through the form the first time. */
	stateFor(email: string): Promise<StorageState>;
}

interface TestFixtures {
	/** Email of the demo account the test's `page` is signed in as; none by default. */
	account: string | undefined;
	/** Opens a page in a separate browser context (another person) signed in as `email`. */
	openAs: (email: string) => Promise<Page>;
}

/**
 * The screenshots the specs save to look at (`screenshot({ path })`) are taken only with
 * E2E_SHOTS=1: nobody looks at them in CI, and a full-page one costs a second of a busy core.
 * Playwright's own screenshot of a failed test is not affected.
 */
const SHOTS = Boolean(process.env.E2E_SHOTS);
function shotsOnRequest(page: Page) {
	if (SHOTS) return;
	const take = page.screenshot.bind(page);
	page.screenshot = (options) => (options?.path ? Promise.resolve(Buffer.alloc(0)) : take(options));
}

export const test = base.extend<TestFixtures, { sessions: Sessions }>({
	account: [undefined, { option: true }],

	context: async ({ context }, use) => {
		context.pages().forEach(shotsOnRequest);
		context.on('page', shotsOnRequest);
		await use(context);
	},

	sessions: [
		async ({ browser }, use, workerInfo) => {
			const baseURL = workerInfo.project.use.baseURL;
			const cache = new Map<string, Promise<StorageState>>();
			const signInOnce = async (email: string) => {
				// Note: the test runner's browser.newContext() inherits the test's `use` options,
				// including the storage state of `account` and the locale: start signed out, in
				// English, explicitly (a session serves every language).
				const context = await browser.newContext({
					baseURL,
					locale: browserLocale('en'),
					storageState: { cookies: [], origins: [] }
				});
				try {
					await signIn(await context.newPage(), email);
					return await context.storageState();
				} finally {
					await context.close();
				}
			};
			await use({
				stateFor(email) {
					let state = cache.get(email);
					if (!state) {
						state = signInOnce(email);
						// A failed sign-in is not cached, so the next test tries again.
						state.catch(() => cache.delete(email));
						cache.set(email, state);
					}
					return state;
				}
			});
		},
		{ scope: 'worker' }
	],

	storageState: async ({ account, sessions, storageState }, use) => {
		await use(account ? await sessions.stateFor(account) : storageState);
	},

	openAs: async ({ browser, sessions, baseURL }, use) => {
		const contexts: BrowserContext[] = [];
		await use(async (email) => {
			const storageState = await sessions.stateFor(email);
			const context = await browser.newContext({ baseURL, storageState });
			contexts.push(context);
			const page = await context.newPage();
			shotsOnRequest(page);
			return page;
		});
		await Promise.all(contexts.map((context) => context.close()));
	}
});

/**
 * Opens the honor board and waits until it is live: the socket is connected and watching the
 * season, which also means the page is hydrated and links navigate on the client.
 */
export async function openBoard(page: Page) {
	await page.goto('/');
	await expect(page.getByText('Live season', { exact: true })).toBeVisible({ timeout: PAGE_READY });
}

export const honorBoard = (page: Page) => page.getByRole('region', { name: 'Honor board' });

/** The row of the ranking list (not the podium) for one person. */
export const rankingRow = (page: Page, name: string) =>
	honorBoard(page).getByRole('listitem').filter({ hasText: name });

export interface Row {
	rank: number;
	points: number;
	pending: number;
}

// A ranking row reads "7 🦅 Greta Lind Falcons 1,234" (+ " +50 pending" while unconfirmed).
const ROW = /^(\d+)\b[\s\S]*?([\d,]+)(?:\s*\+(\d+) pending)?$/;

/** All ranking rows, best first, as names with rank and points. */
export async function readBoard(page: Page): Promise<(Row & { name: string })[]> {
	const texts = await honorBoard(page).getByRole('listitem').allTextContents();
	return texts.map((raw) => {
		const text = normalize(raw);
		const name = REPS.find((rep) => text.includes(rep));
		const match = ROW.exec(text);
		if (!name || !match) throw new Error(`Unexpected ranking row: "${text}"`);
		const [rank, points, pending] = [Number(match[1]), toNumber(match[2]), Number(match[3] ?? 0)];
		return { name, rank, points, pending };
	});
}

/** The text a ranking row must show, as a pattern: rank first, the name, the points last. */
export function rowPattern(name: string, row: Row): RegExp {
	const points = escape(row.points.toLocaleString('en'));
	const pending = row.pending > 0 ? `\\s+\\+${row.pending} pending` : '';
	const any = '[\\s\\S]*';
	return new RegExp(`^\\s*${row.rank}\\s${any}${escape(name)}${any}\\s${points}${pending}\\s*$`);
}

export interface Standing {
	rank: number;
	/** Confirmed and pending points together. */
	total: number;
}

/** Reads "Your standing" on the board ("#4 of 20 · 1,234 pts +50 pending"). */
export async function readStanding(page: Page): Promise<Standing> {
	const text = normalize(await page.getByRole('region', { name: 'Your standing' }).textContent());
	const match = /#(\d+)[\s\S]*?([\d,]+) pts(?:\s*\+([\d,]+) pending)?/.exec(text);
	if (!match) throw new Error(`Unexpected standing: "${text}"`);
	return { rank: Number(match[1]), total: toNumber(match[2]) + toNumber(match[3] ?? '0') };
}

export interface SaleResult {
	points: number;
	pending: boolean;
	rank: number;
	of: number;
	/** Confirmed + pending, as readStanding counts it. */
	total: number;
	/** The board's points: confirmed only. */
	confirmed: number;
	pendingTotal: number;
}

const SALE =
	/\+([\d,]+) points( \(pending\))?[\s\S]*You're now #(\d+) of (\d+) with ([\d,]+) pts(?: \+([\d,]+) pending)?/;

/**
 * Waits for and reads the confirmation after "Register sale":
 * "+100 points … You're now #3 of 20 with 1,234 pts." (and "+125 pending" when some are).
 */
export async function readSaleResult(page: Page): Promise<SaleResult> {
	const result = page.getByRole('status').filter({ hasText: /You're now #\d+/ });
	await expect(result).toContainText(/\+[\d,]+ points/, { timeout: PAGE_READY });
	const text = normalize(await result.textContent());
	const match = SALE.exec(text);
	if (!match) throw new Error(`Unexpected sale confirmation: "${text}"`);
	const confirmed = toNumber(match[5]);
	const pendingTotal = toNumber(match[6] ?? '0');
	return {
		points: toNumber(match[1]),
		pending: !!match[2],
		rank: Number(match[3]),
		of: Number(match[4]),
		total: confirmed + pendingTotal,
		confirmed,
		pendingTotal
	};
}

const normalize = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();
const toNumber = (text: string) => Number(text.replaceAll(',', ''));
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
