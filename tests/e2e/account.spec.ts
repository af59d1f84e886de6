// Accounts on a phone: a manager issues a password-reset link from the person's page, the person
// sets a new password with it; the sign-in page says whom to ask; the audit log reads as words.
import { mkdirSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { withDb } from './database';
import { expect, signIn, test, waitForHydration } from './fixtures';

const SHOTS = '/tmp/shots-auth';
mkdirSync(SHOTS, { recursive: true });
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1440, height: 900 };

const PERSON = 'Tara Singh';
const EMAIL = 'rep20@demo.test';
// browser.newContext() inherits the signed-in state of `account`: start signed out explicitly.
const SIGNED_OUT = { cookies: [], origins: [] };

/** Screenshots at both widths: the whole page, or the screen around `focus` (sticky parts stay put). */
async function shoot(page: Page, name: string, focus?: Locator) {
	for (const [label, size] of [
		['375', PHONE],
		['1440', DESKTOP]
	] as const) {
		await page.setViewportSize(size);
		if (focus) await focus.scrollIntoViewIfNeeded();
		await page.screenshot({ path: `${SHOTS}/${name}-${label}.png`, fullPage: !focus });
	}
	await page.setViewportSize(PHONE);
}

/** As the manager on a phone: opens the person's page and issues a reset link; returns it. */
async function issueResetLink(page: Page): Promise<string> {
	await page.goto('/manage/people');
	await page.getByRole('link', { name: PERSON, exact: true }).click();
	await expect(page.getByRole('heading', { level: 1, name: PERSON })).toBeVisible();
	await waitForHydration(page);
	await page.getByRole('button', { name: /Issue a (new )?reset link/ }).click();
	const link = page.getByLabel(`Password reset link for ${PERSON}`);
	await expect(link).toHaveValue(/\/reset\/[a-z2-7]{32}$/);
	return link.inputValue();
}

/** As the person, signed out: sets a new password with the link and lands on the board. */
async function useResetLink(page: Page, link: string, password: string) {
	await page.goto(link);
	await expect(page.getByRole('heading', { name: `New password for ${PERSON}` })).toBeVisible();
	await waitForHydration(page);
	await page.getByLabel('New password', { exact: true }).fill(password);
	await page.getByLabel('Confirm new password').fill(password);
	await page.getByRole('button', { name: 'Set new password and sign in' }).click();
	await expect(page).not.toHaveURL(/\/reset\//);
}

test.describe('password reset on a phone', () => {
	test.use({ account: 'manager@demo.test', viewport: PHONE });

	test('a manager issues a reset link and the person sets a new password with it', async ({
		page,
		browser,
		baseURL
	}) => {
		// Two people, three browsers and six screenshots on a busy machine.
		test.setTimeout(180_000);
		const link = await issueResetLink(page);
		await expect(page.getByRole('status').filter({ hasText: 'valid until' })).toBeVisible();
		await shoot(page, 'person-reset-link', page.getByRole('region', { name: 'Password' }));

		const context = await browser.newContext({
			baseURL,
			viewport: PHONE,
			storageState: SIGNED_OUT
		});
		const person = await context.newPage();
		await person.goto(link);
		await expect(person.getByRole('heading', { name: `New password for ${PERSON}` })).toBeVisible();
		await shoot(person, 'reset-page');
		await useResetLink(person, link, 'a-brand-new-password');

		// Used once: the same link now says so.
		await person.goto(link);
		await expect(person.getByRole('heading', { name: 'Reset link already used' })).toBeVisible();
		await shoot(person, 'reset-used');
		await context.close();

		// The new password signs in; then the demo password is set back the same way.
		const again = await browser.newContext({ baseURL, viewport: PHONE, storageState: SIGNED_OUT });
		const check = await again.newPage();
		await signIn(check, EMAIL, 'a-brand-new-password');
		await again.close();
		const restore = await browser.newContext({
			baseURL,
			viewport: PHONE,
			storageState: SIGNED_OUT
		});
		await useResetLink(await restore.newPage(), await issueResetLink(page), 'demo-password');
		await restore.close();
	});

	test('the sign-in page says whom to ask for a forgotten password', async ({
		browser,
		baseURL
	}) => {
		const context = await browser.newContext({
			baseURL,
			viewport: PHONE,
			storageState: SIGNED_OUT
		});
		const page = await context.newPage();
		await page.goto('/login');
		await expect(page.getByText('Forgot your password?')).toBeVisible();
		await expect(
			page.getByText(/Ask your contest manager or an admin \(.+\) for a reset link/)
		).toBeVisible();
		await shoot(page, 'login');
		await context.close();
	});

	test('the audit log reads as words: no JSON, no epoch numbers', async ({ page }) => {
		await recordSampleEvents();
		await page.goto('/manage/audit');
		await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
		const log = page.getByRole('region', { name: 'Audit events' });
		await expect(log.getByText(`Issued a password reset link for ${PERSON}`).first()).toBeVisible();
		const text = await log.innerText();
		expect(text).not.toMatch(/[{}]|"\w+":/);
		expect(text).not.toMatch(/\d{1,3}(,\d{3}){3,}|\d{12,}/);
		expect(text).not.toMatch(/Team id|accept invited|prized/i);
		await expect(log.getByText(/^Moved .+ from .+ to .+$/).first()).toBeVisible();
		await expect(log.getByText(/€\d[\d,]*\.\d\d → €\d[\d,]*\.\d\d/).first()).toBeVisible();
		await shoot(page, 'audit');
	});
});

/**
 * Events of the kinds the demo does not record, as the services record them (ids, cents and epoch
 * milliseconds in their data), about the demo's own season, teams, people and products. Only
 * audit rows: nothing else in the shared database changes.
 */
function recordSampleEvents() {
	return withDb(async (db) => {
		const one = async <T>(sql: string, ...params: unknown[]) => (await db.one<T>(sql, ...params))!;
		const manager = await one<{ id: number }>(
			`select id from "user" where email = 'manager@demo.test'`
		);
		const season = await one<{ id: number; endsAt: number }>(
			`select id, ends_at as "endsAt" from season where status = 'live' order by id limit 1`
		);
		const [from, to] = (
			await db.all<{ id: number }>(
				'select id from team where season_id = ? order by id limit 2',
				season.id
			)
		).map((team) => team.id);
		const person = await one<{ id: number }>('select id from "user" where email = ?', EMAIL);
		const product = await one<{ id: number; sku: string; price: number }>(
			'select id, sku, price from product where season_id = ? order by id limit 1',
			season.id
		);
		const now = Date.now();
		const events: [string, string, Record<string, unknown>][] = [
			['member.add', `user:${person.id}`, { seasonId: season.id, teamId: from }],
			['member.move', `user:${person.id}`, { seasonId: season.id, fromTeamId: from, toTeamId: to }],
			[
				'product.update',
				`product:${product.id}`,
				{
					seasonId: season.id,
					sku: product.sku,
					changes: { price: { from: product.price, to: product.price + 5000 } }
				}
			],
			[
				'season.update',
				`season:${season.id}`,
				{ endsAt: { from: season.endsAt, to: season.endsAt + 7 * 86_400_000 } }
			],
			[
				'season.prize.create',
				`season:${season.id}`,
				{ key: 'p9', title: 'Spa day', image: 'none' }
			],
			['member.accept_invite', `user:${person.id}`, {}]
		];
		for (const [i, [action, subject, data]] of events.entries())
			await db.run(
				`insert into audit_event (actor_user_id, action, subject, data, created_at)
				values (?, ?, ?, ?, ?)`,
				manager.id,
				action,
				subject,
				JSON.stringify(data),
				now - i * 60_000
			);
	});
}
