// Issue "a first contest a manager can launch without traps": the season form sets one whole
// run for a repeating season, a season without people or products waits as "ready to launch"
// with a checklist, badges come as a starter set, and colour fields always have a colour.
import type { Page } from '@playwright/test';
import { expect, test, waitForHydration, PAGE_READY } from './fixtures';
import { browserLocale, t } from './messages';

const SHOTS = '/tmp/shots-launch';
const shoot = async (page: Page, name: string) => {
	for (const width of [375, 1440]) {
		await page.setViewportSize({ width, height: 900 });
		await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
	}
};

/** Console messages about an `<input type=color>` given a value it cannot show. */
function colourWarnings(page: Page): string[] {
	const seen: string[] = [];
	page.on('console', (message) => {
		if (message.text().includes('does not conform to the required format'))
			seen.push(message.text());
	});
	return seen;
}

test('"Make it quarterly" and "Repeat" set one whole run of the season', async ({ openAs }) => {
	const manager = await openAs('manager@demo.test');
	await manager.goto('/manage/seasons/new');
	await waitForHydration(manager);
	await manager.getByText('Blank', { exact: true }).click();
	await manager.getByLabel('First day').fill('2027-01-15');
	await manager.getByRole('button', { name: 'Make it quarterly' }).click();
	await expect(manager.getByLabel('Every how many months')).toHaveValue('3');
	await expect(manager.getByLabel('Last day')).toHaveValue('2027-04-14');

	await manager.getByLabel('Repeat', { exact: true }).selectOption('month');
	await manager.getByLabel('Every how many months').fill('1');
	await expect(manager.getByLabel('Last day')).toHaveValue('2027-02-14');
	await manager.getByLabel('Repeat', { exact: true }).selectOption('week');
	await expect(manager.getByLabel('Every how many weeks')).toHaveValue('1');
	await expect(manager.getByLabel('Last day')).toHaveValue('2027-01-21');
	// A new start keeps a repeating season one run long.
	await manager.getByLabel('First day').fill('2027-03-01');
	await manager.getByLabel('First day').blur();
	await expect(manager.getByLabel('Last day')).toHaveValue('2027-03-07');
	await manager.getByRole('button', { name: 'Make it quarterly' }).click();
	await expect(manager.getByLabel('Last day')).toHaveValue('2027-05-31');
	await shoot(manager, 'new-season');
});

test('no colour warning on the season and team forms', async ({ openAs }) => {
	const manager = await openAs('manager@demo.test');
	const warnings = colourWarnings(manager);
	await manager.goto('/manage/seasons/new');
	await waitForHydration(manager);
	await manager.getByText('Blank', { exact: true }).click();
	await manager.goto('/manage/seasons');
	await manager.getByRole('link', { name: /^Edit/ }).first().click();
	await waitForHydration(manager);
	await expect(manager.getByLabel('Main colour')).toHaveValue(/^#[0-9a-f]{6}$/);
	await manager.goto('/manage/teams');
	await waitForHydration(manager);
	await expect(manager.getByLabel('Colour').first()).toHaveValue(/^#[0-9a-f]{6}$/);
	// Open a team's edit form too.
	await manager
		.getByRole('button', { name: /^Edit team / })
		.first()
		.click();
	await manager.waitForTimeout(0);
	expect(warnings).toEqual([]);
});

test('a season without people or products waits with a launch checklist (375 px)', async ({
	openAs
}) => {
	// Two people, a new season and its badges: more than a minute on a busy machine.
	test.setTimeout(120_000);
	const stamp = Date.now();
	const name = `Launch check ${stamp}`;
	const manager = await openAs('manager@demo.test');
	await manager.setViewportSize({ width: 375, height: 800 });
	await manager.goto('/manage/seasons/new');
	await waitForHydration(manager);
	await manager.getByText('Blank', { exact: true }).click();
	await manager.getByLabel('Season name').fill(name);
	await manager.getByLabel('Time zone').selectOption('UTC');
	const today = new Date().toISOString().slice(0, 10);
	await manager.getByLabel('First day').fill(today);
	await manager.getByRole('button', { name: 'Create season' }).click();
	await expect(manager).toHaveURL(/\/manage\/seasons\/\d+\?created=1$/, { timeout: PAGE_READY });
	const seasonId = Number(/\/manage\/seasons\/(\d+)/.exec(manager.url())![1]);

	const checklist = manager.getByRole('region', { name: 'Launch checklist' });
	await expect(checklist).toBeVisible();
	await expect(checklist).toContainText('Ready to launch, not live yet');
	await expect(checklist).toContainText('no people and no products');
	for (const step of [
		'Theme',
		'Teams',
		'People',
		'Catalogue',
		'Rules',
		'Badges',
		'Prizes',
		'Displays'
	])
		await expect(checklist.getByRole('link', { name: new RegExp(`^${step}`) })).toBeVisible();
	await expect(checklist.getByRole('link', { name: /^People/ })).toContainText('Not done');
	await expect(checklist.getByRole('link', { name: /^People/ })).toHaveAttribute(
		'href',
		`/manage/teams?season=${seasonId}`
	);
	await expect(
		manager.locator('header').getByText('Ready to launch', { exact: true })
	).toBeVisible();
	// The checklist fits the phone's width.
	const overflow = await manager.evaluate(
		() => document.documentElement.scrollWidth - document.documentElement.clientWidth
	);
	expect(overflow).toBeLessThanOrEqual(0);
	await shoot(manager, 'season-checklist');

	// The seasons list says why it is not live.
	await manager.goto('/manage/seasons');
	const ready = manager.getByRole('region', { name: /Ready to launch/ });
	await expect(ready).toContainText(name);
	await expect(ready).toContainText('Waiting for people and products');

	// Nobody's board shows it.
	const rep = await openAs('rep1@demo.test');
	await rep.goto('/');
	await expect(rep.getByText('Live season', { exact: true })).toBeVisible({ timeout: PAGE_READY });
	await expect(rep.getByRole('heading', { level: 1, name })).toHaveCount(0);

	// Badges for it come as a starter set, in one click, once.
	await manager.goto(`/manage/seasons/${seasonId}`);
	await manager
		.getByRole('region', { name: 'Launch checklist' })
		.getByRole('link', { name: /^Badges/ })
		.click();
	await expect(manager).toHaveURL(new RegExp(`/manage/badges\\?season=${seasonId}$`));
	await waitForHydration(manager);
	await expect(manager.getByText(name)).toBeVisible();
	const starter = manager.getByRole('region', { name: 'Starter set' });
	await expect(starter).toContainText('Hat-trick');
	await shoot(manager, 'badges-starter');
	await starter.getByRole('button', { name: /Add the starter set/ }).click();
	await expect(manager.getByRole('heading', { level: 3, name: 'First sale' })).toBeVisible();
	await expect(manager.getByRole('heading', { level: 3, name: 'Hat-trick' })).toBeVisible();
	await expect(manager.getByRole('region', { name: 'Starter set' })).toHaveCount(0);
	await manager.goto(`/manage/seasons/${seasonId}`);
	await expect(
		manager.getByRole('region', { name: 'Launch checklist' }).getByRole('link', { name: /^Badges/ })
	).toContainText('Done');
});

// The checklist in the languages that make text longest: its words and its fit on the phone
// (what the checklist does is the English test's).
for (const locale of ['ru', 'pl'] as const)
	test.describe(() => {
		test.use({ locale: browserLocale(locale) });

		test(`a season without people or products waits with a launch checklist (375 px) [${locale}]`, async ({
			openAs
		}) => {
			const name = `Launch check ${locale} ${Date.now()}`;
			const manager = await openAs('manager@demo.test');
			await manager.setViewportSize({ width: 375, height: 800 });
			await manager.goto('/manage/seasons/new');
			await waitForHydration(manager);
			await expect(manager.locator('html')).toHaveAttribute('lang', locale);
			await manager.getByText(t(locale, 'seasons_source_blank'), { exact: true }).click();
			await manager.getByLabel(t(locale, 'seasons_name_label')).fill(name);
			await manager.getByLabel(t(locale, 'seasons_time_zone')).selectOption('UTC');
			await manager
				.getByLabel(t(locale, 'seasons_first_day'))
				.fill(new Date().toISOString().slice(0, 10));
			await manager.getByRole('button', { name: t(locale, 'seasons_create') }).click();
			await expect(manager).toHaveURL(/\/manage\/seasons\/\d+\?created=1$/, {
				timeout: PAGE_READY
			});

			const checklist = manager.getByRole('region', {
				name: t(locale, 'seasons_launch_checklist')
			});
			await expect(checklist).toContainText(t(locale, 'seasons_waiting_title'));
			await expect(checklist).toContainText(t(locale, 'seasons_waiting_both_text'));
			for (const step of [
				'theme',
				'teams',
				'people',
				'catalogue',
				'rules',
				'badges',
				'prizes',
				'displays'
			])
				await expect(
					checklist.getByRole('link', { name: new RegExp(`^${t(locale, `seasons_step_${step}`)}`) })
				).toBeVisible();
			await expect(
				checklist.getByRole('link', { name: new RegExp(`^${t(locale, 'seasons_step_people')}`) })
			).toContainText(t(locale, 'seasons_step_not_done'));
			await expect(
				manager.locator('header').getByText(t(locale, 'seasons_status_ready'), { exact: true })
			).toBeVisible();
			const overflow = await manager.evaluate(
				() => document.documentElement.scrollWidth - document.documentElement.clientWidth
			);
			expect(overflow).toBeLessThanOrEqual(0);
			await shoot(manager, `season-checklist-${locale}`);
		});
	});

test('the rule form starts with a plain multiplier and says how rules combine', async ({
	openAs
}) => {
	const manager = await openAs('manager@demo.test');
	await manager.goto('/manage/rules/new');
	await waitForHydration(manager);
	await expect(manager.getByLabel('Multiplier', { exact: true })).toBeChecked();
	await manager.getByLabel('Rule name').fill('Double everything');
	await manager
		.getByRole('button', { name: /Preview/ })
		.first()
		.click();
	await expect(manager.getByText('How rules combine:')).toBeVisible({ timeout: PAGE_READY });
	await expect(manager.getByText('only the best one counts').first()).toBeVisible();
	await shoot(manager, 'rule-form');

	await manager.goto('/how-to-score');
	await expect(manager.getByText('How rules combine:')).toBeVisible();
	await expect(manager.getByText('Multipliers do not stack')).toBeVisible();
	await shoot(manager, 'how-to-score');
});
