import { TZDate } from '@date-fns/tz';
import { and, eq, like } from 'drizzle-orm';
import type { Store } from '../db/store';
import type { Locale } from '../../i18n/locales';
import { m } from '../../paraglide/messages.js';
import { activityTypeByKey, createActivityType } from './types';
import { logActivity } from './record';
import { readActivityRules } from './scoring';
import { mulberry32 } from '../../seeded-random';

const DAY = 24 * 60 * 60 * 1000;

const TYPES = [
	{ key: 'call', points: 2, emoji: '📞', name: m.activities_demo_call },
	{ key: 'visit', points: 10, emoji: '🤝', name: m.activities_demo_visit },
	{ key: 'demo', points: 15, emoji: '🎯', name: m.activities_demo_demo }
] as const;

/**
 * "Demo week: ×2 on demos", highlighted, over the seven local days around `now`, so that a
 * newcomer sees an activity campaign on the board, on /sell and in the reps' histories.
 */
async function seedDemoWeek(
	store: Store,
	seasonId: number,
	now: number,
	locale: Locale
): Promise<void> {
	if ((await readActivityRules(store.db, store, seasonId)).length > 0) return;
	const { rule, season } = store.tables;
	const [{ timeZone }] = await store.db
		.select({ timeZone: season.timeZone })
		.from(season)
		.where(eq(season.id, seasonId));
	const today = new TZDate(now, timeZone);
	const day = (offset: number) =>
		new TZDate(today.getFullYear(), today.getMonth(), today.getDate() + offset, timeZone).getTime();
	await store.db.insert(rule).values({
		seasonId,
		name: m.demo_rule_demo_week({}, { locale }),
		target: { kind: 'activity', type: 'demo' },
		effect: { kind: 'multiplier', factor: 2 },
		startsAt: day(-3),
		endsAt: day(4),
		highlight: true
	});
}

/**
 * The demo's activity types (call 2 pts, visit 10, demo 15, named in the demo's language), its
 * activity campaign (Demo week) and a few weeks of the reps' calls, visits and demos. Running it
 * again changes nothing: the types and the campaign exist and every activity's externalId replays.
 */
export async function seedDemoActivities(
	store: Store,
	options: { seasonId: number; startsAt: number; now: number; locale: Locale }
): Promise<void> {
	const { seasonId, startsAt, now, locale } = options;
	for (const t of TYPES) {
		if (await activityTypeByKey(store, seasonId, t.key)) continue;
		await createActivityType(
			store,
			seasonId,
			{ key: t.key, name: t.name({}, { locale }), points: t.points, emoji: t.emoji },
			{},
			() => now
		);
	}
	await seedDemoWeek(store, seasonId, now, locale);
	const { seasonMember, user } = store.tables;
	const reps = await store.db
		.select({ id: user.id })
		.from(user)
		.innerJoin(seasonMember, eq(seasonMember.userId, user.id))
		.where(and(eq(seasonMember.seasonId, seasonId), like(user.email, 'rep%@demo.test')))
		.orderBy(user.id);
	const random = mulberry32(17);
	const from = Math.max(startsAt, now - 21 * DAY);
	const span = Math.max(0, now - from - 60 * 60 * 1000);
	let n = 0;
	for (const rep of reps) {
		const count = 3 + Math.floor(random() * 8);
		for (let i = 0; i < count; i++) {
			n += 1;
			const occurredAt = Math.floor(from + random() * span);
			const pick = random();
			const type = pick < 0.6 ? 'call' : pick < 0.88 ? 'visit' : 'demo';
			const quantity = type === 'call' ? 1 + Math.floor(random() * 5) : 1;
			await logActivity(
				store,
				{
					source: 'demo',
					externalId: `demo-activity-${n}`,
					person: { userId: rep.id },
					seasonId,
					type,
					quantity,
					occurredAt
				},
				() => occurredAt
			);
		}
	}
}
