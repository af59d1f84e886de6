// A group of API sales reads its new sellers ahead (scoring/sale-lookups.ts
// readSellersAheadInWrite): on PostgreSQL each seller's user, live season and team, the seasons'
// products and rules, the active webhooks and which of its external ids have a sale in one
// statement for the whole group, where each seller met for the first time cost three, each season
// two more, the webhooks one and the replays one. On both
// dialects a group's answers, points, seasons and rows are those of the same sales recorded one
// at a time: a seller by email or by id, one in two live seasons (the later one counts), the
// same seller twice, a sale sent before (a replay), and refusals (an unknown email, a user in
// no season) that write nothing.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { and, eq, inArray } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { recordSaleGrouped } from '../../src/lib/server/scoring/group-commit';
import type { RecordedSale, RecordSaleInput } from '../../src/lib/server/scoring/sales';
import { statementsDuring } from '../helpers/pg-statements';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn, phoneAndCaseOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('sellers-ahead');
const NOW = 1_900_000_000_000;
const HOUR = 3_600_000;
const clock = () => NOW;

/**
 * Two live seasons of four people each, phones doubled in the first; the first season's fourth
 * person is in the second too (started at the same time, a larger id: the one their sales count
 * in), one person is in none, and a webhook wants every confirmed sale.
 */
async function seasonsOn(store: Store) {
	const first = await liveSeasonOn(store, {
		size: 4,
		teams: ['North', 'South'],
		endsAt: NOW + HOUR
	});
	const second = await liveSeasonOn(store, {
		size: 4,
		teams: ['East', 'West'],
		endsAt: NOW + HOUR
	});
	for (const s of [first, second]) await phoneAndCaseOn(store, s.seasonId);
	const { seasonMember, team, user, rule, webhook } = store.tables;
	await store.db.insert(rule).values({
		seasonId: first.seasonId,
		name: 'Phones double',
		target: { kind: 'category', category: 'Phones' },
		effect: { kind: 'multiplier', factor: 2 }
	});
	const [hook] = await store.db
		.insert(webhook)
		.values({ url: 'https://crm.example.test/hook', secret: 'x', events: ['sale.confirmed'] })
		.returning({ id: webhook.id });
	const [east] = await store.db
		.select({ id: team.id })
		.from(team)
		.where(eq(team.seasonId, second.seasonId))
		.limit(1);
	await store.db
		.insert(seasonMember)
		.values({ seasonId: second.seasonId, userId: first.people[3].id, teamId: east.id });
	const [outsider] = await store.db
		.insert(user)
		.values({
			email: `outsider-${first.seasonId}@example.test`,
			displayName: 'Outsider',
			role: 'participant',
			passwordHash: 'not-a-real-hash'
		})
		.returning({ id: user.id, email: user.email });
	return { first, second, outsider, hookId: hook.id };
}

type Seasons = Awaited<ReturnType<typeof seasonsOn>>;

/**
 * The group's sales, ids prefixed: nine sellers' (two refused), one seller twice; a phone when
 * the index is even, else two phones and a case.
 */
function salesOf({ first, second, outsider }: Seasons, prefix: string): RecordSaleInput[] {
	const sellers: RecordSaleInput['seller'][] = [
		{ email: first.people[0].email },
		{ email: first.people[1].email.toUpperCase() },
		{ email: first.people[2].email },
		{ email: first.people[3].email },
		{ userId: second.people[0].id },
		{ email: second.people[1].email },
		{ email: 'nobody@example.test' },
		{ email: outsider.email },
		{ email: second.people[1].email }
	];
	return sellers.map((seller, i) => ({
		source: 'api',
		externalId: `${prefix}-${i}`,
		seller,
		occurredAt: NOW - HOUR + i,
		lines:
			i % 2 === 0
				? [{ sku: 'PHONE', quantity: 1 }]
				: [
						{ sku: 'PHONE', quantity: 2 },
						{ sku: 'CASE', quantity: 1 }
					]
	}));
}

/** What a sale's answer says, or its refusal's code. */
const answerOf = (result: { ok: RecordedSale } | { code?: string }) =>
	'ok' in result
		? {
				seasonId: result.ok.seasonId,
				points: result.ok.sale.points,
				status: result.ok.sale.status,
				created: result.ok.created
			}
		: { code: result.code };

const settle = (promise: Promise<RecordedSale>) =>
	promise.then(
		(ok) => ({ ok }),
		(error: { code?: string }) => ({ code: error.code })
	);

/** The sales of `prefix`, each with its season, seller, points and its lines' and entry's count. */
async function storedOf(store: Store, prefix: string, count: number) {
	const { sale, saleLine, ledgerEntry } = store.tables;
	const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
	const sales = await store.db
		.select({
			externalId: sale.externalId,
			id: sale.id,
			seasonId: sale.seasonId,
			sellerId: sale.sellerId,
			teamId: sale.teamId,
			points: sale.points
		})
		.from(sale)
		.where(and(eq(sale.source, 'api'), inArray(sale.externalId, ids)));
	const stored = [];
	for (const row of sales) {
		const lines = await store.db.select().from(saleLine).where(eq(saleLine.saleId, row.id));
		const entries = await store.db
			.select({ points: ledgerEntry.points, userId: ledgerEntry.userId })
			.from(ledgerEntry)
			.where(eq(ledgerEntry.saleId, row.id));
		stored.push({
			i: Number(row.externalId.split('-').pop()),
			seasonId: row.seasonId,
			sellerId: row.sellerId,
			teamId: row.teamId,
			points: row.points,
			lines: lines.length,
			entries
		});
	}
	return stored.sort((x, y) => x.i - y.i);
}

describe.each(['sqlite', 'postgres'] as const)("a group's sellers read ahead on %s", (dialect) => {
	it('answers and writes what the same sales one at a time do; refusals write nothing', async () => {
		const [a, b] = nodes[dialect];
		const seasons = await seasonsOn(a);
		const group = salesOf(seasons, `grp${dialect}`);
		const alone = salesOf(seasons, `one${dialect}`);

		// The first sale was sent before: in the group, it is answered as its replay.
		await recordSaleGrouped(a, group[0], clock);
		await recordSaleGrouped(b, alone[0], clock);
		const inGroup = await Promise.all(group.map((s) => settle(recordSaleGrouped(a, s, clock))));
		const { webhookDelivery } = b.tables;
		const deliveries = await b.db
			.select({ id: webhookDelivery.id })
			.from(webhookDelivery)
			.where(eq(webhookDelivery.webhookId, seasons.hookId));
		// The two sales sent before (one per prefix) and the group's six new ones.
		expect(deliveries).toHaveLength(8);
		const oneByOne = [];
		for (const s of alone) oneByOne.push(await settle(recordSaleGrouped(b, s, clock)));

		expect(inGroup.map(answerOf)).toEqual(oneByOne.map(answerOf));
		expect(answerOf(inGroup[0])).toMatchObject({ created: false });
		expect(inGroup.map((r) => ('code' in r ? r.code : 'ok'))).toEqual([
			...Array(6).fill('ok'),
			'unknown_seller',
			'not_a_member',
			'ok'
		]);
		// Phones (100) doubled in the first season, cases 10: the fourth seller's sale counts in
		// the season they joined last, where phones are not doubled.
		const { first, second } = seasons;
		expect(inGroup.map((r) => ('ok' in r ? [r.ok.seasonId, r.ok.sale.points] : null))).toEqual([
			[first.seasonId, 200],
			[first.seasonId, 410],
			[first.seasonId, 200],
			[second.seasonId, 210],
			[second.seasonId, 100],
			[second.seasonId, 210],
			null,
			null,
			[second.seasonId, 100]
		]);

		const grouped = await storedOf(b, `grp${dialect}`, group.length);
		expect(grouped.map((s) => s.i)).toEqual([0, 1, 2, 3, 4, 5, 8]);
		expect(grouped).toEqual(await storedOf(a, `one${dialect}`, alone.length));
		for (const s of grouped) {
			expect(s.lines).toBe(s.i % 2 === 0 ? 1 : 2);
			expect(s.entries).toEqual([{ points: s.points, userId: s.sellerId }]);
		}
		// The user in no season has no sale, entry or standing anywhere.
		const { ledgerEntry, standing } = b.tables;
		const outsider = seasons.outsider.id;
		expect(await b.db.select().from(ledgerEntry).where(eq(ledgerEntry.userId, outsider))).toEqual(
			[]
		);
		expect(
			await b.db
				.select()
				.from(standing)
				.where(and(eq(standing.subjectType, 'user'), eq(standing.subjectId, outsider)))
		).toEqual([]);
	});
});

/** A seller's lookups on PostgreSQL: read ahead for a group, or one by one. */
const LOOKUPS = {
	// With the write's begin once the connection prepared it (db/store.ts openingQuery).
	ahead: /left join lateral|execute sale_sellers_ahead_pg\(/,
	seller: /from "user" where/,
	membership: /^select "season_member"\."season_id"/,
	replays: /from "sale" where \("sale"\."source" in/,
	products: /from "product" where/,
	rules: /from "rule" where/,
	webhooks: /from "webhook" where/
};

describe('a group of API sales on postgres', () => {
	it("reads its new sellers, their seasons' products and rules, the webhooks and the replays in one statement", async () => {
		const [a] = nodes.postgres;
		const seasons = await seasonsOn(a);
		const reads = await statementsDuring(LOOKUPS, () =>
			Promise.all(salesOf(seasons, 'reads').map((s) => settle(recordSaleGrouped(a, s, clock))))
		);
		expect(reads).toEqual({
			ahead: 1,
			seller: 0,
			membership: 0,
			replays: 0,
			products: 0,
			rules: 0,
			webhooks: 0
		});
	});

	it('a lone sale of a known seller sends at most 2 statements, its begin, claim and read ahead as one', async () => {
		const [a] = nodes.postgres;
		const { first } = await seasonsOn(a);
		const sale = (id: string): RecordSaleInput => ({
			source: 'api',
			externalId: id,
			seller: { email: first.people[0].email },
			occurredAt: NOW - HOUR,
			lines: [{ sku: 'PHONE', quantity: 1 }]
		});
		// Two before: the first one's day has no row yet (its sales are read), and its awards are
		// published after its answer, by statements of their own.
		for (const id of ['lone-warm', 'lone-day']) await recordSaleGrouped(a, sale(id), clock);
		// Each active webhook (one per season made in this file) adds its delivery's insert.
		const sent = await statementsDuring(
			{
				deliveries: /^insert into "webhook_delivery"/,
				opening:
					/^begin isolation level serializable; lock table "season" in share row exclusive mode; set local plan_cache_mode = force_generic_plan; execute sale_sellers_ahead_pg\(.*\); set local plan_cache_mode to default$/,
				begins: /^begin/,
				claims: /lock table/,
				others: /./
			},
			() => recordSaleGrouped(a, sale('lone-1'), clock)
		);
		expect(sent).toMatchObject({ opening: 1, begins: 0, claims: 0 });
		expect(sent.opening + sent.others).toBeLessThanOrEqual(2);
	});

	it('runs the read ahead on its generic plan, planned once per connection', async () => {
		const [a] = nodes.postgres;
		const { first } = await seasonsOn(a);
		// The connection each write's opening string went on.
		const used = new Set<unknown>();
		const query = pg.Client.prototype.query;
		pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
			const config = args[0] as { text?: string } | string;
			if (
				/execute sale_sellers_ahead_pg/.test(
					typeof config === 'string' ? config : (config.text ?? '')
				)
			)
				used.add(this);
			return (query as (...a: unknown[]) => unknown).apply(this, args);
		} as typeof query;
		try {
			for (let i = 0; i < 8; i++)
				await recordSaleGrouped(
					a,
					{
						source: 'api',
						externalId: `generic-${i}`,
						seller: { email: first.people[0].email },
						occurredAt: NOW - HOUR,
						lines: [{ sku: 'PHONE', quantity: 1 }]
					},
					clock
				);
		} finally {
			pg.Client.prototype.query = query;
		}
		expect(used.size).toBeGreaterThan(0);
		// Each of those connections' plans of the statement (pg_prepared_statements is per
		// connection): taken from the pool until every one was met.
		if (a.dialect !== 'postgres') throw new Error('PostgreSQL');
		const taken: pg.PoolClient[] = [];
		const plans: { generic: number; custom: number }[] = [];
		try {
			while (plans.length < used.size && taken.length < a.pool.totalCount) {
				const client = await a.pool.connect();
				taken.push(client);
				if (!used.has(client)) continue;
				const { rows } = await client.query<{ generic: number; custom: number }>(
					`select generic_plans as generic, custom_plans as custom from pg_prepared_statements
					where name = 'sale_sellers_ahead_pg'`
				);
				plans.push(...rows);
			}
		} finally {
			for (const client of taken) client.release();
		}
		expect(plans.length).toBe(used.size);
		const generic = plans.reduce((n, p) => n + p.generic, 0);
		const custom = plans.reduce((n, p) => n + p.custom, 0);
		// Every EXECUTE on the generic plan; a custom plan only for a connection's first run (the
		// Bind that prepared it).
		expect(generic).toBeGreaterThanOrEqual(8 - plans.length);
		expect(custom).toBeLessThanOrEqual(plans.length);
	});
});
