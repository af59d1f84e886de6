// The demo's knockout on a 375 px phone: the bracket shows its rounds as columns (the page stays
// as wide as the screen; the bracket scrolls sideways), the round under way marked live, and a sale
// for an entrant of that round fills in their score without a reload.
import { createHash } from 'node:crypto';
import { expect, PAGE_READY, test, waitForHydration } from './fixtures';
import { withDb } from './database';
import { postSale } from '../helpers/sales';

const PHONE = { width: 375, height: 812 };

test.describe('a knockout bracket on a 375 px phone', () => {
	test.use({ account: 'rep1@demo.test', viewport: PHONE, hasTouch: true, isMobile: true });

	test('shows the rounds and fills in live', async ({ page, request, baseURL }) => {
		const token = `hb_bracket_e2e_${Date.now()}`;
		const knockoutId = await withDb(async (db) => {
			await db.run(
				`insert into api_token (name, token_hash, role) values (?, ?, 'integration')`,
				`bracket e2e ${Date.now()}`,
				createHash('sha256').update(token).digest('hex')
			);
			return db.value(`select id from knockout order by id limit 1`);
		});
		const headers = { authorization: `Bearer ${token}` };

		// Which round is live depends on the clock: the demo's knockout started yesterday, and for
		// the first two hours of a day (the grace hours) the round that just ended is not decided
		// yet. So take the round under way from the API: the first one that has started and has an
		// undecided pairing of two people, and a sale dated inside that round's period.
		const bracket = await request.get(`${baseURL}/api/v1/knockouts/${knockoutId}`, { headers });
		expect(bracket.status(), await bracket.text()).toBe(200);
		type Side = { name: string; email: string } | null;
		type Round = {
			startsAt: string;
			endsAt: string;
			started: boolean;
			matches: { a: Side; b: Side; decided: boolean }[];
		};
		const rounds = (await bracket.json()).bracket as Round[];
		const open = (x: Round['matches'][number]) => !x.decided && x.a !== null && x.b !== null;
		const live = rounds.findIndex((r) => r.started && r.matches.some(open));
		expect(live, JSON.stringify(rounds)).toBeGreaterThanOrEqual(0);
		const pairing = rounds[live].matches.find(open)!;
		const { name, email } = pairing.a!;
		const labels = [/^Quarter-finals/, /^Semi-finals/, /^Final/];

		await page.goto(`/knockouts/${knockoutId}`);
		await waitForHydration(page);
		const region = page.getByRole('region', { name: 'Bracket' });
		// "Semi-finals Live": the round under way says so in its heading.
		for (const heading of labels)
			await expect(region.getByRole('heading', { name: heading })).toBeVisible({
				timeout: PAGE_READY
			});
		const round = region
			.getByRole('listitem')
			.filter({ has: page.getByRole('heading', { name: labels[live] }) });
		await expect(round.getByText('Live')).toBeVisible();
		const match = round.getByRole('listitem').filter({ hasText: name });
		await expect(match).toBeVisible();
		const scoreOf = async () => {
			const text = await match.getByText(name).locator('..').innerText();
			return Number(text.split('\n').at(-1)!.replace(/\D/g, '') || 0);
		};
		const before = await scoreOf();

		// Inside the round's period: now, or its last minute while the round is in its grace hours.
		const occurredAt = Math.min(Date.now(), Date.parse(rounds[live].endsAt) - 60_000);
		const answer = await postSale<{ sale: { points: number } }>(baseURL!, token, {
			externalId: `bracket-e2e-${Date.now()}`,
			seller: email,
			occurredAt: new Date(occurredAt).toISOString(),
			sku: 'PH-PRO',
			unitPrice: 1099
		});
		expect(answer.status, JSON.stringify(answer.body)).toBe(201);
		const { points } = answer.body.sale;
		await expect.poll(scoreOf, { timeout: PAGE_READY }).toBe(before + points);

		const width = await page.evaluate(() => document.documentElement.scrollWidth);
		expect(width).toBeLessThanOrEqual(375);
	});
});
