// Issue "Scoring rules": a manager creates a cross-sell campaign in a season that needs
// confirmation; a participant's next sale shows the multiplied, provisional points, which
// become confirmed when the manager confirms the sale.
import type { Page } from '@playwright/test';
import {
	expect,
	openBoard,
	PAGE_READY,
	rankingRow,
	readBoard,
	repEmail,
	test,
	waitForHydration
} from './fixtures';

const SELLER = 'Greta Lind';
const CAMPAIGN = 'Triple phones with an accessory';

test.describe.configure({ mode: 'serial' });

test.afterAll(async ({ openAs }) => {
	// Leave the shared demo season as the other specs expect it: no campaign, no confirmation.
	const manager = await openAs('manager@demo.test');
	await manager.goto('/manage/rules');
	await waitForHydration(manager);
	const remove = manager.getByRole('button', { name: `Delete ${CAMPAIGN}` });
	if (await remove.count()) {
		await remove.click();
		await manager.getByRole('button', { name: 'Delete rule' }).click();
		await expect(manager.getByRole('button', { name: `Delete ${CAMPAIGN}` })).toHaveCount(0);
	}
	await setConfirmation(manager, false);
});

/** "Sales need confirmation" is a season setting: the rules page links to the season's form. */
async function setConfirmation(manager: Page, on: boolean) {
	await manager.goto('/manage/rules');
	await waitForHydration(manager);
	await manager.getByRole('link', { name: "Change it in the season's settings" }).click();
	await expect(manager).toHaveURL(/\/manage\/seasons\/\d+/);
	await waitForHydration(manager);
	const confirmation = manager.getByLabel('Sales need confirmation');
	if ((await confirmation.isChecked()) === on) return;
	await confirmation.setChecked(on);
	await manager.getByRole('button', { name: 'Save changes' }).click();
	await expect(manager.getByText('Settings saved.')).toBeVisible();
}

test('a cross-sell campaign gives provisional triple points that count once confirmed', async ({
	openAs
}) => {
	const manager = await openAs('manager@demo.test');
	await setConfirmation(manager, true);
	await manager.goto('/manage/rules');
	await waitForHydration(manager);
	await expect(manager.getByText('Sales need confirmation: on')).toBeVisible();

	await manager.getByRole('link', { name: 'New rule' }).first().click();
	await waitForHydration(manager);
	await manager.getByLabel('Rule name').fill(CAMPAIGN);
	await manager.getByLabel('Cross-sell multiplier').check();
	await manager.getByLabel('Multiply by').fill('3');
	await manager.getByLabel('Companion category').selectOption('Accessories');
	await manager.getByLabel('A category').check();
	await manager.getByLabel('Category', { exact: true }).selectOption('Phones');
	await manager.getByRole('button', { name: 'Create rule' }).click();
	await expect(manager).toHaveURL(/\/manage\/rules\?saved=\d+/, { timeout: PAGE_READY });
	await expect(manager.getByText(CAMPAIGN).first()).toBeVisible();

	// The participant sees the campaign announced and scores a phone with a case.
	const seller = await openAs(repEmail(SELLER));
	await openBoard(seller);
	await expect(seller.getByRole('region', { name: 'Active campaigns' })).toContainText(CAMPAIGN);
	const before = (await readBoard(seller)).find((row) => row.name === SELLER)!;

	await seller.goto('/sell');
	await waitForHydration(seller);
	await seller.getByRole('button', { name: 'One more Phone Pro 15' }).click();
	await seller.getByRole('button', { name: 'One more Rugged Case' }).click();
	// The preview runs the same engine as the server: 3 × 50 for the phone + 5 for the case.
	await expect(seller.getByText('+155 pts pending')).toBeVisible();
	await seller.getByRole('button', { name: 'Register sale' }).click();
	await expect(seller.getByText('+155 points (pending)')).toBeVisible({ timeout: PAGE_READY });
	await expect(seller.getByRole('status').filter({ hasText: '+155 points' })).toContainText(
		CAMPAIGN
	);

	await openBoard(seller);
	await expect(rankingRow(seller, SELLER)).toContainText(`+${before.pending + 155} pending`);
	const pending = (await readBoard(seller)).find((row) => row.name === SELLER)!;
	expect(pending.points).toBe(before.points);

	// The manager confirms it from the review queue; the seller's board follows live.
	await manager.goto('/manage/review');
	await waitForHydration(manager);
	const sale = manager.getByRole('article', { name: new RegExp(`^Sale #\\d+ by ${SELLER}$`) });
	await expect(sale).toContainText('155');
	const confirm = sale.getByRole('button', { name: /^Confirm sale #\d+$/ });
	await confirm.click();
	await expect(manager.getByText(/Confirmed sale #\d+/).first()).toBeVisible();

	await expect(rankingRow(seller, SELLER)).not.toContainText('pending', { timeout: PAGE_READY });
	await expect
		.poll(async () => (await readBoard(seller)).find((row) => row.name === SELLER)!.points)
		.toBe(before.points + 155);

	// The breakdown stays visible to the seller.
	await seller.goto('/me');
	await expect(seller.getByRole('list', { name: 'Points breakdown' }).first()).toContainText(
		CAMPAIGN
	);
});
