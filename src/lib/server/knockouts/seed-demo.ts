import { eq } from 'drizzle-orm';
import type { Store } from '../db/store';
import type { Locale } from '../../i18n/locales';
import { dayRangeOf, weekRangeOf } from '../../contest/zone-calendar';
import { m } from '../../paraglide/messages.js';
import { SYSTEM } from '../audit/record';
import { createSprint } from '../sprints/commands';
import { advanceSprints, readSprintWinner } from '../sprints/decide';
import { createKnockout } from './commands';
import { advanceKnockouts } from './advance';

// The demo's sprint and knockout: "First to 500 points this week", live (it starts late enough
// in the week that nobody has crossed the line yet) with a "Sprint winner" badge for whoever wins
// it once it is final, and an 8-person knockout of one-day rounds that started yesterday, so it
// is in its second round. Idempotent by their request ids (the badge comes with the sprint).

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

export async function seedDemoBrackets(
	store: Store,
	options: { seasonId: number; locale: Locale; now: number }
): Promise<void> {
	const { seasonId, locale, now } = options;
	const { season, badge } = store.tables;
	const [s] = await store.db.select().from(season).where(eq(season.id, seasonId));
	if (!s) return;
	const o = { locale };
	const [weekStart, weekEnd] = weekRangeOf(now, s.timeZone);
	const [today] = dayRangeOf(now, s.timeZone);
	const target = 500;
	// The latest start that leaves the race open, so the demo shows it live.
	const starts = [weekStart, now - 2 * DAY, today, now - HOUR].filter((t) => t >= weekStart);
	let open: number | undefined;
	for (const startsAt of starts) {
		const probe = {
			seasonId,
			subject: 'user' as const,
			measure: 'points',
			target,
			startsAt,
			endsAt: weekEnd,
			status: 'live' as const
		};
		if (!(await readSprintWinner(store.db, store.tables, probe, s, now)).winner) {
			open = startsAt;
			break;
		}
	}
	const { created } = await createSprint(
		store,
		seasonId,
		{
			name: m.sprints_demo_name({}, o),
			subject: 'user',
			measure: 'points',
			target,
			startsAt: open ?? now - HOUR,
			endsAt: weekEnd,
			prize: m.sprints_demo_prize({}, o),
			requestId: 'demo-sprint-week'
		},
		SYSTEM,
		() => now
	);
	if (created)
		await store.db.insert(badge).values({
			seasonId,
			name: m.sprints_demo_badge({}, o),
			emoji: '🏁',
			description: m.sprints_demo_badge_description({}, o),
			criterion: { kind: 'sprints_won', count: 1 },
			points: 0
		});
	await createKnockout(
		store,
		seasonId,
		{
			name: m.knockouts_demo_name({}, o),
			subject: 'user',
			measure: 'points',
			size: 8,
			roundLength: 1,
			roundUnit: 'day',
			graceHours: 2,
			startsAt: dayRangeOf(today - 1, s.timeZone)[0],
			prize: m.knockouts_demo_prize({}, o),
			requestId: 'demo-knockout-cup'
		},
		SYSTEM,
		() => now
	);
	await advanceSprints(store, () => now);
	await advanceKnockouts(store, () => now);
}
