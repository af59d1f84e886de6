import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { literal, literals, type BuiltRow } from '../db/prepared';
import type { SaleSource } from '../db/schema';
import type { StoreDb, Tables } from '../db/store';

// The per-sale queries of sales.ts, prepared once per connection: an import runs them hundreds
// of thousands of times. Those built from `(db, tables)` are store queries, run synchronously
// with `preparedSync` (db/prepared.ts) by the synchronous paths and awaited with `preparedQuery`
// (db/store.ts) inside a store's write, one definition for both (docs/postgres.md, "The core,
// in steps"); the name each gives `.prepare()` is its statement's on PostgreSQL. Those that bind
// a list of ids come in two builds, one per dialect (IdList); the replay's raw statement is
// SQLite's only (the fast path).

/** The API and CSV imports share one id space (the CRM's ids). */
export const INTEGRATION_SOURCES = new Set<SaleSource>(['api', 'import']);

const sellerColumns = ({ user }: Tables) => ({
	id: user.id,
	email: user.email,
	displayName: user.displayName
});
export const sellerByEmail = (db: StoreDb, t: Tables) =>
	db
		.select(sellerColumns(t))
		.from(t.user)
		.where(eq(t.user.email, sql.placeholder('email')))
		.prepare('sale_seller_by_email');
export const sellerById = (db: StoreDb, t: Tables) =>
	db
		.select(sellerColumns(t))
		.from(t.user)
		.where(eq(t.user.id, sql.placeholder('id')))
		.prepare('sale_seller_by_id');

/** A season's row, its catalogue and its rules: what scoring a sale reads (sale-lookups.ts). */
export const seasonById = (db: StoreDb, { season }: Tables) =>
	db
		.select()
		.from(season)
		.where(eq(season.id, sql.placeholder('id')))
		.prepare('sale_season_by_id');
export const productsOfSeason = (db: StoreDb, { product }: Tables) =>
	db
		.select()
		.from(product)
		.where(eq(product.seasonId, sql.placeholder('seasonId')))
		.prepare('sale_products_of_season');
export const rulesOfSeason = (db: StoreDb, { rule }: Tables) =>
	db
		.select()
		.from(rule)
		.where(eq(rule.seasonId, sql.placeholder('seasonId')))
		.orderBy(asc(rule.id))
		.prepare('sale_rules_of_season');

const membershipColumns = ({ seasonMember, team }: Tables) => ({
	seasonId: seasonMember.seasonId,
	teamId: team.id,
	teamName: team.name,
	teamEmoji: team.emoji,
	teamColor: team.color
});

/** The person's live seasons with their team there, most recently started first. */
function liveMemberships(db: StoreDb, t: Tables, chosenSeason: boolean) {
	const { season, seasonMember, team } = t;
	return db
		.select(membershipColumns(t))
		.from(seasonMember)
		.innerJoin(season, eq(season.id, seasonMember.seasonId))
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.where(
			and(
				eq(season.status, literal('live')),
				eq(seasonMember.userId, sql.placeholder('userId')),
				chosenSeason ? eq(season.id, sql.placeholder('seasonId')) : undefined
			)
		)
		.orderBy(desc(season.startsAt), desc(season.id))
		.prepare(chosenSeason ? 'sale_chosen_live_membership' : 'sale_latest_live_membership');
}
export const latestLiveMembership = (db: StoreDb, t: Tables) => liveMemberships(db, t, false);
export const chosenLiveMembership = (db: StoreDb, t: Tables) => liveMemberships(db, t, true);
/**
 * An id list bound as one parameter `name`, for inArray(): one statement for any number of ids,
 * where a list of placeholders is built and prepared again for each count (an import's window:
 * ~4 ms a query for 500 sellers). Each dialect binds it its own way: SQLite a JSON array read
 * with `json_each`, PostgreSQL an array (node-postgres sends a JS array as one) unnested.
 */
type IdList = (name: string) => SQL;
const jsonIds: IdList = (name) => sql`(select value from json_each(${sql.placeholder(name)}))`;
const bigintArray: IdList = (name) => sql`(select unnest(${sql.placeholder(name)}::bigint[]))`;
const textArray: IdList = (name) => sql`(select unnest(${sql.placeholder(name)}::text[]))`;

/** liveMemberships of many people at once, each person's rows in the same order. */
const liveMembershipsAmong = (ids: IdList, name: string) => (db: StoreDb, t: Tables) => {
	const { season, seasonMember, team } = t;
	return db
		.select({ userId: seasonMember.userId, ...membershipColumns(t) })
		.from(seasonMember)
		.innerJoin(season, eq(season.id, seasonMember.seasonId))
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.where(and(eq(season.status, literal('live')), inArray(seasonMember.userId, ids('userIds'))))
		.orderBy(asc(seasonMember.userId), desc(season.startsAt), desc(season.id))
		.prepare(name);
};
/** `userIds` a JSON array (SQLite). */
export const liveMembershipsOf = liveMembershipsAmong(jsonIds, 'sale_live_memberships_of');
/** `userIds` an array (PostgreSQL). */
export const liveMembershipsOfOnPg = liveMembershipsAmong(bigintArray, 'sale_live_memberships_pg');

/** Sellers by id, many at once. */
const sellersAmong = (ids: IdList, name: string) => (db: StoreDb, t: Tables) =>
	db
		.select(sellerColumns(t))
		.from(t.user)
		.where(inArray(t.user.id, ids('ids')))
		.prepare(name);
/** `ids` a JSON array (SQLite). */
export const sellersByIds = sellersAmong(jsonIds, 'sale_sellers_by_ids');
/** `ids` an array (PostgreSQL). */
export const sellersByIdsOnPg = sellersAmong(bigintArray, 'sale_sellers_by_ids_pg');

const recordedColumns = ({ sale }: Tables) => ({
	id: sale.id,
	seasonId: sale.seasonId,
	status: sale.status,
	points: sale.points,
	// What an idempotent replay is compared with (sales.ts sameSale).
	sellerId: sale.sellerId,
	occurredAt: sale.occurredAt,
	customerRef: sale.customerRef,
	flagReason: sale.flagReason
});
export const integrationSale = (db: StoreDb, t: Tables) =>
	db
		.select(recordedColumns(t))
		.from(t.sale)
		.where(
			and(
				inArray(t.sale.source, literals([...INTEGRATION_SOURCES])),
				eq(t.sale.externalId, sql.placeholder('externalId'))
			)
		)
		.prepare('sale_integration_sale');
export const sourceSale = (db: StoreDb, t: Tables) =>
	db
		.select(recordedColumns(t))
		.from(t.sale)
		.where(
			and(
				eq(t.sale.source, sql.placeholder('source')),
				eq(t.sale.externalId, sql.placeholder('externalId'))
			)
		)
		.prepare('sale_source_sale');
/** Which of the external ids (`externalIds`) a sale of an integration (API, import) has. */
const integrationIdsIn =
	(ids: IdList, name: string) =>
	(db: StoreDb, { sale }: Tables) =>
		db
			.select({ externalId: sale.externalId })
			.from(sale)
			.where(
				and(
					inArray(sale.source, literals([...INTEGRATION_SOURCES])),
					inArray(sale.externalId, ids('externalIds'))
				)
			)
			.prepare(name);
/** `externalIds` a JSON array (SQLite). */
export const integrationIdsAmong = integrationIdsIn(jsonIds, 'sale_integration_ids_among');
/** `externalIds` an array (PostgreSQL). */
export const integrationIdsAmongOnPg = integrationIdsIn(textArray, 'sale_integration_ids_pg');
/** A recorded sale's lines as sent: SKU, quantity and unit price (cents). */
export const recordedLines = (db: StoreDb, { product, saleLine }: Tables) =>
	db
		.select({ sku: product.sku, quantity: saleLine.quantity, unitPrice: saleLine.unitPrice })
		.from(saleLine)
		.innerJoin(product, eq(product.id, saleLine.productId))
		.where(eq(saleLine.saleId, sql.placeholder('saleId')))
		.prepare('sale_recorded_lines');
/**
 * A recorded sale's answer as it stands now, read for a replay of a body already answered
 * (fast-sales.ts): its status, points, season, flag reason and the season's version; no row
 * when the sale is not this body's: not an integration's, another externalId, or its seller no
 * longer has this email.
 */
export const replayAnswerOf = (db: StoreDb, { sale, season, user }: Tables) =>
	db
		.select({
			status: sale.status,
			points: sale.points,
			seasonId: sale.seasonId,
			flagReason: sale.flagReason,
			version: season.version
		})
		.from(sale)
		.innerJoin(season, eq(season.id, sale.seasonId))
		.innerJoin(user, eq(user.id, sale.sellerId))
		.where(
			and(
				eq(sale.id, sql.placeholder('saleId')),
				eq(user.email, sql.placeholder('email')),
				eq(sale.externalId, sql.placeholder('externalId')),
				inArray(sale.source, literals([...INTEGRATION_SOURCES]))
			)
		)
		.prepare('sale_replay_answer');
export type ReplayAnswerRow = BuiltRow<typeof replayAnswerOf>;

export const seasonVersion = (db: StoreDb, { season }: Tables) =>
	db
		.select({ version: season.version })
		.from(season)
		.where(eq(season.id, sql.placeholder('seasonId')))
		.prepare('sale_season_version');

// The breakdown is bound as its JSON text (see ledger.ts).
export const insertSale = (db: StoreDb, { sale }: Tables) =>
	db
		.insert(sale)
		.values({
			seasonId: sql.placeholder('seasonId'),
			source: sql.placeholder('source'),
			externalId: sql.placeholder('externalId'),
			sellerId: sql.placeholder('sellerId'),
			teamId: sql.placeholder('teamId'),
			occurredAt: sql.placeholder('occurredAt'),
			amount: sql.placeholder('amount'),
			customerRef: sql.placeholder('customerRef'),
			status: sql.placeholder('status'),
			points: sql.placeholder('points'),
			flagReason: sql.placeholder('flagReason'),
			breakdown: sql`${sql.placeholder('breakdown')}`,
			createdById: sql.placeholder('createdById'),
			createdAt: sql.placeholder('createdAt')
		})
		.returning({ id: sale.id })
		.prepare('sale_insert');
export const insertLine = (db: StoreDb, { saleLine }: Tables) =>
	db
		.insert(saleLine)
		.values({
			saleId: sql.placeholder('saleId'),
			productId: sql.placeholder('productId'),
			quantity: sql.placeholder('quantity'),
			unitPrice: sql.placeholder('unitPrice'),
			points: sql.placeholder('points')
		})
		.prepare('sale_insert_line');
