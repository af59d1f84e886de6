// /sell on a 375 px phone, in a season that needs confirmation, with a very long product name
// and a campaign whose bonus line shows: the page never gets wider than the screen, the
// Register button stays on it and takes the tap, a quantity the form cannot take is refused
// in the browser with a clear message, and every number says which points are pending, as the
// board does. The layout and the words are checked in Russian and Polish too.
import { mkdirSync } from 'node:fs';
import { withDb } from './database';
import { browserLocale, t } from './messages';
import { points } from '../../src/lib/format/numbers';
import {
	expect,
	openBoard,
	PAGE_READY,
	readSaleResult,
	readStanding,
	test,
	waitForHydration
} from './fixtures';

const SELLER = 'rep19@demo.test';
const LONG_NAME =
	'Ultra-Premium Noise-Cancelling Wireless Headphones SuperDeluxeLimitedCollectorsEditionWithExtendedWarrantyAndCarryCase';
const CAMPAIGN = 'Autumn mega campaign: extra points on every single sale of the whole week';
const SHOTS = '/tmp/shots-scoring';
const PHONE = { width: 375, height: 812 };

// The shared demo database is changed directly for this spec and put back afterwards.
let undo: (() => Promise<void>) | undefined;

test.beforeAll(async () => {
	await withDb(async (db) => {
		const seasonId = await db.value(
			`SELECT s.id AS "seasonId" FROM season s
			JOIN season_member m ON m.season_id = s.id JOIN "user" u ON u.id = m.user_id
			WHERE u.email = ? AND s.status = 'live' ORDER BY s.starts_at DESC LIMIT 1`,
			SELLER
		);
		await db.run('UPDATE season SET require_confirmation = true WHERE id = ?', seasonId);
		const productId = await db.value(
			`INSERT INTO product (season_id, sku, name, category, points, price, active)
			VALUES (?, 'E2E-LONG', ?, 'Accessories', 1200, 4900, true)
			ON CONFLICT (season_id, sku) DO UPDATE SET active = true RETURNING id`,
			seasonId,
			LONG_NAME
		);
		await db.run('DELETE FROM rule WHERE season_id = ? AND name = ?', seasonId, CAMPAIGN);
		const ruleId = await db.value(
			`INSERT INTO rule (season_id, name, active, target, effect, highlight, created_at, updated_at)
			VALUES (?, ?, true, '{"kind":"any"}', '{"kind":"amount_bonus","minAmount":1,"points":25}', true, ?, ?)
			RETURNING id`,
			seasonId,
			CAMPAIGN,
			Date.now(),
			Date.now()
		);
		undo = () =>
			withDb(async (db) => {
				// The demo season needs no confirmation, as the other specs expect.
				await db.run('UPDATE season SET require_confirmation = false WHERE id = ?', seasonId);
				await db.run('UPDATE product SET active = false WHERE id = ?', productId);
				await db.run('UPDATE rule SET active = false WHERE id = ?', ruleId);
			});
	});
});

test.afterAll(async () => await undo?.());

test.describe('registering a sale on a 375 px phone', () => {
	test.use({
		account: SELLER,
		viewport: PHONE,
		hasTouch: true,
		isMobile: true
	});

	test('the page fits the screen, quantities are checked, and pending points are named', async ({
		page
	}) => {
		mkdirSync(SHOTS, { recursive: true });
		await openBoard(page);
		const before = await readStanding(page);

		await page.goto('/sell');
		await waitForHydration(page);
		const more = page.getByRole('button', { name: `One more ${LONG_NAME}` });
		await more.tap();
		// The campaign's bonus line shows in the sticky summary.
		await expect(page.getByText(`★ ${CAMPAIGN}`)).toBeVisible();
		await expect(page.getByText('+1,225 pts pending')).toBeVisible();

		// Nothing is wider than the screen, and the full name stays available.
		const width = await page.evaluate(() => document.documentElement.scrollWidth);
		expect(width).toBeLessThanOrEqual(375);
		await expect(page.locator('.pname', { hasText: LONG_NAME })).toHaveAttribute(
			'title',
			LONG_NAME
		);
		const register = page.getByRole('button', { name: 'Register sale' });
		const box = (await register.boundingBox())!;
		expect(box.x).toBeGreaterThanOrEqual(0);
		expect(box.x + box.width).toBeLessThanOrEqual(375);
		// The tap at the button's centre lands on the button, not on something over it.
		const hit = await page.evaluate(
			([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.textContent?.trim(),
			[box.x + box.width / 2, box.y + box.height / 2]
		);
		expect(hit).toBe('Register sale');
		await page.screenshot({ path: `${SHOTS}/sell-375.png`, fullPage: true });

		// A quantity the form cannot take is refused before anything is sent.
		const quantity = page.getByRole('spinbutton', {
			name: new RegExp(`^${LONG_NAME.slice(0, 20)}`)
		});
		await quantity.fill('2.5');
		await expect(page.getByText('Enter a whole number from 1 to 99')).toBeVisible();
		await register.tap();
		await expect(page.getByText('Check the quantities marked below.')).toBeVisible();
		await expect(quantity).toBeFocused();
		await expect(quantity).toHaveAttribute('aria-invalid', 'true');
		await quantity.fill('100');
		await expect(page.getByText('Enter a whole number from 1 to 99')).toBeVisible();
		await quantity.fill('1');
		await expect(page.getByText('Enter a whole number from 1 to 99')).toHaveCount(0);

		await register.tap();
		const sale = await readSaleResult(page);
		// 1,200 for the product and 25 from the campaign, pending: the card says so, and its
		// points and rank are the board's (confirmed points, the pending ones apart).
		expect(sale).toMatchObject({ points: 1225, pending: true });
		await expect(page.getByText('+1,225 points (pending)')).toBeVisible();
		await expect(page.getByText('Sale registered: +1,225 points pending')).toBeVisible();
		expect(sale.pendingTotal).toBeGreaterThanOrEqual(1225);
		expect(sale.total).toBe(before.total + 1225);
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
			375
		);
		await page.screenshot({ path: `${SHOTS}/sell-result-375.png`, fullPage: true });

		await openBoard(page);
		const region = page.getByRole('region', { name: 'Your standing' });
		await expect(region).toContainText(`#${sale.rank}`);
		await expect(region).toContainText(
			`${sale.confirmed.toLocaleString('en')} pts +${sale.pendingTotal.toLocaleString('en')} pending`
		);
	});
});

// In the languages that make text longest: only what the layout and the words need, the
// quantity checks and the board's figures are the English test's.
for (const locale of ['ru', 'pl'] as const)
	test.describe(`registering a sale on a 375 px phone [${locale}]`, () => {
		test.use({
			account: SELLER,
			viewport: PHONE,
			hasTouch: true,
			isMobile: true,
			locale: browserLocale(locale)
		});

		test('the page and its result fit the screen, in the language', async ({ page }) => {
			mkdirSync(SHOTS, { recursive: true });
			const n = (count: number, sign = '') => ({
				count,
				n: sign + points(count, browserLocale(locale))
			});
			await page.goto('/sell');
			await waitForHydration(page);
			await expect(page.locator('html')).toHaveAttribute('lang', locale);
			await page
				.getByRole('button', { name: t(locale, 'sell_one_more', { product: LONG_NAME }) })
				.tap();
			await expect(page.getByText(`★ ${CAMPAIGN}`)).toBeVisible();
			await expect(page.getByText(t(locale, 'sell_summary_pending', n(1225, '+')))).toBeVisible();

			expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
				PHONE.width
			);
			const label = t(locale, 'sell_register');
			const register = page.getByRole('button', { name: label });
			const box = (await register.boundingBox())!;
			expect(box.x).toBeGreaterThanOrEqual(0);
			expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
			const hit = await page.evaluate(
				([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.textContent?.trim(),
				[box.x + box.width / 2, box.y + box.height / 2]
			);
			expect(hit).toBe(label);
			await page.screenshot({ path: `${SHOTS}/sell-375-${locale}.png`, fullPage: true });

			await register.tap();
			const result = page.getByRole('status').filter({
				hasText: t(locale, 'sell_result_points_pending', n(1225))
			});
			await expect(result).toBeVisible({ timeout: PAGE_READY });
			await expect(page.getByText(t(locale, 'sell_toast_pending', n(1225)))).toBeVisible();
			expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
				PHONE.width
			);
			await page.screenshot({ path: `${SHOTS}/sell-result-375-${locale}.png`, fullPage: true });
		});
	});

test.describe('the sell page on a desktop', () => {
	test.use({ account: SELLER, viewport: { width: 1440, height: 900 } });

	test('shows the long name and the campaign without overflow', async ({ page }) => {
		mkdirSync(SHOTS, { recursive: true });
		await page.goto('/sell');
		await waitForHydration(page);
		await page.getByRole('button', { name: `One more ${LONG_NAME}` }).click();
		await expect(page.getByText(`★ ${CAMPAIGN}`)).toBeVisible();
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
			1440
		);
		await page.screenshot({ path: `${SHOTS}/sell-1440.png`, fullPage: true });
	});
});
