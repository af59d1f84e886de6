// The rank watch and its "you were overtaken" mail ported onto the store (#20, db/store.ts),
// with the same assertions on a temp SQLite file and a throwaway PostgreSQL. "Two nodes" are two
// stores on one database (tests/helpers/store-nodes.ts); each runs its own watch and listener,
// as each server process does, and all of them hear every rank change (one event emitter).
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { createRankWatch } from '../../src/lib/server/notify/rank-watch';
import {
	listenForOvertaken,
	queueOvertaken,
	type OvertakenListener
} from '../../src/lib/server/notify/digest/overtaken';
import { setWanted } from '../../src/lib/server/notify/preferences';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('digest-store');
const AT = Date.parse('2026-12-02T10:00:00Z');

/** A live season in Amsterdam with people of these confirmed points, in one team. */
async function makeSeason(store: Store, points: number[]) {
	const made = await liveSeasonOn(store, {
		size: points.length,
		teams: ['Crew'],
		endsAt: AT * 2,
		points,
		timeZone: 'Europe/Amsterdam'
	});
	return { id: made.seasonId, name: made.name, people: made.people };
}

/** Sets a person's points and moves the season's version on, as a sale does. */
async function score(store: Store, seasonId: number, userId: number, points: number) {
	const { season, standing } = store.tables;
	await store.db
		.update(standing)
		.set({ confirmedPoints: points })
		.where(
			and(
				eq(standing.seasonId, seasonId),
				eq(standing.subjectType, 'user'),
				eq(standing.subjectId, userId)
			)
		);
	await store.db
		.update(season)
		.set({ version: sql`${season.version} + 1` })
		.where(eq(season.id, seasonId));
}

const listeners: OvertakenListener[] = [];
afterEach(() => {
	for (const l of listeners.splice(0)) l.stop();
});

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i % 2];

	async function mailsTo(store: Store, seasonPeople: { id: number }[]) {
		const { outgoingMessage } = store.tables;
		const rows = await store.db
			.select()
			.from(outgoingMessage)
			.where(eq(outgoingMessage.kind, 'overtaken'))
			.orderBy(outgoingMessage.id);
		const ids = new Set(seasonPeople.map((p) => p.id));
		return rows.filter((r) => r.userId != null && ids.has(r.userId));
	}

	it('an overtaking seen by both nodes’ watches is mailed once, to who was overtaken', async () => {
		const s = await makeSeason(node(0), [100, 50, 40]);
		const [ann, bo, cy] = s.people;
		// Cy switched it off on the other node.
		await setWanted(node(1), cy.id, 'email', 'overtaken', false);
		const watches = [0, 1].map((i) => createRankWatch(node(i), { clock: () => AT }));
		listeners.push(listenForOvertaken(node(0)), listenForOvertaken(node(1)));
		const round = async () => {
			await Promise.all(watches.map((w) => w.check()));
			await Promise.all(listeners.map((l) => l.idle()));
		};
		await round(); // the first reading is only remembered
		expect(await mailsTo(node(0), s.people)).toEqual([]);
		await score(node(1), s.id, bo.id, 150); // Bo passes Ann and Cy
		await round();
		const mails = await mailsTo(node(1), s.people);
		expect(mails.map((m) => [m.userId, m.dedupeKey, m.recipient, m.status])).toEqual([
			[ann.id, `overtaken:${ann.id}:2026-12-02`, ann.email, 'pending']
		]);
		expect(mails[0].subject).toBe(`${bo.name} just overtook you`);
		expect(mails[0].body).toContain(`You are now #2 in ${s.name}, 50 pts behind.`);
		// Nothing moved: nothing more, however often the watches look.
		await round();
		expect(await mailsTo(node(0), s.people)).toHaveLength(1);
	});

	it('the same overtaking queued on two nodes at once is one mail; unknown seasons and people none', async () => {
		const s = await makeSeason(node(0), [100, 120]);
		const [ann, bo] = s.people;
		const event = {
			seasonId: s.id,
			userId: ann.id,
			byUserId: bo.id,
			rank: 2,
			previousRank: 1,
			at: AT
		};
		const queued = await Promise.all([0, 1, 0, 1].map((i) => queueOvertaken(node(i), event)));
		expect(queued.filter(Boolean)).toHaveLength(1);
		expect(await queueOvertaken(node(1), { ...event, seasonId: s.id + 1_000 })).toBe(false);
		expect(await queueOvertaken(node(0), { ...event, userId: 999_999 })).toBe(false);
		const mails = await mailsTo(node(1), s.people);
		expect(mails.map((m) => m.userId)).toEqual([ann.id]);
		expect(mails[0].body).toContain('20 pts behind');
	});
});
