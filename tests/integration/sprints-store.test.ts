// Deciding sprints and advancing knockouts on the store (#20, db/store.ts): the scheduler's
// reads (sprints/decide.ts `readSprintDecision`, knockouts/advance.ts `readDueRound`, the
// crossings and sums of formats/measure.ts) and one write per decision, moved by an update
// guarded by the old state with `returning`, with the same assertions on a temp SQLite file and a
// throwaway PostgreSQL, two nodes each (tests/helpers/store-nodes.ts). The winners' badges are
// given inside the write on both dialects (badges/counted.ts `awardFrozenWinInWrite`; a team's
// winners recorded with them), once when two nodes decide at once.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { advanceSprints, readSprintDecision } from '../../src/lib/server/sprints/decide';
import { advanceKnockouts, readDueRound } from '../../src/lib/server/knockouts/advance';
import { runBracketJobs } from '../../src/lib/server/knockouts/job';
import { readSprintCards } from '../../src/lib/server/sprints/view';
import { readKnockoutCards } from '../../src/lib/server/knockouts/view';
import { listSprintsJson } from '../../src/lib/server/sprints/sprint-api';
import { knockoutJson, listKnockoutsJson } from '../../src/lib/server/knockouts/knockout-api';
import { createSprint } from '../../src/lib/server/sprints/commands';
import { createKnockout } from '../../src/lib/server/knockouts/commands';
import { adjustPoints } from '../../src/lib/server/scoring/adjustments';
import { SYSTEM } from '../../src/lib/server/audit/record';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn, pointsOf } from '../helpers/store-season';

const nodes = twoNodesPerDialect('sprints-store');
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const NOW = 1_800_000_000_000;
const BADGE_POINTS = 25;
let serial = 0;

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	/** A season of four (Alpha: p0, p2; Beta: p1, p3), seeded 1…4 by their standings. */
	async function contest(kind: 'sprints_won' | 'knockouts_won') {
		const made = await liveSeasonOn(node(0), {
			size: 4,
			teams: ['Alpha', 'Beta'],
			endsAt: NOW * 2,
			points: [40, 30, 20, 10],
			timeZone: 'UTC'
		});
		const { badge } = node(0).tables;
		await node(0)
			.db.insert(badge)
			.values({
				seasonId: made.seasonId,
				name: `Won ${kind}`,
				criterion: { kind, count: 1 },
				points: BADGE_POINTS
			});
		const [boss] = made.people;
		/** Points for person i at `at`, written on node i % 2 (a manager's adjustment). */
		const give = (i: number, points: number, at: number) =>
			adjustPoints(
				node(i % 2),
				{
					seasonId: made.seasonId,
					userId: made.people[i].id,
					points,
					reason: 'Race fixture',
					actor: { userId: i === 0 ? made.people[1].id : boss.id }
				},
				() => at
			);
		return { ...made, give };
	}

	async function awardsOf(store: Store, seasonId: number) {
		const { award } = store.tables;
		return store.db
			.select({ userId: award.subjectId, badgeId: award.badgeId })
			.from(award)
			.where(eq(award.seasonId, seasonId));
	}

	async function sprintRow(store: Store, id: number) {
		const { sprint } = store.tables;
		const [row] = await store.db.select().from(sprint).where(eq(sprint.id, id));
		return row;
	}

	/** A sprint to 100 points over one day from `startsAt`, made on node 0. */
	async function race(seasonId: number, startsAt: number, subject: 'user' | 'team' = 'user') {
		const { sprint } = await createSprint(
			node(0),
			seasonId,
			{
				name: `Race ${++serial}`,
				subject,
				measure: 'points',
				target: 100,
				startsAt,
				endsAt: startsAt + DAY,
				prize: null,
				requestId: `race-request-${dialect}-${serial}`
			},
			SYSTEM,
			() => startsAt
		);
		return sprint;
	}

	/** A knockout of four, one-day rounds with two grace hours from `startsAt`, made on node `on`. */
	async function cup(on: number, seasonId: number, startsAt: number) {
		const { knockout } = await createKnockout(
			node(on),
			seasonId,
			{
				name: `Cup ${++serial}`,
				subject: 'user',
				measure: 'points',
				size: 4,
				roundLength: 1,
				roundUnit: 'day',
				graceHours: 2,
				startsAt,
				prize: null,
				requestId: `cup-request-${dialect}-${serial}`
			},
			SYSTEM,
			() => startsAt - DAY
		);
		return knockout;
	}

	it('a sprint decided on both nodes at once is won, frozen and paid once', async () => {
		const c = await contest('sprints_won');
		const start = NOW - 20 * DAY;
		const s = await race(c.seasonId, start);
		await c.give(2, 60, start + HOUR);
		await c.give(3, 120, start + 2 * HOUR);
		await c.give(2, 60, start + 3 * HOUR);
		// At the end: won by p3, who crossed first; both nodes decide it at the same moment.
		const ended = () => start + DAY;
		const [a, b] = await Promise.all([
			advanceSprints(node(0), ended),
			advanceSprints(node(1), ended)
		]);
		expect([...a, ...b]).toEqual([c.seasonId]);
		// What one node wrote, the other reads.
		expect(await sprintRow(node(1), s.id)).toMatchObject({
			status: 'won',
			winnerId: c.people[3].id,
			reachedAt: start + 2 * HOUR
		});
		expect(await readSprintDecision(node(1).db, node(1).tables, s.id, start + DAY)).toMatchObject({
			phase: 'won',
			winner: { id: c.people[3].id, reachedAt: start + 2 * HOUR, value: 120 }
		});
		// Past the seven grace days: frozen once, the badge and its points given once.
		const final = () => start + DAY + 8 * DAY;
		const frozen = await Promise.all([
			advanceSprints(node(0), final),
			advanceSprints(node(1), final)
		]);
		expect(frozen.flat()).toEqual([c.seasonId]);
		expect(await sprintRow(node(0), s.id)).toMatchObject({
			status: 'final',
			winnerId: c.people[3].id,
			finalizedAt: start + 9 * DAY
		});
		const awards = await awardsOf(node(1), c.seasonId);
		expect(awards).toHaveLength(1);
		expect(awards[0].userId).toBe(c.people[3].id);
		expect((await pointsOf(node(0), c.seasonId, 'user', c.people[3].id))?.confirmed).toBe(
			10 + 120 + BADGE_POINTS
		);
		// Nothing more to do on either node, however often they run.
		expect(await advanceSprints(node(1), () => start + 10 * DAY)).toEqual([]);
		expect(await runBracketJobs(node(0), () => start + 10 * DAY)).toBe(0);
		expect(await awardsOf(node(0), c.seasonId)).toHaveLength(1);
	});

	it("a team's sprint frozen on both nodes records its winners once", async () => {
		const c = await contest('sprints_won');
		const start = NOW - 30 * DAY;
		const s = await race(c.seasonId, start, 'team');
		// Alpha (p0, p2) gets to 100 first.
		await c.give(0, 50, start + HOUR);
		await c.give(2, 50, start + 2 * HOUR);
		await c.give(1, 200, start + 3 * HOUR);
		const final = () => start + 9 * DAY;
		const frozen = await Promise.all([
			advanceSprints(node(0), final),
			advanceSprints(node(1), final)
		]);
		expect(frozen.flat()).toEqual([c.seasonId]);
		expect(await sprintRow(node(1), s.id)).toMatchObject({
			status: 'final',
			winnerId: c.teamIds[0]
		});
		const { sprintWinMember } = node(1).tables;
		const members = await node(1)
			.db.select({ userId: sprintWinMember.userId })
			.from(sprintWinMember)
			.where(eq(sprintWinMember.sprintId, s.id))
			.orderBy(sprintWinMember.userId);
		expect(members.map((m) => m.userId)).toEqual([c.people[0].id, c.people[2].id]);
		expect(await awardsOf(node(0), c.seasonId)).toHaveLength(2);
	});

	it('a knockout seeded and advanced on both nodes at once moves once, and its final pays once', async () => {
		const c = await contest('knockouts_won');
		const base = NOW - 40 * DAY;
		const k = await cup(0, c.seasonId, base);
		const { knockout, knockoutMatch } = node(0).tables;
		const matches = async (store: Store) =>
			store.db
				.select({
					round: knockoutMatch.round,
					aId: knockoutMatch.aId,
					bId: knockoutMatch.bId,
					aValue: knockoutMatch.aValue,
					bValue: knockoutMatch.bValue,
					winnerId: knockoutMatch.winnerId
				})
				.from(knockoutMatch)
				.where(eq(knockoutMatch.knockoutId, k.id))
				.orderBy(knockoutMatch.round, knockoutMatch.slot);
		const row = async (store: Store) =>
			(await store.db.select().from(store.tables.knockout).where(eq(knockout.id, k.id)))[0];
		const both = (at: number) =>
			Promise.all([advanceKnockouts(node(0), () => at), advanceKnockouts(node(1), () => at)]);

		// Seeded once by the standings: 1 v 4, 2 v 3, and the final's empty row.
		expect((await both(base)).flat()).toEqual([c.seasonId]);
		const [p1, p2, p3, p4] = c.people.map((p) => p.id);
		expect(await matches(node(1))).toEqual([
			{ round: 0, aId: p1, bId: p4, aValue: null, bValue: null, winnerId: null },
			{ round: 0, aId: p2, bId: p3, aValue: null, bValue: null, winnerId: null },
			{ round: 1, aId: null, bId: null, aValue: null, bValue: null, winnerId: null }
		]);
		// Round 1: seeds 4 and 3 score; in the grace period nothing is due.
		await c.give(3, 50, base + HOUR);
		await c.give(2, 60, base + 2 * HOUR);
		expect(await readDueRound(node(0).db, node(0).tables, k.id, base + DAY + HOUR)).toBeNull();
		expect((await both(base + DAY + HOUR)).flat()).toEqual([]);
		const freeze1 = base + DAY + 2 * HOUR;
		expect((await both(freeze1)).flat()).toEqual([c.seasonId]);
		expect(await row(node(1))).toMatchObject({ status: 'live', roundsFrozen: 1 });
		// The final: 4 v 3; 3 scores more.
		await c.give(2, 70, base + DAY + 3 * HOUR);
		await c.give(3, 20, base + DAY + 4 * HOUR);
		const end = base + 2 * DAY + 2 * HOUR;
		expect((await both(end)).flat()).toEqual([c.seasonId]);
		expect(await row(node(0))).toMatchObject({
			status: 'final',
			winnerId: p3,
			roundsFrozen: 2,
			finalizedAt: end
		});
		expect(await matches(node(0))).toEqual([
			{ round: 0, aId: p1, bId: p4, aValue: 0, bValue: 50, winnerId: p4 },
			{ round: 0, aId: p2, bId: p3, aValue: 0, bValue: 60, winnerId: p3 },
			{ round: 1, aId: p4, bId: p3, aValue: 20, bValue: 70, winnerId: p3 }
		]);
		const awards = await awardsOf(node(1), c.seasonId);
		expect(awards.map((a) => a.userId)).toEqual([p3]);
		expect((await pointsOf(node(1), c.seasonId, 'user', p3))?.confirmed).toBe(
			20 + 60 + 70 + BADGE_POINTS
		);
		expect((await both(end + DAY)).flat()).toEqual([]);
	});

	it('a cancelled race, or a sprint whose measure is no longer known, changes nothing', async () => {
		const c = await contest('sprints_won');
		const start = NOW - 50 * DAY;
		const gone = await race(c.seasonId, start);
		const odd = await race(c.seasonId, start);
		await c.give(1, 150, start + HOUR);
		const { sprint } = node(0).tables;
		await node(0).db.update(sprint).set({ status: 'cancelled' }).where(eq(sprint.id, gone.id));
		await node(1).db.update(sprint).set({ measure: 'nothing:known' }).where(eq(sprint.id, odd.id));
		const k = await cup(1, c.seasonId, start);
		const { knockout, knockoutMatch } = node(1).tables;
		await node(1).db.update(knockout).set({ status: 'cancelled' }).where(eq(knockout.id, k.id));
		const later = () => start + 20 * DAY;
		const runs = await Promise.all([
			runBracketJobs(node(0), later),
			runBracketJobs(node(1), later)
		]);
		expect(runs).toEqual([0, 0]);
		expect(await sprintRow(node(1), gone.id)).toMatchObject({
			status: 'cancelled',
			winnerId: null
		});
		expect(await sprintRow(node(0), odd.id)).toMatchObject({ status: 'live', winnerId: null });
		const [kept] = await node(0)
			.db.select()
			.from(node(0).tables.knockout)
			.where(eq(node(0).tables.knockout.id, k.id));
		expect(kept).toMatchObject({ status: 'cancelled', seededAt: null, roundsFrozen: 0 });
		expect(
			await node(0)
				.db.select()
				.from(knockoutMatch)
				.where(and(eq(knockoutMatch.knockoutId, k.id)))
		).toEqual([]);
		expect(await awardsOf(node(0), c.seasonId)).toEqual([]);
		// A sprint or knockout that does not exist is nothing to decide.
		expect(await readSprintDecision(node(0).db, node(0).tables, odd.id + 999, later())).toBeNull();
		expect(await readDueRound(node(1).db, node(1).tables, k.id + 999, later())).toBeNull();
	});

	it('the pages and the API read on either node what the other wrote', async () => {
		const c = await contest('sprints_won');
		const start = NOW - 60 * DAY;
		const s = await race(c.seasonId, start);
		await c.give(1, 120, start + HOUR);
		await c.give(2, 80, start + 2 * HOUR);
		const at = start + 3 * HOUR;
		const [, p1, p2] = c.people;
		for (const store of [node(0), node(1)]) {
			const [card] = await readSprintCards(store, c.seasonId, at, { all: true });
			expect(card).toMatchObject({
				id: s.id,
				status: 'won',
				winner: { id: p1.id, name: p1.name, reachedAt: start + HOUR },
				// The bars stand where they were when the winner crossed the line.
				top: [
					{ id: p1.id, value: 120 },
					{ id: p2.id, value: 0 }
				],
				values: { [p1.id]: 120, [p2.id]: 0 },
				valuesCut: false
			});
			const [entry] = await listSprintsJson(store, c.seasonId, () => at);
			expect(entry.winner).toMatchObject({ id: p1.id, email: p1.email });
			expect(entry.progress.map((p) => [p.email, p.value])).toEqual([
				[p1.email, 120],
				[p2.email, 0]
			]);
		}
		// A knockout seeded on node 0, its first round under way, read on node 1.
		const { knockout: k } = await createKnockout(
			node(0),
			c.seasonId,
			{
				name: `Cup ${++serial}`,
				subject: 'user',
				measure: 'points',
				size: 2,
				roundLength: 1,
				roundUnit: 'day',
				graceHours: 2,
				startsAt: start + 4 * HOUR,
				prize: null,
				requestId: `cup-request-${dialect}-${serial}`
			},
			SYSTEM,
			() => start
		);
		expect(await advanceKnockouts(node(0), () => start + 4 * HOUR)).toEqual([c.seasonId]);
		// Points of someone not in it show nowhere in it.
		await c.give(0, 30, start + 5 * HOUR);
		const [shown] = await readKnockoutCards(node(1), c.seasonId, start + 6 * HOUR, { all: true });
		expect(shown.knockout.id).toBe(k.id);
		// Seeded by the standings then: p1 (30 + 120), p2 (20 + 80).
		expect(shown.card.rounds[0].matches[0]).toMatchObject({
			a: { id: p1.id, seed: 1 },
			b: { id: p2.id, seed: 2 },
			aValue: 0,
			bValue: 0,
			decided: false
		});
		const bracket = await knockoutJson(node(1), k.id, () => start + 6 * HOUR);
		expect(bracket.bracket[0].matches[0].a).toMatchObject({ id: p1.id, email: p1.email });
		expect(await listKnockoutsJson(node(0), c.seasonId, () => start + 6 * HOUR)).toMatchObject([
			{ id: k.id, status: 'live', rounds: 1, currentRound: 1 }
		]);
		// A season or knockout that does not exist: 404, nothing read.
		await expect(listSprintsJson(node(1), c.seasonId + 999)).rejects.toMatchObject({ status: 404 });
		await expect(knockoutJson(node(0), k.id + 999)).rejects.toMatchObject({ status: 404 });
	});
});
