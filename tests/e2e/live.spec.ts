import {
	expect,
	openBoard,
	readBoard,
	readSaleResult,
	repEmail,
	rowPattern,
	test
} from './fixtures';

const PHONE_POINTS = 50; // Phone Pro 15 in the demo catalogue

// Set on the watcher's window before the sale: still there afterwards means no reload happened.
type Marked = { notReloaded?: boolean };

test('a sale shows up on another open board without a reload', async ({ openAs }) => {
	const watcher = await openAs('executive@demo.test');
	await openBoard(watcher);
	await watcher.evaluate(() => ((window as Marked).notReloaded = true));

	// The last of the board sells enough to pass the person just above, so the rank changes too.
	const board = await readBoard(watcher);
	const seller = board[board.length - 1];
	const above = board.findLast((row) => row.rank < seller.rank);
	if (!above) throw new Error('The demo board needs at least two ranks');
	// The demo season ranks by confirmed points (pending ones, such as a referral's, do not count).
	const gap = above.points - seller.points;
	const phones = Math.min(99, Math.max(1, Math.floor(gap / PHONE_POINTS) + 1));

	const page = await openAs(repEmail(seller.name));
	await openBoard(page);
	await page.getByRole('link', { name: 'Register sale' }).click();
	await page.getByRole('spinbutton', { name: /^Phone Pro 15\b/ }).fill(String(phones));
	// The watcher's toast goes away after a few seconds: start looking for it before the sale.
	const toastText = new RegExp(`^${seller.name} scored \\+\\d+$`);
	const toast = expect(watcher.getByText(toastText)).toBeVisible({ timeout: 20_000 });
	await page.getByRole('button', { name: 'Register sale' }).click();
	const sale = await readSaleResult(page);
	expect(sale.rank).toBeLessThan(seller.rank);

	await toast;
	const firstName = seller.name.split(' ')[0];
	const feed = watcher.getByRole('region', { name: 'Live activity' });
	const latest = feed.getByRole('listitem').first();
	await expect(latest).toContainText(`${firstName} sold ${phones} × Phone Pro 15`);
	await expect(latest).toContainText(`+${sale.points}`);

	const expected = sale.pending
		? { rank: sale.rank, points: seller.points, pending: seller.pending + sale.points }
		: { rank: sale.rank, points: seller.points + sale.points, pending: seller.pending };
	const row = watcher
		.getByRole('region', { name: 'Honor board' })
		.getByRole('listitem')
		.filter({ hasText: seller.name });
	await expect(row).toHaveText(rowPattern(seller.name, expected), { timeout: 15_000 });

	expect(await watcher.evaluate(() => (window as Marked).notReloaded)).toBe(true);
});
