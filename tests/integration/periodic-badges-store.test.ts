// The periodic (weekly) badges on the store (#20 step 2, badges/periodic.ts `runPeriodicAwards`),
// with the same assertions on a temp SQLite file and a throwaway PostgreSQL, two nodes each
// (tests/helpers/store-nodes.ts): sales recorded through the group commit, a week's badges given
// once the week has ended and not before, with their points; two nodes running the job at once
// decide each week once; a changed weekly badge decides the weeks again; a weekly badge's web
// push is queued in the deciding write and delivered to a local push service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createECDH, randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import type { BadgeCriterion } from '../../src/lib/contest/badges';
import { runPeriodicAwards } from '../../src/lib/server/badges/periodic';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import { reviewSales } from '../../src/lib/server/scoring/review';
import { reevaluateOnStore } from '../../src/lib/server/badges/reevaluate';
import { queueOvertaken, startPushNotices } from '../../src/lib/server/notify/push/queue';
import { sendDuePushes } from '../../src/lib/server/notify/push/send';
import { subscribe } from '../../src/lib/server/notify/push/subscriptions';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { badgesPushedLive } from '../helpers/badges';
import { liveSeasonOn, phoneAndCaseOn, pointsOf } from '../helpers/store-season';

const nodes = twoNodesPerDialect('periodic-badges-store');
const DAY = 24 * 60 * 60 * 1000;
/** Monday 1 March 2027, 00:00 UTC: the first of the two weeks the sales fall in. */
const WEEK_1 = Date.UTC(2027, 2, 1);
const WEEK_2 = WEEK_1 + 7 * DAY;
const BEST_POINTS = 5;
const IMPROVED_POINTS = 7;
let serial = 0;

/** The badges pushed live (only ever after their write committed). */
const pushed = badgesPushedLive();

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	/**
	 * Three people (Alpha: p0, p2; Beta: p1) and two weekly badges. Week 1: p0 sells two phones
	 * (200 points), p1 one (100), p2 a case (10). Week 2: p1 three phones (300), p0 a case (10).
	 */
	async function twoWeeksOfSales() {
		const made = await liveSeasonOn(node(0), {
			size: 3,
			teams: ['Alpha', 'Beta'],
			endsAt: WEEK_1 + 365 * DAY,
			timeZone: 'UTC'
		});
		await phoneAndCaseOn(node(0), made.seasonId);
		const { badge } = node(0).tables;
		const weekly = (name: string, criterion: BadgeCriterion, points: number) => ({
			seasonId: made.seasonId,
			name,
			emoji: '🏅',
			description: name,
			criterion,
			points
		});
		const [best, improved] = await node(0)
			.db.insert(badge)
			.values([
				weekly('Best of the week', { kind: 'top_k_week', k: 1 }, BEST_POINTS),
				weekly('Most improved', { kind: 'most_improved_week' }, IMPROVED_POINTS)
			])
			.returning();
		const sales: [number, number, 'PHONE' | 'CASE', number][] = [
			[0, WEEK_1 + DAY, 'PHONE', 2],
			[1, WEEK_1 + DAY + 3_600_000, 'PHONE', 1],
			[2, WEEK_1 + 2 * DAY, 'CASE', 1],
			[1, WEEK_2 + DAY, 'PHONE', 3],
			[0, WEEK_2 + 2 * DAY, 'CASE', 1]
		];
		const saleIds: number[] = [];
		for (const [who, at, sku, quantity] of sales) {
			const recorded = await recordSaleGrouped(
				node(serial % 2),
				{
					source: 'api',
					externalId: `periodic-${dialect}-${++serial}`,
					seller: { userId: made.people[who].id },
					occurredAt: at,
					lines: [{ sku, quantity }]
				},
				() => at + 60_000
			);
			saleIds.push(recorded.sale.id);
		}
		return { ...made, best, improved, saleIds };
	}

	type Season = Awaited<ReturnType<typeof twoWeeksOfSales>>;

	/** The season's awards as [person's index, badge, week], in the order given. */
	async function awardsOf(store: Store, s: Season) {
		const { award } = store.tables;
		const rows = await store.db
			.select({ badgeId: award.badgeId, subjectId: award.subjectId, periodKey: award.periodKey })
			.from(award)
			.where(and(eq(award.seasonId, s.seasonId), eq(award.status, 'confirmed')))
			.orderBy(award.id);
		const names = new Map([
			[s.best.id, 'best'],
			[s.improved.id, 'improved']
		]);
		return rows.map((r) => [
			s.people.findIndex((p) => p.id === r.subjectId),
			names.get(r.badgeId),
			r.periodKey
		]);
	}

	async function badgeEntriesOf(store: Store, s: Season) {
		const { ledgerEntry } = store.tables;
		return store.db
			.select({ userId: ledgerEntry.userId, points: ledgerEntry.points })
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.seasonId, s.seasonId), eq(ledgerEntry.kind, 'badge')))
			.orderBy(ledgerEntry.id);
	}

	const weekKeys = async (store: Store, s: Season) => {
		const { badgePeriod } = store.tables;
		const rows = await store.db
			.select({ periodKey: badgePeriod.periodKey })
			.from(badgePeriod)
			.where(eq(badgePeriod.seasonId, s.seasonId))
			.orderBy(badgePeriod.endsAt);
		return rows.map((r) => r.periodKey);
	};

	it("gives a week's badges once the week has ended, with their points", async () => {
		const s = await twoWeeksOfSales();
		const [w1, w2] = await weekKeys(node(1), s);
		const run = (store: Store, at: number) =>
			runPeriodicAwards(store, { clock: () => at, seasonIds: [s.seasonId] });
		// Week 1 has not ended: nothing yet.
		expect((await run(node(0), WEEK_2 - 1)).awarded).toBe(0);
		expect(await awardsOf(node(1), s)).toEqual([]);

		pushed.length = 0;
		expect(await run(node(1), WEEK_2 + 3 * DAY)).toMatchObject({ awarded: 1 });
		// Week 1: p0 tops it; nobody improved on a week before (there was none).
		expect(await awardsOf(node(0), s)).toEqual([[0, 'best', w1]]);
		expect(pushed.map((e) => [e.subjectId, e.badge.id])).toEqual([[s.people[0].id, s.best.id]]);
		expect(await pointsOf(node(0), s.seasonId, 'user', s.people[0].id)).toEqual({
			confirmed: 210 + BEST_POINTS,
			provisional: 0
		});
		// Nothing new: nothing decided again.
		expect(await run(node(0), WEEK_2 + 4 * DAY)).toEqual({ slices: 1, awarded: 0 });

		// Week 2: p1 tops it and improved by 200 points on week 1.
		expect(await run(node(0), WEEK_2 + 8 * DAY)).toMatchObject({ awarded: 2 });
		expect(await awardsOf(node(1), s)).toEqual([
			[0, 'best', w1],
			[1, 'best', w2],
			[1, 'improved', w2]
		]);
		expect(await badgeEntriesOf(node(1), s)).toEqual([
			{ userId: s.people[0].id, points: BEST_POINTS },
			{ userId: s.people[1].id, points: BEST_POINTS },
			{ userId: s.people[1].id, points: IMPROVED_POINTS }
		]);
		expect(await pointsOf(node(1), s.seasonId, 'team', s.teamIds[1])).toEqual({
			confirmed: 400 + BEST_POINTS + IMPROVED_POINTS,
			provisional: 0
		});
	});

	it('decides each week once when two nodes run the job at once', async () => {
		const s = await twoWeeksOfSales();
		const at = WEEK_2 + 8 * DAY;
		const runs = await Promise.all(
			[0, 1, 0, 1].map((i) =>
				runPeriodicAwards(node(i), { clock: () => at, seasonIds: [s.seasonId] })
			)
		);
		// Each run took in the facts' (empty) backlog in one slice; the two weeks were decided by
		// one run each, and their three awards given once.
		expect(runs.reduce((n, r) => n + r.slices, 0)).toBe(4 + 2);
		expect(runs.reduce((n, r) => n + r.awarded, 0)).toBe(3);
		expect((await awardsOf(node(0), s)).length).toBe(3);
		expect((await badgeEntriesOf(node(1), s)).length).toBe(3);
	});

	it('decides the weeks again when a weekly badge changes', async () => {
		const s = await twoWeeksOfSales();
		const [w1, w2] = await weekKeys(node(0), s);
		const at = WEEK_2 + 8 * DAY;
		await runPeriodicAwards(node(0), { clock: () => at, seasonIds: [s.seasonId] });
		const { badge } = node(1).tables;
		await node(1)
			.db.update(badge)
			.set({ criterion: { kind: 'top_k_week', k: 2 } })
			.where(eq(badge.id, s.best.id));
		expect(await runPeriodicAwards(node(1), { clock: () => at, seasonIds: [s.seasonId] })).toEqual({
			slices: 1 + 2,
			awarded: 2
		});
		// The top two of each week now: p1 in week 1, p0 in week 2 (p2's case is third).
		expect(await awardsOf(node(0), s)).toEqual([
			[0, 'best', w1],
			[1, 'best', w2],
			[1, 'improved', w2],
			[1, 'best', w1],
			[0, 'best', w2]
		]);
	});

	it("moves a week's badge when a sale of that week is reversed", async () => {
		const s = await twoWeeksOfSales();
		const [w1, w2] = await weekKeys(node(0), s);
		const at = WEEK_2 + 8 * DAY;
		const clock = () => at;
		await runPeriodicAwards(node(0), { clock, seasonIds: [s.seasonId] });
		await reviewSales(
			node(1),
			[s.saleIds[0]],
			{ decision: 'reverse', actor: { userId: null }, reason: 'returned' },
			clock
		);
		// The review's own re-evaluation runs in the background; this one waits for its result.
		await reevaluateOnStore(node(0), s.seasonId, { since: WEEK_1 + DAY, weekly: true, clock });
		// Without p0's phones, p1 tops week 1; week 2 stays p1's.
		expect(await awardsOf(node(1), s)).toEqual([
			[1, 'best', w2],
			[1, 'improved', w2],
			[1, 'best', w1]
		]);
		expect(await pointsOf(node(1), s.seasonId, 'user', s.people[0].id)).toEqual({
			confirmed: 10,
			provisional: 0
		});
	});

	describe('web push', () => {
		let service: Server;
		let url: string;
		const received: { path: string; encoding: string | undefined }[] = [];
		const allowed = process.env.WEBHOOKS_ALLOW_PRIVATE;

		beforeAll(async () => {
			// The push service's stand-in listens on 127.0.0.1, on a port the OS picks.
			process.env.WEBHOOKS_ALLOW_PRIVATE = 'true';
			service = createServer((req, res) => {
				req.resume();
				req.on('end', () => {
					received.push({
						path: req.url ?? '',
						encoding: req.headers['content-encoding'] as string | undefined
					});
					res.writeHead(201).end();
				});
			});
			await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
			url = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
		});
		afterAll(async () => {
			if (allowed === undefined) delete process.env.WEBHOOKS_ALLOW_PRIVATE;
			else process.env.WEBHOOKS_ALLOW_PRIVATE = allowed;
			await new Promise((resolve) => service.close(resolve));
		});

		it("queues a weekly badge's push in the deciding write and delivers it once", async () => {
			const s = await twoWeeksOfSales();
			const ecdh = createECDH('prime256v1');
			ecdh.generateKeys();
			const path = `/${dialect}/${++serial}`;
			await subscribe(
				node(0),
				s.people[0].id,
				{
					endpoint: `${url}${path}`,
					keys: {
						p256dh: ecdh.getPublicKey().toString('base64url'),
						auth: randomBytes(16).toString('base64url')
					}
				},
				'Android · Chrome',
				WEEK_1
			);
			const at = WEEK_2 + 3 * DAY;
			const stops = [startPushNotices(node(0)), startPushNotices(node(1))];
			try {
				await runPeriodicAwards(node(1), { clock: () => at, seasonIds: [s.seasonId] });
			} finally {
				for (const stop of stops) stop();
			}
			const { outgoingMessage } = node(0).tables;
			const queued = await node(0)
				.db.select({ kind: outgoingMessage.kind, subject: outgoingMessage.subject })
				.from(outgoingMessage)
				.where(
					and(eq(outgoingMessage.userId, s.people[0].id), eq(outgoingMessage.channel, 'push'))
				);
			// One row, though both nodes listen: one write decided the week.
			expect(queued).toEqual([{ kind: 'badge', subject: expect.stringContaining('Best of') }]);
			const sent = await Promise.all([
				sendDuePushes(node(0), { clock: () => at }),
				sendDuePushes(node(1), { clock: () => at })
			]);
			expect(sent[0] + sent[1]).toBe(1);
			expect(received.filter((r) => r.path === path)).toEqual([{ path, encoding: 'aes128gcm' }]);
		});

		it('queues an overtaking once an hour per device, whichever nodes hear it', async () => {
			const s = await twoWeeksOfSales();
			const [p0, p1] = s.people;
			for (const device of ['a', 'b'])
				await subscribe(
					node(0),
					p0.id,
					{
						endpoint: `https://push.example.test/${dialect}/${++serial}/${device}`,
						keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) }
					},
					null,
					WEEK_1
				);
			const event = {
				seasonId: s.seasonId,
				userId: p0.id,
				byUserId: p1.id,
				rank: 2,
				previousRank: 1,
				at: WEEK_2
			};
			const queued = await Promise.all([0, 1, 0, 1].map((i) => queueOvertaken(node(i), event)));
			expect(queued.reduce((n, q) => n + q, 0)).toBe(2);
			expect(await queueOvertaken(node(1), { ...event, at: WEEK_2 + 30 * 60_000 })).toBe(0);
			expect(await queueOvertaken(node(0), { ...event, at: WEEK_2 + 61 * 60_000 })).toBe(2);
			const { outgoingMessage } = node(1).tables;
			const rows = await node(1)
				.db.select({ subject: outgoingMessage.subject })
				.from(outgoingMessage)
				.where(and(eq(outgoingMessage.userId, p0.id), eq(outgoingMessage.kind, 'overtaken')));
			expect(rows).toEqual(Array(4).fill({ subject: `You were overtaken by ${p1.name}` }));
		});
	});
});
