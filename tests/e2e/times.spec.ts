// One sale shows the same time on "My points" and on the profile: in the season's zone
// (Europe/Warsaw in the demo), whatever zone the browser runs in, and in one style.
import { mkdirSync } from 'node:fs';
import { withDb } from './database';
import { expect, test, waitForHydration } from './fixtures';
import { formatAt } from '../../src/lib/format/dates';

const SELLER = 'rep2@demo.test';
const SHOTS = '/tmp/shots-scoring';

test.use({ account: SELLER, timezoneId: 'America/Los_Angeles' });

test('"My points" and the profile show one sale at the same time, in the season\'s zone', async ({
	page
}) => {
	const userId = await withDb((db) => db.value('SELECT id FROM "user" WHERE email = ?', SELLER));

	await page.goto('/me');
	await waitForHydration(page);
	const mine = page.getByRole('list').locator('li').filter({ hasText: 'Sale' }).first();
	const time = mine.locator('time').first();
	const iso = await time.getAttribute('datetime');
	expect(iso).toBeTruthy();
	const expected = formatAt(Date.parse(iso!), 'dateTime', 'Europe/Warsaw');
	await expect(time).toHaveText(expected);

	await page.goto(`/people/${userId}`);
	await waitForHydration(page);
	const onProfile = page.locator(`time[datetime="${iso}"]`).first();
	await expect(onProfile).toHaveText(expected);

	// The two pages at a phone's and a desktop's width, for a look.
	mkdirSync(SHOTS, { recursive: true });
	for (const width of [375, 1440]) {
		await page.setViewportSize({ width, height: 900 });
		await page.goto('/me');
		await waitForHydration(page);
		await page.screenshot({ path: `${SHOTS}/me-${width}.png`, fullPage: true });
		await page.goto(`/people/${userId}`);
		await waitForHydration(page);
		await page.screenshot({ path: `${SHOTS}/profile-${width}.png`, fullPage: true });
	}
});
