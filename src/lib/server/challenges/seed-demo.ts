import { eq } from 'drizzle-orm';
import type { Store } from '../db/store';
import { recordDemoSale } from '../db/demo-sale';
import type { Locale } from '../../i18n/locales';
import { presetPeriod } from '../../contest/challenge';
import { dayKeyOf } from '../../contest/zone-calendar';
import { m } from '../../paraglide/messages.js';
import { createDuel, setStakeBudget } from './commands';
import { advanceChallenges } from './advance';
import { readDuelSeason } from './standings';

// The demo's duels: a stake budget, a few duels live this week (rep1 has one, so whoever signs
// in as rep1 sees a duel card on the board), last week's duel finished (its result announced,
// in its grace days) and, when the season is old enough, a duel of two weeks ago that is final
// with a winner paid their stake, plus a "duel winner" badge. rep2 is left free, for whoever
// tries challenging. Idempotent: the duels are found again by their request ids.

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

export async function seedDemoChallenges(
	store: Store,
	input: {
		seasonId: number;
		locale: Locale;
		repIds: number[];
		managerId: number;
		now: number;
		sku: string;
	}
): Promise<void> {
	const { seasonId, repIds, managerId, now } = input;
	const { badge, challenge } = store.tables;
	const s = await readDuelSeason(store.db, store, seasonId);
	if (!s || repIds.length < 12) return;
	const [seeded] = await store.db
		.select({ id: challenge.id })
		.from(challenge)
		.where(eq(challenge.requestId, 'demo-duel-0'));
	if (seeded) return;
	await setStakeBudget(store, { seasonId, actorId: managerId, budget: 500 }, () => now);
	await store.db.insert(badge).values({
		seasonId,
		name: m.challenges_demo_badge({}, { locale: input.locale }),
		emoji: '⚔️',
		description: m.challenges_demo_badge_description({}, { locale: input.locale }),
		criterion: { kind: 'duels_won', count: 1 },
		points: 0
	});
	const [weekStart] = presetPeriod('week', now, s.timeZone);
	const day = (ms: number) => dayKeyOf(ms, s.timeZone);
	const duel = (n: number, a: number, b: number, measure: string, from: number, stake: number) =>
		createDuel(
			store,
			{
				seasonId,
				actor: { userId: managerId },
				subject: 'user',
				challengerId: repIds[a],
				opponentId: repIds[b],
				measure,
				preset: 'custom',
				fromDate: day(from),
				// Midday of the seventh day: a DST change in the week moves the hour, never the day.
				toDate: day(from + 6 * DAY + 12 * HOUR),
				stake,
				requestId: `demo-duel-${n}`
			},
			// Set up just before its week started, as a manager would have.
			() => from - HOUR
		);
	// Two weeks ago: final (the grace days are over), the winner paid. Last week: finished.
	const earlier = [weekStart - 14 * DAY, weekStart - 7 * DAY];
	for (const [i, from] of earlier.entries()) {
		if (from - HOUR < s.startsAt) continue;
		await duel(i, 2 + i * 2, 3 + i * 2, 'points', from, i === 0 ? 50 : 0);
		// A big sale in the duel's week makes the challenger the clear winner.
		await recordDemoSale(store, {
			source: 'demo',
			externalId: `demo-duel-sale-${i}`,
			seller: { userId: repIds[2 + i * 2] },
			occurredAt: from + 2 * DAY + 10 * HOUR,
			lines: [{ sku: input.sku, quantity: 3 }]
		});
	}
	// This week: live duels (rep1 against rep6, and two more).
	const pairs: [number, number, string][] = [
		[0, 5, 'points'],
		[6, 7, 'sales'],
		[8, 9, 'points']
	];
	for (const [i, [a, b, measure]] of pairs.entries())
		await duel(10 + i, a, b, measure, weekStart, i === 0 ? 25 : 0);
	await advanceChallenges(store, () => now);
}
