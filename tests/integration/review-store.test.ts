// Reviewing sales on the store (#20, scoring/review.ts, review-queue.ts): a decision moves the
// sale, its ledger entries, the standings, the day totals, the referral it settles, the webhooks
// and the audit in one write, with the same assertions on a temp SQLite file and a throwaway
// PostgreSQL. "Two nodes" are two stores on one database: a sale confirmed on both at once is
// counted once, and what one node decides is what the other's queue shows.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { autoConfirm, reviewByExternalId, reviewSales } from '../../src/lib/server/scoring/review';
import {
	recentDecisions,
	reviewQueue,
	salesOfSeason
} from '../../src/lib/server/scoring/review-queue';
import { appendEntryInWrite } from '../../src/lib/server/scoring/ledger';
import { dayKeyOf } from '../../src/lib/server/scoring/person-day';
import { customerKey } from '../../src/lib/contest/referral';
import { write, type Store } from '../../src/lib/server/db/store';
import { onDomainEventInWrite } from '../../src/lib/server/notify/events';
import { onChatDomainEventInWrite } from '../../src/lib/server/notify/chat/queue';
import { forgetChannels } from '../../src/lib/server/notify/chat/channels';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('review-store');
const NOW = 1_900_000_000_000;
const DAY = 24 * 60 * 60 * 1000;
const clock = () => NOW;
let serial = 0;

type Season = Awaited<ReturnType<typeof liveSeasonOn>>;

/**
 * A pending sale of the season's first person as the sales path leaves it: the sale, its
 * provisional ledger entry (counted in the standings) and its day's totals.
 */
async function pendingSaleOn(
	store: Store,
	s: Season,
	points: number,
	options: { customerRef?: string; occurredAt?: number } = {}
) {
	const { personDay, sale, season } = store.tables;
	const externalId = `review-store-${++serial}`;
	const occurredAt = options.occurredAt ?? NOW - 1000;
	return write(store, async (tx) => {
		const [row] = await tx
			.insert(sale)
			.values({
				seasonId: s.seasonId,
				source: 'api',
				externalId,
				sellerId: s.people[0].id,
				teamId: s.teamIds[0],
				occurredAt,
				amount: points * 100,
				status: 'pending',
				points,
				customerRef: options.customerRef ?? null
			})
			.returning({ id: sale.id });
		await appendEntryInWrite(
			tx,
			store,
			{
				seasonId: s.seasonId,
				userId: s.people[0].id,
				teamId: s.teamIds[0],
				saleId: row.id,
				kind: 'sale',
				points,
				status: 'provisional'
			},
			occurredAt,
			[],
			1
		);
		const [{ timeZone }] = await tx
			.select({ timeZone: season.timeZone })
			.from(season)
			.where(eq(season.id, s.seasonId));
		const key = dayKeyOf(s.seasonId, s.people[0].id, occurredAt, timeZone);
		const [day] = await tx
			.select({ sales: personDay.sales, points: personDay.points })
			.from(personDay)
			.where(
				and(
					eq(personDay.seasonId, key.seasonId),
					eq(personDay.userId, key.userId),
					eq(personDay.day, key.day)
				)
			);
		if (day)
			await tx
				.update(personDay)
				.set({ sales: day.sales + 1, points: day.points + points })
				.where(
					and(
						eq(personDay.seasonId, key.seasonId),
						eq(personDay.userId, key.userId),
						eq(personDay.day, key.day)
					)
				);
		else await tx.insert(personDay).values({ ...key, sales: 1, points, quantity: 0 });
		return { id: row.id, externalId, day: key };
	});
}

/** The sale's status, the seller's and the team's standing, the day's totals, the version. */
async function stateOf(store: Store, s: Season, saleId: number, day: { day: number }) {
	const { sale, standing, season, personDay } = store.tables;
	const [row] = await store.db
		.select({ status: sale.status, reviewReason: sale.reviewReason })
		.from(sale)
		.where(eq(sale.id, saleId));
	const points = async (type: 'user' | 'team', id: number) => {
		const [one] = await store.db
			.select({
				confirmed: standing.confirmedPoints,
				provisional: standing.provisionalPoints,
				sales: standing.salesCount
			})
			.from(standing)
			.where(
				and(
					eq(standing.seasonId, s.seasonId),
					eq(standing.subjectType, type),
					eq(standing.subjectId, id)
				)
			);
		return one;
	};
	const [dayRow] = await store.db
		.select({ sales: personDay.sales, points: personDay.points })
		.from(personDay)
		.where(
			and(
				eq(personDay.seasonId, s.seasonId),
				eq(personDay.userId, s.people[0].id),
				eq(personDay.day, day.day)
			)
		);
	const [{ version }] = await store.db
		.select({ version: season.version })
		.from(season)
		.where(eq(season.id, s.seasonId));
	return {
		...row,
		person: await points('user', s.people[0].id),
		team: await points('team', s.teamIds[0]),
		day: dayRow,
		version
	};
}

/** The season's ledger per status, summed. */
async function ledgerOf(store: Store, s: Season) {
	const { ledgerEntry } = store.tables;
	const entries = await store.db
		.select({ status: ledgerEntry.status, points: ledgerEntry.points })
		.from(ledgerEntry)
		.where(eq(ledgerEntry.seasonId, s.seasonId));
	const sum = { confirmed: 0, provisional: 0 };
	for (const e of entries) if (e.status !== 'void') sum[e.status] += e.points;
	return sum;
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];
	const season = (endsAt = 1e13) =>
		liveSeasonOn(node(0), { size: 3, teams: ['North', 'South'], endsAt });

	it('a sale confirmed on both nodes at once counts once: its points, referral, webhook and audit once, the version higher', async () => {
		const s = await season();
		const boss = s.people[2];
		const { referral, webhook, webhookDelivery, ledgerEntry } = node(0).tables;
		const ref = `Acme ${++serial}`;
		const sold = await pendingSaleOn(node(0), s, 50, { customerRef: ref });
		// An open referral of this customer, with its provisional points, and a webhook that wants
		// confirmed sales.
		const referralId = await write(node(0), async (tx) => {
			const ledgerEntryId = await appendEntryInWrite(
				tx,
				node(0),
				{
					seasonId: s.seasonId,
					userId: s.people[1].id,
					teamId: s.teamIds[1],
					kind: 'referral',
					points: 20,
					status: 'provisional'
				},
				NOW - 2000,
				[]
			);
			const [row] = await tx
				.insert(referral)
				.values({
					seasonId: s.seasonId,
					referrerId: s.people[1].id,
					customerName: ref,
					customerRef: ref,
					customerKey: customerKey(ref)!,
					points: 20,
					ledgerEntryId,
					expiresAt: 1e13
				})
				.returning({ id: referral.id });
			return row.id;
		});
		const [hook] = await node(0)
			.db.insert(webhook)
			.values({
				url: 'https://example.test/hook',
				secret: 'whsec_dGVzdA==',
				events: ['sale.confirmed']
			})
			.returning({ id: webhook.id });
		const before = await stateOf(node(1), s, sold.id, sold.day);
		expect(before).toMatchObject({
			status: 'pending',
			person: { confirmed: 0, provisional: 50, sales: 1 }
		});

		const results = await Promise.all(
			[0, 1, 0, 1].map((i) =>
				reviewSales(node(i), [sold.id], { decision: 'confirm', actor: { userId: boss.id } }, clock)
			)
		);
		expect(results.map(([r]) => r.changed).filter(Boolean)).toHaveLength(1);
		expect(results.every(([r]) => r.sale.status === 'approved')).toBe(true);
		for (const i of [0, 1]) {
			const after = await stateOf(node(i), s, sold.id, sold.day);
			expect(after).toMatchObject({
				status: 'approved',
				person: { confirmed: 50, provisional: 0, sales: 1 },
				team: { confirmed: 50, provisional: 0, sales: 1 },
				// A confirmation leaves the sale on its day.
				day: before.day
			});
			expect(after.version).toBe(before.version + 1);
		}
		expect(await auditsOf(node(1), `sale:${sold.id}`)).toEqual([
			{ action: 'sale.confirm', data: { reason: null, points: 50 } }
		]);
		const [settled] = await node(1)
			.db.select({ status: referral.status, matchedSaleId: referral.matchedSaleId })
			.from(referral)
			.where(eq(referral.id, referralId));
		expect(settled).toEqual({ status: 'confirmed', matchedSaleId: sold.id });
		const referralEntries = await node(1)
			.db.select({ status: ledgerEntry.status })
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.seasonId, s.seasonId), eq(ledgerEntry.kind, 'referral')));
		expect(referralEntries).toEqual([{ status: 'confirmed' }]);
		const deliveries = await node(1)
			.db.select({ event: webhookDelivery.event, payload: webhookDelivery.payload })
			.from(webhookDelivery)
			.where(eq(webhookDelivery.webhookId, hook.id));
		expect(deliveries).toHaveLength(1);
		expect(deliveries[0]).toMatchObject({
			event: 'sale.confirmed',
			payload: {
				type: 'sale.confirmed',
				data: {
					sale: { id: sold.id, externalId: sold.externalId, points: 50 },
					seasonId: s.seasonId
				}
			}
		});
		await node(0).db.update(webhook).set({ active: false }).where(eq(webhook.id, hook.id));
	});

	it('a rejected sale leaves no points on either node, its day without it; rejecting on both at once rejects once', async () => {
		const s = await season();
		const boss = s.people[2];
		const sold = await pendingSaleOn(node(0), s, 35);
		const before = await stateOf(node(0), s, sold.id, sold.day);
		const results = await Promise.all(
			[1, 0].map((i) =>
				reviewSales(
					node(i),
					[sold.id],
					{ decision: 'reject', actor: { userId: boss.id }, reason: ' duplicate ' },
					clock
				)
			)
		);
		expect(results.map(([r]) => r.changed).filter(Boolean)).toHaveLength(1);
		for (const i of [0, 1]) {
			const after = await stateOf(node(i), s, sold.id, sold.day);
			expect(after).toMatchObject({
				status: 'rejected',
				reviewReason: 'duplicate',
				person: { confirmed: 0, provisional: 0, sales: 0 },
				team: { confirmed: 0, provisional: 0, sales: 0 },
				day: { sales: before.day.sales - 1, points: before.day.points - 35 }
			});
			expect(after.version).toBeGreaterThan(before.version);
			expect(await ledgerOf(node(i), s)).toEqual({ confirmed: 0, provisional: 0 });
		}
		expect(await auditsOf(node(0), `sale:${sold.id}`)).toEqual([
			{ action: 'sale.reject', data: { reason: 'duplicate', points: 35 } }
		]);
	});

	it('a sale confirmed on one node and reversed through the API on the other leaves no points', async () => {
		const s = await season();
		const boss = s.people[2];
		const sold = await pendingSaleOn(node(0), s, 40);
		await reviewSales(
			node(0),
			[sold.id],
			{ decision: 'confirm', actor: { userId: boss.id } },
			clock
		);
		const confirmed = await stateOf(node(1), s, sold.id, sold.day);
		const reversed = await reviewByExternalId(
			node(1),
			sold.externalId,
			{ decision: 'reverse', actor: { userId: boss.id }, reason: 'refund' },
			clock
		);
		expect(reversed).toMatchObject({ changed: true, sale: { status: 'reversed' } });
		const after = await stateOf(node(0), s, sold.id, sold.day);
		expect(after).toMatchObject({
			status: 'reversed',
			person: { confirmed: 0, provisional: 0, sales: 0 }
		});
		expect(after.version).toBe(confirmed.version + 1);
		expect(await ledgerOf(node(0), s)).toEqual({ confirmed: 0, provisional: 0 });
	});

	it('bad input changes nothing: no reason, one’s own sale, an unknown sale in a batch, a final season', async () => {
		const s = await season();
		const boss = s.people[2];
		const a = await pendingSaleOn(node(0), s, 10);
		const b = await pendingSaleOn(node(0), s, 15);
		const before = await stateOf(node(1), s, a.id, a.day);
		const ledgerBefore = await ledgerOf(node(1), s);
		const refused = [
			await appErrorCode(() =>
				reviewSales(node(1), [a.id], { decision: 'reject', actor: { userId: boss.id } }, clock)
			),
			await appErrorCode(() =>
				reviewSales(
					node(0),
					[a.id],
					{ decision: 'confirm', actor: { userId: s.people[0].id } },
					clock
				)
			),
			// The first of the batch would pass: the whole batch is refused.
			await appErrorCode(() =>
				reviewSales(
					node(1),
					[a.id, b.id, 987_654_321],
					{ decision: 'confirm', actor: { userId: boss.id } },
					clock
				)
			),
			await appErrorCode(() =>
				reviewByExternalId(node(0), 'no-such-sale', { decision: 'confirm', actor: {} }, clock)
			)
		];
		expect(refused).toEqual(['reason_required', 'own_sale', 'not_found', 'not_found']);
		const ended = await season(NOW - 30 * DAY);
		const late = await pendingSaleOn(node(0), ended, 5, { occurredAt: NOW - 40 * DAY });
		expect(
			await appErrorCode(() =>
				reviewSales(node(1), [late.id], { decision: 'confirm', actor: { userId: boss.id } }, clock)
			)
		).toBe('season_final');
		expect(await stateOf(node(0), s, a.id, a.day)).toEqual(before);
		expect((await stateOf(node(0), s, b.id, b.day)).status).toBe('pending');
		expect(await ledgerOf(node(0), s)).toEqual(ledgerBefore);
		expect(await auditsOf(node(0), `sale:${a.id}`)).toEqual([]);
		expect((await stateOf(node(0), ended, late.id, late.day)).status).toBe('pending');
	});

	it('auto-confirmation run by both nodes at once confirms each due sale once', async () => {
		const s = await season();
		const { season: seasons } = node(0).tables;
		await node(0).db.update(seasons).set({ autoConfirmDays: 3 }).where(eq(seasons.id, s.seasonId));
		const due = [
			await pendingSaleOn(node(0), s, 10, { occurredAt: NOW - 5 * DAY }),
			await pendingSaleOn(node(0), s, 20, { occurredAt: NOW - 4 * DAY })
		];
		const fresh = await pendingSaleOn(node(0), s, 30, { occurredAt: NOW - DAY });
		const counts = await Promise.all([autoConfirm(node(0), clock), autoConfirm(node(1), clock)]);
		expect(counts[0] + counts[1]).toBe(2);
		for (const d of due) expect((await stateOf(node(1), s, d.id, d.day)).status).toBe('approved');
		expect((await stateOf(node(1), s, fresh.id, fresh.day)).status).toBe('pending');
		expect(await ledgerOf(node(1), s)).toEqual({ confirmed: 30, provisional: 30 });
		await node(0)
			.db.update(seasons)
			.set({ autoConfirmDays: null })
			.where(eq(seasons.id, s.seasonId));
	});

	it('the queue on one node shows what the other recorded and decided, its counts with it', async () => {
		const s = await season();
		const boss = s.people[2];
		const a = await pendingSaleOn(node(0), s, 12);
		const b = await pendingSaleOn(node(0), s, 8);
		const queue = await reviewQueue(node(1), s.seasonId, {}, NOW);
		expect(queue.sales.map((q) => q.id)).toEqual([a.id, b.id]);
		expect(queue.sales[0]).toMatchObject({ sellerName: s.people[0].name, points: 12, items: [] });
		expect(queue.waiting).toEqual({ sales: 2, points: 20 });
		expect(
			(await reviewQueue(node(1), s.seasonId, { sellerId: s.people[1].id }, NOW)).matching
		).toEqual({ sales: 0, points: 0 });
		const known = await salesOfSeason(node(1), s.seasonId, [a.id, b.id, 987_654_321]);
		expect([...known].sort((x, y) => x - y)).toEqual([a.id, b.id]);

		await reviewSales(node(0), [a.id], { decision: 'confirm', actor: { userId: boss.id } }, clock);
		const after = await reviewQueue(node(1), s.seasonId, {}, NOW);
		expect(after.sales.map((q) => q.id)).toEqual([b.id]);
		expect(after.waiting).toEqual({ sales: 1, points: 8 });
		expect(await recentDecisions(node(1), s.seasonId)).toMatchObject([
			{ saleId: a.id, action: 'confirm', by: boss.name, points: 12, reason: null }
		]);
	});
	it('a big sale confirmed on both nodes at once is queued once for the chat channel that wants it', async () => {
		const s = await season();
		const boss = s.people[2];
		const { chatChannel, outgoingMessage } = node(0).tables;
		// The chat's handler, as startChat registers it in a running server.
		const off = onDomainEventInWrite(onChatDomainEventInWrite);
		try {
			const [wins] = await node(0)
				.db.insert(chatChannel)
				.values({
					platform: 'slack',
					name: `#wins-${dialect}`,
					url: 'https://hooks.slack.com/services/T0/B0/x',
					events: ['big_sale'],
					bigSalePoints: 30
				})
				.returning({ id: chatChannel.id });
			const big = await pendingSaleOn(node(0), s, 45);
			const small = await pendingSaleOn(node(0), s, 20);
			forgetChannels();
			await Promise.all(
				[0, 1].map((i) =>
					reviewSales(
						node(i),
						[big.id, small.id],
						{ decision: 'confirm', actor: { userId: boss.id } },
						clock
					)
				)
			);
			const queued = await node(1)
				.db.select({ kind: outgoingMessage.kind, recipient: outgoingMessage.recipient })
				.from(outgoingMessage)
				.where(eq(outgoingMessage.chatChannelId, wins.id));
			expect(queued).toEqual([{ kind: 'big_sale', recipient: `#wins-${dialect}` }]);
			await node(0)
				.db.update(chatChannel)
				.set({ active: false })
				.where(eq(chatChannel.id, wins.id));
		} finally {
			off();
			forgetChannels();
		}
	});
});
