import type { Db } from '../../src/lib/server/db';
import type { BadgeCriterion } from '../../src/lib/contest/badges';
import { createBadge } from '../../src/lib/server/badges/commands';
import { sqliteStore } from '../../src/lib/server/db/store';
import { reevaluationsSettled } from '../../src/lib/server/badges/reevaluate';
import type { Clock } from '../../src/lib/server/shared/clock';
import { afterAll, beforeAll } from 'vitest';
import { setPublisher, type LivePublisher } from '../../src/lib/server/realtime/publish';
import type { BadgeEvent } from '../../src/lib/realtime/events';

/**
 * Active badges "Badge 0", "Badge 1", … in a season, created by the system as a manager would,
 * once the season's re-evaluation that each creation starts has settled.
 */
export async function addBadges(
	db: Db,
	seasonId: number,
	badges: { criterion: BadgeCriterion; points: number }[],
	clock: Clock
): Promise<void> {
	for (const [i, { criterion, points }] of badges.entries())
		await createBadge(
			sqliteStore(db),
			seasonId,
			{ name: `Badge ${i}`, emoji: '🏅', description: '', points, criterion, active: true },
			{ userId: null },
			clock
		);
	await reevaluationsSettled(sqliteStore(db));
}

/**
 * The badges pushed live while the file's tests run (the publisher is set before them and unset
 * after): `pushed.length = 0` forgets those so far. A badge is pushed only after its write
 * committed, so what is here was given for good.
 */
export function badgesPushedLive(): BadgeEvent[] {
	const pushed: BadgeEvent[] = [];
	beforeAll(() => {
		setPublisher({
			badge: (event: BadgeEvent) => pushed.push(event),
			activity: () => {},
			leaderboardChanged: () => {}
		} as unknown as LivePublisher);
	});
	afterAll(() => setPublisher(undefined));
	return pushed;
}
