import type { Db } from '../../src/lib/server/db';
import type { BadgeCriterion } from '../../src/lib/contest/badges';
import { createBadge } from '../../src/lib/server/badges/commands';
import { sqliteStore } from '../../src/lib/server/db/store';
import { reevaluationsSettled } from '../../src/lib/server/badges/reevaluate';
import type { Clock } from '../../src/lib/server/shared/clock';

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
	await reevaluationsSettled(db);
}
