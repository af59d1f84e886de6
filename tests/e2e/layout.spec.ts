// Layout on a phone: no page is wider than the screen, the contest switcher stays in sight
// above the tab bar, and very long names stay inside their cards. Every check at 375 px runs in
// English and in the languages that make text longest or words longest (Russian, Polish); the
// pages a11y.spec.ts opens at 375 px in a language have their width checked there.
import type { Page } from '@playwright/test';
import { expect, navigateInApp, PAGE_READY, test, waitForHydration } from './fixtures';
import {
	ACCOUNTS,
	adminOnlyPages,
	pagesFor,
	phoneWalkRoles,
	sweptOnPhone,
	tvPath,
	type Role
} from './pages';
import { expectNoOverflow, tooWide } from './overflow';
import { withDb } from './database';
import { browserLocale, pattern, say, type Locale } from './messages';
import { runCli } from '../helpers/server';
import { postSale } from '../helpers/sales';
import { E2E_DATABASE_URL } from './env';

const PHONE = { width: 375, height: 740 };
const WIDE = { width: 1440, height: 900 };
/** The languages every phone layout check runs in. */
const PHONE_LOCALES: Locale[] = ['en', 'ru', 'pl'];
/** The checks in `locale`: their names say which (English keeps the names it had). */
const named = (name: string, locale: Locale) => (locale === 'en' ? name : `${name} [${locale}]`);

for (const locale of PHONE_LOCALES)
	test.describe(named('every page fits a 375px phone', locale), () => {
		test.use({ viewport: PHONE, locale: browserLocale(locale) });

		// An admin's walk is only where it differs from a manager's (the navigation, the admins'
		// own pages): the budget of the browser tests is minutes. The pages a11y.spec.ts sweeps at
		// 375 px in this language are checked for their width there (sweptOnPhone), so each role
		// walks the rest: a rep in Polish only, an executive in Russian and Polish.
		const paths = async (role: Role) => {
			const swept = await sweptOnPhone(locale);
			const all = role === 'admin' ? adminOnlyPages() : await pagesFor(role);
			return all.filter((path) => !swept.has(path));
		};
		for (const role of phoneWalkRoles(locale)) {
			test(`as ${role}`, async ({ openAs }) => {
				// A manager's are some 30 pages: more than a minute on a busy machine.
				test.setTimeout(180_000);
				const page = await openAs(ACCOUNTS[role]);
				await page.setViewportSize(PHONE);
				const walk = await paths(role);
				expect(walk.length, `${role} has pages left to walk in ${locale}`).toBeGreaterThan(0);
				const wide: string[] = [];
				for (const [i, path] of walk.entries()) {
					if (i === 0) {
						const response = await page.goto(path);
						expect(response?.status(), path).toBe(200);
						await waitForHydration(page);
					} else await navigateInApp(page, path);
					const problem = await tooWide(page, path);
					if (problem) wide.push(problem);
				}
				expect(wide).toEqual([]);
			});
		}

		// The sign-in page and a TV at 375 px are swept in English and Russian.
		if (locale === 'pl')
			test('the TV display page and the sign-in page', async ({ page }) => {
				await page.goto(await tvPath(`Layout check ${locale}`, locale));
				await expect(
					page.getByRole('heading', { name: say(locale, 'tv_view_podium', 'Podium') })
				).toBeVisible({
					timeout: PAGE_READY
				});
				await expectNoOverflow(page, 'the TV page');
				await page.goto('/login');
				await expectNoOverflow(page, 'the sign-in page');
			});

		test('the contest console keeps its tab bar on screen', async ({ openAs }) => {
			const page = await openAs(ACCOUNTS.manager);
			await page.setViewportSize(PHONE);
			await page.goto('/manage');
			await expect(
				page.getByRole('heading', { name: say(locale, 'console_home_latest', 'Latest sales') })
			).toBeVisible();
			await expectNoOverflow(page, '/manage');
			const tabs = await page
				.getByRole('navigation', { name: say(locale, 'nav_main', 'Main') })
				.boundingBox();
			expect(tabs).not.toBeNull();
			expect(tabs!.y + tabs!.height).toBeLessThanOrEqual(PHONE.height + 1);
			expect(tabs!.x + tabs!.width).toBeLessThanOrEqual(PHONE.width + 1);
		});
	});

/** The dashboard's team race chart, by its accessible name. */
const raceChart = (locale: Locale) =>
	locale === 'en' ? /Line chart: cumulative points/ : pattern(locale, 'dash_race_chart');

/** Sums the page's layout shifts (the CLS of its load), with the elements that moved. */
async function layoutShifts(page: Page) {
	return page.evaluate(() => {
		const w = window as unknown as { __shifts: { value: number; sources: string[] }[] };
		return {
			total: w.__shifts.reduce((sum, s) => sum + s.value, 0),
			shifts: w.__shifts
		};
	});
}

const DASHBOARD_CASES = [
	...PHONE_LOCALES.map((locale) => ({ viewport: PHONE, locale })),
	{ viewport: WIDE, locale: 'en' as Locale }
];
for (const { viewport, locale } of DASHBOARD_CASES) {
	test.describe(() => {
		test.use({ locale: browserLocale(locale) });
		test(
			named(`the dashboard does not shift while it loads (${viewport.width}px)`, locale),
			async ({ openAs }) => {
				const page = await openAs(ACCOUNTS.executive);
				await page.setViewportSize(viewport);
				await page.addInitScript(() => {
					const w = window as unknown as { __shifts: { value: number; sources: string[] }[] };
					w.__shifts = [];
					new PerformanceObserver((list) => {
						for (const entry of list.getEntries() as (PerformanceEntry & {
							value: number;
							hadRecentInput: boolean;
							sources?: { node?: Node }[];
						})[]) {
							if (entry.hadRecentInput) continue;
							w.__shifts.push({
								value: entry.value,
								sources: (entry.sources ?? []).map((s) =>
									s.node instanceof Element
										? `${s.node.tagName}.${s.node.className}`
										: String(s.node)
								)
							});
						}
					}).observe({ type: 'layout-shift', buffered: true });
				});
				await page.goto('/dashboard');
				await waitForHydration(page);
				await expect(page.getByText(say(locale, 'dash_live', 'Live'), { exact: true })).toBeVisible(
					{
						timeout: PAGE_READY
					}
				);
				await expect(page.getByRole('img', { name: raceChart(locale) })).toBeVisible();
				await page.waitForLoadState('networkidle');
				// Layout shifts are reported after the frame that moved: let two frames pass.
				await page.evaluate(
					() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
				);
				const { total, shifts } = await layoutShifts(page);
				expect(total, JSON.stringify(shifts)).toBeLessThan(0.1);
			}
		);
	});
}

test.describe('a person in two live contests, with very long names', () => {
	const id = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
	const person = { email: `two-contests-${id}@demo.test`, name: `Dana Twofold ${id}` };
	const longTeam = `Team ${'Extraordinarily'.repeat(333)}`.slice(0, 5000);
	const longPerson = `Wolfeschlegelsteinhausenbergerdorff ${'Longname'.repeat(300)}`;
	const contest = `Side quest ${id}`;
	let created: { season: number; user: number; longUser: number } | undefined;

	test.beforeAll(async () => {
		const result = await runCli(
			[
				'user',
				'create',
				'--email',
				person.email,
				'--name',
				person.name,
				'--role',
				'participant',
				'--password',
				'demo-password'
			],
			E2E_DATABASE_URL
		);
		expect(result.code, result.stderr).toBe(0);
		created = await withDb(async (db) => {
			const now = Date.now();
			const day = 24 * 60 * 60 * 1000;
			const demo = await db.value(`select id from season where key = 'demo'`);
			const demoTeam = await db.value(
				'select id from team where season_id = ? order by id limit 1',
				demo
			);
			const userId = await db.value('select id from "user" where email = ?', person.email);
			// The second contest started long ago, so it is nobody else's default.
			const season = await db.value(
				`insert into season (name, theme, time_zone, starts_at, ends_at, status)
				values (?, ?, 'UTC', ?, ?, 'live') returning id`,
				contest,
				JSON.stringify({ primary: '#7c3aed', accent: '#f59e0b', emoji: '🧭', tagline: 'x' }),
				now - 400 * day,
				now + 30 * day
			);
			const team = await db.value(
				`insert into team (season_id, name, color) values (?, ?, '#7c3aed') returning id`,
				season,
				longTeam
			);
			const longUser = await db.value(
				`insert into "user" (email, display_name, role, password_hash)
				values (?, ?, 'participant', 'no-password') returning id`,
				`long-${id}@demo.test`,
				longPerson
			);
			const member =
				'insert into season_member (season_id, user_id, team_id, joined_at) values (?, ?, ?, ?)';
			await db.run(member, demo, userId, demoTeam, now);
			await db.run(member, season, userId, team, now);
			await db.run(member, season, longUser, team, now);
			await db.run(
				`insert into product (season_id, sku, name, category, points, price)
				values (?, ?, ?, 'Phones', 10, 1000)`,
				season,
				`LONG-${id}`,
				`Phone ${'Ultramegasuperlong'.repeat(100)}`
			);
			return { season, user: userId, longUser };
		});
	});

	// Other tests read the demo board: leave it as it was.
	test.afterAll(async () => {
		if (!created) return;
		const { season, user, longUser } = created;
		await withDb(async (db) => {
			await db.run('delete from season_member where user_id in (?, ?)', user, longUser);
			await db.run('delete from product where season_id = ?', season);
			await db.run('delete from team where season_id = ?', season);
			await db.run('delete from season where id = ?', season);
			await db.run('delete from session where user_id = ?', longUser);
			await db.run('delete from "user" where id = ?', longUser);
		});
	});

	test.use({ viewport: PHONE });

	for (const locale of PHONE_LOCALES)
		test.describe(() => {
			test.use({ locale: browserLocale(locale) });
			test(
				named(
					'sees and uses the contest switcher above the tab bar, long names stay in their cards',
					locale
				),
				async ({ openAs }) => {
					const page = await openAs(person.email);
					await page.setViewportSize(PHONE);
					await page.goto('/');
					await waitForHydration(page);

					const switcher = page.getByRole('navigation', {
						name: say(locale, 'nav_contests', 'Contests')
					});
					const other = switcher.getByRole('link', { name: contest });
					await expect(other).toBeVisible();
					await expect(other).toBeInViewport({ ratio: 1 });
					// Not under the tab bar: the link is what a tap at its centre reaches.
					const tabs = (await page
						.getByRole('navigation', { name: say(locale, 'nav_main', 'Main') })
						.boundingBox())!;
					const box = (await other.boundingBox())!;
					expect(box.y + box.height).toBeLessThanOrEqual(tabs.y);
					const hit = await page.evaluate(
						({ x, y }) => document.elementFromPoint(x, y)?.closest('a')?.textContent ?? '',
						{ x: box.x + box.width / 2, y: box.y + box.height / 2 }
					);
					expect(hit).toContain(contest);

					await other.click();
					await expect(page).toHaveURL(/season=/);
					await expect(switcher.getByRole('link', { name: contest })).toHaveAttribute(
						'aria-current',
						'true'
					);
					await expect(
						page.getByText(say(locale, 'board_live_season', 'Live season'), { exact: true })
					).toBeVisible({
						timeout: PAGE_READY
					});

					// The 5,000-character team name and the long person name: shortened, the full text kept.
					const race = page.getByRole('region', {
						name: say(locale, 'board_team_race', 'Team race')
					});
					await expect(race.getByTitle(longTeam)).toBeVisible();
					const board = page.getByRole('region', {
						name: say(locale, 'board_honor_board', 'Honor board')
					});
					await expect(board.getByTitle(new RegExp(`^${longPerson}`)).first()).toBeVisible();
					for (const card of [race, board]) {
						const cardBox = (await card.boundingBox())!;
						expect(cardBox.x + cardBox.width).toBeLessThanOrEqual(PHONE.width);
						const inner = await card.evaluate((el) => el.scrollWidth <= el.clientWidth);
						expect(inner).toBe(true);
					}
					await expectNoOverflow(page, 'the board with long names');

					for (const path of ['/sell', '/me', '/how-to-score', `/people/${created!.longUser}`]) {
						await page.goto(path);
						await waitForHydration(page);
						await expectNoOverflow(page, `${path} with long names`);
					}
				}
			);
		});
});

test.describe('toasts', () => {
	let apiToken = '';
	test.beforeAll(async () => {
		const result = await runCli(
			['token', 'create', '--name', `layout toasts ${Date.now()}`],
			E2E_DATABASE_URL
		);
		expect(result.code, result.stderr).toBe(0);
		apiToken = result.stdout.trim().split('\n').at(-1)!.trim();
	});

	const cases = [
		...PHONE_LOCALES.map((locale) => ({ viewport: PHONE, locale })),
		{ viewport: WIDE, locale: 'en' as Locale }
	];
	for (const { viewport, locale } of cases)
		test.describe(() => {
			test.use({ locale: browserLocale(locale) });
			test(
				named(`stay clear of the navigation at ${viewport.width}px`, locale),
				async ({ openAs, baseURL }) => {
					const page = await openAs(ACCOUNTS.rep);
					await page.setViewportSize(viewport);
					await page.goto('/');
					await expect(
						page.getByText(say(locale, 'board_live_season', 'Live season'), { exact: true })
					).toBeVisible({
						timeout: PAGE_READY
					});
					// Another person's sale is toasted on the board.
					const answer = await postSale(baseURL!, apiToken, {
						externalId: `layout-toast-${viewport.width}-${locale}-${Date.now()}`,
						seller: 'rep2@demo.test',
						occurredAt: new Date().toISOString(),
						sku: 'SCR',
						unitPrice: 19
					});
					expect(answer.status, JSON.stringify(answer.body)).toBe(201);
					const toast = page.locator('[data-sonner-toast]').first();
					await expect(toast).toBeVisible({ timeout: PAGE_READY });
					// The pointer on it stops its timer (as a reader's would): on a loaded machine the
					// steps below took longer than the toast stays, and its box read as all zeros.
					await toast.hover();
					// Wait until it has slid into place.
					await expect(toast).toHaveAttribute('data-mounted', 'true');
					// Its box is read as its slide ends, in the same call: on a slow machine a second
					// call could come after the toast's time is up and find it gone.
					const box = await toast.evaluate(async (el) => {
						await Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished));
						const { x, y, width, height } = el.getBoundingClientRect();
						return { x, y, width, height };
					});
					const header = (await page.locator('header').first().boundingBox())!;
					const tabs = (await page
						.getByRole('navigation', { name: say(locale, 'nav_main', 'Main') })
						.boundingBox())!;
					expect(box.y, 'the toast starts below the header').toBeGreaterThanOrEqual(
						header.y + header.height
					);
					const overlapsTabs =
						box.y < tabs.y + tabs.height &&
						box.y + box.height > tabs.y &&
						box.x < tabs.x + tabs.width &&
						box.x + box.width > tabs.x;
					expect(overlapsTabs, 'the toast covers the navigation').toBe(false);
					expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
				}
			);
		});
});
