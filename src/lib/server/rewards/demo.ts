import { count, eq, inArray } from 'drizzle-orm';
import { write, type Store } from '../db/store';
import type { Locale } from '../../i18n/locales';
import { m } from '../../paraglide/messages.js';
import { saveProgramme } from './catalogue';
import { balanceFor } from './balances';
import {
	approveRedemption,
	fulfilRedemption,
	rejectRedemption,
	requestRedemption
} from './redemptions';
import { AppError } from '../shared/errors';

// The demo's store: five rewards without pictures (their emoji make the cards), a budget for the
// live season and a few redemptions in every state, so that both pages show the feature at work.
// Idempotent: rewards only into an empty catalogue, redemptions only when there are none.

const HOUR = 60 * 60 * 1000;

export async function seedDemoRewards(
	store: Store,
	input: {
		seasonId: number;
		locale: Locale;
		now: number;
		/** A euro amount in cents in the demo's currency (seed-demo's priceIn). */
		price: (euroCents: number) => number;
	}
): Promise<void> {
	const { reward, rewardRedemption, seasonProgramme, user } = store.tables;
	const { db } = store;
	const o = { locale: input.locale };
	const { now, seasonId } = input;
	const [manager] = await db
		.select({ id: user.id })
		.from(user)
		.where(eq(user.email, 'manager@demo.test'));
	const actor = { userId: manager?.id ?? null };
	await write(store, async (tx) => {
		const [rewards] = await tx.select({ n: count() }).from(reward);
		if ((rewards?.n ?? 0) > 0) return;
		await tx.insert(reward).values(
			[
				{
					emoji: '☕',
					name: m.rewards_demo_coffee({}, o),
					text: m.rewards_demo_coffee_text({}, o),
					points: 50,
					euros: 500,
					stock: 40,
					limit: 3
				},
				{
					emoji: '🎬',
					name: m.rewards_demo_cinema({}, o),
					text: m.rewards_demo_cinema_text({}, o),
					points: 150,
					euros: 2500,
					stock: 20,
					limit: 2
				},
				{
					emoji: '🎧',
					name: m.rewards_demo_earbuds({}, o),
					text: m.rewards_demo_earbuds_text({}, o),
					points: 300,
					euros: 7900,
					stock: 5,
					limit: 1
				},
				{
					emoji: '🌴',
					name: m.rewards_demo_day_off({}, o),
					text: m.rewards_demo_day_off_text({}, o),
					points: 450,
					euros: 12000,
					stock: null,
					limit: 1
				},
				{
					emoji: '🍽️',
					name: m.rewards_demo_dinner({}, o),
					text: m.rewards_demo_dinner_text({}, o),
					points: 800,
					euros: 20000,
					stock: 2,
					limit: 1
				}
			].map((r) => ({
				name: `${r.emoji} ${r.name}`,
				description: r.text,
				pricePoints: r.points,
				costCents: input.price(r.euros),
				stock: r.stock,
				perPersonLimit: r.limit,
				createdAt: now,
				updatedAt: now
			}))
		);
	});
	const [programme] = await db
		.select({ seasonId: seasonProgramme.seasonId })
		.from(seasonProgramme)
		.where(eq(seasonProgramme.seasonId, seasonId));
	if (!programme)
		await saveProgramme(
			store,
			seasonId,
			{ budget: input.price(40000), share: 100, pointValue: 5 },
			actor,
			now
		);

	const rewards = await db.select({ id: reward.id, pricePoints: reward.pricePoints }).from(reward);
	const byPrice = (points: number) => rewards.find((r) => r.pricePoints === points)?.id;
	// rep1 is left alone: the demo's walk-through (and its browser test) redeems as rep1. The others
	// are picked among those whose (random) demo sales earned enough, one request each.
	const plan: { points: number; next?: 'approve' | 'fulfil' | 'reject'; hoursAgo: number }[] = [
		{ points: 150, next: 'fulfil', hoursAgo: 70 },
		{ points: 50, next: 'approve', hoursAgo: 30 },
		{ points: 50, next: 'reject', hoursAgo: 20 },
		{ points: 300, hoursAgo: 5 },
		{ points: 450, hoursAgo: 2 }
	];
	const emails = Array.from({ length: 19 }, (_, i) => `rep${i + 2}@demo.test`);
	const found = await db
		.select({ id: user.id, email: user.email })
		.from(user)
		.where(inArray(user.email, emails));
	const reps = emails
		.map((email) => found.find((r) => r.email === email))
		.filter((rep) => rep !== undefined);
	// Seeded once: a second run finds requests and leaves them (and people's balances) as they are.
	const [requests] = await db.select({ n: count() }).from(rewardRedemption);
	if ((requests?.n ?? 0) > 0) return;
	const used = new Set<number>();
	for (const [n, step] of plan.entries()) {
		const rewardId = byPrice(step.points);
		let rep: (typeof reps)[number] | undefined;
		for (const r of reps)
			if (!used.has(r.id) && (await balanceFor(db, store, seasonId, r.id)).balance >= step.points) {
				rep = r;
				break;
			}
		if (!rewardId || !rep) continue;
		used.add(rep.id);
		const at = now - step.hoursAgo * HOUR;
		try {
			const { redemption, created } = await requestRedemption(
				store,
				{ userId: rep.id, rewardId, seasonId, requestId: `demo-reward-${n + 1}` },
				at
			);
			if (!created) continue;
			if (step.next === 'reject')
				await rejectRedemption(
					store,
					redemption.id,
					m.rewards_demo_reject_reason({}, o),
					actor,
					at + HOUR
				);
			else if (step.next) await approveRedemption(store, redemption.id, actor, at + HOUR);
			if (step.next === 'fulfil')
				await fulfilRedemption(store, redemption.id, actor, at + 2 * HOUR);
		} catch (error) {
			// A rep whose random demo sales earned too little is simply left out.
			if (!(error instanceof AppError)) throw error;
		}
	}
}
