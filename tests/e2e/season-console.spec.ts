// Issue "Season lifecycle, scheduler and the contest manager's console": a manager launches a
// themed season from the console and invites someone, who joins through the link and sees the
// new theme on the board; participants cannot reach the console or use its actions.
import type { Page } from '@playwright/test';
import { expect, test, waitForHydration, PAGE_READY } from './fixtures';
import { E2E_URL } from './env';

const ROCKET = {
	label: 'Rocket launch',
	emoji: '🚀',
	tagline: '3, 2, 1… lift-off! Every sale is fuel for the rocket.'
};

/** 'YYYY-MM-DD' of a UTC date. */
const day = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Dates (UTC) that make the season live now: it started the day before the current quarter
 * and ends in two weeks.
 * Note: the demo season starts on the first day of the quarter, so it stays the most recently
 * started live season, the one the API's `seasons/current` and the console's other pages use,
 * and the specs that run after this one (sharing the database) still find it there.
 */
function liveDates(now = new Date()) {
	const quarterStart = Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1);
	return {
		startDate: day(new Date(quarterStart - 86_400_000)),
		endDate: day(new Date(now.getTime() + 14 * 86_400_000))
	};
}

/** Creates a live season from the "Rocket launch" theme; returns its id. */
async function createRocketSeason(manager: Page, name: string): Promise<number> {
	await manager.goto('/manage/seasons');
	await manager.getByRole('link', { name: 'New season' }).click();
	await expect(manager).toHaveURL(/\/manage\/seasons\/new$/);
	await waitForHydration(manager);

	await manager.getByText(ROCKET.label, { exact: true }).click();
	await expect(manager.getByLabel('Emoji', { exact: true })).toHaveValue(ROCKET.emoji);
	await expect(manager.getByRole('textbox', { name: 'Tagline' })).toHaveValue(ROCKET.tagline);
	await manager.getByLabel('Season name').fill(name);
	const { startDate, endDate } = liveDates();
	await manager.getByLabel('Time zone').selectOption('UTC');
	await manager.getByLabel('First day').fill(startDate);
	await manager.getByLabel('Last day').fill(endDate);
	await expect(
		manager.getByText('Starts today: it goes live on every board as soon as')
	).toBeVisible();
	await manager.getByRole('button', { name: 'Create season' }).click();

	await expect(manager).toHaveURL(/\/manage\/seasons\/\d+\?created=1$/, { timeout: PAGE_READY });
	await expect(manager.getByRole('heading', { level: 1, name })).toBeVisible();
	// Its start has passed, but nobody is in it and there is nothing to sell yet: it waits,
	// "ready to launch", instead of appearing empty on every board.
	await expect(
		manager.locator('main').getByText('Ready to launch', { exact: true }).first()
	).toBeVisible();
	return Number(/\/manage\/seasons\/(\d+)/.exec(manager.url())![1]);
}

/** Adds a product from the season's launch checklist; the season then goes live. */
async function addProduct(manager: Page, seasonId: number) {
	await manager.goto(`/manage/seasons/${seasonId}`);
	await manager.getByRole('link', { name: /Add products/ }).click();
	await expect(manager).toHaveURL(new RegExp(`/manage/products\\?season=${seasonId}$`));
	await waitForHydration(manager);
	await manager.getByRole('button', { name: 'Add a product' }).click();
	await manager.getByLabel('SKU').fill('FUEL-1');
	await manager.getByLabel('Name', { exact: true }).fill('Rocket fuel');
	await manager.getByLabel('Category').fill('Fuel');
	await manager.getByLabel('Base points').fill('10');
	await manager.getByLabel('Price (EUR)').fill('9.90');
	await manager.getByRole('button', { name: 'Add product' }).click();
	await expect(manager.getByText('Rocket fuel').first()).toBeVisible();
	await manager.goto(`/manage/seasons/${seasonId}`);
	await expect(manager.locator('main').getByText('Live', { exact: true }).first()).toBeVisible();
}

/** Adds a team to the season and creates an invitation; returns the invitation link. */
async function inviteMember(
	manager: Page,
	seasonId: number,
	person: { name: string; email: string }
) {
	await manager.goto(`/manage/teams?season=${seasonId}`);
	await waitForHydration(manager);
	await expect(manager.getByLabel('Season', { exact: true })).toHaveValue(String(seasonId));
	await manager.getByLabel('New team name').fill('Boosters');
	await manager.getByRole('button', { name: 'Add team' }).click();
	await expect(manager.getByRole('button', { name: 'Edit team Boosters' })).toBeVisible();
	await expect(manager.getByRole('alert')).toHaveCount(0);

	await manager.getByLabel('Name', { exact: true }).fill(person.name);
	await manager.getByLabel('Email', { exact: true }).fill(person.email);
	await expect(manager.getByLabel('Team', { exact: true })).toContainText('Boosters');
	await manager.getByRole('button', { name: 'Create invitation' }).click();
	const link = manager.getByRole('textbox', { name: `Invitation link for ${person.name}` });
	await expect(link).toHaveValue(/\/invite\/[a-z0-9]+$/);
	return new URL(await link.inputValue());
}

test('a manager launches a themed season and the invited member joins it', async ({
	browser,
	openAs
}) => {
	const stamp = Date.now();
	const name = `Rocket Launch ${stamp}`;
	const person = { name: `Nova Sky ${stamp}`, email: `nova-${stamp}@example.test` };
	const manager = await openAs('manager@demo.test');

	const seasonId = await createRocketSeason(manager, name);
	const link = await inviteMember(manager, seasonId, person);
	await addProduct(manager, seasonId);

	// The invited person: another browser, nobody signed in.
	const context = await browser.newContext({
		baseURL: E2E_URL,
		storageState: { cookies: [], origins: [] }
	});
	try {
		const member = await context.newPage();
		await member.goto(link.pathname);
		await waitForHydration(member);
		await expect(member.getByRole('heading', { name: `Welcome, ${person.name}` })).toBeVisible();
		await member.getByLabel('Password', { exact: true }).fill('rocket-password');
		await member.getByLabel('Confirm password').fill('rocket-password');
		await member.getByRole('button', { name: 'Set password and join' }).click();

		// Signed in, on the board of the new season with its theme.
		await expect(member).toHaveURL(`${E2E_URL}/`, { timeout: PAGE_READY });
		await expect(member.getByText('Live season', { exact: true })).toBeVisible({
			timeout: PAGE_READY
		});
		await expect(member.getByRole('heading', { level: 1, name })).toBeVisible();
		await expect(member.getByText(ROCKET.tagline)).toBeVisible();
		await expect(member.getByText(ROCKET.emoji, { exact: true }).first()).toBeVisible();

		// The link works once.
		await member.goto(link.pathname);
		await expect(member.getByRole('heading', { name: 'Invitation already used' })).toBeVisible();
	} finally {
		await context.close();
	}

	// The demo reps still play the demo season.
	const rep = await openAs('rep1@demo.test');
	await rep.goto('/');
	await expect(rep.getByText('Live season', { exact: true })).toBeVisible({ timeout: PAGE_READY });
	await expect(rep.getByRole('heading', { level: 1, name })).toHaveCount(0);
});

// Note: no `account` option here: the fixtures' sign-in context would inherit its cookies.
test.describe('a participant', () => {
	for (const path of ['/manage', '/manage/seasons', '/manage/teams', '/manage/seasons/new']) {
		test(`gets 403 at ${path}`, async ({ openAs }) => {
			const page = await openAs('rep1@demo.test');
			const response = await page.goto(path);
			expect(response?.status()).toBe(403);
			await expect(page.getByRole('heading', { name: 'Not for your role' })).toBeVisible();
		});
	}

	test("cannot use the console's actions by posting its forms", async ({ openAs }) => {
		const stamp = Date.now();
		const manager = await openAs('manager@demo.test');
		const page = await openAs('rep1@demo.test');
		await manager.goto('/manage/teams');
		const seasonId = await manager.getByLabel('Season', { exact: true }).inputValue();

		// What a form on a copied page would send, with the participant's session cookie.
		const post = (action: string, form: Record<string, string>) =>
			page.request.post(action, { form, headers: { origin: E2E_URL }, maxRedirects: 0 });
		const team = `Intruders ${stamp}`;
		const addTeam = await post('/manage/teams?/addTeam', {
			seasonId,
			name: team,
			color: '#ff0000',
			emoji: '🏴'
		});
		expect(addTeam.status()).toBe(403);
		const invite = await post('/manage/teams?/invite', {
			seasonId,
			name: 'Mallory',
			email: `mallory-${stamp}@example.test`,
			teamId: '1'
		});
		expect(invite.status()).toBe(403);
		const season = `Takeover ${stamp}`;
		const create = await post('/manage/seasons/new?/save', {
			source: 'scratch',
			intent: 'scheduled',
			name: season,
			primary: '#000000',
			accent: '#ffffff',
			emoji: '🏴',
			tagline: '',
			timeZone: 'UTC',
			...liveDates(),
			recurrence: 'none',
			every: '1',
			tieRule: 'competition',
			graceDays: '7'
		});
		expect(create.status()).toBe(403);

		// Nothing changed.
		await manager.goto(`/manage/teams?season=${seasonId}`);
		await expect(manager.getByRole('heading', { name: 'Teams', exact: true })).toBeVisible();
		await expect(manager.getByText(team)).toHaveCount(0);
		await expect(manager.getByText(`mallory-${stamp}@example.test`)).toHaveCount(0);
		await manager.goto('/manage/seasons');
		await expect(manager.getByRole('heading', { level: 1, name: 'Seasons' })).toBeVisible();
		await expect(manager.getByText(season)).toHaveCount(0);
	});
});
