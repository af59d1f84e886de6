// The sprints' and knockouts' consoles ported onto the store (#20, db/store.ts): a manager's
// create, edit and remove with their audit entries, the console's lists and the measures it
// offers, and the API's season and measure checks, with the same assertions on a temp SQLite file
// and a throwaway PostgreSQL, two nodes each (tests/helpers/store-nodes.ts); and the duels'
// commands (propose, answer, withdraw, a manager's duel, pairing, the stake budget). Deciding and
// advancing the races and the duels (their wins give badges and pay stakes) and the boards'
// views stay synchronous.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { createSprint, removeSprint, updateSprint } from '../../src/lib/server/sprints/commands';
import {
	createKnockout,
	removeKnockout,
	updateKnockout
} from '../../src/lib/server/knockouts/commands';
import {
	knockoutIn,
	listKnockouts,
	listSprints,
	measureChoices,
	sprintIn
} from '../../src/lib/server/sprints/console';
import { checkMeasure, formatSeason, openSeason } from '../../src/lib/server/formats/format-api';
import type { SprintInput } from '../../src/lib/server/sprints/sprint-form';
import type { KnockoutInput } from '../../src/lib/server/knockouts/knockout-form';
import {
	answerChallenge,
	cancelChallenge,
	createDuel,
	pairAutomatically,
	proposeChallenge,
	setStakeBudget
} from '../../src/lib/server/challenges/commands';
import { dayKeyOf } from '../../src/lib/contest/zone-calendar';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('formats-store');
const NOW = 1_800_000_000_000;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const BOSS = { userId: null };

let serial = 0;

const sprintInput = (startsAt: number, more: Partial<SprintInput> = {}): SprintInput => ({
	name: 'First to 500',
	subject: 'user',
	measure: 'points',
	target: 500,
	startsAt,
	endsAt: startsAt + 7 * DAY,
	prize: 'Lunch',
	requestId: `sprint-${++serial}`,
	...more
});

const cupInput = (startsAt: number, more: Partial<KnockoutInput> = {}): KnockoutInput => ({
	name: 'Cup',
	subject: 'user',
	measure: 'points',
	size: 4,
	roundLength: 1,
	roundUnit: 'day',
	graceHours: 2,
	startsAt,
	prize: null,
	requestId: `cup-${++serial}`,
	...more
});

const sprintEditOf = (row: Omit<SprintInput, 'requestId'>) => ({
	name: row.name,
	subject: row.subject,
	measure: row.measure,
	target: row.target,
	startsAt: row.startsAt,
	endsAt: row.endsAt,
	prize: row.prize
});
const cupEditOf = (row: Omit<KnockoutInput, 'requestId'>) => ({
	name: row.name,
	subject: row.subject,
	measure: row.measure,
	size: row.size,
	roundLength: row.roundLength,
	roundUnit: row.roundUnit,
	graceHours: row.graceHours,
	startsAt: row.startsAt,
	prize: row.prize
});

const makeSeason = (store: Store, status: 'live' | 'draft' = 'live') =>
	liveSeasonOn(store, { size: 2, teams: ['Alpha', 'Beta'], endsAt: NOW * 2, status });

/** A duel's terms over two days from tomorrow (UTC), on points. */
const duelTerms = (stake = 0) => ({
	subject: 'user' as const,
	measure: 'points',
	preset: 'custom' as const,
	fromDate: dayKeyOf(NOW + DAY, 'UTC'),
	toDate: dayKeyOf(NOW + 2 * DAY, 'UTC'),
	stake,
	requestId: `duel-${++serial}`
});

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i % 2];

	it('a sprint made on one node is listed, found, changed and removed on the other', async () => {
		const { seasonId } = await makeSeason(node(0));
		const later = await createSprint(node(0), seasonId, sprintInput(NOW + DAY), BOSS, () => NOW);
		expect(later.created).toBe(true);
		expect(later.sprint).toMatchObject({ status: 'scheduled', target: 500, prize: 'Lunch' });
		const live = await createSprint(
			node(1),
			seasonId,
			sprintInput(NOW - HOUR, { name: 'Live race' }),
			BOSS,
			() => NOW
		);
		expect(live.sprint.status).toBe('live');

		// The latest start first.
		expect((await listSprints(node(1), seasonId)).map((s) => s.id)).toEqual([
			later.sprint.id,
			live.sprint.id
		]);
		expect(await sprintIn(node(1), seasonId, later.sprint.id)).toMatchObject({
			name: 'First to 500'
		});
		// Another season's sprint, or no id at all, is not found.
		const other = await makeSeason(node(1));
		expect(await sprintIn(node(0), other.seasonId, later.sprint.id)).toBeUndefined();
		expect(await sprintIn(node(0), seasonId, Number('x'))).toBeUndefined();

		const changed = await updateSprint(
			node(1),
			seasonId,
			later.sprint.id,
			{ ...sprintEditOf(later.sprint), target: 800, name: 'First to 800' },
			BOSS,
			() => NOW
		);
		expect(changed).toMatchObject({ target: 800, name: 'First to 800', status: 'scheduled' });
		expect(await sprintIn(node(0), seasonId, later.sprint.id)).toMatchObject({ target: 800 });
		// The same values again change nothing and are not audited.
		await updateSprint(node(0), seasonId, later.sprint.id, sprintEditOf(changed), BOSS, () => NOW);

		expect(await removeSprint(node(0), seasonId, later.sprint.id, BOSS, () => NOW)).toBe('deleted');
		expect(await removeSprint(node(1), seasonId, live.sprint.id, BOSS, () => NOW)).toBe(
			'cancelled'
		);
		expect(await sprintIn(node(1), seasonId, later.sprint.id)).toBeUndefined();
		expect(await sprintIn(node(0), seasonId, live.sprint.id)).toMatchObject({
			status: 'cancelled'
		});
		expect(await auditsOf(node(1), `sprint:${later.sprint.id}`)).toEqual([
			{ action: 'sprint.create', data: { seasonId, name: 'First to 500' } },
			{
				action: 'sprint.update',
				data: {
					seasonId,
					name: 'First to 800',
					changes: {
						name: { from: 'First to 500', to: 'First to 800' },
						target: { from: 500, to: 800 }
					}
				}
			},
			{ action: 'sprint.delete', data: { seasonId, name: 'First to 800' } }
		]);
		expect((await auditsOf(node(0), `sprint:${live.sprint.id}`)).map((a) => a.action)).toEqual([
			'sprint.create',
			'sprint.cancel'
		]);
	});

	it('one request id sent to both nodes at once creates one sprint and one knockout', async () => {
		const { seasonId } = await makeSeason(node(0));
		const input = sprintInput(NOW + DAY);
		const sprints = await Promise.all(
			[0, 1, 0, 1].map((i) => createSprint(node(i), seasonId, input, BOSS, () => NOW))
		);
		expect(sprints.filter((s) => s.created)).toHaveLength(1);
		expect(new Set(sprints.map((s) => s.sprint.id)).size).toBe(1);
		expect(await listSprints(node(1), seasonId)).toHaveLength(1);
		expect(await auditsOf(node(0), `sprint:${sprints[0].sprint.id}`)).toHaveLength(1);

		const cup = cupInput(NOW + DAY);
		const cups = await Promise.all(
			[0, 1, 0, 1].map((i) => createKnockout(node(i), seasonId, cup, BOSS, () => NOW))
		);
		expect(cups.filter((k) => k.created)).toHaveLength(1);
		expect(new Set(cups.map((k) => k.knockout.id)).size).toBe(1);
		expect(await listKnockouts(node(0), seasonId)).toHaveLength(1);
		expect(await auditsOf(node(1), `knockout:${cups[0].knockout.id}`)).toHaveLength(1);
	});

	it('edits racing on two nodes take turns: each audited from what the other left', async () => {
		const { seasonId } = await makeSeason(node(0));
		const { sprint } = await createSprint(
			node(0),
			seasonId,
			sprintInput(NOW + DAY),
			BOSS,
			() => NOW
		);
		const names = ['Dash', 'Rush'];
		await Promise.all(
			names.map((name, i) =>
				updateSprint(
					node(i),
					seasonId,
					sprint.id,
					{ ...sprintEditOf(sprint), name },
					BOSS,
					() => NOW
				)
			)
		);
		const updates = (await auditsOf(node(1), `sprint:${sprint.id}`)).filter(
			(a) => a.action === 'sprint.update'
		);
		expect(updates).toHaveLength(2);
		const [first, second] = updates.map(
			(a) => (a.data as { changes: { name: { from: string; to: string } } }).changes.name
		);
		expect(first.from).toBe('First to 500');
		expect(second.from).toBe(first.to);
		expect(new Set([first.to, second.to])).toEqual(new Set(names));
		expect((await sprintIn(node(0), seasonId, sprint.id))!.name).toBe(second.to);
	});

	it('a removal sent to both nodes at once is done and audited once', async () => {
		const { seasonId } = await makeSeason(node(0));
		const soon = await createSprint(node(0), seasonId, sprintInput(NOW + DAY), BOSS, () => NOW);
		const live = await createSprint(node(0), seasonId, sprintInput(NOW - HOUR), BOSS, () => NOW);
		const deleted = await Promise.all(
			[0, 1].map((i) =>
				appErrorCode(() => removeSprint(node(i), seasonId, soon.sprint.id, BOSS, () => NOW))
			)
		);
		expect(deleted.sort()).toEqual(['not_found', 'ok']);
		const cancelled = await Promise.all(
			[0, 1].map((i) =>
				appErrorCode(() => removeSprint(node(i), seasonId, live.sprint.id, BOSS, () => NOW))
			)
		);
		expect(cancelled.sort()).toEqual(['cancelled', 'ok']);
		expect((await auditsOf(node(1), `sprint:${soon.sprint.id}`)).map((a) => a.action)).toEqual([
			'sprint.create',
			'sprint.delete'
		]);
		expect((await auditsOf(node(0), `sprint:${live.sprint.id}`)).map((a) => a.action)).toEqual([
			'sprint.create',
			'sprint.cancel'
		]);

		const cup = await createKnockout(node(1), seasonId, cupInput(NOW - HOUR), BOSS, () => NOW);
		const cups = await Promise.all(
			[0, 1].map((i) =>
				appErrorCode(() => removeKnockout(node(i), seasonId, cup.knockout.id, BOSS, () => NOW))
			)
		);
		expect(cups.sort()).toEqual(['cancelled', 'ok']);
		expect(await knockoutIn(node(0), seasonId, cup.knockout.id)).toMatchObject({
			status: 'cancelled'
		});
		expect((await auditsOf(node(0), `knockout:${cup.knockout.id}`)).map((a) => a.action)).toEqual([
			'knockout.create',
			'knockout.cancel'
		]);
	});

	it('an edit the race no longer allows is refused and changes nothing', async () => {
		const { seasonId } = await makeSeason(node(0));
		const { sprint } = await createSprint(
			node(0),
			seasonId,
			sprintInput(NOW - HOUR),
			BOSS,
			() => NOW
		);
		const edit = sprintEditOf(sprint);
		expect(
			await appErrorCode(() =>
				updateSprint(node(1), seasonId, sprint.id, { ...edit, target: 1 }, BOSS, () => NOW)
			)
		).toBe('locked');
		expect(
			await appErrorCode(() =>
				updateSprint(node(1), seasonId, sprint.id, { ...edit, endsAt: NOW - 1 }, BOSS, () => NOW)
			)
		).toBe('deadline_later');
		expect(
			await appErrorCode(() => updateSprint(node(0), seasonId, 99_999, edit, BOSS, () => NOW))
		).toBe('not_found');
		expect(await sprintIn(node(0), seasonId, sprint.id)).toEqual(sprint);
		expect((await auditsOf(node(1), `sprint:${sprint.id}`)).map((a) => a.action)).toEqual([
			'sprint.create'
		]);

		// A started knockout keeps its size; before its start everything may change.
		const { knockout: started } = await createKnockout(
			node(1),
			seasonId,
			cupInput(NOW - HOUR),
			BOSS,
			() => NOW
		);
		expect(
			await appErrorCode(() =>
				updateKnockout(
					node(0),
					seasonId,
					started.id,
					{ ...cupEditOf(started), size: 8 },
					BOSS,
					() => NOW
				)
			)
		).toBe('locked');
		expect(await knockoutIn(node(1), seasonId, started.id)).toEqual(started);
		const { knockout: later } = await createKnockout(
			node(1),
			seasonId,
			cupInput(NOW + DAY),
			BOSS,
			() => NOW
		);
		const grown = await updateKnockout(
			node(0),
			seasonId,
			later.id,
			{ ...cupEditOf(later), size: 8 },
			BOSS,
			() => NOW
		);
		expect(grown.size).toBe(8);
		expect(await knockoutIn(node(1), seasonId, later.id)).toMatchObject({ size: 8 });
		expect((await auditsOf(node(1), `knockout:${later.id}`)).map((a) => a.action)).toEqual([
			'knockout.create',
			'knockout.update'
		]);
	});

	it("the measures offered and the API's checks read what any node wrote", async () => {
		const { seasonId } = await makeSeason(node(0));
		const { product, activityType, season } = node(0).tables;
		await node(0)
			.db.insert(product)
			.values([
				{ seasonId, sku: 'P1', name: 'Phone', category: 'Phones', points: 10 },
				{ seasonId, sku: 'P2', name: 'Case', category: 'Accessories', points: 2 },
				{ seasonId, sku: 'P3', name: 'Phone XL', category: 'Phones', points: 20, active: false }
			]);
		await node(0)
			.db.insert(activityType)
			.values([
				{ seasonId, key: 'visit', name: 'Visit', points: 5 },
				{ seasonId, key: 'call', name: 'Call', points: 2 },
				{ seasonId, key: 'demo', name: 'Demo', points: 3, active: false }
			]);
		expect(await measureChoices(node(1), seasonId)).toEqual([
			'points',
			'sales',
			'category:Accessories',
			'category:Phones',
			'activity:call',
			'activity:visit'
		]);
		await checkMeasure(node(1), seasonId, 'activity:call');
		expect(await appErrorCode(() => checkMeasure(node(1), seasonId, 'activity:demo'))).toBe(
			'unknown_measure'
		);

		expect((await formatSeason(node(1), seasonId)).id).toBe(seasonId);
		expect((await openSeason(node(1), seasonId)).id).toBe(seasonId);
		expect(await appErrorCode(() => formatSeason(node(1), 99_999))).toBe('not_found');
		await node(1).db.update(season).set({ status: 'ended' }).where(eq(season.id, seasonId));
		expect(await appErrorCode(() => openSeason(node(0), seasonId))).toBe('season_closed');
	});

	it('a duel proposed on one node is answered or withdrawn on the other, once', async () => {
		const { seasonId, people } = await liveSeasonOn(node(0), {
			size: 4,
			teams: ['Alpha', 'Beta'],
			endsAt: NOW * 2,
			timeZone: 'UTC'
		});
		const [ann, bob, cid, dee] = people;
		const terms = { ...duelTerms(), seasonId, userId: ann.id, opponentId: bob.id };
		// The same form sent to both nodes at once is one challenge.
		const sent = await Promise.all([0, 1].map((i) => proposeChallenge(node(i), terms, () => NOW)));
		expect(sent.filter((p) => p.created)).toHaveLength(1);
		const id = sent[0].challenge.id;
		expect(sent[1].challenge.id).toBe(id);

		// Only Bob answers; accepting on both nodes at once is one answer.
		expect(
			await appErrorCode(() =>
				answerChallenge(node(1), { challengeId: id, userId: cid.id, decision: 'accept' }, () => NOW)
			)
		).toBe('not_found');
		const answers = await Promise.all(
			[0, 1].map((i) =>
				answerChallenge(node(i), { challengeId: id, userId: bob.id, decision: 'accept' }, () => NOW)
			)
		);
		expect(answers.map((a) => a.status)).toEqual(['accepted', 'accepted']);
		expect(answers[0].decidedAt).toBe(answers[1].decidedAt);
		expect(
			await appErrorCode(() =>
				answerChallenge(
					node(0),
					{ challengeId: id, userId: bob.id, decision: 'decline' },
					() => NOW
				)
			)
		).toBe('not_open');

		// A withdrawal on one node; the other node's answer then comes too late.
		const other = await proposeChallenge(
			node(1),
			{ ...duelTerms(), seasonId, userId: cid.id, opponentId: dee.id },
			() => NOW
		);
		expect(
			(
				await cancelChallenge(
					node(0),
					{ challengeId: other.challenge.id, userId: cid.id },
					() => NOW
				)
			).status
		).toBe('cancelled');
		expect(
			await appErrorCode(() =>
				answerChallenge(
					node(1),
					{ challengeId: other.challenge.id, userId: dee.id, decision: 'accept' },
					() => NOW
				)
			)
		).toBe('not_open');

		// Bad terms change nothing.
		const { challenge } = node(0).tables;
		const before = await node(0)
			.db.select()
			.from(challenge)
			.where(eq(challenge.seasonId, seasonId));
		for (const [bad, code] of [
			[{ opponentId: ann.id }, 'self'],
			[{ measure: 'category:Nope' }, 'bad_measure'],
			[
				{ fromDate: dayKeyOf(NOW - 3 * DAY, 'UTC'), toDate: dayKeyOf(NOW - 2 * DAY, 'UTC') },
				'bad_period'
			],
			[{ stake: 5 }, 'stake_spendable']
		] as const)
			expect(
				await appErrorCode(() =>
					proposeChallenge(node(1), { ...terms, ...duelTerms(), ...bad }, () => NOW)
				)
			).toBe(code);
		expect(
			await node(1).db.select().from(challenge).where(eq(challenge.seasonId, seasonId))
		).toEqual(before);
	});

	it('stakes raced on two nodes stay within the budget set on either', async () => {
		const { seasonId, people } = await liveSeasonOn(node(0), {
			size: 4,
			teams: ['Alpha', 'Beta'],
			endsAt: NOW * 2,
			timeZone: 'UTC',
			points: [1000, 1000, 1000, 1000]
		});
		const [ann, bob, cid, dee] = people;
		const boss = { userId: ann.id };
		await setStakeBudget(node(1), { seasonId, actorId: ann.id, budget: 50 }, () => NOW);
		// Two duels of 30 each, asked on both nodes at once: only one fits the 50 left.
		const duels = await Promise.all(
			[
				[ann, bob],
				[cid, dee]
			].map(([a, b], i) =>
				appErrorCode(() =>
					createDuel(
						node(i),
						{ ...duelTerms(30), seasonId, actor: boss, challengerId: a.id, opponentId: b.id },
						() => NOW
					)
				)
			)
		);
		expect(duels.sort()).toEqual(['ok', 'stake_budget']);
		// A budget raised on the other node lets the second through.
		await setStakeBudget(node(0), { seasonId, actorId: ann.id, budget: 60 }, () => NOW);
		await createDuel(
			node(1),
			{ ...duelTerms(30), seasonId, actor: boss, challengerId: cid.id, opponentId: dee.id },
			() => NOW
		);
		expect((await auditsOf(node(0), `season:${seasonId}`)).map((a) => [a.action, a.data])).toEqual([
			['challenge.budget', { budget: 50 }],
			['challenge.budget', { budget: 60 }]
		]);
	});

	it('a pairing sent to both nodes at once pairs everyone once', async () => {
		const { seasonId, people } = await liveSeasonOn(node(0), {
			size: 5,
			teams: ['Alpha', 'Beta'],
			endsAt: NOW * 2,
			timeZone: 'UTC',
			points: [10, 50, 40, 30, 20]
		});
		const input = {
			...duelTerms(),
			seasonId,
			actorId: people[0].id,
			mode: 'neighbours' as const
		};
		const made = await Promise.all([0, 1].map((i) => pairAutomatically(node(i), input, () => NOW)));
		const pairings = made.filter((p) => p.created.length > 0);
		expect(pairings).toHaveLength(1);
		// Ranking neighbours: 50 v 40, 30 v 20; the last (10) sits out.
		const [{ created, bye }] = pairings;
		const ids = people.map((p) => p.id);
		expect(created.map((d) => [d.challengerId, d.opponentId, d.status])).toEqual([
			[ids[1], ids[2], 'accepted'],
			[ids[3], ids[4], 'accepted']
		]);
		expect(bye).toBe(ids[0]);
		expect(
			(await auditsOf(node(1), `season:${seasonId}`)).filter((a) => a.action === 'challenge.pair')
		).toHaveLength(1);
		// Too few for a pair is refused.
		const alone = await liveSeasonOn(node(1), {
			size: 1,
			teams: ['Solo'],
			endsAt: NOW * 2,
			timeZone: 'UTC'
		});
		expect(
			await appErrorCode(() =>
				pairAutomatically(
					node(0),
					{ ...input, ...duelTerms(), seasonId: alone.seasonId },
					() => NOW
				)
			)
		).toBe('too_few');
	});
});
