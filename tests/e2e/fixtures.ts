// Shared fixtures for the browser tests: sign in the way a user does, once per account, and
// reuse that session (its cookie) everywhere else.
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';

export { expect };

export const DEMO_PASSWORD = 'demo-password';

// Mirrors src/lib/server/demo.ts: rep<N>@demo.test is REPS[N - 1].
export const REPS = [
	'Anna Kowalska', 'Ben Okafor', 'Chloé Martin', 'Dawid Nowak', 'Elena Rossi',
	'Farid Haddad', 'Greta Lind', 'Hiro Tanaka', 'Ines Duarte', 'Jonas Berg',
	'Kasia Wiśniewska', 'Liam Walsh', 'Maya Cohen', 'Nils Eriksson', 'Olga Petrova',
	'Pablo Ruiz', 'Quinn Taylor', 'Rosa Jansen', 'Sam Carter', 'Tara Singh'
];

export const repEmail = (name: string) => `rep${REPS.indexOf(name) + 1}@demo.test`;

/** Fills the sign-in form and submits it; the caller checks where that leads. */
export async function submitSignIn(page: Page, email: string, password = DEMO_PASSWORD) {
	await page.goto('/login');
	await page.getByLabel('Email', { exact: true }).fill(email);
	await page.getByLabel('Password', { exact: true }).fill(password);
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs in through the form and waits until the app has let the user in. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
	await submitSignIn(page, email, password);
	await expect(page).not.toHaveURL(/\/login/);
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

export const test = base.extend<TestFixtures, { sessions: Sessions }>({
	account: [undefined, { option: true }],

	sessions: [
		async ({ browser }, use, workerInfo) => {
			const baseURL = workerInfo.project.use.baseURL;
			const cache = new Map<string, Promise<StorageState>>();
			const signInOnce = async (email: string) => {
				const context = await browser.newContext({ baseURL });
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
			const context = await browser.newContext({ baseURL, storageState: await sessions.stateFor(email) });
			contexts.push(context);
			return context.newPage();
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
	await expect(page.getByText('Live season', { exact: true })).toBeVisible();
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

const ROW = /^(\d+)\b[\s\S]*?([\d,]+)(?:\s*\+(\d+) pending)?$/;

/** Reads rank and points from a ranking row's text ("7 🦅 Greta Lind Falcons 1,234 +50 pending"). */
export async function readRow(page: Page, name: string): Promise<Row> {
	const text = normalize(await rankingRow(page, name).textContent());
	const match = ROW.exec(text);
	if (!match) throw new Error(`Unexpected ranking row: "${text}"`);
	return { rank: Number(match[1]), points: toNumber(match[2]), pending: Number(match[3] ?? 0) };
}

/** All ranking rows, best first, as names with rank and points. */
export async function readBoard(page: Page): Promise<(Row & { name: string })[]> {
	const texts = await honorBoard(page).getByRole('listitem').allTextContents();
	return texts.map((raw) => {
		const text = normalize(raw);
		const name = REPS.find((rep) => text.includes(rep));
		const match = ROW.exec(text);
		if (!name || !match) throw new Error(`Unexpected ranking row: "${text}"`);
		return { name, rank: Number(match[1]), points: toNumber(match[2]), pending: Number(match[3] ?? 0) };
	});
}

/** The text a ranking row must show, as a pattern: rank first, the name, the points last. */
export function rowPattern(name: string, row: Row): RegExp {
	const pending = row.pending > 0 ? ` \\+${row.pending} pending` : '';
	return new RegExp(`^${row.rank}\\b.*${escape(name)}.* ${escape(row.points.toLocaleString('en'))}${pending}$`);
}

export interface Standing {
	rank: number;
	/** Confirmed and pending points together. */
	total: number;
}

/** Reads "Your standing" on the board ("#4 of 20 · 1,234 pts +50 pending"). */
export async function readStanding(page: Page): Promise<Standing> {
	const text = normalize(await page.getByRole('region', { name: 'Your standing' }).textContent());
	const match = /#(\d+)[\s\S]*?([\d,]+) pts(?:\s*\+(\d+) pending)?/.exec(text);
	if (!match) throw new Error(`Unexpected standing: "${text}"`);
	return { rank: Number(match[1]), total: toNumber(match[2]) + Number(match[3] ?? 0) };
}

export interface SaleResult {
	points: number;
	pending: boolean;
	rank: number;
	of: number;
	total: number;
}

/** Waits for and reads the confirmation after "Register sale" ("+100 points … You're now #3 of 20 with 1,234 pts."). */
export async function readSaleResult(page: Page): Promise<SaleResult> {
	const result = page.getByRole('status').filter({ hasText: /You're now #\d+/ });
	await expect(result).toContainText(/\+\d+ points/);
	const text = normalize(await result.textContent());
	const match = /\+(\d+) points( \(pending\))?[\s\S]*You're now #(\d+) of (\d+) with ([\d,]+) pts/.exec(text);
	if (!match) throw new Error(`Unexpected sale confirmation: "${text}"`);
	return {
		points: Number(match[1]),
		pending: !!match[2],
		rank: Number(match[3]),
		of: Number(match[4]),
		total: toNumber(match[5])
	};
}

const normalize = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();
const toNumber = (text: string) => Number(text.replaceAll(',', ''));
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
