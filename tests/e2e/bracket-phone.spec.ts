// The demo's knockout on a 375 px phone: the bracket shows its rounds as columns (the page stays
// as wide as the screen; the bracket scrolls sideways), the first round decided, the second live,
// and a sale for an entrant of the live round fills in their score without a reload.
import { createHash } from 'node:crypto';
import { expect, PAGE_READY, test, waitForHydration } from './fixtures';
import { withDb } from './pages';

const PHONE = { width: 375, height: 812 };

test.describe('a knockout bracket on a 375 px phone', () => {
	test.use({ account: 'rep1@demo.test', viewport: PHONE, hasTouch: true, isMobile: true });

	test('shows the rounds and fills in live', async ({ page, request, baseURL }) => {
		const token = `hb_bracket_e2e_${Date.now()}`;
		const { knockoutId, name, email } = withDb((db) => {
			db.prepare(`insert into api_token (name, token_hash, role) values (?, ?, 'integration')`).run(
				`bracket e2e ${Date.now()}`,
				createHash('sha256').update(token).digest('hex')
			);
			const k = db.prepare(`select id from knockout order by id limit 1`).get() as { id: number };
			const entrant = db
				.prepare(
					`select u.display_name as name, u.email from knockout_match m
					 join knockout_match first on first.knockout_id = m.knockout_id and first.round = 0
					   and first.winner_id is not null
					 join user u on u.id = first.winner_id
					 where m.knockout_id = ? and m.round = 0 order by first.slot limit 1`
				)
				.get(k.id) as { name: string; email: string };
			return { knockoutId: k.id, ...entrant };
		}, false);

		await page.goto(`/knockouts/${knockoutId}`);
		await waitForHydration(page);
		const rounds = page.getByRole('region', { name: 'Bracket' });
		// "Semi-finals Live": the round under way says so in its heading.
		for (const heading of [/^Quarter-finals/, /^Semi-finals/, /^Final/])
			await expect(rounds.getByRole('heading', { name: heading })).toBeVisible({
				timeout: PAGE_READY
			});
		const semis = rounds
			.getByRole('listitem')
			.filter({ has: page.getByRole('heading', { name: /^Semi-finals/ }) });
		await expect(semis.getByText('Live')).toBeVisible();
		const match = semis.getByRole('listitem').filter({ hasText: name });
		await expect(match).toBeVisible();
		const scoreOf = async () => {
			const text = await match.getByText(name).locator('..').innerText();
			return Number(text.split('\n').at(-1)!.replace(/\D/g, '') || 0);
		};
		const before = await scoreOf();

		const response = await request.post(`${baseURL}/api/v1/sales`, {
			headers: { authorization: `Bearer ${token}` },
			data: {
				externalId: `bracket-e2e-${Date.now()}`,
				seller: { email },
				occurredAt: new Date().toISOString(),
				lines: [{ sku: 'PH-PRO', quantity: 1, unitPrice: 1099 }]
			}
		});
		expect(response.status(), await response.text()).toBe(201);
		const { points } = (await response.json()).sale;
		await expect.poll(scoreOf, { timeout: PAGE_READY }).toBe(before + points);

		const width = await page.evaluate(() => document.documentElement.scrollWidth);
		expect(width).toBeLessThanOrEqual(375);
	});
});
