// A badge's re-evaluation on the store (#20 step 2, badges/reevaluate.ts `reevaluateOnStore`),
// with the same assertions on a temp SQLite file and a throwaway PostgreSQL, two nodes each
// (tests/helpers/store-nodes.ts): a badge created after the sales goes to everyone who earns it,
// with its points, once, though both nodes re-evaluate at once; on PostgreSQL in several short
// writes (slices), as on SQLite, not one write for the whole season.
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import {
	observeReevaluationSlices,
	reevaluateOnStore
} from '../../src/lib/server/badges/reevaluate';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn, phoneAndCaseOn, pointsOf } from '../helpers/store-season';

const nodes = twoNodesPerDialect('reevaluate-slices-store');
const NOW = Date.UTC(2027, 4, 3, 12);
const clock = () => NOW;
const PEOPLE = 60;
const BADGE_POINTS = 3;

afterEach(() => observeReevaluationSlices(undefined));

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	/** PEOPLE people in three teams, each with one sale of a phone, then a badge for it. */
	async function seasonThenBadge() {
		const made = await liveSeasonOn(node(0), {
			size: PEOPLE,
			teams: ['Alpha', 'Beta', 'Gamma'],
			endsAt: NOW * 2
		});
		await phoneAndCaseOn(node(0), made.seasonId);
		await Promise.all(
			made.people.map((p, i) =>
				recordSaleGrouped(
					node(i % 2),
					{
						source: 'api',
						externalId: `slices-${dialect}-${made.seasonId}-${i}`,
						seller: { userId: p.id },
						occurredAt: NOW - 1_000 * (i + 1),
						lines: [{ sku: 'PHONE', quantity: 1 }]
					},
					clock
				)
			)
		);
		const [badge] = await node(0)
			.db.insert(node(0).tables.badge)
			.values({
				seasonId: made.seasonId,
				name: 'Phone seller',
				emoji: '📱',
				description: 'Sold a phone',
				criterion: { kind: 'sales_count', count: 1 },
				points: BADGE_POINTS
			})
			.returning();
		return { ...made, badge };
	}

	async function awardsOf(store: Store, seasonId: number, badgeId: number) {
		const { award } = store.tables;
		return store.db
			.select({ subjectId: award.subjectId })
			.from(award)
			.where(and(eq(award.seasonId, seasonId), eq(award.badgeId, badgeId)));
	}

	it('gives a new badge to everyone who earns it, once, though two nodes re-evaluate at once', async () => {
		const s = await seasonThenBadge();
		const slices: number[] = [];
		observeReevaluationSlices((ms) => slices.push(ms));
		const [a, b] = await Promise.all(
			[0, 1].map((i) => reevaluateOnStore(node(i), s.seasonId, { badgeIds: [s.badge.id], clock }))
		);
		expect(a.awarded.length + b.awarded.length).toBe(PEOPLE);
		const given = (await awardsOf(node(1), s.seasonId, s.badge.id)).map((r) => r.subjectId);
		expect(given.sort((x, y) => x - y)).toEqual(s.people.map((p) => p.id).sort((x, y) => x - y));
		expect(await pointsOf(node(0), s.seasonId, 'user', s.people[7].id)).toEqual({
			confirmed: 100 + BADGE_POINTS,
			provisional: 0
		});
		// Each node's run is cut into writes of about 8 ms: a person's decision is several round
		// trips on PostgreSQL, so 60 people and 3 teams do not fit in one.
		if (dialect === 'postgres') expect(slices.length).toBeGreaterThan(2);
	});
});
